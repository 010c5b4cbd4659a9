#!/usr/bin/env bash
# Flash of qod-core + qod-client + qod-embassy on an MCU target: the stub with every client operation on an
# embassy-net stack, minus the same stack with a raw TcpSocket exchange (`--features baseline`).
#
#   bash examples/client-size/size-report.sh [TARGET]      # default thumbv7em-none-eabihf
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../../scripts/mcu-paths.sh
. "$HERE/../../scripts/mcu-paths.sh"   # MCU builds: no machine paths in the image, sizes alike everywhere
TARGET="${1:-thumbv7em-none-eabihf}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HERE/target}"
rustup component list --installed 2>/dev/null | grep -q '^llvm-tools' || rustup component add llvm-tools >&2
SIZE="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin/llvm-size"
flash() { "$SIZE" -A "$1" | awk '$1 == ".text" || $1 == ".rodata" || $1 == ".ARM.exidx" { s += $2 } END { print s }'; }
cd "$HERE"
cargo build -q --release --locked --target "$TARGET" >&2
full=$(flash "$CARGO_TARGET_DIR/$TARGET/release/client-size")
cargo build -q --release --locked --target "$TARGET" --features baseline >&2
base=$(flash "$CARGO_TARGET_DIR/$TARGET/release/client-size")
echo "target:                                   $TARGET (opt-level s, LTO, panic=abort)"
echo "stub with every client operation:         $full B flash (.text + .rodata)"
echo "baseline (embassy-net + raw TcpSocket):   $base B flash"
echo "qod-core + qod-client + qod-embassy:      $((full - base)) B flash"
