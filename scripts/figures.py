#!/usr/bin/env python3
"""Every figure the READMEs quote, from the reports and benchmarks that measure it: one source of truth.

    python3 scripts/figures.py                 # run the deterministic reports, print every figure
    python3 scripts/figures.py --bench         # also the benchmarks (codec ratios, TLS handshake): minutes, noisy
    python3 scripts/figures.py --recorded      # only what earlier runs recorded in target/figures/ (CI's stages)
    python3 scripts/figures.py --check         # ... and fail when a README figure disagrees with a measured one
    python3 scripts/figures.py --only core-v0 fw-plain   # some reports

Each report's whole output is kept in target/figures/<report>.log (CI's stages write those logs with `tee`, so the
check at the end of .ci/run re-runs nothing). A README marks a figure with an HTML comment right after the number,
invisible once rendered: `**21,781 B**<!--fig:core.v0.layer-->`. Deterministic figures (sizes and bytes, for the
pinned toolchain in rust-toolchain.toml and the lockfiles) are checked exactly, or within the tolerance below where
a run-made input or the checkout's place moves them (see tolerance(): MCU flash within 0.2%). Benchmark figures
(`<!--fig~:NAME-->`) vary from run to run and machine to machine: printed with --bench, never checked.
"""

import argparse
import glob
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOGS = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "figures")
FW = "examples/firmware-mps2"
FW_ELF = FW + "/target/thumbv7em-none-eabihf/release/firmware-mps2"

# report -> (command, deterministic?)
REPORTS = {
    "core-v0": ("bash scripts/size-report.sh", True),
    "core-v1": ("bash scripts/size-report.sh --api v1", True),
    "core-sjc-v0": ("bash scripts/size-report.sh --serde-json-core", True),
    "core-sjc-v1": ("bash scripts/size-report.sh --serde-json-core --api v1", True),
    "fw-plain": (f"bash {FW}/size-report.sh", True),
    "fw-v1": (f"QOD_FW_FEATURES=v1 bash {FW}/size-report.sh", True),
    "fw-dhcp": (f"QOD_FW_FEATURES=dhcp bash {FW}/size-report.sh", True),
    "fw-keep": (f"QOD_FW_FEATURES=keep bash {FW}/size-report.sh", True),
    "fw-thumbv6m": (
        f"(cd {FW} && cargo build -q --release --locked --target thumbv6m-none-eabi) && "
        f"bash {FW}/size-report.sh {FW}/target/thumbv6m-none-eabi/release/firmware-mps2",
        True,
    ),
    "fw-tls": (f"bash {FW}/run.sh --tls --build-only && bash {FW}/size-report.sh --tls", True),
    "fw-cellular": ("bash examples/firmware-cellular/size-report.sh", True),
    "boards": ("bash examples/boards.sh --no-lint", True),
    # --workspace: built with the features the test suite unified, so after scripts/test.sh nothing is rebuilt
    "ram": ("cargo test -q --locked --workspace --test ram_report -- --nocapture", True),
    "wire": ("cargo test -q --locked --workspace --test wire_report -- --nocapture", True),
    "gateway": ("QOD_GATEWAY_HOST=0 bash crates/qod-cli/scripts/gateway-build.sh", True),
    "codec": ("cargo bench -q --locked -p qod-core --features serde,v1 --bench codec", False),
}
# figures that move a little with what a run makes or the machine has: the TLS certificates on the wire, ring's C
# code compiled by the machine's clang in the gateway build
TOLERANCE = {"wire.tls.down": 8, "wire.tls.total": 8,
             "gateway.aarch64-unknown-linux-musl.bytes": 16384, "gateway.armv7-unknown-linux-musleabihf.bytes": 16384}
# MCU flash figures: 0.2% of the image, at least 32 B (see tolerance())
MCU_FLASH_REL = 0.002


def tolerance(name, measured, figures):
    """Allowed difference from the `measured` value (`figures`: the whole run's). Where a build carries what the run makes or the machine has:
    the TLS wire bytes carry certificates made per run, and ring's C in the gateway binaries is compiled by the
    machine's clang (TOLERANCE). MCU images are built with their path prefixes rewritten (scripts/mcu-paths.sh), so
    no path length shows; what is left comes from the checkout's place: cargo hashes the absolute path of a path
    dependency outside the building workspace (qod-core and firmware-common, as seen from examples/*) into its
    symbol names, symbols are ordered by name, and that order moves alignment padding and LLVM's inlining and
    outlining choices. scripts/checkout-paths.sh builds one commit at eight paths: the plaintext and keeper images
    move by 4 B, the TLS image by up to ~260 B (at about one path in four, embedded-tls's key schedule is inlined
    otherwise; the test CA and secret baked in move it by 4-8 B more). So MCU flash figures get MCU_FLASH_REL of the
    image (at least 32 B), and every KiB figure of an image's flash (its size, spare, over an aim, over another
    build) as much of that image plus a rounding that flips."""
    if name in TOLERANCE:
        return TOLERANCE[name]
    if name.startswith(("fw.", "board.", "json.")):
        if name.endswith((".flash", ".sjc", ".own")):
            return max(32, MCU_FLASH_REL * measured)
        if "flash" in name and name.endswith("_kib"):
            image = float(figures.get(name.rsplit(".", 1)[0] + ".flash", measured * 1024)) / 1024
            return max(0.1, MCU_FLASH_REL * image + 0.05)
    return 0


def num(s):
    return s.replace(",", "")


def parse(report, text):
    """Figures (name -> value as printed, digits only) from one report's output."""
    f = {}

    def fw(prefix, block):
        m = re.search(r"flash \(.*?\)\s+(\d+) B =\s+([\d.]+) KiB", block)
        if m:
            f[prefix + ".flash"], f[prefix + ".flash_kib"] = m.group(1), m.group(2)
        m = re.search(r"RAM\s+\(.*?\)\s+(\d+) B =\s+([\d.]+) KiB", block)
        if m:
            f[prefix + ".ram"], f[prefix + ".ram_kib"] = m.group(1), m.group(2)

    if report.startswith("core-sjc-"):  # the JSON alone, each path minus the same baseline
        api = report.split("-")[2]
        for key, label in (("own", r"qod-core's own codec \(json-own\)"),
                           ("sjc", r"serde-json-core \+ serde derives \(json-sjc\)")):
            m = re.search(rf"^{label}\s+\d+\s+(\d+)$", text, re.M)
            if m:
                f[f"json.{api}.{key}"] = m.group(1)
    elif report.startswith("core-"):
        api = report.split("-")[1]
        for part in ("requests", "http", "sessions", "profiles"):
            m = re.search(rf"^{part}\s+(\d+)$", text, re.M)
            if m:
                f[f"core.{api}.{part}"] = m.group(1)
        for key, label in (("stub", r"TOTAL \.text\+\.rodata"), ("baseline", r"baseline: stub \+ mem\* alone"),
                           ("layer", r"CODEC \+ HTTP \(TOTAL - baseline\)")):
            m = re.search(rf"^{label}\s+(\d+)$", text, re.M)
            if m:
                f[f"core.{api}.{key}"] = m.group(1)
        if f"core.{api}.layer" in f:
            f[f"core.{api}.over_target"] = str(int(f[f"core.{api}.layer"]) - 16384)
    elif report == "fw-tls":
        # the TLS image's block comes first; then the plaintext one it is compared with
        fw("fw.tls", text.split("TLS beside plaintext")[0])
        if "fw.tls.flash" in f:  # against the 192 KiB budget and the 160 KiB aim
            f["fw.tls.flash_spare_kib"] = f"{192 - round(int(f['fw.tls.flash']) / 1024, 1):.1f}"
            f["fw.tls.flash_over_aim_kib"] = f"{round(int(f['fw.tls.flash']) / 1024, 1) - 160:.1f}"
        if "fw.tls.ram" in f:  # the same image with a 4,352-B instead of a 16,640-B TLS read buffer (a static array)
            f["fw.tls.ram_4k_records_kib"] = f"{(int(f['fw.tls.ram']) - (16640 - 4352)) / 1024:.1f}"
    elif report.startswith("fw-"):
        fw("fw." + report[3:], text)
        # the split by owner and by crate (flash), in KiB: "  12866      0  ours: qod_core", "  22650   9820  ours"
        for m in re.finditer(r"^\s+(\d+)\s+\d+\s+(ours|embassy|core|mixed|deps|logging)(?:: (\w+))?\s*$", text, re.M):
            key = f"fw.{report[3:]}.{'crate.' + m.group(3) if m.group(3) else 'owner.' + m.group(2)}_kib"
            f.setdefault(key, f"{int(m.group(1)) / 1024:.1f}")
        for what in ("flash", "RAM"):  # the cellular report: difference to the Ethernet firmware
            m = re.search(rf"^  {what}\s+\d+ B\s+\d+ B\s+\+(\d+) B", text, re.M)
            if m:
                f[f"fw.{report[3:]}.{what.lower()}_over_ethernet_kib"] = f"{int(m.group(1)) / 1024:.1f}"
    elif report == "boards":
        for m in re.finditer(r"^(\S+)\s+\S+\s+flash\s+(\d+) B \(\s*([\d.]+) KiB\)\s+RAM\s+(\d+) B \(\s*([\d.]+) KiB\)",
                             text, re.M):
            b = m.group(1)
            f[f"board.{b}.flash"], f[f"board.{b}.flash_kib"] = m.group(2), m.group(3)
            f[f"board.{b}.ram"], f[f"board.{b}.ram_kib"] = m.group(4), m.group(5)
    elif report == "ram":
        for line in text.splitlines():
            cells = [c.strip().strip("*") for c in line.strip().strip("|").split("|")]
            if len(cells) != 3 or not re.fullmatch(r"\d+|-", cells[1]):
                continue
            name = re.search(r"`([A-Za-z_]+)`", cells[0])
            key = ("per_request" if cells[0].startswith("client RAM per request") else
                   "per_request_with_session_info" if cells[0].startswith("with the decoded") else
                   name.group(1) if name else None)
            if key and not cells[0].startswith("(socket"):
                for api, v in (("v0", cells[1]), ("v1", cells[2])):
                    if v != "-":
                        f[f"ram.{api}.{key}"] = v
        for api in ("v0", "v1"):  # the part the client itself needs: connector + client + largest future
            if f"ram.{api}.per_request" in f:
                f[f"ram.{api}.client"] = str(int(f[f"ram.{api}.per_request"]) - int(f[f"ram.{api}.tx_buf"])
                                             - int(f[f"ram.{api}.rx_buf"]))
    elif report == "wire":
        for key, label in (("up", "bytes device → server"), ("down", "bytes server → device"), ("total", "bytes in all"),
                           ("round_trips", "round trips")):
            m = re.search(rf"^\|\s*\**{label}[^|]*\|\s*\**(\d+)\**\s*\|\s*\**(\d+)", text, re.M)
            if m:
                f[f"wire.plain.{key}"], f[f"wire.tls.{key}"] = m.group(1), m.group(2)
    elif report == "gateway":
        for m in re.finditer(r"^gateway-build\.sh: (\S+?),? gateway only.*\((\d+) bytes\)", text, re.M):
            t = "host" if m.group(1) == "host" else m.group(1)
            f[f"gateway.{t}.bytes"] = m.group(2)
    elif report == "codec":
        for m in re.finditer(r"^TARGETS (\S+): decode ([\d.]+)x.*encode ([\d.]+)x", text, re.M):
            f[f"codec.{m.group(1)}.decode"], f[f"codec.{m.group(1)}.encode"] = m.group(2), m.group(3)
    return f


def run(report, cmd):
    os.makedirs(LOGS, exist_ok=True)
    print(f"figures.py: running {report}: {cmd}", file=sys.stderr, flush=True)
    # Every command with the MCU path remapping that .ci/run sets (scripts/mcu-paths.sh): a report that runs cargo
    # itself (fw-thumbv6m) would otherwise link the machine's paths.
    p = subprocess.run(["bash", "-c", f"set -o pipefail; . scripts/mcu-paths.sh; {cmd}"], cwd=ROOT,
                       stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    with open(os.path.join(LOGS, report + ".log"), "w") as fh:
        fh.write(p.stdout)
    if p.returncode != 0:
        print(f"figures.py: {report} exited {p.returncode} (its figures are still read; log in "
              f"{os.path.relpath(LOGS, ROOT)}/{report}.log)", file=sys.stderr)
    return p.stdout


def anchors():
    """(file, line, name, text before the anchor, checked?) for every figure anchor in the READMEs."""
    files = ["README.md"] + sorted(glob.glob(os.path.join(ROOT, "crates/*/README.md"))) + \
        sorted(glob.glob(os.path.join(ROOT, "examples/*/README.md")))
    for path in files:
        path = os.path.join(ROOT, path)
        with open(path) as fh:
            for n, line in enumerate(fh, 1):
                for m in re.finditer(r"<!--fig(~?):([a-z0-9_.-]+)-->", line):
                    yield os.path.relpath(path, ROOT), n, m.group(2), line[:m.start()], m.group(1) == ""


def formatted(quoted, value):
    """value written the way the README wrote the old one (thousands separators, decimals)."""
    if "." in value:
        return value
    return f"{int(value):,}" if "," in quoted or int(value) >= 1000 else value


def write(figures):
    """Rewrite the number before every anchor whose figure was measured (used after a change that moves sizes)."""
    for path in sorted({path for path, _, name, _, _ in anchors() if name in figures}):
        full = os.path.join(ROOT, path)
        with open(full) as fh:
            text = fh.read()

        def repl(m):
            name = m.group(4)
            if name not in figures or m.group(3):  # benchmark figures (fig~) are rewritten by hand
                return m.group(0)
            return formatted(m.group(1), figures[name]) + m.group(2) + m.group(0)[m.end(2) - m.start(0):]

        new = re.sub(r"([0-9][0-9,]*(?:\.[0-9]+)?)(\D{0,12}?)<!--fig(~?):([a-z0-9_.-]+)-->", repl, text)
        if new != text:
            with open(full, "w") as fh:
                fh.write(new)
            print(f"figures.py: rewrote figures in {path}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", action="store_true", help="also run the benchmarks")
    ap.add_argument("--recorded", action="store_true", help="only read target/figures/*.log, run nothing")
    ap.add_argument("--check", action="store_true", help="fail when a README figure disagrees with a measured one")
    ap.add_argument("--write", action="store_true", help="rewrite each README figure with the measured one")
    ap.add_argument("--only", nargs="+", choices=sorted(REPORTS), help="these reports only")
    a = ap.parse_args()

    figures, missing = {}, []
    for report, (cmd, deterministic) in REPORTS.items():
        if a.only and report not in a.only:
            continue
        log = os.path.join(LOGS, report + ".log")
        if a.recorded:
            if not os.path.exists(log):
                missing.append(report)
                continue
            with open(log) as fh:
                text = fh.read()
        elif deterministic or a.bench:
            text = run(report, cmd)
        else:
            continue
        got = parse(report, text)
        if not got:
            print(f"figures.py: no figure found in {report}'s output", file=sys.stderr)
            missing.append(report)
        figures.update(got)

    width = max((len(k) for k in figures), default=0)
    for k in sorted(figures):
        print(f"{k:<{width}}  {figures[k]}")
    if missing:
        print(f"figures.py: not measured: {', '.join(missing)}", file=sys.stderr)

    if a.write:
        write(figures)
    if not a.check:
        return 0
    bad = 0
    checked = 0
    for path, n, name, before, exact in anchors():
        if not exact:
            continue
        m = re.search(r"([0-9][0-9,]*(?:\.[0-9]+)?)\D{0,12}$", before)
        if not m:
            print(f"{path}:{n}: no number before the anchor of {name}")
            bad += 1
            continue
        if name not in figures:
            print(f"{path}:{n}: {name} was not measured in this run")
            bad += 1
            continue
        quoted, measured = float(num(m.group(1))), float(figures[name])
        checked += 1
        if abs(quoted - measured) > tolerance(name, measured, figures) + 1e-9:
            print(f"{path}:{n}: {name} is {m.group(1)} in the README but measured {figures[name]}")
            bad += 1
    print(f"figures.py: {checked} README figures checked, {bad} wrong or unmeasured", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
