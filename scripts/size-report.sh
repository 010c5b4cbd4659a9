#!/usr/bin/env bash
# Size report of the codec + HTTP layer on a microcontroller: builds examples/core-size (every v0.10.1 operation's
# encode and decode plus the HTTP response reader, opt-level "s", fat LTO, panic=abort) for thumbv7em-none-eabihf
# and prints .text + .rodata, what each part costs, the largest symbols, and checks that no floating-point
# formatting/parsing tables (nor memmove) are linked. The layer's own cost is the full stub minus a baseline build of
# the same stub without qod-core (the stub's few instructions plus the memcpy/memset/memcmp that every firmware links
# anyway). Usage: scripts/size-report.sh [--api v0|v1] [TARGET] (v0.10.1's operations by default, 1.1.0's with
# --api v1: quality-on-demand create/get/extend/delete/retrieve-sessions and qos-profiles get/retrieve).
set -euo pipefail
cd "$(dirname "$0")/../examples/core-size"
api=v0
if [ "${1:-}" = --api ]; then api=${2:?--api takes v0 or v1}; shift 2; fi
case "$api" in v0|v1) ;; *) echo "--api takes v0 or v1" >&2; exit 2 ;; esac
target=${1:-thumbv7em-none-eabihf}
rustup target add "$target" >/dev/null 2>&1 || true
rustup component add llvm-tools >/dev/null 2>&1 || true
bin=$(find "$(rustc --print sysroot)/lib/rustlib" -name llvm-size -path '*/bin/*' | head -1)
[ -n "$bin" ] || { echo "llvm-size not found (rustup component add llvm-tools)"; exit 1; }
tools=$(dirname "$bin")
elf=${CARGO_TARGET_DIR:-target}/$target/release/core-size
flash() { "$tools/llvm-size" -A "$elf" | awk '/^\.text|^\.rodata/ {s += $2} END {print s}'; }

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
