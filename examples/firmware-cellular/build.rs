//! Adds the cortex-m-rt and defmt linker scripts. memory.x and the
//! build-time server port come from firmware-common's build script.

fn main() {
    println!("cargo:rustc-link-arg-bins=--nmagic");
    println!("cargo:rustc-link-arg-bins=-Tlink.x");
    println!("cargo:rustc-link-arg-bins=-Tdefmt.x");
}
