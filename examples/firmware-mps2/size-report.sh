#!/usr/bin/env bash
# Flash and RAM use of the release firmware, against the budget
# (128 KiB flash, 64 KiB RAM), with a split by crate.
#
#   bash examples/firmware-mps2/size-report.sh [ELF]
#
# Builds the release image first unless an ELF is given (any of the QEMU
# firmwares: examples/firmware-cellular/size-report.sh passes its own), with
# QOD_FW_FEATURES (e.g. `keep`: keeper mode, whose RAM includes the 4 KiB NOR
# flash it emulates in .uninit). Tools: llvm-size and
# llvm-nm from rustup's llvm-tools component (installed when missing), or
# Debian's binutils-arm-none-eabi when rustup is not available.
# Exits 1 when over budget.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
FLASH_BUDGET=$((128 * 1024))
RAM_BUDGET=$((64 * 1024))

log() { printf 'size-report.sh: %s\n' "$*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }

if have rustup; then
    rustup component list --installed | grep -q '^llvm-tools' || rustup component add llvm-tools >&2
    BIN="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin"
    SIZE=("$BIN/llvm-size" -A)
    NM=("$BIN/llvm-nm" --print-size --size-sort --demangle --radix=d)
else
    if ! have arm-none-eabi-size; then
        [ "$(id -u)" = 0 ] || { log "need rustup (llvm-tools) or binutils-arm-none-eabi"; exit 1; }
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq binutils-arm-none-eabi >/dev/null
    fi
    SIZE=(arm-none-eabi-size -A)
    NM=(arm-none-eabi-nm --print-size --size-sort --demangle --radix=d)
fi

if [ $# -ge 1 ]; then
    ELF="$1"
else
    args=(build --release --locked --manifest-path "$HERE/Cargo.toml")
    [ -n "${QOD_FW_FEATURES:-}" ] && args+=(--features "$QOD_FW_FEATURES")
    (cd "$HERE" && cargo "${args[@]}" >&2)
    ELF="$HERE/target/thumbv7em-none-eabihf/release/firmware-mps2"
fi

# Section sizes -> flash (what is programmed: vectors, code, constants and
# the initial values of .data) and RAM (.data, .bss, .uninit; the stack
# takes the rest of RAM and is not counted).
read -r vt text rodata data bss uninit < <("${SIZE[@]}" "$ELF" | awk '
    $1==".vector_table"{vt=$2} $1==".text"{t=$2} $1==".rodata"{r=$2}
    $1==".data"{d=$2} $1==".bss"{b=$2} $1==".uninit"{u=$2}
    END {print vt+0, t+0, r+0, d+0, b+0, u+0}')
flash=$((vt + text + rodata + data))
ram=$((data + bss + uninit))
verdict() { if [ "$1" -le "$2" ]; then echo OK; else echo OVER; fi; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.0f%%", 100*a/b}'; }

echo "$(basename "$ELF"): $ELF"
printf '  %-14s %8s\n' section bytes .vector_table "$vt" .text "$text" .rodata "$rodata" .data "$data" .bss "$bss" .uninit "$uninit"
printf '  flash (.vector_table+.text+.rodata+.data) %7d B = %5.1f KiB of %d KiB (%s) %s\n' \
    "$flash" "$(awk -v x="$flash" 'BEGIN{print x/1024}')" $((FLASH_BUDGET / 1024)) "$(pct "$flash" "$FLASH_BUDGET")" "$(verdict "$flash" "$FLASH_BUDGET")"
printf '  RAM   (.data+.bss+.uninit)                %7d B = %5.1f KiB of %d KiB (%s) %s\n' \
    "$ram" "$(awk -v x="$ram" 'BEGIN{print x/1024}')" $((RAM_BUDGET / 1024)) "$(pct "$ram" "$RAM_BUDGET")" "$(verdict "$ram" "$RAM_BUDGET")"

# Symbols grouped by the crate their (demangled) path starts with, then by
# owner: ours (the firmware and firmware-common, the LAN9118 driver,
# qod-core, qod-client, qod-embassy, qod-cellular), embassy (embassy-*,
# smoltcp, ppproto), deps (httparse and heapless, used by qod-core; atat and
# its serde_at/nom), runtime, logging, core. With LTO much is inlined, and
# generic code is attributed to the crate defining the generic:
# embassy_executor's TaskStorage<F>::poll holds the inlined bodies of both
# tasks (main: the session job with much of qod-client; the embassy-net
# runner with much of smoltcp), so it is a "mixed" line of its own. The
# tasks' futures are statics (RAM): main's holds the socket and client
# buffers and the SessionInfo, the runner's the driver and smoltcp state.
echo
echo "by crate (symbol sizes; flash = text+rodata+data, RAM = data+bss):"
"${NM[@]}" "$ELF" | awk '
    NF >= 4 && $4 !~ /^\{/ {   # skip defmt interned strings (.defmt, not loaded)
        size = $2 + 0; type = $3
        name = $4; for (i = 5; i <= NF; i++) name = name " " $i
        # Finish legacy Rust demangling that the tool left undone.
        gsub(/\$LT\$/, "<", name); gsub(/\$GT\$/, ">", name); gsub(/\$u20\$/, " ", name)
        gsub(/\$RF\$/, "\\&", name); gsub(/\.\./, "::", name); sub(/^_</, "<", name)
        # <Type as Trait>::f: the type'"'"'s crate, or the trait'"'"'s for primitives.
        if (name ~ /^<[^<>]* as /) {
            self = name; sub(/^</, "", self); sub(/ as .*/, "", self)
            if (self !~ /::/) { name = name; sub(/^<[^<>]* as /, "", name) }
        }
        sub(/^[<&*]+/, "", name); sub(/^(mut |dyn |const )/, "", name)
        crate = name; sub(/::.*/, "", crate); sub(/[< ].*/, "", crate)
        if (name !~ /::/) {
            if (name ~ /^_defmt_/) crate = "defmt_semihosting"
            else if (name ~ /^(__aeabi_|__udiv|__udivmod|mem(cpy|move|set|cmp)$)/) crate = "compiler_builtins"
            else if (name ~ /^\.L/) crate = "(anonymous constants)"
            else crate = "(vectors, handlers, linker symbols)"
        }
        if (name ~ /^embassy_executor::raw::TaskStorage<F>::poll/) g = "mixed: task bodies, main + net runner (TaskStorage<F>::poll)"
        else if (name ~ /^firmware_common::keep::(FLASH|PERSIST)/) g = "emulated: keep mode'"'"'s NOR flash in RAM (.uninit)"
        else if (name ~ /^firmware_[a-z0-9]+::__embassy_main::POOL/) g = "ours: main task future (buffers, SessionInfo)"
        else if (name ~ /^firmware_[a-z0-9]+::net_task::POOL/) g = "embassy: net runner task future"
        else if (name ~ /^firmware_cellular::modem_task::POOL/) g = "ours: modem task future (PPP buffers, AT client)"
        else if (crate ~ /^(firmware_mps2|firmware_cellular|firmware_common|embassy_net_lan9118|qod_core|qod_client|qod_embassy|qod_cellular)$/) g = "ours: " crate
        else if (crate ~ /^embassy_/ || crate ~ /^(smoltcp|ppproto)$/) g = "embassy: " crate
        else if (crate ~ /^(httparse|heapless|hash32|atat|serde_at|serde|nom|sequential_storage|embedded_storage|embedded_storage_async)$/) g = "deps: " crate
        else if (crate ~ /^(defmt|defmt_semihosting|semihosting)$/) g = "logging: " crate
        else if (crate ~ /^(core|alloc|compiler_builtins)$/) g = "core: " crate
        else if (crate ~ /^(cortex_m|cortex_m_rt|systick_timer|critical_section|static_cell|managed|portable_atomic)$/) g = "runtime: " crate
        else if (crate ~ /^(\(anonymous constants\)|__rustc|\.Lswitch)/) g = "core: (anonymous constants, switch tables)"
        else g = "other: " crate
        t = tolower(type)
        if (t == "t" || t == "r" || t == "d") flash[g] += size
        if (t == "d" || t == "b") ram[g] += size
        seen[g] = 1
    }
    END {
        printf "  %7s %6s  %s\n", "flash", "RAM", "owner: crate"
        for (g in seen) printf "  %7d %6d  %s\n", flash[g], ram[g], g | "sort -n -r"
        close("sort -n -r")
        for (g in seen) { o = g; sub(/:.*/, "", o); fo[o] += flash[g]; ro[o] += ram[g] }
        printf "\n  by owner:\n  %7s %6s  %s\n", "flash", "RAM", "owner"
        for (o in fo) printf "  %7d %6d  %s\n", fo[o], ro[o], o | "sort -n -r"
    }'
echo
echo "largest symbols:"
"${NM[@]}" "$ELF" | sort -k2 -n | tail -n 8 | awk '{
    n = $4; for (i = 5; i <= NF; i++) n = n " " $i
    gsub(/\$LT\$/, "<", n); gsub(/\$GT\$/, ">", n); gsub(/\$u7b\$/, "{", n); gsub(/\$u7d\$/, "}", n)
    printf "  %7d %s %s\n", $2, $3, substr(n, 1, 110)}'

[ "$flash" -le "$FLASH_BUDGET" ] && [ "$ram" -le "$RAM_BUDGET" ]
