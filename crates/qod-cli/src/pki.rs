//! `qod pki`: writes a test PKI to a directory, for a device that builds the CA in and a simulator that serves the
//! matching certificate.
//!
//! The QEMU TLS firmware (`examples/firmware-mps2/run.sh --tls`) bakes `ca.der` into its image at build time and
//! runs against `qod sim --tls-cert DIR/server.pem --tls-key DIR/server.key`; the other certificates are its bad
//! cases. `qod sim --tls` alone makes a fresh CA at every start, which no firmware built earlier can trust.
//!
//! Everything is for tests: the keys are not protected, and the CA's own key is not kept (nothing else can be
//! issued later; run again with `--force` for a new PKI).
use qod_sim::pki::{TestCa, TestCert, Validity, SIM_NAMES};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Options of `qod pki`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory to write the files to (created when missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Another name (DNS name or IP address) for the server certificates, beside localhost, 127.0.0.1 and
    /// 10.0.2.2 (repeatable).
    #[arg(long = "name", value_name = "NAME")]
    names: Vec<String>,
    /// Replace the files of an earlier run (otherwise an existing ca.pem is an error).
    #[arg(long)]
    force: bool,
}

/// The files `qod pki` writes, and what each is for.
pub const FILES: &[(&str, &str)] = &[
    ("ca.pem", "the CA certificate (PEM): `qod --ca-file`, rustls clients"),
    ("ca.der", "the CA certificate (DER): what a device builds in"),
    (
        "server.pem",
        "server certificate for the names, valid from yesterday for a year",
    ),
    ("server.key", "its private key (PKCS#8 PEM)"),
    ("expired.pem", "server certificate for the names, expired yesterday"),
    ("expired.key", "its private key"),
    ("wrong-name.pem", "server certificate for example.com only, valid"),
    ("wrong-name.key", "its private key"),
];

/// Writes `contents` to `path`; private keys readable by the owner only.
fn write(path: &Path, contents: &[u8], private: bool) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    options.open(path)?.write_all(contents)
}

/// Makes the CA and the certificates and writes them to `dir`.
///
/// # Errors
/// When `dir` already holds a PKI and `force` is off, when a name is not valid, or on I/O errors.
pub fn make(dir: &Path, extra_names: &[String], force: bool) -> Result<(), String> {
    if !force && dir.join("ca.pem").exists() {
        return Err(format!(
            "{} already holds a PKI (ca.pem): use it, or give --force to replace it",
            dir.display()
        ));
    }
    let mut names: Vec<&str> = SIM_NAMES.to_vec();
    for n in extra_names {
        if !names.contains(&n.as_str()) {
            names.push(n);
        }
    }
    let pki_err = |e: qod_sim::pki::PkiError| e.to_string();
    let ca = TestCa::new("qod test CA (qod pki)").map_err(pki_err)?;
    let server = ca.issue(&names, Validity::current()).map_err(pki_err)?;
    let expired = ca.issue(&names, Validity::expired()).map_err(pki_err)?;
    let wrong = ca.issue(&["example.com"], Validity::current()).map_err(pki_err)?;

    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let io = |name: &str| {
        let path = dir.join(name);
        move |e: std::io::Error| format!("{}: {e}", path.display())
    };
    write(&dir.join("ca.pem"), ca.cert_pem().as_bytes(), false).map_err(io("ca.pem"))?;
    write(&dir.join("ca.der"), ca.cert_der(), false).map_err(io("ca.der"))?;
    let pairs: [(&str, &TestCert); 3] = [("server", &server), ("expired", &expired), ("wrong-name", &wrong)];
    for (stem, cert) in pairs {
        let (pem, key) = (format!("{stem}.pem"), format!("{stem}.key"));
        write(&dir.join(&pem), cert.cert_pem().as_bytes(), false).map_err(io(&pem))?;
        write(&dir.join(&key), cert.key_pem().as_bytes(), true).map_err(io(&key))?;
    }
    Ok(())
}

/// Runs `qod pki`: writes the files and lists them on stdout.
///
/// # Errors
/// As [`make`].
pub fn run(args: Args) -> Result<(), String> {
    make(&args.out, &args.names, args.force)?;
    let mut out = std::io::stdout().lock();
    for (file, what) in FILES {
        writeln!(out, "{}  {what}", args.out.join(file).display()).map_err(|e| format!("stdout: {e}"))?;
    }
    Ok(())
}
