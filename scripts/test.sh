#!/usr/bin/env bash
# The whole test suite, runnable on a fresh machine: `bash scripts/test.sh`.
# Installs what it needs first (scripts/setup.sh), then runs every crate's tests and the cross-crate end-to-end tests
# (the top-level tests/ package, qod-tests), the doctests, the qod-core feature sets, the fuzz-corpus replay, the
# codec tool's acceptance checks, the simulator's OpenAPI conformance check and the firmware in QEMU.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

step() { printf '\n=== %s ===\n' "$*"; }

# The end-to-end tests of the `qod` tool build it themselves (qod_tests::qod_bin, the same feature resolution as
# the test build); built here first, so that the first build in a fresh target directory does not run beside
# timing-sensitive tests. The QEMU runs and the OpenAPI check below start these same debug binaries.
step "the simulators (qod, qod-modem) for the end-to-end tests"
bash scripts/sim-bins.sh >/dev/null

# qod-client's keeper_stores (FlashStore under power cuts, FileStore) is among them: qod-tests switches on its
# required features for the workspace build.
step "workspace tests (nextest): every crate's, and the end-to-end tests in tests/"
cargo nextest run --workspace --all-targets --no-fail-fast

step "doctests"
cargo test --workspace --doc

step "qod-core feature sets: the shared layer alone, v0 alone, v1 alone (and its doctests), both + std + serde + fuzzing entry points (corpus replay)"
cargo nextest run -p qod-core --no-default-features --lib --tests
cargo nextest run -p qod-core --no-default-features --features v0 --lib --tests
cargo nextest run -p qod-core --no-default-features --features v1 --lib --tests
cargo test -q -p qod-core --no-default-features --features v1 --doc   # the doctests without the v0 models
cargo nextest run -p qod-core --features std,serde,_fuzzing,v1 --all-targets

step "codec tool"
bash scripts/codec-check.sh

if [ -x crates/qod-sim/scripts/openapi-check.sh ]; then
  step "simulator vs the official OpenAPI document"
  bash crates/qod-sim/scripts/openapi-check.sh
fi

if [ -x examples/firmware-mps2/run.sh ]; then
  step "firmware in QEMU (mps2-an386)"
  bash examples/firmware-mps2/run.sh
fi
