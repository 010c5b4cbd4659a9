//! Puts memory.x (the mps2-an386 memory map) on the linker path of every firmware that depends on this crate, and
//! validates the build-time simulator port (`QOD_SIM_PORT`, default 9091) baked into [`session::SIMULATOR`].
//!
//! [`session::SIMULATOR`]: src/session.rs

use std::env;
use std::fs;
use std::path::PathBuf;

const DEFAULT_PORT: u16 = 9091;

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    fs::copy("memory.x", out.join("memory.x")).expect("copy memory.x");
    // Search paths propagate to the final link: cortex-m-rt's link.x INCLUDEs memory.x from there.
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");

    println!("cargo:rerun-if-env-changed=QOD_SIM_PORT");
    let port = match env::var("QOD_SIM_PORT") {
        Ok(s) if !s.is_empty() => match s.parse::<u16>() {
            Ok(p) if p != 0 => p,
            _ => panic!("QOD_SIM_PORT must be a TCP port number (1-65535), got {s:?}"),
        },
        _ => DEFAULT_PORT,
    };
    println!("cargo:rustc-env=QOD_SIM_PORT={port}");
}
