//! Puts memory.x (the mps2-an386 memory map) on the linker path of every firmware that depends on this crate, and
//! validates the build-time simulator port (`QOD_SIM_PORT`, default 9091) baked into [`session::SIMULATOR`].
//!
//! With the `tls` feature it also bakes in the TLS trust anchor and the OAuth2 test credentials (src/tls.rs):
//! - `QOD_FW_CA_DER`: path of the CA certificate, DER (`qod pki --out DIR` writes `DIR/ca.der`); copied to
//!   `$OUT_DIR/ca.der` for `include_bytes!`;
//! - `QOD_FW_CLIENT_ID` (default `qod-fw`) and `QOD_FW_CLIENT_SECRET` (required): the client credentials the
//!   simulator was given (`qod sim --client-file`). A test secret: it is stored in the image in the clear.
//! - `QOD_FW_TLS_READ_RECORD` (default 16640): the TLS read record buffer in bytes. Less is only for a server that
//!   never sends larger records (`qod sim --tls-max-fragment F` with F + 256 here): a measurement variant.
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

    if env::var_os("CARGO_FEATURE_TLS").is_some() {
        tls(&out);
    }
}

/// The CA (DER) and the client credentials of the `tls` build.
fn tls(out: &std::path::Path) {
    println!("cargo:rerun-if-env-changed=QOD_FW_CA_DER");
    println!("cargo:rerun-if-env-changed=QOD_FW_CLIENT_ID");
    println!("cargo:rerun-if-env-changed=QOD_FW_CLIENT_SECRET");
    println!("cargo:rerun-if-env-changed=QOD_FW_TLS_READ_RECORD");
    let Some(ca) = env::var_os("QOD_FW_CA_DER").filter(|p| !p.is_empty()) else {
        panic!(
            "the `tls` feature needs QOD_FW_CA_DER=path/to/ca.der (the CA the server's certificate chains to; \
             `qod pki --out DIR` writes DIR/ca.der, and `run.sh --tls` does all of this)"
        );
    };
    let ca = PathBuf::from(ca);
    println!("cargo:rerun-if-changed={}", ca.display());
    let der = fs::read(&ca).unwrap_or_else(|e| panic!("QOD_FW_CA_DER={}: {e}", ca.display()));
    // A DER certificate is a SEQUENCE (0x30) with a two-byte length for any size a device would carry.
    if der.len() < 64 || der.len() > 4096 || der[0] != 0x30 {
        panic!(
            "QOD_FW_CA_DER={}: not a DER certificate of 64..=4096 bytes (a PEM file? use ca.der)",
            ca.display()
        );
    }
    fs::write(out.join("ca.der"), &der).expect("write ca.der");

    let id = env::var("QOD_FW_CLIENT_ID").unwrap_or_else(|_| "qod-fw".into());
    let secret = env::var("QOD_FW_CLIENT_SECRET").unwrap_or_default();
    // Printable ASCII without spaces; no ':' in the id (the simulator's client file is ID:SECRET). The value of a
    // bad secret is not echoed.
    let ok = |s: &str| !s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_graphic());
    if !ok(&id) || id.contains(':') {
        panic!("QOD_FW_CLIENT_ID={id:?}: 1-128 printable ASCII characters without ':'");
    }
    if !ok(&secret) {
        panic!("the `tls` feature needs QOD_FW_CLIENT_SECRET: 1-128 printable ASCII characters (not shown)");
    }
    println!("cargo:rustc-env=QOD_FW_CLIENT_ID={id}");
    println!("cargo:rustc-env=QOD_FW_CLIENT_SECRET={secret}");

    let read_record = match env::var("QOD_FW_TLS_READ_RECORD") {
        Ok(s) if !s.is_empty() => match s.parse::<u32>() {
            Ok(n) if (512..=16_640).contains(&n) => n,
            _ => panic!("QOD_FW_TLS_READ_RECORD must be 512..=16640 bytes, got {s:?}"),
        },
        _ => 16_640,
    };
    println!("cargo:rustc-env=QOD_FW_TLS_READ_RECORD={read_record}");
}
