# Shell functions the QEMU firmwares' run.sh scripts share; sourced, not run.
# Expects ROOT (the repository) and DEFMT_PRINT_VERSION to be set.

log() { printf 'run.sh: %s\n' "$*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }

# Installs what the runs need on a fresh Debian machine: QEMU and tools (apt,
# as root, only when missing), the thumbv7em-none-eabihf target (rustup) and
# defmt-print (cargo install --locked, only when missing).
install_tools() {
    local pkgs=()
    have qemu-system-arm || pkgs+=(qemu-system-arm)
    have timeout || pkgs+=(coreutils)
    have setsid || pkgs+=(util-linux)
    have cc || pkgs+=(gcc libc6-dev) # linker for the host builds
    if [ "$(id -u)" = 0 ]; then have ip || pkgs+=(iproute2); fi
    if [ "${#pkgs[@]}" -gt 0 ]; then
        if [ "$(id -u)" != 0 ]; then
            log "missing ${pkgs[*]}: install them (apt-get install ${pkgs[*]}) or run as root"
            exit 1
        fi
        log "installing ${pkgs[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
    fi
    if ! have cargo && [ -x "$HOME/.cargo/bin/cargo" ]; then export PATH="$HOME/.cargo/bin:$PATH"; fi
    if ! have cargo; then
        log "no cargo: install Rust with rustup (https://rustup.rs, or 'apt-get install rustup' on Debian 13+), then rerun"
        exit 1
    fi
    if have rustup; then
        rustup target list --installed | grep -qx thumbv7em-none-eabihf \
            || rustup target add thumbv7em-none-eabihf
    else
        log "rustup not found: assuming the thumbv7em-none-eabihf target is installed"
    fi
    if ! have defmt-print; then
        log "installing defmt-print $DEFMT_PRINT_VERSION (about 2 minutes)"
        cargo install defmt-print --locked --version "$DEFMT_PRINT_VERSION" \
            || log "defmt-print install failed: the raw defmt log will be kept in a file"
    fi
}

# Builds the simulators `qod` and `qod-modem` (debug, with the workspace test build's features: after the test
# suite's build they are fresh) and prints their directory; see scripts/sim-bins.sh.
build_sims() {
    bash "$ROOT/scripts/sim-bins.sh"
}

# The directory build_sims puts them in (honours CARGO_TARGET_DIR and .cargo/config.toml).
sims_dir() {
    local dir
    dir="$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps --offline 2>/dev/null \
        | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
    printf '%s/debug\n' "${dir:-$ROOT/target}"
}
