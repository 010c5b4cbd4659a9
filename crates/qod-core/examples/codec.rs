//! The codec tool: decodes one JSON document from stdin as a schema of one API version and prints the re-encoded
//! compact JSON.
//!
//! ```sh
//! cargo run -p qod-core --features std,v1 --example codec -- session-info < crates/qod-core/tests/vectors/session_info_full.json
//! cargo run -p qod-core --features std,v1 --example codec -- --api v1 session-list < crates/qod-core/tests/vectors/v1/session_list.json
//! ```
//! v0.10.1 schemas (the default, `--api v0`): `session-info`, `create-session`, `extend-session`, `error-info`,
//! `qos-profile`, `qos-profile-list`, `notification`. 1.1.0 schemas (`--api v1`): `session-info`,
//! `create-session`, `extend-session`, `retrieve-sessions`, `session-list`, `notification`, `error-info`,
//! `qos-profile`, `qos-profile-list`, `retrieve-qos-profiles`. Invalid input prints one `error: …` line on stderr
//! (what is wrong, at which member and byte) and exits 1; a usage error exits 2. It never panics.
use qod_core::{json, Decode, Encode};
use std::io::{Read, Write};
use std::process::ExitCode;

const V0_SCHEMAS: &str =
    "session-info, create-session, extend-session, error-info, qos-profile, qos-profile-list, notification";
const V1_SCHEMAS: &str = "session-info, create-session, extend-session, retrieve-sessions, session-list, \
    notification, error-info, qos-profile, qos-profile-list, retrieve-qos-profiles";

/// Decodes stdin as one schema and re-encodes it.
type Codec = fn(&[u8]) -> Result<Vec<u8>, String>;

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

/// The v0.10.1 schema `name`'s codec, if there is one.
fn v0(name: &str) -> Option<Codec> {
    use qod_core::v0::model::*;
    Some(match name {
        "session-info" => run::<SessionInfo>,
        "create-session" => run::<CreateSession>,
        "extend-session" => run::<ExtendSessionDuration>,
        "error-info" => run::<ErrorInfo>,
        "qos-profile" => run::<QosProfile>,
        "qos-profile-list" => run::<QosProfileList>,
        "notification" => run::<QosStatusChanged>,
        _ => return None,
    })
}

/// The 1.1.0 schema `name`'s codec, if there is one.
fn v1(name: &str) -> Option<Codec> {
    use qod_core::v1::model::*;
    Some(match name {
        "session-info" => run::<SessionInfo>,
        "create-session" => run::<CreateSession>,
        "extend-session" => run::<ExtendSessionDuration>,
        "retrieve-sessions" => run::<RetrieveSessionsInput>,
        "session-list" => run::<SessionList>,
        "notification" => run::<QosStatusChanged>,
        "error-info" => run::<ErrorInfo>,
        "qos-profile" => run::<QosProfile>,
        "qos-profile-list" => run::<QosProfileList>,
        "retrieve-qos-profiles" => run::<QosProfileDeviceRequest>,
        _ => return None,
    })
}

fn usage() -> ExitCode {
    eprintln!(
        "error: usage: codec [--api v0|v1] <schema> < document.json  (v0 schemas: {V0_SCHEMAS}; v1 schemas: {V1_SCHEMAS})"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (api, schema) = match args.as_slice() {
        [schema] => ("v0", schema.as_str()),
        [flag, api, schema] if flag == "--api" => (api.as_str(), schema.as_str()),
        [flag, schema] if flag.starts_with("--api=") => (&flag["--api=".len()..], schema.as_str()),
        _ => return usage(),
    };
    let (codec, schemas) = match api {
        "v0" => (v0(schema), V0_SCHEMAS),
        "v1" => (v1(schema), V1_SCHEMAS),
        other => {
            eprintln!("error: unknown API version `{other}` (v0 or v1)");
            return ExitCode::from(2);
        }
    };
    let Some(codec) = codec else {
        eprintln!("error: unknown {api} schema `{schema}` (schemas: {schemas})");
        return ExitCode::from(2);
    };
    let mut input = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut input) {
        eprintln!("error: cannot read stdin: {e}");
        return ExitCode::FAILURE;
    }
    match codec(&input) {
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
