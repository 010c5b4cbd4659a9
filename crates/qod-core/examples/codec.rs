//! The codec tool: decodes one JSON document from stdin as a v0.10.1 schema and prints the re-encoded compact JSON.
//!
//! ```sh
//! cargo run -p qod-core --features std --example codec -- session-info < crates/qod-core/tests/vectors/session_info_full.json
//! ```
//! Schemas: `session-info`, `create-session`, `extend-session`, `error-info`, `qos-profile`, `qos-profile-list`,
//! `notification`. Invalid input prints one `error: …` line on stderr (what is wrong, at which member and byte) and
//! exits 1; a usage error exits 2. It never panics.
use qod_core::model::{
    CreateSession, ErrorInfo, ExtendSessionDuration, QosProfile, QosProfileList, QosStatusChanged, SessionInfo,
};
use qod_core::{json, Decode, Encode};
use std::io::{Read, Write};
use std::process::ExitCode;

const SCHEMAS: &str =
    "session-info, create-session, extend-session, error-info, qos-profile, qos-profile-list, notification";

fn run<T: Decode + Encode + Default>(input: &[u8]) -> Result<Vec<u8>, String> {
    let mut value = T::default();
    json::decode_into(input, &mut value).map_err(|e| {
        let before = input.get(..e.offset).unwrap_or(input);
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let col = before.len() - before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1) + 1;
        format!("{e}, line {line} column {col}")
    })?;
    json::to_vec(&value).map_err(|e| format!("cannot re-encode: {e}"))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [schema] = args.as_slice() else {
        eprintln!("error: usage: codec <schema> < document.json  (schemas: {SCHEMAS})");
        return ExitCode::from(2);
    };
    let mut input = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut input) {
        eprintln!("error: cannot read stdin: {e}");
        return ExitCode::FAILURE;
    }
    let result = match schema.as_str() {
        "session-info" => run::<SessionInfo>(&input),
        "create-session" => run::<CreateSession>(&input),
        "extend-session" => run::<ExtendSessionDuration>(&input),
        "error-info" => run::<ErrorInfo>(&input),
        "qos-profile" => run::<QosProfile>(&input),
        "qos-profile-list" => run::<QosProfileList>(&input),
        "notification" => run::<QosStatusChanged>(&input),
        other => {
            eprintln!("error: unknown schema `{other}` (schemas: {SCHEMAS})");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(mut out) => {
            out.push(b'\n');
            if std::io::stdout().write_all(&out).is_err() {
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
