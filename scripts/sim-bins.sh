#!/usr/bin/env bash
# Builds the host programs the end-to-end runs start, the simulator `qod` (qod-cli with its default features) and
# the modem simulator `qod-modem`, and prints the directory they are in (stdout; cargo's output goes to stderr).
#
# They are built as the workspace's test build builds them: every member selected and one test target named, so
# that cargo resolves features with the dev-dependencies, exactly as `cargo nextest run --workspace --all-targets`
# (scripts/test.sh) and `cargo test` do. After the test suite's build this only asks cargo whether they are fresh,
# instead of building the dependency tree a second time with another feature set. qod_tests::qod_bin()
# (tests/src/lib.rs) runs the same command. Debug profile: the simulators serve a handful of requests per run.
#
#   bash scripts/sim-bins.sh          # prints e.g. <repository>/target/debug
# Honours CARGO_TARGET_DIR and .cargo/config.toml.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --locked --workspace --bin qod --bin qod-modem --test gateway >&2
dir="$(cargo metadata --format-version 1 --no-deps --offline | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
printf '%s/debug\n' "${dir:?cargo metadata gave no target directory}"
