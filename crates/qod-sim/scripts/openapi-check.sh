#!/usr/bin/env bash
# Checks qod-sim's responses against the official CAMARA OpenAPI documents with schemathesis: QoD v0.10.1 (under
# /qod/v0), quality-on-demand 1.1.0 (/quality-on-demand/v1) and qos-profiles 1.1.0 (/qos-profiles/v1), each served by
# the same simulator.
#
#   crates/qod-sim/scripts/openapi-check.sh          # from anywhere; exits non-zero on any violation
#
# What it does, needing only python3 and access to PyPI (it installs everything else itself):
#   1. creates a venv (python3 -m venv; falls back to `apt-get install python3-venv` when ensurepip is missing) and
#      installs a pinned schemathesis into it;
#   2. builds `qod` (cargo, honouring CARGO_TARGET_DIR) and starts `qod sim --no-auth --listen 127.0.0.1:0`;
#   3. runs schemathesis (examples, coverage, fuzzing and stateful phases; seeded, bounded examples) with every check
#      except `positive_data_acceptance` (see below);
#   4. starts `qod sim` with auth on and checks that every operation refuses requests without a token
#      (`ignored_auth`) with documented 401 ErrorInfo answers.
#
# Excluded check, and why: `positive_data_acceptance` expects 2xx for every schema-valid request, but the schema
# cannot express the provider's semantics that the spec itself describes: `qosProfile` must name a profile in the
# provider's catalogue (an arbitrary "QCI_1_voice" is a correct 400), a duration must lie within the chosen profile's
# minDuration/maxDuration (400 OUT_OF_RANGE per the spec's own example), and a device already in a session gets 409.
# Everything else -- status codes, response schemas, content types, headers, negative-data rejection, unsupported
# methods, Allow headers, use-after-free, resource availability -- is checked.
#
# 1.1.0 the same way; beyond the catalogue and duration rules above, a create or retrieve-sessions without a device is
# a correct 422 MISSING_IDENTIFIER for the simulator's two-legged identity when auth is off.
#
# Environment: QOD_SPEC (path of qod-0.10.1.yaml; the 1.1.0 documents are looked up next to it, or given as
# QOD_SPEC_V1 and QOD_PROFILES_SPEC_V1), QOD_ST_VENV (venv dir), QOD_ST_EXAMPLES (default 25), QOD_ST_SEED
# (default 1).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
target="${CARGO_TARGET_DIR:-$repo/target}"
schemathesis_version="4.32.5"

spec="${QOD_SPEC:-}"
if [[ -z "$spec" ]]; then
    # The CAMARA documents as this project's CI lays them out: a `shared/spec` directory beside the clone.
    candidate="$repo/../shared/spec/qod-0.10.1.yaml"
    if [[ -f "$candidate" ]]; then spec="$candidate"; fi
fi
if [[ -z "$spec" ]]; then
    echo "openapi-check: SKIPPED: the CAMARA OpenAPI documents are not here (set QOD_SPEC to qod-0.10.1.yaml from" >&2
    echo "  https://github.com/camaraproject/QualityOnDemand/blob/v0.10.1/code/API_definitions/qod-api.yaml, with" >&2
    echo "  quality-on-demand-1.1.0.yaml and qos-profiles-1.1.0.yaml of release r3.2 beside it)" >&2
    exit 0
fi
[[ -f "$spec" ]] || { echo "openapi-check: QOD_SPEC=$spec: no such file" >&2; exit 2; }
spec="$(cd "$(dirname "$spec")" && pwd)/$(basename "$spec")"
spec_v1="${QOD_SPEC_V1:-$(dirname "$spec")/quality-on-demand-1.1.0.yaml}"
profiles_v1="${QOD_PROFILES_SPEC_V1:-$(dirname "$spec")/qos-profiles-1.1.0.yaml}"
for f in "$spec_v1" "$profiles_v1"; do
    [[ -f "$f" ]] || { echo "openapi-check: $f not found (set QOD_SPEC_V1 / QOD_PROFILES_SPEC_V1)" >&2; exit 2; }
done

venv="${QOD_ST_VENV:-$target/schemathesis-venv}"
if [[ ! -x "$venv/bin/schemathesis" ]] || ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$schemathesis_version"; then
    echo "openapi-check: installing schemathesis $schemathesis_version into $venv" >&2
    if ! python3 -m venv --clear "$venv" >/dev/null 2>&1; then
        echo "openapi-check: python3 -m venv failed; installing python3-venv" >&2
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv) >&2
        python3 -m venv --clear "$venv"
    fi
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "schemathesis==$schemathesis_version"
fi

echo "openapi-check: building qod" >&2
qod="$(bash "$repo/scripts/sim-bins.sh")/qod"   # the test build's features: fresh after the test suite's build

work="$(mktemp -d)"
cleanup() {
    # start_sim runs in a command substitution (a subshell), so it records its pids in files.
    for f in "$work"/*.pid; do
        [[ -f "$f" ]] && kill "$(cat "$f")" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

# Starts `qod sim` with the given options; prints its base URL once it is listening.
start_sim() {
    local name="$1"; shift
    "$qod" sim --listen 127.0.0.1:0 "$@" >"$work/$name.out" 2>"$work/$name.log" &
    echo "$!" >"$work/$name.pid"
    for _ in $(seq 1 300); do
        if [[ -s "$work/$name.out" ]]; then head -n1 "$work/$name.out"; return 0; fi
        sleep 0.1
    done
    echo "openapi-check: qod sim did not start" >&2
    cat "$work/$name.log" >&2
    return 1
}

st() {
    local doc="$1"; shift
    # Run from the scratch directory: schemathesis keeps a `.schemathesis/` cache in its working directory.
    (cd "$work" && "$venv/bin/schemathesis" run "$doc" --no-color --generation-database none \
        --seed "${QOD_ST_SEED:-1}" --request-timeout 10 "$@")
}

status=0
base="$(start_sim open --no-auth)"
root="${base%/qod/v0}"
# Auth on needs a registered client (none is implicit); this one's secret is never used: requests carry no token.
printf 'openapi-check:unused-%s\n' "$$" >"$work/clients"
base_auth="$(start_sim auth --client-file "$work/clients")"
root_auth="${base_auth%/qod/v0}"

# document, URL of its API under the no-auth simulator, the same under the auth-on simulator
for entry in "$spec|$base|$base_auth" \
    "$spec_v1|$root/quality-on-demand/v1|$root_auth/quality-on-demand/v1" \
    "$profiles_v1|$root/qos-profiles/v1|$root_auth/qos-profiles/v1"; do
    IFS='|' read -r doc url url_auth <<<"$entry"
    echo "openapi-check: schemathesis $(basename "$doc") against $url (no auth)" >&2
    st "$doc" --url "$url" --checks all --exclude-checks positive_data_acceptance \
        --max-examples "${QOD_ST_EXAMPLES:-25}" --workers 1 || status=$?
    echo "openapi-check: schemathesis $(basename "$doc") against $url_auth (auth on, requests without a token)" >&2
    st "$doc" --url "$url_auth" \
        --checks ignored_auth,status_code_conformance,content_type_conformance,response_schema_conformance \
        --phases examples,coverage --max-examples 5 || status=$?
done

if [[ $status -eq 0 ]]; then
    echo "openapi-check: OK (no violations of $(basename "$spec"), $(basename "$spec_v1"), $(basename "$profiles_v1"))"
else
    echo "openapi-check: FAILED (exit $status)" >&2
fi
exit "$status"
