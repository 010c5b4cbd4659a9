#!/usr/bin/env bash
# Portability check (issue 5 §4): builds the device crates qod-core,
# qod-client, qod-embassy and qod-cellular for four MCU classes, without default features
# and with `defmt` (qod-core also with `serde`), in their no_std configuration; links
# examples/core-size's JSON stub (qod-core's models through serde-json-core and through
# qod-core's own codec, features json-sjc and json-own) for each target; then links the
# examples/client-size stub for thumbv7em and thumbv6m and prints its size.
# Called by .ci/run ("no_std builds").
#
#   bash scripts/cross-check.sh                               # all targets
#   bash scripts/cross-check.sh riscv32imc-unknown-none-elf   # some targets (no size report)
#
# | target                       | class                           | atomics          |
# |------------------------------|---------------------------------|------------------|
# | thumbv6m-none-eabi           | Cortex-M0/M0+ (RP2040)          | load/store only  |
# | thumbv7em-none-eabihf        | Cortex-M4F/M7F (STM32F4, nRF52) | full (CAS)       |
# | thumbv8m.main-none-eabihf    | Cortex-M33 (nRF91, nRF53)       | full (CAS)       |
# | riscv32imc-unknown-none-elf  | RV32IMC (ESP32-C3)              | load/store only  |
#
# Why this proves no_std: none of these targets has a `std` (rustup ships
# only core/alloc for them), so any dependency that pulls in std fails to
# compile here. Each crate is built alone (`-p X`, resolver 2), so host-only
# workspace members (qod-sim, qod-cli, ...) cannot switch on `std`/`tokio`
# features through feature unification; the script also checks the features
# cargo resolved (normal dependencies, proc-macros excluded) and fails if a
# `std` feature is among them.
#
# No atomic compare-and-swap on thumbv6m and riscv32imc: embassy-net 0.9.1,
# embassy-sync 0.8, embassy-time 0.5 and embassy-executor 0.10 use
# `critical-section` there (no portable-atomic in these crates' trees), so
# nothing extra is needed to build the libraries. A firmware for those
# targets supplies a critical-section implementation (cortex-m
# `critical-section-single-core`, or the HAL's) and an embassy-time driver;
# `static_cell` (used by most embassy firmwares) needs
# `portable-atomic = { features = ["critical-section"] }` there, or
# RUSTFLAGS="--cfg portable_atomic_unsafe_assume_single_core" on single-core
# parts. examples/firmware-mps2 builds for thumbv6m that way.
#
# Environment: CARGO_TARGET_DIR as usual (cargo's default otherwise).
# Exit status: 0 when every build passed, 1 otherwise.
set -euo pipefail
# shellcheck source=mcu-paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/mcu-paths.sh"   # MCU builds: no machine paths in the image, sizes alike everywhere

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ALL_TARGETS=(thumbv6m-none-eabi thumbv7em-none-eabihf thumbv8m.main-none-eabihf riscv32imc-unknown-none-elf)
if [ $# -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi

# crate | feature sets (";"-separated; "" = none). qod-embassy needs one
# medium and one IP version for embassy-net/smoltcp to compile (smoltcp
# stops with "You must enable at least one of ... proto-ipv4, proto-ipv6"),
# so its sets are the smallest real configurations, its default one
# (proto-ipv4,medium-ethernet,dns) and two with defmt.
BUILDS=(
    "qod-core|;v0;v0,defmt;v1;v1,defmt;v0,serde;v1,serde;v0,v1,serde,defmt"
    "qod-client|v0;v0,defmt;v1;v1,defmt"
    "qod-embassy|proto-ipv4,medium-ethernet;proto-ipv4,medium-ip;proto-ipv4,medium-ethernet,dns;proto-ipv4,medium-ethernet,dns,defmt;proto-ipv6,medium-ip,defmt"
    "qod-cellular|;defmt"
)

log() { printf 'cross-check.sh: %s\n' "$*" >&2; }

if command -v rustup >/dev/null 2>&1; then
    rustup target add "${TARGETS[@]}" >&2
else
    log "rustup not found: assuming the targets' rust-std is installed"
fi

cd "$ROOT"
failed=()
passed=0
start=$(date +%s)
# Each build names every target at once (`--target A --target B`): cargo builds them side by side, which keeps both
# cores busy where one target's dependency chain would leave one idle. A label covers all of them.
target_args=()
for target in "${TARGETS[@]}"; do target_args+=(--target "$target"); done
on="on ${TARGETS[*]}"
# build LABEL CARGO-ARGS...: the std leak guard (what cargo resolved), then the build.
build() {
    local label="$1"
    shift
    if cargo tree "$@" -e normal,features,no-proc-macro --prefix none 2>/dev/null \
        | grep -E '^[a-z0-9_-]+ feature "std"' | sort -u | grep -q .; then
        log "FAIL $label: a dependency has its std feature on:"
        cargo tree "$@" -e normal,features,no-proc-macro --prefix none | grep -E 'feature "std"' | sort -u >&2
        failed+=("$label (std feature)")
    elif cargo build "$@" --quiet; then
        log "ok   $label"
        passed=$((passed + ${#TARGETS[@]}))
    else
        log "FAIL $label"
        failed+=("$label")
    fi
}
for entry in "${BUILDS[@]}"; do
    crate="${entry%%|*}"
    IFS=';' read -r -a sets <<<"${entry#*|}"
    # A leading empty field ("" = no features) is kept by `read -a`.
    for features in "${sets[@]}"; do
        args=(-p "$crate" "${target_args[@]}" --no-default-features --locked)
        [ -n "$features" ] && args+=(--features "$features")
        build "$crate [${features:-no features}] $on" "${args[@]}"
    done
done
# A no_std user of serde-json-core and the models' serde derives, linked (its own workspace and lockfile).
for api in v0 v1; do
    build "examples/core-size [$api,json-own,json-sjc] $on" --manifest-path examples/core-size/Cargo.toml \
        "${target_args[@]}" --no-default-features --locked --features "$api,json-own,json-sjc" --release
done
log "$passed builds passed, ${#failed[@]} failed, in $(($(date +%s) - start)) s"
if [ "${#failed[@]}" -gt 0 ]; then
    printf '  failed: %s\n' "${failed[@]}" >&2
    exit 1
fi

# The client-size stub (qod-core + qod-client + qod-embassy on embassy-net,
# linked): flash figures for both Cortex-M classes.
if [ $# -eq 0 ] && [ -f examples/client-size/size-report.sh ]; then
    bash examples/client-size/size-report.sh thumbv7em-none-eabihf
    bash examples/client-size/size-report.sh thumbv6m-none-eabi
fi
