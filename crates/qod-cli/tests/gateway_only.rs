//! The gateway-only build (`cargo build -p qod-cli --no-default-features`): the gateway commands and completions,
//! no simulator and no demo. Runs only in that build (`cargo test -p qod-cli --no-default-features --test
//! gateway_only`, a `.ci/run` step).
#![cfg(not(any(feature = "sim", feature = "demo")))]
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_qod");

#[test]
fn test_gateway_only_build_has_no_simulator_or_demo() {
    for cmd in ["sim", "demo"] {
        let o = Command::new(BIN).arg(cmd).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{cmd}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(&format!("unrecognized subcommand '{cmd}'")), "{err}");
    }
    let help = String::from_utf8(Command::new(BIN).arg("--help").output().unwrap().stdout).unwrap();
    assert!(
        help.contains("session") && help.contains("profiles") && help.contains("completions"),
        "{help}"
    );
    let commands: Vec<&str> = help
        .lines()
        .filter_map(|l| l.strip_prefix("  ")?.split_whitespace().next())
        .collect();
    assert!(!commands.contains(&"sim") && !commands.contains(&"demo"), "{help}");
    let o = Command::new(BIN).args(["completions", "bash"]).output().unwrap();
    assert!(o.status.success());
    // The gateway commands still work as far as they can without a server.
    let o = Command::new(BIN)
        .args(["--json", "profiles"])
        .env_remove("QOD_SERVER")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("\"class\":\"usage\""));
}
