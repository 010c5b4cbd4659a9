#!/usr/bin/env bash
# Acceptance check of the codec tool: every canonical golden vector re-encodes byte-for-byte, the spec's examples
# decode, and bad input gives exactly one `error: …` line on stderr with exit 1 (never a panic).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p qod-core --features std --example codec
codec=target/debug/examples/codec
v=crates/qod-core/tests/vectors
fail=0
check_same() { # schema file
  out=$("$codec" "$1" < "$v/$2")
  if [ "$out" != "$(cat "$v/$2")" ]; then echo "FAIL: $2 did not re-encode byte-for-byte"; fail=1; fi
}
check_same session-info session_info_full.json
check_same session-info session_info_minimal.json
check_same create-session create_session.json
check_same extend-session extend_session.json
check_same error-info error_info_404.json
check_same qos-profile qos_profile.json
check_same qos-profile-list qos_profile_list.json
check_same notification notification.json
"$codec" session-info < "$v/session_info_escapes.json" > /dev/null
check_bad() { # schema input-bytes
  set +e
  printf '%b' "$2" | "$codec" "$1" > /tmp/codec.out 2> /tmp/codec.err
  rc=$?
  set -e
  lines=$(wc -l < /tmp/codec.err)
  if [ "$rc" != 1 ] || [ "$lines" != 1 ] || ! grep -q '^error: ' /tmp/codec.err || [ -s /tmp/codec.out ]; then
    echo "FAIL: $1 <<< $2: rc=$rc stderr=$(cat /tmp/codec.err)"; fail=1
  fi
}
check_bad session-info ''
check_bad session-info 'garbage'
check_bad session-info '{"device":{}}'
check_bad session-info "$(head -c 300 "$v/session_info_full.json")"
check_bad error-info '{"status":400,"code":"X","message":"\xff"}'
check_bad create-session '{"device":{"phoneNumber":"1"},"applicationServer":{"ipv4Address":"1.2.3.4"},"qosProfile":"QOS_E","duration":0}'
check_bad qos-profile-list "[$(printf '[%.0s' $(seq 5000))"
check_bad notification '{"id":"1","source":"s","type":"other","specversion":"1.0","data":{},"time":"t"}'
check_bad session-info '{} trailing'
check_bad session-info "$(cat "$v/session_info_duplicate_member.json")"
[ "$fail" = 0 ] && echo "codec tool: all checks passed"
exit "$fail"
