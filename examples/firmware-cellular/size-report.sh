#!/usr/bin/env bash
# Flash and RAM of the cellular firmware beside the Ethernet one (both
# release builds for thumbv7em-none-eabihf, the same profile), with the
# per-crate split of examples/firmware-mps2/size-report.sh for the cellular
# build. Exits 1 when the cellular build is over the budget (128 KiB flash,
# 64 KiB RAM).
#
#   bash examples/firmware-cellular/size-report.sh
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../../scripts/mcu-paths.sh
. "$HERE/../../scripts/mcu-paths.sh"   # MCU builds: no machine paths in the image, sizes alike everywhere
MPS2="$HERE/../firmware-mps2"
CELL_ELF="$HERE/target/thumbv7em-none-eabihf/release/firmware-cellular"
ETH_ELF="$MPS2/target/thumbv7em-none-eabihf/release/firmware-mps2"

(cd "$HERE" && cargo build --release --locked >&2)
(cd "$MPS2" && cargo build --release --locked >&2)

report() { bash "$MPS2/size-report.sh" "$1"; }
figure() { sed -n "s/^  $2 *(.*) *\([0-9]*\) B = .*/\1/p" "$1"; }

cell="$(mktemp)"; eth="$(mktemp)"
trap 'rm -f "$cell" "$eth"' EXIT
status=0
report "$CELL_ELF" >"$cell" || status=$?
report "$ETH_ELF" >"$eth" || true
cat "$cell"
echo
echo "cellular (AT + PPP) vs Ethernet (LAN9118), same session job:"
printf '  %-10s %10s %10s %10s\n' "" cellular Ethernet difference
for what in flash RAM; do
    c="$(figure "$cell" "$what")"; e="$(figure "$eth" "$what")"
    printf '  %-10s %8d B %8d B %+9d B\n' "$what" "$c" "$e" $((c - e))
done
exit "$status"
