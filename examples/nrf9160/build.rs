//! The build-time settings (server, credentials, CA, APN: `../board-job/settings.rs`), memory.x (the nRF9160's
//! flash, RAM and the modem's shared memory) into the linker's search path, and the cortex-m-rt and defmt linker
//! scripts.
use std::{env, fs, path::PathBuf};

include!("../board-job/settings.rs");

fn main() {
    board_settings(&[
        ("QOD_APN", "iot.operator.example"),
        ("QOD_APN_USER", ""),
        ("QOD_APN_PASSWORD", ""),
    ]);
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    fs::write(out.join("memory.x"), include_bytes!("memory.x")).expect("memory.x");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rustc-link-arg-bins=--nmagic");
    println!("cargo:rustc-link-arg-bins=-Tlink.x");
    println!("cargo:rustc-link-arg-bins=-Tdefmt.x");
}
