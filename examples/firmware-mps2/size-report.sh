#!/usr/bin/env bash
# Flash and RAM use of the release firmware, against the budget
# (128 KiB flash, 64 KiB RAM), with a split by crate.
#
#   bash examples/firmware-mps2/size-report.sh [ELF]
#   bash examples/firmware-mps2/size-report.sh --tls [TLS_ELF PLAIN_ELF]
#
# Builds the release image first unless an ELF is given (any of the QEMU
# firmwares: examples/firmware-cellular/size-report.sh passes its own), with
# QOD_FW_FEATURES (e.g. `keep`: keeper mode, whose RAM includes the 4 KiB NOR
# flash it emulates in .uninit).
# --tls: the HTTPS build (feature `tls`, built by `run.sh --tls --build-only`)
# against its budget (192 KiB flash, 64 KiB RAM; aims 160 KiB and 48 KiB),
# with the TLS crates grouped by what they do, then beside the plaintext
# build (built too, and left as the release image). Tools: llvm-size and
# llvm-nm from rustup's llvm-tools component (installed when missing), or
# Debian's binutils-arm-none-eabi when rustup is not available.
# Exits 1 when over budget (for --tls: the TLS image over its budget).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../../scripts/mcu-paths.sh
. "$HERE/../../scripts/mcu-paths.sh"   # MCU builds: no machine paths in the image, sizes alike everywhere
FLASH_BUDGET=$((128 * 1024))
RAM_BUDGET=$((64 * 1024))
TLS=""
if [ "${1:-}" = --tls ]; then
    TLS=1
    shift
    FLASH_BUDGET=$((192 * 1024))
    FLASH_AIM=$((160 * 1024))
    RAM_AIM=$((48 * 1024))
fi

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

PLAIN_ELF=""
if [ -n "$TLS" ]; then
    if [ $# -ge 2 ]; then
        ELF="$1" PLAIN_ELF="$2"
    else
        # The TLS image first (run.sh keeps a copy apart), then the plaintext
        # one, so that the release image is the plaintext build afterwards.
        bash "$HERE/run.sh" --tls --build-only >&2
        ELF="$HERE/target/firmware-mps2-tls.elf"
        (cd "$HERE" && cargo build --release --locked --manifest-path "$HERE/Cargo.toml" >&2)
        PLAIN_ELF="$HERE/target/thumbv7em-none-eabihf/release/firmware-mps2"
    fi
elif [ $# -ge 1 ]; then
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
sections() {
    "${SIZE[@]}" "$1" | awk '
        $1==".vector_table"{vt=$2} $1==".text"{t=$2} $1==".rodata"{r=$2}
        $1==".data"{d=$2} $1==".bss"{b=$2} $1==".uninit"{u=$2}
        END {print vt+0, t+0, r+0, d+0, b+0, u+0}'
}
read -r vt text rodata data bss uninit < <(sections "$ELF")
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
if [ -n "$TLS" ]; then
    printf '  aims: flash %d KiB (%s), RAM %d KiB (%s); the stack peak comes on top of RAM (printed at every exit)\n' \
        $((FLASH_AIM / 1024)) "$(verdict "$flash" "$FLASH_AIM")" $((RAM_AIM / 1024)) "$(verdict "$ram" "$RAM_AIM")"
fi

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
        # The TLS build (feature `tls`): its crates by what they do.
        else if (name ~ /^firmware_common::tls::(READ|WRITE)_RECORD/) g = "tls: record buffers (read + write)"
        else if (name ~ /^embedded_tls::pki/ || crate ~ /^(der|const_oid)$/) g = "tls: X.509 verification (der, embedded_tls::pki)"
        else if (crate == "embedded_tls") g = "tls: TLS 1.3 record layer + handshake (embedded_tls)"
        else if (crate ~ /^(p256|primeorder|elliptic_curve|ecdsa|crypto_bigint|sec1|ff|group|rfc6979|signature|subtle)$/) g = "tls: P-256 ECDHE + ECDSA verify (p256 and its traits)"
        else if (crate ~ /^(aes|aes_gcm|ghash|polyval|ctr|cipher|aead|universal_hash|inout|sha2|hkdf|hmac|digest|generic_array|block_buffer|crypto_common|typenum)$/) g = "tls: AES-128-GCM, SHA-256, HKDF"
        else if (crate ~ /^(rand_chacha|ppv_lite86|rand_core)$/) g = "tls: RNG (ChaCha20; QEMU stand-in for a TRNG)"
        else if (name ~ /^firmware_[a-z0-9]+::(__embassy_main|main_task)::POOL/) g = "ours: main task future (buffers, SessionInfo)"
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
echo
echo "largest RAM items (.data/.bss; the stack is not among them):"
"${NM[@]}" "$ELF" | awk 'tolower($3) == "b" || tolower($3) == "d"' | sort -k2 -n | tail -n 6 | awk '{
    n = $4; for (i = 5; i <= NF; i++) n = n " " $i
    sub(/::h[0-9a-f]+$/, "", n)
    printf "  %7d %s\n", $2, substr(n, 1, 110)}'

if [ -n "$PLAIN_ELF" ]; then
    read -r pvt ptext prodata pdata pbss puninit < <(sections "$PLAIN_ELF")
    pflash=$((pvt + ptext + prodata + pdata))
    pram=$((pdata + pbss + puninit))
    echo
    echo "TLS beside plaintext (same release profile; plaintext: $PLAIN_ELF):"
    printf '  %-10s %10s %10s %11s\n' "" plaintext TLS difference
    printf '  %-10s %10d %10d %+11d\n' "flash B" "$pflash" "$flash" $((flash - pflash))
    printf '  %-10s %10d %10d %+11d\n' "RAM B" "$pram" "$ram" $((ram - pram))
    printf '  %-10s %10.1f %10.1f %+11.1f\n' "flash KiB" "$(awk -v x="$pflash" 'BEGIN{print x/1024}')" \
        "$(awk -v x="$flash" 'BEGIN{print x/1024}')" "$(awk -v x="$((flash - pflash))" 'BEGIN{print x/1024}')"
    printf '  %-10s %10.1f %10.1f %+11.1f\n' "RAM KiB" "$(awk -v x="$pram" 'BEGIN{print x/1024}')" \
        "$(awk -v x="$ram" 'BEGIN{print x/1024}')" "$(awk -v x="$((ram - pram))" 'BEGIN{print x/1024}')"
fi

if [ "$flash" -gt "$FLASH_BUDGET" ] || [ "$ram" -gt "$RAM_BUDGET" ]; then
    log "FAIL: $(basename "$ELF") is over its budget ($((FLASH_BUDGET / 1024)) KiB flash, $((RAM_BUDGET / 1024)) KiB RAM)"
    exit 1
fi
