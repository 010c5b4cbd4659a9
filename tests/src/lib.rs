#![doc = include_str!("../README.md")]
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The workspace's root manifest.
const WORKSPACE_MANIFEST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml");

/// The `qod` binary of crates/qod-cli with its default features (`sim`, `demo`), built for this test process.
///
/// `CARGO_BIN_EXE_qod` exists only in qod-cli's own tests, and nothing else makes cargo build another package's
/// binary for a test (artifact dependencies are unstable). So the first call runs
/// `cargo build --locked --workspace --bin qod --test gateway` through [escargot](https://docs.rs/escargot), with the cargo that
/// runs the tests (`CARGO`), in the same target directory (cargo's own choice: `CARGO_TARGET_DIR`, the config,
/// else the workspace's `target/`) and the same profile (`--release` when the tests are a release build), and
/// takes the binary's path from cargo's JSON messages. The binary is therefore never stale, whichever command
/// started the tests (`cargo test`, `cargo nextest run`, one package, one test). Naming a test target makes cargo
/// resolve features as the workspace's test build does (dev-dependencies included), so under
/// `cargo nextest run --workspace` or `cargo test` at the root the binary reuses that build's dependencies;
/// later calls only ask cargo whether it is fresh (about a second). Test processes that call this at
/// once wait for each other on cargo's lock on the target directory.
///
/// Panics when the build fails, with cargo's error output.
pub fn qod_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let mut build = escargot::CargoBuild::new()
            .manifest_path(WORKSPACE_MANIFEST)
            .bin("qod")
            .current_release()
            // Every member and one test target: cargo then resolves features with the dev-dependencies, as the
            // workspace's test build does, and the binary shares that build's dependencies (scripts/sim-bins.sh
            // runs the same command). Status lines off: escargot reads cargo's stderr only when cargo fails.
            .args(["--workspace", "--test", "gateway", "--locked", "--quiet"]);
        // Without the variables cargo set for this test process: build scripts that watch one of them (ring's
        // watches CARGO_MANIFEST_DIR) would otherwise see a change from a `cargo build` in a shell and rebuild,
        // and each of the two builds would undo the other.
        for (name, _) in std::env::vars_os() {
            if name.to_str().is_some_and(set_by_cargo_for_tests) {
                build = build.env_remove(name);
            }
        }
        build
            .run()
            .unwrap_or_else(|e| panic!("building the qod binary (cargo build -p qod-cli --bin qod): {e}"))
            .path()
            .to_owned()
    })
}

/// Whether cargo sets `name` for the programs it runs (a test), rather than the user for cargo.
fn set_by_cargo_for_tests(name: &str) -> bool {
    const NAMES: [&str; 9] = [
        "CARGO",
        "CARGO_MANIFEST_DIR",
        "CARGO_MANIFEST_PATH",
        "CARGO_CRATE_NAME",
        "CARGO_BIN_NAME",
        "CARGO_PRIMARY_PACKAGE",
        "CARGO_TARGET_TMPDIR",
        "CARGO_RUSTC_CURRENT_DIR",
        "OUT_DIR",
    ];
    NAMES.contains(&name) || name.starts_with("CARGO_PKG_") || name.starts_with("CARGO_BIN_EXE_")
}
