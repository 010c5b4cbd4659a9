//! The build-time settings (server, credentials, CA: `../board-job/settings.rs`), memory.x (the RP2350's flash
//! and RAM, and the boot ROM's image definition block) into the linker's search path, and the cortex-m-rt and
//! defmt linker scripts.
use std::{env, fs, path::PathBuf};

include!("../board-job/settings.rs");

fn main() {
    board_settings(&[]);
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    fs::write(out.join("memory.x"), include_bytes!("memory.x")).expect("memory.x");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rustc-link-arg-bins=--nmagic");
    println!("cargo:rustc-link-arg-bins=-Tlink.x");
    println!("cargo:rustc-link-arg-bins=-Tdefmt.x");
}
