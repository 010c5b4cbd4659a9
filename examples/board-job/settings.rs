// Build-time settings of the board examples, included by each board's build.rs (`include!`), so no URL,
// credential or CA has to be written into a source file.
//
// Each setting comes from, first to last: the environment of `cargo build`, the board's `board.env` (KEY=VALUE
// lines, `#` comments; gitignored, so secrets stay out of the repository), else a documented placeholder that
// builds but cannot authenticate anywhere. The values reach the firmware as `env!("QOD_…")`; the CA is copied to
// `$OUT_DIR/ca.der` for `include_bytes!`. Values are never printed, only which settings are placeholders.

/// (name, placeholder) of every setting the board job reads.
const COMMON: &[(&str, &str)] = &[
    ("QOD_SERVER_URL", "https://qod.operator.example/qod/v0"),
    ("QOD_TOKEN_URL", "https://auth.operator.example/oauth/token"),
    ("QOD_CLIENT_ID", "my-device"),
    ("QOD_CLIENT_SECRET", "provision-me"),
    ("QOD_PROFILE", "QOS_VC"),
    ("QOD_APP_SERVER", "198.51.100.0/24"),
    ("QOD_DURATION_S", "600"),
];

/// The settings whose placeholders make the firmware useless (the build warns about these).
const MUST_SET: &[&str] = &["QOD_SERVER_URL", "QOD_TOKEN_URL", "QOD_CLIENT_ID", "QOD_CLIENT_SECRET", "QOD_APN"];

/// `QOD_CA_DER`: path (absolute, or relative to the board's directory) of the DER certificate of the CA that
/// signed the server's certificate; the placeholder CA of board-job when unset.
const CA: (&str, &str) = ("QOD_CA_DER", "../board-job/ca.der");

/// Emits the common settings plus a board's own `extra` ones.
fn board_settings(extra: &[(&str, &str)]) {
    use std::{env, fs, path::PathBuf};
    let dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    let file = dir.join("board.env");
    println!("cargo:rerun-if-changed={}", file.display());
    let from_file = fs::read_to_string(&file).unwrap_or_default();
    let lookup = |name: &str| -> Option<String> {
        println!("cargo:rerun-if-env-changed={name}");
        if let Ok(v) = env::var(name) {
            return Some(v);
        }
        from_file.lines().find_map(|line| {
            let (k, v) = line.trim().split_once('=')?;
            (!k.trim_start().starts_with('#') && k.trim() == name).then(|| v.trim().to_string())
        })
    };
    let mut placeholders = Vec::new();
    for &(name, placeholder) in COMMON.iter().chain(extra) {
        let value = lookup(name).unwrap_or_else(|| {
            if MUST_SET.contains(&name) {
                placeholders.push(name);
            }
            placeholder.to_string()
        });
        println!("cargo:rustc-env={name}={value}");
    }
    let ca = lookup(CA.0).unwrap_or_else(|| {
        placeholders.push(CA.0);
        CA.1.to_string()
    });
    let ca = dir.join(ca);
    println!("cargo:rerun-if-changed={}", ca.display());
    let der = fs::read(&ca).unwrap_or_else(|e| panic!("{}: {e} (QOD_CA_DER must name a DER file)", CA.0));
    assert!(der.first() == Some(&0x30), "{}: not a DER certificate (a PEM? `openssl x509 -outform DER`)", CA.0);
    fs::write(out.join("ca.der"), der).expect("ca.der");
    if !placeholders.is_empty() {
        println!(
            "cargo:warning=placeholders built in for {} (set them in board.env or the environment)",
            placeholders.join(", ")
        );
    }
}
