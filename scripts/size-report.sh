#!/usr/bin/env bash
# Size report of the codec + HTTP layer on a microcontroller: builds examples/core-size (every v0.10.1 operation's
# encode and decode plus the HTTP response reader, opt-level "s", fat LTO, panic=abort) for thumbv7em-none-eabihf
# and prints .text + .rodata, what each part costs, the largest symbols, and checks that no floating-point
# formatting/parsing tables (nor memmove) are linked. The layer's own cost is the full stub minus a baseline build of
# the same stub without qod-core (the stub's few instructions plus the memcpy/memset/memcmp that every firmware links
# anyway). Usage: scripts/size-report.sh [--api v0|v1] [--serde-json-core] [TARGET] (v0.10.1's operations by
# default, 1.1.0's with --api v1: quality-on-demand create/get/extend/delete/retrieve-sessions and qos-profiles
# get/retrieve). --serde-json-core instead compares the two JSON paths a device can take for the same work, decode and
# encode of SessionInfo and CreateSession (no HTTP): qod-core's own codec and serde-json-core over the models' serde
# derives (features json-own and json-sjc of examples/core-size), each minus the same baseline.
set -euo pipefail
# shellcheck source=mcu-paths.sh
. "$(dirname "${BASH_SOURCE[0]}")/mcu-paths.sh"   # MCU builds: no machine paths in the image, sizes alike everywhere
cd "$(dirname "$0")/../examples/core-size"
api=v0
sjc=
while [ $# -gt 0 ]; do
  case "$1" in
    --api) api=${2:?--api takes v0 or v1}; shift 2 ;;
    --serde-json-core) sjc=1; shift ;;
    *) break ;;
  esac
done
case "$api" in v0|v1) ;; *) echo "--api takes v0 or v1" >&2; exit 2 ;; esac
target=${1:-thumbv7em-none-eabihf}
rustup target add "$target" >/dev/null 2>&1 || true
rustup component add llvm-tools >/dev/null 2>&1 || true
bin=$(find "$(rustc --print sysroot)/lib/rustlib" -name llvm-size -path '*/bin/*' | head -1)
[ -n "$bin" ] || { echo "llvm-size not found (rustup component add llvm-tools)"; exit 1; }
tools=$(dirname "$bin")
elf=${CARGO_TARGET_DIR:-target}/$target/release/core-size
flash() { "$tools/llvm-size" -A "$elf" | awk '/^\.text|^\.rodata/ {s += $2} END {print s}'; }
# Floating-point formatting/parsing code, memmove and core's panic entry points the current build links.
linked() {
  local pattern
  case "$1" in
    floats) pattern='dec2flt|flt2dec|ryu|fmt::float|<f(32|64) as|__aeabi_[df](add|sub|mul|div)|__(add|sub|mul|div)[sd]f3' ;;
    memmove) pattern='memmove' ;;
    panics) pattern='^core::panicking::' ;;
  esac
  "$tools/llvm-nm" -C "$elf" | sed -E 's/^([0-9a-f]{8,16})? +[a-zA-Z] //; s/::h[0-9a-f]{16}$//' | grep -E "$pattern" || true
}

if [ -n "$sjc" ]; then
  echo "== JSON alone: decode + encode of SessionInfo and CreateSession, API $api, on $target (opt-level s, LTO) =="
  cargo build -q --locked --release --target "$target" --no-default-features --features baseline
  baseline=$(flash)
  printf '%-44s %8s %8s\n' "path" "stub" "- base"
  for path in own sjc; do
    cargo build -q --locked --release --target "$target" --no-default-features --features "$api,json-$path"
    total=$(flash)
    eval "$path=$((total - baseline))"
    case $path in
      own) label="qod-core's own codec (json-own)" ;;
      sjc) label="serde-json-core + serde derives (json-sjc)" ;;
    esac
    printf '%-44s %8s %8s\n' "$label" "$total" "$((total - baseline))"
    for what in floats memmove panics; do
      found=$(linked "$what" | sort -u | tr '\n' ' ')
      printf '  %-10s %s\n' "$what:" "${found:-none}"
    done
    if [ "$path" = own ] && [ -n "$(linked floats)$(linked memmove)" ]; then
      echo "qod-core's own codec links float code or memmove"; exit 1
    fi
  done
  printf '%-44s %8s\n' "baseline: stub + mem* alone" "$baseline"
  printf 'serde-json-core path - own codec: %s bytes (%s.%02dx)\n' "$((sjc - own))" \
    "$((sjc / own))" "$(( (sjc * 100 / own) % 100 ))"
  exit 0
fi

echo "== qod-core codec + HTTP, API $api, on $target (opt-level s, LTO) =="
printf '%-34s %8s\n' "part (built alone)" "bytes"
for part in requests http sessions profiles; do
  cargo build -q --locked --release --target "$target" --no-default-features --features "$api,$part" 2>/dev/null
  printf '%-34s %8s\n' "$part" "$(flash)"
done
cargo build -q --locked --release --target "$target" --no-default-features --features baseline
baseline=$(flash)
cargo build -q --locked --release --target "$target" --no-default-features --features "$api,requests,http,sessions,profiles"
"$tools/llvm-size" -A "$elf" | awk '/^\.text|^\.rodata/'
total=$(flash)
printf '%-34s %8s\n' "TOTAL .text+.rodata" "$total"
builtins=$("$tools/llvm-nm" -S -C "$elf" | awk '$4 ~ /^(compiler_builtins::|__aeabi_|memc|mems)/ {s += ("0x" $2) + 0} END {print s + 0}')
printf '%-34s %8s\n' "  of which compiler-builtins mem*" "$builtins"
printf '%-34s %8s\n' "baseline: stub + mem* alone" "$baseline"
layer=$((total - baseline))
printf '%-34s %8s\n' "CODEC + HTTP (TOTAL - baseline)" "$layer"
echo
echo "largest symbols:"
"$tools/llvm-nm" --size-sort -S -C "$elf" | tail -12 | awk '{printf "  %6d  %s\n", ("0x" $2) + 0, substr($0, index($0, $4))}' 2>/dev/null || "$tools/llvm-nm" --size-sort -S -C "$elf" | tail -12
floats=$("$tools/llvm-nm" -C "$elf" | sed -E 's/::h[0-9a-f]{16}$//' \
  | grep -E 'dec2flt|flt2dec|ryu|fmt::float|<f(32|64) as|__aeabi_[df](add|sub|mul|div)|__(add|sub|mul|div)[sd]f3' || true)
if [ -n "$floats" ]; then
  echo "FLOAT CODE LINKED:"; echo "$floats"; exit 1
fi
echo "no floating-point parsing/formatting code linked"
# Overlapping copies are done by a byte loop (http::response::move_down); memmove would add ~1.6 KB.
if "$tools/llvm-nm" "$elf" | grep -qE ' (__aeabi_)?memmove'; then
  echo "MEMMOVE LINKED (some copy_within/ptr::copy crept in)"; exit 1
fi
limit=16384
if [ "$layer" -le "$limit" ]; then
  echo "TARGET codec + HTTP <= $limit bytes: met ($layer; the whole stub with memcpy/memset/memcmp: $total)"
else
  echo "TARGET codec + HTTP <= $limit bytes: MISSED by $((layer - limit)) bytes (the whole stub: $total)"
fi
