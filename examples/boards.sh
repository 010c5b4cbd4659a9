#!/usr/bin/env bash
# The board examples: rustfmt, clippy, the release build and flash/RAM of each, in one shared target directory.
# Compiled, never run: no board is attached here. Run by .ci/run (stage "boards").
#
#   bash examples/boards.sh                      # all three
#   bash examples/boards.sh nrf9160              # one (rp2350-w5500, nrf9160, nucleo-h743zi)
#   bash examples/boards.sh --no-lint [BOARD…]   # build and measure without a clippy pass per board (CI)
#   bash examples/boards.sh --size ELF           # only the flash/RAM figures of a built ELF
#
# Installs what it needs with rustup (the two targets, llvm-tools for llvm-readobj, clippy, rustfmt); Rust itself
# from rustup is the only prerequisite. Target directory: $CARGO_TARGET_DIR, else target/boards in the repository
# (the two thumbv8m boards share their crypto and host crates: in a fresh run the second took a third of the
# first's time). Measured from an empty target directory on 2 cores: with `--no-lint` (as CI runs it) 5.5 min in a
# CI run; with the clippy pass per board, 13 min 44 s on 2 cores shared with other builds; with everything built,
# about 1 min.
#
# Flash = every allocated section the linker placed below 0x2000_0000 (vector table, code, constants, the
# RP2350's boot blocks) plus the initial values of .data; RAM = every allocated section at or above 0x2000_0000
# (.data, .bss, .uninit: statics, task futures, the TLS and socket buffers; the stack takes what is left and is
# not counted). Settings come from the environment or each board's board.env (see board-job/settings.rs); CI
# builds with the placeholders.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../scripts/mcu-paths.sh
. "$HERE/../scripts/mcu-paths.sh"   # MCU builds: no machine paths in the image, sizes alike everywhere
ROOT="$(cd "$HERE/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target/boards}"
log() { printf 'boards.sh: %s\n' "$*" >&2; }

for t in thumbv8m.main-none-eabihf thumbv7em-none-eabihf; do
  rustup target list --installed | grep -qx "$t" || rustup target add "$t" >&2
done
for c in llvm-tools clippy rustfmt; do
  rustup component list --installed | grep -q "^$c" || rustup component add "$c" >&2
done
TOOLS="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin"
READELF=("$TOOLS/llvm-readobj" --elf-output-style=GNU)   # llvm-readelf, which rustup does not ship by that name

# size ELF: prints "flash RAM" in bytes (plain bash arithmetic: Debian's awk (mawk) reads no hexadecimal).
size() {
  local flash=0 ram=0 name type addr off sz es flags
  while read -r name type addr off sz es flags _; do
    [[ $flags == *A* ]] || continue
    if ((16#$addr < 0x20000000)); then
      flash=$((flash + 16#$sz))
    else
      ram=$((ram + 16#$sz))
      [ "$type" != PROGBITS ] || flash=$((flash + 16#$sz))
    fi
  done < <("${READELF[@]}" -S --wide "$1" | sed -n 's/^ *\[ *[0-9]*\] *//p' | grep -v '^NULL')
  echo "$flash $ram"
}

if [ "${1:-}" = --size ]; then
  size "$2"
  exit 0
fi

declare -A TARGET=([rp2350-w5500]=thumbv8m.main-none-eabihf [nrf9160]=thumbv8m.main-none-eabihf
  [nucleo-h743zi]=thumbv7em-none-eabihf)
# --no-lint: build and measure only (CI: the boards' own code is a few lines of wiring over board-job, which is
# linted either way; a clippy pass per board re-checks every dependency and doubles the stage's time).
LINT=1
if [ "${1:-}" = --no-lint ]; then LINT=0; shift; fi
BOARDS=("$@")
[ ${#BOARDS[@]} -gt 0 ] || BOARDS=(rp2350-w5500 nrf9160 nucleo-h743zi)

# The shared job: a path dependency, which the boards' clippy runs do not lint, so on its own (medium: IP).
(cd "$HERE/board-job" && cargo fmt -- --check \
  && cargo clippy -q --release --locked --target thumbv8m.main-none-eabihf --features embassy-net/medium-ip -- -D warnings)
for b in "${BOARDS[@]}"; do
  [ -n "${TARGET[$b]:-}" ] || { log "unknown board $b"; exit 2; }
  start=$(date +%s)
  (
    cd "$HERE/$b"
    cargo fmt -- --check
    [ "$LINT" = 0 ] || cargo clippy -q --release --locked -- -D warnings
    cargo build -q --release --locked
  )
  elf="$CARGO_TARGET_DIR/${TARGET[$b]}/release/$b"
  read -r flash ram < <(size "$elf")
  printf '%-14s %-26s flash %7d B (%6.1f KiB)  RAM %7d B (%6.1f KiB)  [%ss]\n' "$b" "${TARGET[$b]}" \
    "$flash" "$(awk -v x="$flash" 'BEGIN{print x/1024}')" "$ram" "$(awk -v x="$ram" 'BEGIN{print x/1024}')" \
    "$(($(date +%s) - start))"
done
