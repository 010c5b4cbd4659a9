#!/usr/bin/env bash
# The gateway-only `qod` (no simulator, no demo: `--no-default-features`) for this host and as static musl binaries
# for ARM Linux gateways, with their sizes. CI (.ci/run) builds the two ARM binaries (QOD_GATEWAY_HOST=0: the host
# one is one more release build of the whole tool, slow on CI's two cores); run it whole before a gateway release.
#
#   bash crates/qod-cli/scripts/gateway-build.sh                 # host + aarch64 + armv7
#   bash crates/qod-cli/scripts/gateway-build.sh aarch64-unknown-linux-musl
#   QOD_GATEWAY_HOST=0 bash crates/qod-cli/scripts/gateway-build.sh   # the ARM binaries only
#
# The recipe, on a fresh Debian machine (no cross gcc, no Docker, no cross/zig):
#   rustup target add aarch64-unknown-linux-musl armv7-unknown-linux-musleabihf
#   apt-get install clang             # ring (rustls' crypto) compiles C and assembly for the target
#   CC_aarch64_unknown_linux_musl=clang \
#   CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER=rust-lld \
#     cargo build --release -p qod-cli --no-default-features --target aarch64-unknown-linux-musl
# rustc's musl targets ship their own crt objects and libc.a ("self-contained"), so rust-lld links a static binary
# without any musl or gcc for the target. Symbols are stripped (CARGO_PROFILE_RELEASE_STRIP=symbols).
#
# When rustup cannot download a target's standard library (for armv7-unknown-linux-musleabihf 1.95.0 its dated
# channel path answers 404, checked 2026-12-01), the script fetches the same release's rust-std tarball from
# static.rust-lang.org/dist, checks its published SHA-256 and that it was built by this very rustc (its `version`
# file), and unpacks only that target's directory into the toolchain's sysroot. A target that still cannot be had
# is reported and skipped (exit 0); QOD_GATEWAY_STRICT=1 (CI) fails instead. QOD_GATEWAY_COMPARE=1 also builds the
# full tool for this host, to compare sizes. With qemu-user-static installed, each binary also runs (`--version`).
set -euo pipefail
cd "$(dirname "$0")/../../.."
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(aarch64-unknown-linux-musl armv7-unknown-linux-musleabihf)
log() { printf 'gateway-build.sh: %s\n' "$*" >&2; }
export CARGO_PROFILE_RELEASE_STRIP=symbols
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"

if ! command -v clang >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang >/dev/null
  else
    log "clang is missing (apt-get install clang): ring needs a C compiler for the target"; exit 1
  fi
fi

size_of() { stat -c %s "$1"; }
kib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB (%d bytes)", b / 1048576, b }'; }

if [ "${QOD_GATEWAY_HOST:-1}" = 1 ]; then
  cargo build -q --release --locked -p qod-cli --no-default-features
  host="$CARGO_TARGET_DIR/release/qod"
  log "host ($(rustc -vV | sed -n 's/^host: //p')), gateway only, stripped: $(kib "$(size_of "$host")")"
  "$host" --version >/dev/null
  if [ "${QOD_GATEWAY_COMPARE:-0}" = 1 ]; then   # the full tool, for comparison (same profile; one more build)
    cargo build -q --release --locked -p qod-cli
    log "host, with simulator and demo (default features), stripped: $(kib "$(size_of "$host")")"
  fi
fi

# The standard library of target $1 straight from the release's dist directory, checked (see the header).
std_from_dist() {
  local t=$1 ver sysroot url tmp want got
  ver=$(rustc -V | awk '{print $2}')
  sysroot=$(rustc --print sysroot)
  url="https://static.rust-lang.org/dist/rust-std-$ver-$t.tar.xz"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  curl -sSfL -o "$tmp/std.tar.xz" "$url" && curl -sSfL -o "$tmp/std.sha256" "$url.sha256" || return 1
  want=$(awk '{print $1}' "$tmp/std.sha256")
  got=$(sha256sum "$tmp/std.tar.xz" | awk '{print $1}')
  [ -n "$want" ] && [ "$want" = "$got" ] || { log "$url: SHA-256 mismatch"; return 1; }
  tar xJf "$tmp/std.tar.xz" -C "$tmp"
  if [ "$(cat "$tmp/rust-std-$ver-$t/version")" != "$(rustc -V | sed 's/^rustc //')" ]; then
    log "$url: built by another rustc than $(rustc -V)"; return 1
  fi
  cp -r "$tmp/rust-std-$ver-$t/rust-std-$t/lib/rustlib/$t" "$sysroot/lib/rustlib/"
  log "$t: standard library $ver from $url (SHA-256 checked)"
}

skipped=0
ready=()
for t in "${TARGETS[@]}"; do
  if ! rustup target list --installed | grep -qx "$t" && ! rustup target add "$t" >/dev/null 2>&1 \
    && ! [ -d "$(rustc --print sysroot)/lib/rustlib/$t/lib" ] && ! std_from_dist "$t"; then
    log "SKIPPED $t: rustup cannot install its standard library here"
    skipped=$((skipped + 1))
    continue
  fi
  ready+=("$t")
done
# One cargo call for every target (`--target A --target B`): built side by side, so both cores stay busy.
if [ ${#ready[@]} -gt 0 ]; then
  envs=() targets=()
  for t in "${ready[@]}"; do
    var=$(tr 'a-z-' 'A-Z_' <<<"$t")
    envs+=("CC_${t//-/_}=clang" "CARGO_TARGET_${var}_LINKER=rust-lld")
    targets+=(--target "$t")
  done
  env "${envs[@]}" cargo build -q --release --locked -p qod-cli --no-default-features "${targets[@]}"
fi
for t in "${ready[@]}"; do
  bin="$CARGO_TARGET_DIR/$t/release/qod"
  # Static: no program interpreter (dynamic loader) and no shared libraries.
  if readelf -l "$bin" | grep -q 'INTERP' || readelf -d "$bin" 2>/dev/null | grep -q 'NEEDED'; then
    log "FAIL $t: $bin is not static"; exit 1
  fi
  machine=$(readelf -h "$bin" | sed -n 's/^ *Machine: *//p')
  log "$t, gateway only, static, stripped ($machine): $(kib "$(size_of "$bin")")"
  # Run it when an emulator for the target is at hand (qemu-user).
  emu=$(case "$t" in aarch64*) echo qemu-aarch64-static;; armv7*) echo qemu-arm-static;; esac)
  if command -v "$emu" >/dev/null 2>&1; then
    "$emu" "$bin" --version
  fi
done
if [ "$skipped" -gt 0 ] && [ "${QOD_GATEWAY_STRICT:-0}" = 1 ]; then exit 1; fi
