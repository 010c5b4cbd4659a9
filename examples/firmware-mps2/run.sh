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
#   bash examples/firmware-mps2/run.sh --build-only # build qod and the firmware, run nothing
#
#   --tls before any of these: the HTTPS build (cargo feature `tls`). The
#   firmware fetches an OAuth2 token (client credentials) and runs the job
#   over TLS 1.3 on one kept-alive connection against
#   `qod sim --tls-cert/--tls-key --client-file`; the CA it trusts is baked in
#   at build time. The test PKI and the client's test secret are made once
#   (`qod pki`, a random secret) in target/tls-pki/. `--tls --exit-codes`
#   forces the TLS and OAuth2 failures instead (untrusted CA, expired or
#   wrong-name certificate, TLS-1.2-only server, plain HTTP server, refused
#   secret, a cleanup over TLS). A TLS run also checks that the firmware used
#   one connection and that its log holds neither the secret nor a bearer
#   token.
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
#   QOD_SIM_CERT     --tls: the certificate the simulator serves from the
#                    test PKI: server (default), expired or wrong-name
#   QOD_SIM_CLIENTS  --tls: the simulator's client file in the test PKI:
#                    clients (default; the firmware's id and secret) or
#                    clients-wrong (the same id, another secret)
#   QOD_FW_TLS_MAX_FRAGMENT
#                    --tls, a measurement variant that needs the server's
#                    cooperation: the simulator sends TLS records of at most
#                    this many bytes (--tls-max-fragment) and the firmware is
#                    built with a read record buffer of that + 256 instead
#                    of 16,640 bytes (e.g. 4096)
#   QOD_QEMU_ARGS    extra QEMU arguments (e.g. '-icount shift=0' to measure)
#   QOD_FW_TIMEOUT   hard limit for the QEMU run in seconds (90)
#   QOD_FW_NO_NETNS  set to 1 to skip the private network namespace
#   CARGO_TARGET_DIR where the root workspace (qod) is built (cargo's default
#                    otherwise); the firmware always builds into ./target
#
# Exit status: the firmware's (0 ok; 2-13, 30-33, 100, 101: see README.md),
# 124 if QEMU hit the hard timeout, 90/91 if the server died / never got
# ready, 92 if a keeper run left a session in the simulator's admin view, 1 on
# setup errors or a failed TLS check.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../../scripts/mcu-paths.sh
. "$HERE/../../scripts/mcu-paths.sh"   # MCU builds: no machine paths in the image, sizes alike everywhere
ROOT="$(cd "$HERE/../.." && pwd)"
export FW_DIR="$HERE"
export QOD_SIM_PORT="${QOD_SIM_PORT:-9091}"
QOD_SIM_ARGS="${QOD_SIM_ARGS-"--requested-delay 500"}"
TIMEOUT="${QOD_FW_TIMEOUT:-90}"
FW_TARGET_DIR="$HERE/target"
ELF="$FW_TARGET_DIR/thumbv7em-none-eabihf/release/firmware-mps2"
DEFMT_PRINT_VERSION=1.2.0
# --tls (also passed on as QOD_FW_TLS=1 into the network namespace).
if [ "${1:-}" = --tls ]; then QOD_FW_TLS=1; shift; fi
export QOD_FW_TLS="${QOD_FW_TLS:-}"
# The test PKI and client credentials of the TLS build (made once, kept).
export QOD_FW_PKI="$FW_TARGET_DIR/tls-pki"
QOD_FW_CLIENT_ID=qod-fw
if [ -n "$QOD_FW_TLS" ]; then
    # The TLS image is kept apart from the plaintext one.
    ELF="$FW_TARGET_DIR/firmware-mps2-tls.elf"
fi

# log, have, install_tools, build_sims, sims_dir
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

# The simulator binary in the root workspace's target directory (built by build_sims).
qod_bin() {
    printf '%s/qod\n' "$(sims_dir)"
}

build() {
    if [ -z "${QOD_SERVER_CMD:-}" ] || [ -n "$QOD_FW_TLS" ]; then
        log "building the simulator (scripts/sim-bins.sh: qod, debug)"
        build_sims >/dev/null
    fi
    local features="${QOD_FW_FEATURES:-}"
    if [ -n "$QOD_FW_TLS" ]; then
        make_pki
        features="tls${features:+,$features}"
        if [ -n "${QOD_FW_TLS_MAX_FRAGMENT:-}" ]; then
            export QOD_FW_TLS_READ_RECORD=$((QOD_FW_TLS_MAX_FRAGMENT + 256))
        else
            unset QOD_FW_TLS_READ_RECORD
        fi
        # The build script bakes these in (examples/firmware-common/build.rs).
        export QOD_FW_CA_DER="$QOD_FW_PKI/ca.der" QOD_FW_CLIENT_ID
        QOD_FW_CLIENT_SECRET="$(cat "$QOD_FW_PKI/client-secret")"
        export QOD_FW_CLIENT_SECRET
    fi
    log "building firmware (release, QOD_SIM_PORT=$QOD_SIM_PORT${features:+, features $features})"
    local args=(build --release --locked --manifest-path "$HERE/Cargo.toml" --target-dir "$FW_TARGET_DIR")
    [ -n "$features" ] && args+=(--features "$features")
    (cd "$HERE" && cargo "${args[@]}")
    if [ -n "$QOD_FW_TLS" ]; then
        cp "$FW_TARGET_DIR/thumbv7em-none-eabihf/release/firmware-mps2" "$ELF"
        log "TLS image: $ELF"
    fi
}

# The test PKI (`qod pki`: a CA, server certificates valid, expired and for
# another name) and the OAuth2 test client: a random secret, the simulator's
# client files (the right secret, and a wrong one). Made once; delete
# target/tls-pki to start over.
make_pki() {
    if [ ! -f "$QOD_FW_PKI/ca.der" ]; then
        log "making the test PKI in $QOD_FW_PKI (qod pki)"
        "$(qod_bin)" pki --out "$QOD_FW_PKI" --force >/dev/null
    fi
    if [ ! -s "$QOD_FW_PKI/client-secret" ]; then
        (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$QOD_FW_PKI/client-secret")
    fi
    local secret
    secret="$(cat "$QOD_FW_PKI/client-secret")"
    (umask 077
        printf '# test clients of run.sh --tls\n%s:%s\n' "$QOD_FW_CLIENT_ID" "$secret" >"$QOD_FW_PKI/clients"
        printf '# the firmware'"'"'s id with another secret\n%s:not-%s\n' "$QOD_FW_CLIENT_ID" "$secret" \
            >"$QOD_FW_PKI/clients-wrong")
}

# Starts the server, boots QEMU, stops the server. Runs inside the network
# namespace when there is one.
run_firmware() {
    if [ "${QOD_FW_IN_NETNS:-}" = 1 ]; then
        ip link set lo up
        log "in a private network namespace"
    fi
    [ -f "$ELF" ] || { log "no firmware image at $ELF: run without --run-only first"; exit 1; }
    if [ -z "$QOD_FW_TLS" ] && cmp -s "$ELF" "$FW_TARGET_DIR/firmware-mps2-tls.elf"; then
        log "the image at $ELF is the TLS build (built last): run without --run-only (or with --tls)"; exit 1
    fi
    local work server_pid rc cmd
    work="$(mktemp -d)"
    QOD="${QOD:-$(qod_bin)}"
    export QOD
    if [ -n "${QOD_SERVER_CMD:-}" ]; then
        cmd="$QOD_SERVER_CMD"
    elif [ -n "$QOD_FW_TLS" ]; then
        [ -x "$QOD" ] || { log "no simulator at $QOD: run without --run-only first"; exit 1; }
        local cert="\$QOD_FW_PKI/${QOD_SIM_CERT:-server}"
        cmd="\"\$QOD\" sim --listen \"127.0.0.1:\$QOD_SIM_PORT\" --tls-cert \"$cert.pem\" --tls-key \"$cert.key\""
        cmd+=" --client-file \"\$QOD_FW_PKI/${QOD_SIM_CLIENTS:-clients}\" $QOD_SIM_ARGS"
        [ -n "${QOD_FW_TLS_MAX_FRAGMENT:-}" ] && cmd+=" --tls-max-fragment $QOD_FW_TLS_MAX_FRAGMENT"
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
        # (A TLS simulator would log the bare TCP probe as a failed handshake:
        # its first line is enough.)
        if [ -n "$(head -n 1 "$work/server.out" 2>/dev/null)" ] \
            || { [ -z "$QOD_FW_TLS" ] && (exec 3<>"/dev/tcp/127.0.0.1/$QOD_SIM_PORT") 2>/dev/null; }; then
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
    # shellcheck disable=SC2206 # word splitting is the point
    [ -n "${QOD_QEMU_ARGS:-}" ] && qemu+=(${QOD_QEMU_ARGS})
    log "booting QEMU (hard timeout ${TIMEOUT} s)"
    set +e
    if have defmt-print; then
        # The raw stream is kept too (decode again: defmt-print -e ELF < it).
        "${qemu[@]}" | tee "$FW_TARGET_DIR/firmware.defmt" | defmt-print -e "$ELF" | tee "$work/firmware.log"
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
    [ -n "$QOD_FW_TLS" ] && tls_checks "$rc" "$work/firmware.log" "$work"
    log "firmware exit status: $rc"
    exit "$rc"
}

# After a TLS run: neither the client secret, nor the Basic credentials that
# carry it (base64 of ID:SECRET), nor an access token (the simulator issues
# 64 hex digits) may appear in anything logged: the raw defmt stream (string
# arguments travel in it as they are), the decoded log and the simulator's
# output. The patterns are read from a file, never put on a command line.
# After a success the firmware must have used exactly one connection. Exits 1
# when a check fails.
tls_checks() {
    local rc="$1" decoded="$2" work="$3" logs=()
    (umask 077
        { cat "$QOD_FW_PKI/client-secret"; echo
          { printf '%s:' "$QOD_FW_CLIENT_ID"; cat "$QOD_FW_PKI/client-secret"; } | base64 -w0; echo
        } >"$work/secret.pat")
    for f in "$FW_TARGET_DIR/firmware.defmt" "$decoded" "$work/server.out" "$work/server.err"; do
        [ -f "$f" ] && logs+=("$f")
    done
    if grep -aqF -f "$work/secret.pat" -- "${logs[@]}" || grep -aqE '[0-9a-f]{64}|Bearer ' -- "${logs[@]}"; then
        log "FAIL: a log holds the client secret, its Basic credentials or an access token"; exit 1
    fi
    if [ "$rc" = 0 ] && [ -s "$decoded" ]; then
        if ! grep -q "TLS connections: 1;" "$decoded"; then
            log "FAIL: the lifecycle did not run on one TLS connection:"
            grep "TLS connections" "$decoded" >&2 || true
            exit 1
        fi
        log "checked: one TLS connection; no secret, credentials or token in the firmware's or the simulator's log"
    fi
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
    [ -n "$QOD_FW_TLS" ] && cases=("${TLS_CASES[@]}")
    local dir="$FW_TARGET_DIR/exit-codes${QOD_FW_TLS:+-tls}" failed=0 entry want name setting got t0 file
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

# The TLS build's failure cases (--tls --exit-codes), in the same form.
TLS_CASES=(
    "0|success over TLS with an OAuth2 token|"
    "30|untrusted CA (the simulator's own fresh CA)|QOD_SERVER_CMD=\"\$QOD\" sim --listen 127.0.0.1:\$QOD_SIM_PORT --tls --client-file \"\$QOD_FW_PKI/clients\""
    "30|expired certificate|QOD_SIM_CERT=expired"
    "30|certificate for another name|QOD_SIM_CERT=wrong-name"
    "31|TLS-1.2-only server|QOD_SIM_ARGS=--tls-versions 1.2"
    "32|plain HTTP server|QOD_SERVER_CMD=\"\$QOD\" sim --listen 127.0.0.1:\$QOD_SIM_PORT --no-auth"
    "33|token endpoint refuses the secret|QOD_SIM_CLIENTS=clients-wrong"
    "9|delete: 503 over TLS, cleaned up|QOD_SIM_ARGS=--fault 503=60,every=4"
)

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
[ "${1:-}" = --build-only ] && exit 0
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
