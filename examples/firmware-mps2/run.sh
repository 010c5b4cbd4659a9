#!/usr/bin/env bash
# Builds the QoD simulator (`qod`) and the mps2-an386 firmware, starts
# `qod sim --listen 127.0.0.1:$QOD_SIM_PORT --no-auth`, boots the firmware in
# QEMU (LAN9118 on user-mode networking: the guest's 10.0.2.2 is the host's
# loopback) inside a private network namespace, and exits with the
# firmware's status.
#
#   bash examples/firmware-mps2/run.sh              # install, build, run
#   bash examples/firmware-mps2/run.sh --run-only   # run the built images as is
#   bash examples/firmware-mps2/run.sh --api v1     # the same lifecycle on quality-on-demand 1.1.0
#   bash examples/firmware-mps2/run.sh --exit-codes # build, then force each failure
#                                                   # status and check it (about 40 s)
#   bash examples/firmware-mps2/run.sh --keep       # keeper mode: the session kept
#                                                   # through extensions, a forced
#                                                   # network termination and a reset
#                                                   # (about 30 s of QEMU)
#
# Installs what it needs on a fresh Debian machine: qemu-system-arm (apt, as
# root, only when missing), the thumbv7em-none-eabihf target (rustup) and
# defmt-print (cargo install --locked, only when missing) to decode the
# firmware's defmt log. Everything is built before the network namespace is
# entered: nothing can be downloaded inside it.
#
# Environment:
#   QOD_SIM_PORT     simulator port, baked into the firmware at build time (9091)
#   QOD_SIM_ARGS     extra `qod sim` arguments (default: --requested-delay 500, so
#                    the firmware sees REQUESTED before AVAILABLE); e.g. faults:
#                    '--fault 503=60' (exit 5), '--fault latency=8000' (exit 6),
#                    '--requested-delay 60000' (exit 7)
#   QOD_SERVER_CMD   replaces the simulator: a command run with bash -c, with
#                    QOD_SIM_PORT, QOD (the qod binary) and FW_DIR (this
#                    directory) exported, e.g.
#                    'python3 "$FW_DIR/fake-qod.py" 127.0.0.1 $QOD_SIM_PORT --keep-deleted'
#   QOD_FW_FEATURES  cargo features for the firmware (e.g. dhcp)
#   QOD_FW_TIMEOUT   hard limit for the QEMU run in seconds (90)
#   QOD_FW_NO_NETNS  set to 1 to skip the private network namespace
#   CARGO_TARGET_DIR where the root workspace (qod) is built (cargo's default
#                    otherwise); the firmware always builds into ./target
#
# Exit status: the firmware's (0 ok; 2-13, 100, 101: see README.md), 124 if
# QEMU hit the hard timeout, 90/91 if the server died / never got ready, 92 if
# a keeper run left a session in the simulator's admin view, 1 on setup errors.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export FW_DIR="$HERE"
export QOD_SIM_PORT="${QOD_SIM_PORT:-9091}"
QOD_SIM_ARGS="${QOD_SIM_ARGS-"--requested-delay 500"}"
TIMEOUT="${QOD_FW_TIMEOUT:-90}"
FW_TARGET_DIR="$HERE/target"
ELF="$FW_TARGET_DIR/thumbv7em-none-eabihf/release/firmware-mps2"
DEFMT_PRINT_VERSION=1.2.0

# log, have, install_tools, release_dir
# shellcheck source=../firmware-common/harness.sh
. "$HERE/../firmware-common/harness.sh"

# --api v1: build the firmware that speaks quality-on-demand 1.1.0 (cargo feature v1); the simulator serves both.
if [ "${1:-}" = --api ]; then
    case "${2:-}" in
        v0) ;;
        v1) QOD_FW_FEATURES="${QOD_FW_FEATURES:+$QOD_FW_FEATURES,}v1" ;;
        *) log "--api takes v0 or v1"; exit 1 ;;
    esac
    export QOD_FW_FEATURES
    shift 2
fi

# The simulator binary in the root workspace's target directory.
qod_bin() {
    printf '%s/qod\n' "$(release_dir)"
}

build() {
    if [ -z "${QOD_SERVER_CMD:-}" ]; then
        log "building the simulator (cargo build --release --locked -p qod-cli)"
        (cd "$ROOT" && cargo build --release --locked -p qod-cli)
    fi
    log "building firmware (release, QOD_SIM_PORT=$QOD_SIM_PORT${QOD_FW_FEATURES:+, features $QOD_FW_FEATURES})"
    local args=(build --release --locked --manifest-path "$HERE/Cargo.toml" --target-dir "$FW_TARGET_DIR")
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
    [ -f "$ELF" ] || { log "no firmware image at $ELF: run without --run-only first"; exit 1; }
    local work server_pid rc cmd
    work="$(mktemp -d)"
    QOD="${QOD:-$(qod_bin)}"
    export QOD
    if [ -n "${QOD_SERVER_CMD:-}" ]; then
        cmd="$QOD_SERVER_CMD"
    else
        [ -x "$QOD" ] || { log "no simulator at $QOD: run without --run-only first"; exit 1; }
        cmd="\"\$QOD\" sim --listen \"127.0.0.1:\$QOD_SIM_PORT\" --no-auth $QOD_SIM_ARGS"
    fi
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

    # Ready when the server printed its first stdout line (`qod sim` prints
    # its base URL once it accepts connections) or the port accepts.
    local ready=0
    for _ in $(seq 150); do
        if ! kill -0 "$server_pid" 2>/dev/null; then
            log "server exited before it was ready:"; cat "$work/server.err" >&2; exit 90
        fi
        if [ -n "$(head -n 1 "$work/server.out" 2>/dev/null)" ] \
            || (exec 3<>"/dev/tcp/127.0.0.1/$QOD_SIM_PORT") 2>/dev/null; then
            ready=1; break
        fi
        sleep 0.1
    done
    if [ "$ready" != 1 ]; then
        log "server not ready on 127.0.0.1:$QOD_SIM_PORT after 15 s"; cat "$work/server.err" >&2; exit 91
    fi
    log "server up (pid $server_pid): $(head -n 1 "$work/server.out" 2>/dev/null || true)"
    local terminator=""
    if [ "${QOD_KEEP:-}" = 1 ]; then
        keep_terminator &
        terminator=$!
    fi

    local qemu=(timeout "$TIMEOUT" qemu-system-arm -machine mps2-an386 -cpu cortex-m4 -nographic
        -monitor none -serial none -semihosting-config enable=on,target=native
        -nic user,model=lan9118 -kernel "$ELF")
    log "booting QEMU (hard timeout ${TIMEOUT} s)"
    set +e
    if have defmt-print; then
        # The raw stream is kept too (decode again: defmt-print -e ELF < it).
        "${qemu[@]}" | tee "$FW_TARGET_DIR/firmware.defmt" | defmt-print -e "$ELF"
        rc=${PIPESTATUS[0]}
    else
        "${qemu[@]}" >"$FW_TARGET_DIR/firmware.defmt"
        rc=$?
        log "raw defmt log: $FW_TARGET_DIR/firmware.defmt (decode: defmt-print -e $ELF < it)"
    fi
    set -e
    [ "$rc" = 124 ] && log "QEMU killed after ${TIMEOUT} s"
    if [ -n "$terminator" ]; then
        kill "$terminator" 2>/dev/null || true
        wait "$terminator" 2>/dev/null || true
        local view
        view="$(sim_http GET /_sim/sessions)"
        log "admin view after the run: $view"
        if [ "$rc" = 0 ] && printf '%s' "$view" | grep -q '"sessionId"'; then
            log "keeper run left a session behind"; rc=92
        fi
    fi
    stop_server
    if [ -s "$work/server.err" ]; then
        log "server log:"; sed 's/^/  /' "$work/server.err" >&2
    fi
    log "firmware exit status: $rc"
    exit "$rc"
}

# Forces every failure status the simulator (or fake-qod.py) can produce,
# one QEMU run each, and checks the firmware's exit status (and, where the
# case says "cleaned up", that the firmware deleted its session). Logs go to
# target/exit-codes/NAME.log. Needs the built images (and python3 for 10).
exit_code_matrix() {
    local cases=(
        "0|success|"
        "4|connect refused|QOD_SERVER_CMD=\"\$QOD\" sim --listen 127.0.0.1:\$((QOD_SIM_PORT + 1)) --no-auth"
        "5|create: 503 with Retry-After 60 s|QOD_SIM_ARGS=--fault 503=60"
        "6|create: no answer in 5 s|QOD_SIM_ARGS=--fault latency=15000"
        "6|get: no answer in 5 s, cleaned up|QOD_SIM_ARGS=--fault latency=15000,every=2"
        "7|still REQUESTED at the deadline, cleaned up|QOD_SIM_ARGS=--requested-delay 60000"
        "8|get: 503, cleaned up|QOD_SIM_ARGS=--fault 503=60,every=3"
        "9|delete: 503, cleaned up|QOD_SIM_ARGS=--fault 503=60,every=4"
        "10|still there after delete, cleaned up|QOD_SERVER_CMD=python3 \"\$FW_DIR/fake-qod.py\" 127.0.0.1 \$QOD_SIM_PORT --keep-deleted"
        "11|UNAVAILABLE, cleaned up|QOD_SIM_ARGS=--terminate-profile QOS_VC"
        "124|QEMU hard timeout|TIMEOUT=2 QOD_SIM_ARGS=--fault latency=15000"
    )
    local dir="$FW_TARGET_DIR/exit-codes" failed=0 entry want name setting got t0 file
    mkdir -p "$dir"
    for entry in "${cases[@]}"; do
        IFS='|' read -r want name setting <<<"$entry"
        file="$dir/$(printf '%s' "$name" | tr -c 'a-zA-Z0-9\n' '-' | cut -c1-40).log"
        t0=$(date +%s)
        set +e
        (
            case "$setting" in
                TIMEOUT=2\ *) TIMEOUT=2; setting="${setting#TIMEOUT=2 }" ;;
            esac
            [ -n "$setting" ] && export "$setting"
            run_firmware
        ) >"$file" 2>&1
        got=$?
        set -e
        if [ "$got" = "$want" ] && { [ "${name%cleaned up}" = "$name" ] || grep -q 'cleanup: deleted' "$file"; }; then
            log "ok   exit $got: $name ($(($(date +%s) - t0)) s)"
        else
            log "FAIL exit $got, want $want (and a cleanup DELETE when so named): $name (log: $file)"
            tail -n 15 "$file" >&2
            failed=$((failed + 1))
        fi
    done
    log "exit-code matrix: ${#cases[@]} cases, $failed failed"
    [ "$failed" = 0 ]
}

# Keeper mode: HTTP to the simulator's admin endpoints with bash alone.
sim_http() {
    local method=$1 path=$2
    exec 3<>"/dev/tcp/127.0.0.1/$QOD_SIM_PORT" || return 1
    printf '%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n' \
        "$method" "$path" >&3
    sed '1,/^\r$/d' <&3
    exec 3<&-
}

# Keeper mode: once the firmware's session exists and has been extended a
# few times, the network terminates it (admin endpoint); the keeper must
# notice, delete it and recover with a new one.
keep_terminator() {
    local id="" _
    for _ in $(seq 300); do
        id="$({ sim_http GET /_sim/sessions || true; } | { grep -o '"sessionId":"[^"]*"' || true; } \
            | head -n 1 | cut -d'"' -f4)"
        [ -n "$id" ] && break
        sleep 0.1
    done
    [ -n "$id" ] || { log "keep: no session appeared"; return 0; }
    sleep 12
    log "keep: the network terminates session $id (POST /_sim/sessions/$id/terminate)"
    sim_http POST "/_sim/sessions/$id/terminate" >/dev/null || true
}

case "${1:-}" in
    --run-only) run_firmware ;;
    --exit-codes-inner) exit_code_matrix; exit ;;
esac

if [ "${1:-}" = --keep ]; then
    # The firmware's keep module runs its clock 10x (firmware-common/src/keep.rs: SCALE).
    export QOD_KEEP=1 QOD_FW_FEATURES="keep${QOD_FW_FEATURES:+,$QOD_FW_FEATURES}"
    export QOD_SIM_ARGS="--admin --time-scale 10 --requested-delay 2000"
    shift
fi

install_tools
build
if [ "${1:-}" = --exit-codes ]; then
    command -v python3 >/dev/null 2>&1 || { log "--exit-codes needs python3 (fake-qod.py)"; exit 1; }
    QOD="$(qod_bin)"
    export QOD
    if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
        exec unshare -n -- env QOD_FW_IN_NETNS=1 bash "$0" --exit-codes-inner
    elif unshare -rn true 2>/dev/null; then
        exec unshare -rn -- env QOD_FW_IN_NETNS=1 bash "$0" --exit-codes-inner
    fi
    log "--exit-codes needs a network namespace (unshare -n)"; exit 1
fi

if [ "${QOD_FW_NO_NETNS:-}" != 1 ] && have unshare; then
    # Private network namespace: slirp can only reach this namespace's
    # loopback, so a buggy firmware cannot send traffic anywhere else, and
    # parallel runs do not fight over the port.
    QOD="$(qod_bin)"
    export QOD
    if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
        exec unshare -n -- env QOD_FW_IN_NETNS=1 bash "$0" --run-only
    elif unshare -rn true 2>/dev/null; then
        exec unshare -rn -- env QOD_FW_IN_NETNS=1 bash "$0" --run-only
    fi
    log "no network namespace available: running on the host's loopback"
fi
run_firmware
