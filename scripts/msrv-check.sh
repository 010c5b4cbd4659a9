#!/usr/bin/env bash
# Proves each library crate's `rust-version` (its MSRV): builds it (`cargo check`, the library with every feature a
# user can enable; `defmt` and `log` exclude each other in embassy's crates, so those get one run each) with exactly
# the toolchain its Cargo.toml names, installing that toolchain (minimal profile) when missing. The rust-version
# read from Cargo.toml is the only source: raising a dependency past it fails here, not in a user's build.
#
#   bash scripts/msrv-check.sh                 # every library crate
#   bash scripts/msrv-check.sh qod-core        # one
# QOD_MSRV_UNINSTALL=1: remove at the end each toolchain this run installed (CI, where disk is short).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}/msrv" CARGO_INCREMENTAL=0
log() { printf 'msrv-check.sh: %s\n' "$*" >&2; }

# crate → the feature sets that together cover every feature (comma lists; one check per set)
declare -A SETS=(
  [qod-core]="v0,v1,std,serde,defmt"
  [embassy-net-lan9118]="defmt log"
  [qod-client]="v0,v1,tls,es256,rustls,flash-store,std,defmt v0,v1,log"
  [qod-embassy]="defmt log,proto-ipv6,medium-ip"
  [qod-cellular]="defmt log"
)
CRATES=("$@")
[ ${#CRATES[@]} -gt 0 ] || CRATES=(qod-core embassy-net-lan9118 qod-client qod-embassy qod-cellular)

installed=()
for c in "${CRATES[@]}"; do
  [ -n "${SETS[$c]:-}" ] || { log "unknown crate $c"; exit 2; }
  v=$(sed -n 's/^rust-version *= *"\([0-9.]*\)".*/\1/p' "crates/$c/Cargo.toml")
  [ -n "$v" ] || v=$(sed -n '/^\[workspace.package\]/,/^\[/s/^rust-version *= *"\([0-9.]*\)".*/\1/p' Cargo.toml)
  [ -n "$v" ] || { log "$c names no rust-version"; exit 1; }
  if ! rustup run "$v" rustc --version >/dev/null 2>&1; then
    rustup toolchain install "$v" --profile minimal --no-self-update
    installed+=("$v")
  fi
  for set in ${SETS[$c]}; do
    log "$c with Rust $v, features $set"
    cargo "+$v" check -q --locked -p "$c" --lib --features "$set"
  done
done
if [ "${QOD_MSRV_UNINSTALL:-0}" = 1 ]; then
  for v in "${installed[@]}"; do rustup toolchain uninstall "$v"; done
fi
log "every crate builds with the toolchain its rust-version names: ${CRATES[*]}"
