#!/usr/bin/env bash
# How much an MCU image's flash moves with the checkout's place: clones one commit (HEAD by default) at several
# paths, builds the QEMU firmware's plaintext, keeper and TLS images in each (one shared target directory; the
# registry crates are built once), and prints their flash in bytes. scripts/figures.py's MCU flash margin comes
# from this.
#
#   bash scripts/checkout-paths.sh [COMMIT]      # eight paths, ~1-2 min each after the first
#
# Why they move at all: the images are built with path prefixes rewritten (scripts/mcu-paths.sh), so no path
# string is linked, but cargo hashes the absolute path of a path dependency outside the building workspace
# (qod-core, firmware-common, as examples/firmware-mps2 sees them) into its symbol names, and the order of symbols
# steers alignment padding and LLVM's inlining and outlining. The paths below are under a fresh temporary
# directory (so each run tries other absolute paths), of different depths and lengths; the TLS build uses one test
# CA and secret for all of them.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COMMIT="$(git -C "$ROOT" rev-parse "${1:-HEAD}")"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
TARGET="$WORK/target"
BIN="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin"
rustup component list --installed 2>/dev/null | grep -q '^llvm-tools' || rustup component add llvm-tools >&2
flash() {
    "$BIN/llvm-size" -A "$1" | awk '$1==".vector_table"||$1==".text"||$1==".rodata"||$1==".data"{s+=$2} END{print s}'
}

# One test CA and secret for every path (the CA's signature and the secret's length move the TLS image by 4-8 B).
"$(bash "$ROOT/scripts/sim-bins.sh" 2>/dev/null)/qod" pki --out "$WORK/pki" --force >/dev/null
printf 'checkout-paths-test-secret-32-ch' >"$WORK/pki/client-secret"

printf '%-44s %9s %9s %9s\n' "checkout path ($(git -C "$ROOT" rev-parse --short "$COMMIT"))" plain keep tls
for sub in a ci/qod-main builds/2026/checkout-of-qod-with-a-longer-name x/y/z/q src/qod \
    home/dev/projects/qod-on-demand w/ci-check t/0123456789/repository; do
    dir="$WORK/$sub"
    mkdir -p "$(dirname "$dir")"
    git clone -q "$ROOT" "$dir"
    git -C "$dir" checkout -q "$COMMIT"
    (
        cd "$dir/examples/firmware-mps2"
        # shellcheck source=mcu-paths.sh
        . "$dir/scripts/mcu-paths.sh"
        elf="$TARGET/thumbv7em-none-eabihf/release/firmware-mps2"
        cargo build -q --release --locked --target-dir "$TARGET" >&2
        plain=$(flash "$elf")
        cargo build -q --release --locked --features keep --target-dir "$TARGET" >&2
        keep=$(flash "$elf")
        QOD_FW_CA_DER="$WORK/pki/ca.der" QOD_FW_CLIENT_SECRET="$(cat "$WORK/pki/client-secret")" \
            cargo build -q --release --locked --features tls --target-dir "$TARGET" >&2
        printf '%-44s %9s %9s %9s\n' "<tmp>/$sub" "$plain" "$keep" "$(flash "$elf")"
    )
    rm -rf "$dir"
done
