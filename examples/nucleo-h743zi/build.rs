//! The build-time settings (server, credentials, CA: `../board-job/settings.rs`) and the cortex-m-rt and defmt
//! linker scripts (embassy-stm32's `memory-x` feature writes memory.x for the chip).
include!("../board-job/settings.rs");

fn main() {
    board_settings(&[]);
    println!("cargo:rustc-link-arg-bins=--nmagic");
    println!("cargo:rustc-link-arg-bins=-Tlink.x");
    println!("cargo:rustc-link-arg-bins=-Tdefmt.x");
}
