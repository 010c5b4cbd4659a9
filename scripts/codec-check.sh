#!/usr/bin/env bash
# Acceptance check of the codec tool: every canonical golden vector re-encodes byte-for-byte, the spec's examples
# decode, and bad input gives exactly one `error: …` line on stderr with exit 1 (never a panic).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p qod-core --features std,v1 --example codec
codec=target/debug/examples/codec
v=crates/qod-core/tests/vectors
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check_same() { # schema file [api]
  out=$("$codec" --api "${3:-v0}" "$1" < "$v/$2")
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
check_bad() { # schema input-bytes [api]
  set +e
  printf '%b' "$2" | "$codec" --api "${3:-v0}" "$1" > "$tmp/out" 2> "$tmp/err"
  rc=$?
  set -e
  lines=$(wc -l < "$tmp/err")
  if [ "$rc" != 1 ] || [ "$lines" != 1 ] || ! grep -q '^error: ' "$tmp/err" || [ -s "$tmp/out" ]; then
    echo "FAIL: $1 <<< $2: rc=$rc stderr=$(cat "$tmp/err")"; fail=1
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
# 1.1.0 (--api v1): every schema name, canonical vectors byte-for-byte, the spec's example order, bad input.
check_same session-info v1/session_info_full.json v1
check_same session-info v1/session_info_requested.json v1
check_same session-info v1/session_info_available.json v1
check_same create-session v1/create_session.json v1
check_same extend-session v1/extend_session.json v1
check_same retrieve-sessions v1/retrieve_sessions.json v1
check_same session-list v1/session_list.json v1
check_same session-list v1/session_list_empty.json v1
check_same notification v1/notification.json v1
check_same error-info v1/error_info_409.json v1
check_same error-info v1/error_info_422.json v1
check_same qos-profile v1/qos_profile.json v1
check_same qos-profile-list v1/qos_profile_list.json v1
check_same retrieve-qos-profiles v1/retrieve_qos_profiles.json v1
# The spec's example order decodes; its unknown statusInfo value cannot be written back (one error line).
check_bad session-info "$(cat "$v/v1/session_info_spec_example.json")" v1
"$codec" --api v1 session-info < "$v/v1/session_info_available.json" > /dev/null
check_bad session-info "$(cat "$v/v1/session_info_duplicate_member.json")" v1
check_bad session-info '{"applicationServer":{"ipv4Address":"1.2.3.4"},"qosProfile":"QOS_E","sessionId":"x","duration":1,"qosStatus":"AVAILABLE","startedAt":"2024-02-30T00:00:00Z"}' v1
check_bad notification "$(cat "$v/notification.json")" v1
check_bad create-session '{"applicationServer":{"ipv4Address":"1.2.3.4"},"qosProfile":"QOS_E"}' v1
check_bad session-list '[{}]' v1
check_bad retrieve-qos-profiles '{"device":"x"}' v1
# Usage errors exit 2 with one line.
for args in "--api v2 session-info" "--api v1 webhook" "--api v0 session-list"; do
  set +e
  # shellcheck disable=SC2086
  "$codec" $args < /dev/null > "$tmp/out" 2> "$tmp/err"
  rc=$?
  set -e
  if [ "$rc" != 2 ] || [ "$(wc -l < "$tmp/err")" != 1 ]; then echo "FAIL: codec $args: rc=$rc"; fail=1; fi
done
[ "$fail" = 0 ] && echo "codec tool: all checks passed"
exit "$fail"
