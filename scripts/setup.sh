#!/usr/bin/env bash
# Installs what the build, tests and firmware runs need on a fresh machine (idempotent, quick when done).
set -euo pipefail
targets="thumbv7em-none-eabihf thumbv6m-none-eabi thumbv8m.main-none-eabihf riscv32imc-unknown-none-elf"
missing=""
for t in $targets; do rustup target list --installed | grep -qx "$t" || missing="$missing $t"; done
[ -z "$missing" ] || rustup target add $missing
rustup component list --installed | grep -q '^llvm-tools' || rustup component add llvm-tools
rustup component list --installed | grep -q '^clippy' || rustup component add clippy
rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
if ! command -v qemu-system-arm >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-system-arm >/dev/null
  else
    echo "setup: qemu-system-arm is missing; install it (apt-get install qemu-system-arm) to run the firmware" >&2
  fi
fi
if ! cargo nextest --version >/dev/null 2>&1; then
  cargo install --locked cargo-nextest
fi
