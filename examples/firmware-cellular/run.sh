#!/usr/bin/env bash
# Builds the QoD simulator (`qod`), the modem simulator (`qod-modem`) and the
# cellular firmware, starts `qod sim` and `qod-modem`, boots the firmware in
# QEMU mps2-an386 with UART0 on the modem's serial line (`-serial tcp:`), and
# exits with the firmware's status. Everything runs inside a private network
# namespace when one is available (unshare -n / -rn), on its loopback only.
#
#   bash examples/firmware-cellular/run.sh                 # install, build, run
#   bash examples/firmware-cellular/run.sh --drop-carrier  # the modem drops the carrier
#                                                          # mid-request: the firmware redials
#                                                          # and carries on (checked)
#   bash examples/firmware-cellular/run.sh --faults        # every modem fault: its exit
#                                                          # status, and no session left
#   bash examples/firmware-cellular/run.sh --measure [N]   # N runs (3): bytes over the serial
#                                                          # line, time to AVAILABLE
#   bash examples/firmware-cellular/run.sh --run-only      # run the built images as is
#
# After every run the script checks that no QoS session is left on the
# simulator for the addresses the modem handed out (a create for them must
# not answer 409), and exits 92 if one is.
#
# Environment:
#   QOD_SIM_PORT      simulator port, baked into the firmware at build time (9091)
#   QOD_MODEM_PORT    the modem's serial-line port (7000)
#   QOD_SIM_ARGS      extra `qod sim` arguments (default --requested-delay 500)
#   QOD_MODEM_ARGS    extra `qod-modem` arguments (faults: --fault error=+CGDCONT,
#                     --fault silent, --fault no-register, --fault hangup=N;
#                     --drop-carrier-at N; see `qod-modem --help`)
#   QOD_MODEM_LINK    the radio link (default --latency 60 --bandwidth 200:
#                     60 ms each way, 200 kbit/s)
#   QOD_MODEM_APN     the APN the network accepts (iot.qod, the firmware's)
#   QOD_MODEM_PAP     the PAP credentials the network asks for (qod:qod, the
#                     firmware's; empty: no authentication)
#   QOD_FW_TIMEOUT    hard limit on the QEMU run, seconds (120; exit 124)
#   QOD_FW_NO_NETNS   set to 1 to skip the private network namespace
#   CARGO_TARGET_DIR  where the root workspace is built (cargo's default
#                     otherwise); the firmware always builds into ./target
#
# Exit status: the firmware's (0 ok; 2-12, 20-24, 100, 101: README.md), 124 if
# QEMU hit the hard timeout, 90/91 if a simulator died / never got ready, 92 if
# a QoS session was left on the simulator, 1 on setup errors or a failed check.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../../scripts/mcu-paths.sh
. "$HERE/../../scripts/mcu-paths.sh"   # MCU builds: no machine paths in the image, sizes alike everywhere
ROOT="$(cd "$HERE/../.." && pwd)"
export QOD_SIM_PORT="${QOD_SIM_PORT:-9091}"
export QOD_MODEM_PORT="${QOD_MODEM_PORT:-7000}"
QOD_SIM_ARGS="${QOD_SIM_ARGS-"--requested-delay 500"}"
QOD_MODEM_ARGS="${QOD_MODEM_ARGS-}"
QOD_MODEM_LINK="${QOD_MODEM_LINK-"--latency 60 --bandwidth 200"}"
QOD_MODEM_APN="${QOD_MODEM_APN-iot.qod}"
QOD_MODEM_PAP="${QOD_MODEM_PAP-qod:qod}"
TIMEOUT="${QOD_FW_TIMEOUT:-120}"
FW_TARGET_DIR="$HERE/target"
ELF="$FW_TARGET_DIR/thumbv7em-none-eabihf/release/firmware-cellular"
DEFMT_PRINT_VERSION=1.2.0

# log, have, install_tools, build_sims, sims_dir
# shellcheck source=../firmware-common/harness.sh
. "$HERE/../firmware-common/harness.sh"

build() {
    log "building the simulators (scripts/sim-bins.sh: qod and qod-modem, debug)"
    build_sims >/dev/null
    log "building the firmware (release, QOD_SIM_PORT=$QOD_SIM_PORT)"
    (cd "$HERE" && cargo build --release --locked --manifest-path "$HERE/Cargo.toml" --target-dir "$FW_TARGET_DIR")
}

# Starts "$@" in its own session (so it and its children stop by PID), with
# stdout/stderr in $2-named files; waits until it printed a first stdout line.
# Sets STARTED_PID.
start_bg() {
    local name="$1" out="$2" err="$3"
    shift 3
    setsid "$@" >"$out" 2>"$err" </dev/null &
    STARTED_PID=$!
    for _ in $(seq 150); do
        if ! kill -0 "$STARTED_PID" 2>/dev/null; then
            log "$name exited before it was ready:"; cat "$err" >&2; return 90
        fi
        [ -n "$(head -n 1 "$out" 2>/dev/null)" ] && { log "$name up (pid $STARTED_PID): $(head -n 1 "$out")"; return 0; }
        sleep 0.1
    done
    log "$name not ready after 15 s"; cat "$err" >&2; return 91
}

stop_bg() {
    local pid="$1"
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

# Whether a QoS session is left on the simulator for the device address $1: a
# create for it answers 409 CONFLICT (the probe session, if created, is
# deleted again). Returns 0 when none is left.
no_session_left() {
    local addr="$1" out id
    out="$("$QOD" --server "http://127.0.0.1:$QOD_SIM_PORT/qod/v0" session create \
        --device-ipv4 "$addr" --device-private-ipv4 "$addr" --as-ipv4 10.0.2.2 --profile QOS_VC --duration 60 2>&1)" && {
        id="$(printf '%s' "$out" | sed -n 's/.*"sessionId": *"\([^"]*\)".*/\1/p' | head -n 1)"
        [ -n "$id" ] && "$QOD" --server "http://127.0.0.1:$QOD_SIM_PORT/qod/v0" session delete "$id" >/dev/null 2>&1
        return 0
    }
    if printf '%s' "$out" | grep -q 'CONFLICT'; then
        log "a QoS session is left on the simulator for $addr"
        return 1
    fi
    log "orphan check for $addr failed: $out"
    return 1
}

# One run: simulator, modem, QEMU. Exits with the firmware's status (or 92).
run_firmware() {
    if [ "${QOD_FW_IN_NETNS:-}" = 1 ]; then
        ip link set lo up
        log "in a private network namespace"
    fi
    [ -f "$ELF" ] || { log "no firmware image at $ELF: run without --run-only first"; exit 1; }
    local bins work sim_pid modem_pid rc
    bins="$(sims_dir)"
    QOD="${QOD:-$bins/qod}"
    QOD_MODEM="${QOD_MODEM:-$bins/qod-modem}"
    for b in "$QOD" "$QOD_MODEM"; do
        [ -x "$b" ] || { log "no $b: run without --run-only first"; exit 1; }
    done
    work="$(mktemp -d)"
    # shellcheck disable=SC2086 # the *_ARGS variables are word lists
    start_bg "simulator" "$work/sim.out" "$work/sim.err" \
        "$QOD" sim --listen "127.0.0.1:$QOD_SIM_PORT" --no-auth $QOD_SIM_ARGS || exit $?
    sim_pid=$STARTED_PID
    local modem_args=(--listen "127.0.0.1:$QOD_MODEM_PORT" --once --forward "$QOD_SIM_PORT=127.0.0.1:$QOD_SIM_PORT"
        --stats-json "$work/modem.json")
    [ -n "$QOD_MODEM_APN" ] && modem_args+=(--apn "$QOD_MODEM_APN")
    [ -n "$QOD_MODEM_PAP" ] && modem_args+=(--pap "$QOD_MODEM_PAP")
    # shellcheck disable=SC2086
    start_bg "modem" "$work/modem.out" "$work/modem.err" \
        "$QOD_MODEM" "${modem_args[@]}" $QOD_MODEM_LINK $QOD_MODEM_ARGS || { stop_bg "$sim_pid"; exit 90; }
    modem_pid=$STARTED_PID
    trap 'stop_bg "$modem_pid"; stop_bg "$sim_pid"; rm -rf "$work"' EXIT

    local qemu=(timeout "$TIMEOUT" qemu-system-arm -machine mps2-an386 -cpu cortex-m4 -nographic
        -monitor none -serial "tcp:127.0.0.1:$QOD_MODEM_PORT" -nic none
        -semihosting-config enable=on,target=native -kernel "$ELF")
    log "booting QEMU (hard timeout ${TIMEOUT} s), UART0 on the modem at 127.0.0.1:$QOD_MODEM_PORT"
    set +e
    if have defmt-print; then
        "${qemu[@]}" | tee "$FW_TARGET_DIR/firmware.defmt" | defmt-print -e "$ELF" | tee "$FW_TARGET_DIR/firmware.log"
        rc=${PIPESTATUS[0]}
    else
        "${qemu[@]}" >"$FW_TARGET_DIR/firmware.defmt"
        rc=$?
        log "raw defmt log: $FW_TARGET_DIR/firmware.defmt (decode: defmt-print -e $ELF < it)"
    fi
    set -e
    [ "$rc" = 124 ] && log "QEMU killed after ${TIMEOUT} s"
    # The modem ends its session when the serial line closes (--once): wait for
    # its counters.
    for _ in $(seq 50); do kill -0 "$modem_pid" 2>/dev/null || break; sleep 0.1; done
    stop_bg "$modem_pid"
    sed 's/^/  modem: /' "$work/modem.out" | tail -n +2 >&2
    [ -f "$work/modem.json" ] && cp "$work/modem.json" "$FW_TARGET_DIR/modem-stats.json"
    if [ -s "$work/modem.err" ]; then
        grep -E 'WARN|ERROR|NO CARRIER|CONNECT|link up|drop|hang' "$work/modem.err" | sed 's/^/  modem log: /' >&2 || true
    fi
    # Addresses handed out: 10.0.2.15, one more per hang-up.
    local hangups addr n
    hangups="$(sed -n 's/.*"hangups": *\([0-9]*\).*/\1/p' "$work/modem.json" 2>/dev/null || true)"
    for n in $(seq 0 "${hangups:-0}"); do
        addr="10.0.2.$((15 + n))"
        if ! no_session_left "$addr"; then rc=92; fi
    done
    [ "$rc" != 92 ] && log "no QoS session left on the simulator"
    stop_bg "$sim_pid"
    log "firmware exit status: $rc"
    exit "$rc"
}

# Runs one case in a subshell with the given environment settings; prints its
# log to $file; returns its exit status.
run_case() {
    local file="$1"
    shift
    (
        for setting in "$@"; do export "${setting?}"; done
        QOD_MODEM_ARGS="${QOD_MODEM_ARGS-}" QOD_MODEM_APN="${QOD_MODEM_APN-iot.qod}" \
            QOD_MODEM_PAP="${QOD_MODEM_PAP-qod:qod}" run_firmware
    ) >"$file" 2>&1
}

# Every modem fault and the carrier drop: the exit status, the log line that
# names it, and no session left (92, except in the one case where the
# network is gone for good and nothing can delete the session).
fault_matrix() {
    local cases=(
        "0|success|Success|"
        "0|carrier dropped mid-request: redialled, carried on|carried on through 1 carrier loss|QOD_MODEM_ARGS=--drop-carrier-at 3"
        "0|hang-up during a poll (lost; new address): GET re-sent, carried on|carried on through 1 carrier loss|QOD_MODEM_ARGS=--fault hangup=2"
        "24|hang-up during the create (lost): no session|exit CarrierLost|QOD_MODEM_ARGS=--fault hangup=1"
        "20|modem answers nothing|the modem does not answer AT|QOD_MODEM_ARGS=--fault silent"
        "21|modem answers ERROR to AT+CGDCONT|answered ERROR to AT+CGDCONT|QOD_MODEM_ARGS=--fault error=+CGDCONT"
        "22|modem never registers|not registered|QOD_MODEM_ARGS=--fault no-register"
        "23|dial refused (the network wants another APN)|ATD\\*99# failed|QOD_MODEM_APN=other.apn"
        "3|PPP refused (the network wants another PAP password)|PPP did not come up|QOD_MODEM_PAP=qod:other"
        "92|carrier lost for good after the create: CarrierLost, and the session is left (no network to delete it)|exit CarrierLost|QOD_MODEM_ARGS=--drop-carrier-at 3 --fault calls=1"
    )
    local dir="$FW_TARGET_DIR/faults" failed=0 entry want name line setting got t0 file
    mkdir -p "$dir"
    for entry in "${cases[@]}"; do
        IFS='|' read -r want name line setting <<<"$entry"
        file="$dir/$(printf '%s' "$name" | tr -c 'a-zA-Z0-9\n' '-' | cut -c1-40).log"
        t0=$(date +%s)
        set +e
        if [ -n "$setting" ]; then run_case "$file" "$setting"; else run_case "$file"; fi
        got=$?
        set -e
        if [ "$got" = "$want" ] && grep -q "$line" "$file"; then
            log "ok   exit $got: $name ($(($(date +%s) - t0)) s)"
        else
            log "FAIL exit $got, want $want and a line matching '$line': $name (log: $file)"
            tail -n 20 "$file" >&2
            failed=$((failed + 1))
        fi
    done
    log "fault matrix: ${#cases[@]} cases, $failed failed"
    [ "$failed" = 0 ]
}

# N successful runs: bytes over the serial line and time to AVAILABLE.
measure() {
    local n="${1:-3}" dir="$FW_TARGET_DIR/measure" i
    mkdir -p "$dir"
    for i in $(seq "$n"); do
        run_case "$dir/run-$i.log" || { log "run $i failed: $dir/run-$i.log"; tail -n 20 "$dir/run-$i.log" >&2; return 1; }
        cp "$FW_TARGET_DIR/modem-stats.json" "$dir/run-$i.json"
    done
    python3 - "$dir" "$n" <<'PY'
import json, re, statistics, sys
d, n = sys.argv[1], int(sys.argv[2])
rows = []
for i in range(1, n + 1):
    s = json.load(open(f"{d}/run-{i}.json"))
    log = open(f"{d}/run-{i}.log").read()
    ts = lambda pat: float(re.search(r"^\s*([0-9.]+) INFO .*" + pat, log, re.M).group(1))
    rows.append({
        "rx": s["serial_at_rx"] + s["serial_ppp_control_rx"] + s["serial_ip_rx"] + s["serial_other_rx"],
        "tx": s["serial_at_tx"] + s["serial_ppp_control_tx"] + s["serial_ip_tx"],
        "at": s["serial_at_rx"] + s["serial_at_tx"],
        "ppp": s["serial_ppp_control_rx"] + s["serial_ppp_control_tx"],
        "ip": s["serial_ip_rx"] + s["serial_ip_tx"],
        "tcp": s["tcp_payload_up"] + s["tcp_payload_down"],
        "requests": s["http_requests"],
        "up": ts("network up after"),
        "available": ts("AVAILABLE after"),
        "create_to_available": int(re.search(r"AVAILABLE after (\d+) ms", log).group(1)),
    })
    r = rows[-1]
    print(f"run {i}: serial {r['rx'] + r['tx']} B (device->modem {r['rx']}, modem->device {r['tx']}; AT {r['at']}, "
          f"PPP control {r['ppp']}, IP frames {r['ip']}, of which HTTP {r['tcp']}), {r['requests']} HTTP requests; "
          f"link up at {r['up']:.3f} s, AVAILABLE at {r['available']:.3f} s ({r['create_to_available']} ms after the create)")
med = lambda k: statistics.median(r[k] for r in rows)
for r in rows:
    r["total"] = r["rx"] + r["tx"]
print(f"median of {n}: serial {med('total'):.0f} B (device->modem {med('rx'):.0f}, modem->device {med('tx'):.0f}; "
      f"AT {med('at'):.0f}, PPP control {med('ppp'):.0f}, "
      f"IP frames {med('ip'):.0f}, HTTP payload {med('tcp'):.0f}); link up {med('up'):.3f} s, "
      f"AVAILABLE {med('available'):.3f} s after boot, {med('create_to_available'):.0f} ms after the create")
PY
}

enter_netns() {
    # Private network namespace: the simulators and QEMU see only this
    # namespace's loopback, and parallel runs do not fight over the ports.
    if [ "${QOD_FW_NO_NETNS:-}" != 1 ] && have unshare; then
        if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
            exec unshare -n -- env QOD_FW_IN_NETNS=1 bash "$0" "$@"
        elif unshare -rn true 2>/dev/null; then
            exec unshare -rn -- env QOD_FW_IN_NETNS=1 bash "$0" "$@"
        fi
        log "no network namespace available: running on the host's loopback"
    fi
}

in_netns_setup() {
    if [ "${QOD_FW_IN_NETNS:-}" = 1 ]; then ip link set lo up; fi
    QOD_FW_IN_NETNS=0 # lo is up: run_firmware need not do it again
}

case "${1:-}" in
    --run-only-inner) run_firmware ;;
    --faults-inner) in_netns_setup; fault_matrix; exit ;;
    --measure-inner) in_netns_setup; measure "${2:-3}"; exit ;;
    --drop-carrier-inner)
        in_netns_setup
        file="$FW_TARGET_DIR/drop-carrier.log"
        set +e
        run_case "$file" "QOD_MODEM_ARGS=--drop-carrier-at 3 ${QOD_MODEM_ARGS-}"
        rc=$?
        set -e
        cat "$file"
        if [ "$rc" = 0 ] && grep -q 'carrier drops 1' "$file" && grep -q 'carried on through 1 carrier loss' "$file"; then
            log "carrier dropped mid-request: the firmware redialled and carried on"
        elif [ "$rc" = 0 ]; then
            log "exit 0, but no carrier drop and redial in the logs"; rc=1
        fi
        exit "$rc" ;;
esac

mode="${1:-}"
if [ "$mode" != --run-only ]; then
    install_tools
    build
fi
case "$mode" in
    --faults) command -v python3 >/dev/null 2>&1 || true; enter_netns --faults-inner; in_netns_setup; fault_matrix ;;
    --measure) have python3 || { log "--measure needs python3"; exit 1; }; enter_netns --measure-inner "${2:-3}"; in_netns_setup; measure "${2:-3}" ;;
    --drop-carrier) enter_netns --drop-carrier-inner; exec bash "$0" --drop-carrier-inner ;;
    ""|--run-only) enter_netns --run-only-inner; run_firmware ;;
    *) log "unknown option $mode (see the comment at the top)"; exit 1 ;;
esac
