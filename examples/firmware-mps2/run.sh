#!/usr/bin/env bash
# Builds the mps2-an386 firmware, starts a server on 127.0.0.1:$QOD_SIM_PORT,
# boots the firmware in QEMU (LAN9118 on user-mode networking: the guest's
# 10.0.2.2 is the host's loopback) and exits with the firmware's status.
#
#   bash examples/firmware-mps2/run.sh              # install, build, run
#   bash examples/firmware-mps2/run.sh --run-only   # run the built image as is
#
# Installs what it needs on a fresh Debian machine: qemu-system-arm (apt, as
# root, only when missing), the thumbv7em-none-eabihf target (rustup) and
# defmt-print (cargo install, only when missing) to decode the firmware's
# defmt log.
#
# Environment:
#   QOD_SIM_PORT     server port, baked into the firmware at build time (9091)
#   QOD_SERVER_CMD   server command, run with bash -c; QOD_SIM_PORT is exported.
#                    Default: python3 dev-server.py 127.0.0.1 $QOD_SIM_PORT.
#                    Later: 'qod sim --listen 127.0.0.1:$QOD_SIM_PORT --no-auth'.
#   QOD_FW_FEATURES  cargo features for the firmware (e.g. dhcp)
#   QOD_FW_TIMEOUT   hard limit for the QEMU run in seconds (60)
#   QOD_FW_NO_NETNS  set to 1 to skip the private network namespace
#
# Exit status: the firmware's (0 ok, 2 NIC init, 3 no network, 4 connect,
# 5 HTTP, 6 timeout, 100 HardFault, 101 panic), 124 if QEMU hit the hard
# timeout, 90/91 if the server died / never listened, 1 on setup errors.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export QOD_SIM_PORT="${QOD_SIM_PORT:-9091}"
TIMEOUT="${QOD_FW_TIMEOUT:-60}"
ELF="$HERE/target/thumbv7em-none-eabihf/release/firmware-mps2"
DEFMT_PRINT_VERSION=1.2.0

log() { printf 'run.sh: %s\n' "$*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }

install_tools() {
    local pkgs=()
    have qemu-system-arm || pkgs+=(qemu-system-arm)
    have timeout || pkgs+=(coreutils)
    have setsid || pkgs+=(util-linux)
    if [ "$(id -u)" = 0 ]; then have ip || pkgs+=(iproute2); fi
    if [ -z "${QOD_SERVER_CMD:-}" ]; then have python3 || pkgs+=(python3); fi
    if [ "${#pkgs[@]}" -gt 0 ]; then
        if [ "$(id -u)" != 0 ]; then
            log "missing ${pkgs[*]}: install them (apt-get install ${pkgs[*]}) or run as root"
            exit 1
        fi
        log "installing ${pkgs[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
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

build() {
    log "building firmware (release, QOD_SIM_PORT=$QOD_SIM_PORT${QOD_FW_FEATURES:+, features $QOD_FW_FEATURES})"
    local args=(build --release --locked --manifest-path "$HERE/Cargo.toml")
    [ -n "${QOD_FW_FEATURES:-}" ] && args+=(--features "$QOD_FW_FEATURES")
    (cd "$HERE" && cargo "${args[@]}")
}

# Starts the server, boots QEMU, stops the server. Runs inside the network
# namespace when there is one.
run_firmware() {
    if [ "${QOD_FW_IN_NETNS:-}" = 1 ]; then
        ip link set lo up
        log "in a private network namespace"
    fi
    local work server_pid rc
    work="$(mktemp -d)"
    local cmd="${QOD_SERVER_CMD:-python3 \"$HERE/dev-server.py\" 127.0.0.1 \"\$QOD_SIM_PORT\"}"
    log "server: $cmd"
    # Own session and process group, so the server and anything it spawns
    # can be stopped through its PID.
    setsid bash -c "exec $cmd" >"$work/server.out" 2>"$work/server.err" </dev/null &
    server_pid=$!
    stop_server() {
        if kill -0 "$server_pid" 2>/dev/null; then
            kill -TERM -- "-$server_pid" 2>/dev/null || kill -TERM "$server_pid" 2>/dev/null || true
            for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
            kill -KILL -- "-$server_pid" 2>/dev/null || true
        fi
        wait "$server_pid" 2>/dev/null || true
    }
    trap 'stop_server; rm -rf "$work"' EXIT

    local ready=0
    for _ in $(seq 150); do
        if ! kill -0 "$server_pid" 2>/dev/null; then
            log "server exited before listening:"; cat "$work/server.err" >&2; exit 90
        fi
        if (exec 3<>"/dev/tcp/127.0.0.1/$QOD_SIM_PORT") 2>/dev/null; then ready=1; break; fi
        sleep 0.1
    done
    if [ "$ready" != 1 ]; then
        log "server not listening on 127.0.0.1:$QOD_SIM_PORT after 15 s"; cat "$work/server.err" >&2; exit 91
    fi
    log "server up: $(head -n 1 "$work/server.out" 2>/dev/null || true)"

    local qemu=(timeout "$TIMEOUT" qemu-system-arm -machine mps2-an386 -cpu cortex-m4 -nographic
        -monitor none -serial none -semihosting-config enable=on,target=native
        -nic user,model=lan9118 -kernel "$ELF")
    log "booting QEMU (hard timeout ${TIMEOUT} s)"
    set +e
    if have defmt-print; then
        "${qemu[@]}" | defmt-print -e "$ELF"
        rc=${PIPESTATUS[0]}
    else
        "${qemu[@]}" >"$HERE/target/firmware.defmt"
        rc=$?
        log "raw defmt log: $HERE/target/firmware.defmt (decode: defmt-print -e $ELF < it)"
    fi
    set -e
    [ "$rc" = 124 ] && log "QEMU killed after ${TIMEOUT} s"
    stop_server
    if [ -s "$work/server.err" ]; then
        log "server log:"; sed 's/^/  /' "$work/server.err" >&2
    fi
    log "firmware exit status: $rc"
    exit "$rc"
}

if [ "${1:-}" = --run-only ]; then
    run_firmware
fi

install_tools
build

if [ "${QOD_FW_NO_NETNS:-}" != 1 ] && have unshare; then
    # Private network namespace: slirp can only reach this namespace's
    # loopback, so a buggy firmware cannot send traffic anywhere else, and
    # parallel runs do not fight over the port.
    if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
        exec unshare -n -- env QOD_FW_IN_NETNS=1 bash "$0" --run-only
    elif unshare -rn true 2>/dev/null; then
        exec unshare -rn -- env QOD_FW_IN_NETNS=1 bash "$0" --run-only
    fi
    log "no network namespace available: running on the host's loopback"
fi
run_firmware
