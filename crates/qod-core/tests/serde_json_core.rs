//! serde-json-core (the `no_std` serde JSON crate a device can link) over the models' serde derives, against
//! qod-core's own codec.
//!
//! Every vector of both versions is listed below with its check, and the listing must match the vector directories
//! (a new vector fails here until it is added). For each valid vector serde-json-core decodes the same model as
//! qod-core, and what serde-json-core writes qod-core reads back to that model; for the canonical vectors (compact,
//! members in the spec's order) both write the vector's bytes exactly. Where serde-json-core does less than qod-core
//! (surrogate pairs, escaped member names without an unescape buffer, the unescape buffer's size, range checks,
//! invalid JSON in unknown members, nesting depth, error positions, control characters' spelling) a test below
//! asserts the limit.
use qod_core::{decode, encode, Decode, DecodeErrorKind as K, Encode};
use serde::{de::DeserializeOwned, Serialize};
use serde_json_core::de::Error as DeError;
use std::fmt::Debug;

use qod_core::v0::model as v0;
use qod_core::v1::model as v1;

/// The unescape buffer serde-json-core needs for strings with escapes (one string at a time).
const SCRATCH: usize = 256;

fn dir(version: &str) -> String {
    match version {
        "v0" => format!("{}/tests/vectors", env!("CARGO_MANIFEST_DIR")),
        _ => format!("{}/tests/vectors/{version}", env!("CARGO_MANIFEST_DIR")),
    }
}

fn vector(version: &str, name: &str) -> Vec<u8> {
    let path = format!("{}/{name}", dir(version));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The `.json` files of a vector directory, sorted.
fn listing(version: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir(version))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    names
}

/// serde-json-core's decode with an unescape buffer; checks that it consumed the whole document.
fn sjc<T: DeserializeOwned>(doc: &[u8]) -> Result<T, DeError> {
    let mut scratch = [0u8; SCRATCH];
    let (value, used) = serde_json_core::from_slice_escaped::<T>(doc, &mut scratch)?;
    assert_eq!(used, doc.len(), "serde-json-core stopped early");
    Ok(value)
}

fn sjc_encode<T: Serialize>(value: &T) -> Result<Vec<u8>, serde_json_core::ser::Error> {
    let mut out = [0u8; 8192];
    let n = serde_json_core::to_slice(value, &mut out)?;
    Ok(out[..n].to_vec())
}

fn own_encode<T: Encode>(value: &T) -> Result<Vec<u8>, qod_core::Error> {
    let mut out = [0u8; 8192];
    let n = encode(value, &mut out)?;
    Ok(out[..n].to_vec())
}

trait Model: Decode + Encode + Default + PartialEq + Debug + Serialize + DeserializeOwned {}
impl<T: Decode + Encode + Default + PartialEq + Debug + Serialize + DeserializeOwned> Model for T {}

/// Both decoders read `doc` to the same model; serde-json-core's output is qod-core's, byte for byte, and reads back.
fn same<T: Model>(version: &str, name: &str, doc: &[u8]) -> T {
    let ours: T = decode(doc).unwrap_or_else(|e| panic!("{version}/{name}: qod-core: {e}"));
    let theirs: T = sjc(doc).unwrap_or_else(|e| panic!("{version}/{name}: serde-json-core: {e:?}"));
    assert_eq!(theirs, ours, "{version}/{name}: the decoders disagree");
    let written = sjc_encode(&theirs).unwrap_or_else(|e| panic!("{version}/{name}: serde-json-core: {e:?}"));
    assert_eq!(
        String::from_utf8(written.clone()).unwrap(),
        String::from_utf8(own_encode(&ours).unwrap()).unwrap(),
        "{version}/{name}: the encoders disagree"
    );
    assert_eq!(
        decode::<T>(&written).unwrap(),
        ours,
        "{version}/{name}: qod-core reads serde-json-core's output"
    );
    ours
}

/// [`same`], and both encoders write the vector itself (compact, in the spec's member order).
fn canonical<T: Model>(version: &str, name: &str) {
    let doc = vector(version, name);
    let v: T = same(version, name, &doc);
    assert_eq!(
        String::from_utf8(sjc_encode(&v).unwrap()).unwrap(),
        std::str::from_utf8(doc.trim_ascii_end()).unwrap(),
        "{version}/{name}: not the vector's bytes"
    );
}

/// A document both refuse: qod-core with `kind` at `path`, serde-json-core with `theirs`.
fn both_refuse<T: Model>(doc: &[u8], kind: K, path: &str, theirs: DeError) {
    let e = decode::<T>(doc).map(|_| ()).unwrap_err();
    assert_eq!((e.kind, &*e.path.to_string()), (kind, path), "qod-core");
    assert_eq!(sjc::<T>(doc).map(|_| ()), Err(theirs), "serde-json-core");
}

/// A model with a value this version does not know: both decode it alike. qod-core refuses to send it back; serde
/// writes the variant's Rust name, `"Unknown"`, which is no wire value (a derive that refused would make
/// serde-json-core panic: its `ser::Error::custom` is `unreachable!()`). `Validate` catches it in a request.
fn unknown_value<T: Model>(version: &str, name: &str, member: &str) {
    let v: T = decode(&vector(version, name)).unwrap();
    assert_eq!(sjc::<T>(&vector(version, name)).unwrap(), v, "{version}/{name}");
    assert!(
        matches!(own_encode(&v), Err(qod_core::Error::Invalid(e)) if e.field == member),
        "{version}/{name}: qod-core refuses to send {member} back"
    );
    let written = String::from_utf8(sjc_encode(&v).unwrap()).unwrap();
    assert!(written.contains(&format!(r#""{member}":"Unknown""#)), "{written}");
    assert_eq!(decode::<T>(written.as_bytes()).unwrap(), v, "and reads back as unknown");
}

type Check = (&'static str, fn(&str, &str));

const V0: &[Check] = &[
    ("create_session.json", canonical::<v0::CreateSession>),
    ("error_info_400.json", canonical::<v0::ErrorInfo>),
    ("error_info_404.json", canonical::<v0::ErrorInfo>),
    ("error_info_409.json", canonical::<v0::ErrorInfo>),
    ("extend_session.json", canonical::<v0::ExtendSessionDuration>),
    ("notification.json", canonical::<v0::QosStatusChanged>),
    ("qos_profile.json", canonical::<v0::QosProfile>),
    ("qos_profile_list.json", canonical::<v0::QosProfileList>),
    ("session_info_duplicate_member.json", |ver, name| {
        // serde's derive refuses a second `qosProfile` too; serde-json-core keeps no message (`CustomError`).
        both_refuse::<v0::SessionInfo>(
            &vector(ver, name),
            K::DuplicateMember,
            "qosProfile",
            DeError::CustomError,
        );
    }),
    ("session_info_escapes.json", |ver, name| {
        // Every escape but the surrogate pair (`\ud83d\ude00`, see `surrogate_pairs_are_refused`), including the
        // escaped member name `qos\u0053tatus`, which the unescape buffer resolves.
        let doc = String::from_utf8(vector(ver, name)).unwrap();
        assert!(doc.contains(r"\ud83d\ude00") && doc.contains(r#""qos\u0053tatus""#));
        let doc = doc.replace(r"\ud83d\ude00", "😀");
        let v: v0::SessionInfo = same(ver, name, doc.as_bytes());
        assert_eq!(v.qos_status, v0::QosStatus::Available);
        assert_eq!(v.device.network_access_identifier.as_deref(), Some("café😀@domain.com"));
    }),
    ("session_info_full.json", canonical::<v0::SessionInfo>),
    ("session_info_minimal.json", canonical::<v0::SessionInfo>),
    ("session_info_unknown_members.json", |ver, name| {
        // Unknown members (nested objects and arrays, a float, `true`) are skipped by both; `SUSPENDED` is Unknown.
        unknown_value::<v0::SessionInfo>(ver, name, "qosStatus");
    }),
];

const V1: &[Check] = &[
    ("create_session.json", canonical::<v1::CreateSession>),
    ("error_info_409.json", canonical::<v1::ErrorInfo>),
    ("error_info_422.json", canonical::<v1::ErrorInfo>),
    ("extend_session.json", canonical::<v1::ExtendSessionDuration>),
    ("notification.json", canonical::<v1::QosStatusChanged>),
    ("qos_profile.json", canonical::<v1::QosProfile>),
    ("qos_profile_list.json", canonical::<v1::QosProfileList>),
    ("retrieve_qos_profiles.json", canonical::<v1::QosProfileDeviceRequest>),
    ("retrieve_sessions.json", canonical::<v1::RetrieveSessionsInput>),
    ("session_info_available.json", canonical::<v1::SessionInfo>),
    ("session_info_duplicate_member.json", |ver, name| {
        both_refuse::<v1::SessionInfo>(&vector(ver, name), K::DuplicateMember, "duration", DeError::CustomError);
    }),
    ("session_info_full.json", canonical::<v1::SessionInfo>),
    ("session_info_requested.json", canonical::<v1::SessionInfo>),
    ("session_info_spec_example.json", |ver, name| {
        // Whitespace, lower-case `t`/`z`, `+00:00`, an echoed sinkCredential and an unknown member: decoded alike.
        unknown_value::<v1::SessionInfo>(ver, name, "statusInfo");
    }),
    ("session_list.json", canonical::<v1::SessionList>),
    ("session_list_empty.json", canonical::<v1::SessionList>),
];

fn every_vector(version: &str, checks: &[Check]) {
    let listed: Vec<&str> = checks.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        listing(version),
        listed,
        "{version}: every vector has a check here, in file-name order"
    );
    for (name, check) in checks {
        check(version, name);
    }
}

#[test]
fn test_every_v0_vector_through_serde_json_core() {
    every_vector("v0", V0);
}

#[test]
fn test_every_v1_vector_through_serde_json_core() {
    every_vector("v1", V1);
}

/// A character outside the Basic Multilingual Plane written as a UTF-16 surrogate pair (`\ud83d\ude00`, what
/// JavaScript's `JSON.stringify` and Python's `json.dumps` write by default) is refused: serde-json-core unescapes
/// each `\u` on its own. Raw UTF-8 works.
#[test]
fn test_limit_surrogate_pairs_are_refused() {
    let doc = vector("v0", "session_info_escapes.json");
    let ours: v0::SessionInfo = decode(&doc).unwrap();
    assert_eq!(
        ours.device.network_access_identifier.as_deref(),
        Some("café😀@domain.com")
    );
    assert_eq!(sjc::<v0::SessionInfo>(&doc), Err(DeError::InvalidEscapeSequence));
    let doc = br#"{"status":400,"code":"INVALID_ARGUMENT","message":"\ud83d\ude00"}"#;
    assert_eq!(decode::<v0::ErrorInfo>(doc).unwrap().message, "😀");
    assert_eq!(sjc::<v0::ErrorInfo>(doc), Err(DeError::InvalidEscapeSequence));
    let raw = r#"{"status":400,"code":"INVALID_ARGUMENT","message":"😀"}"#.as_bytes();
    assert_eq!(
        sjc::<v0::ErrorInfo>(raw).unwrap(),
        decode::<v0::ErrorInfo>(raw).unwrap()
    );
}

/// Escaped member names match only through `from_slice_escaped` (its unescape buffer); `from_slice` compares the
/// raw text, so `"qos\u0053tatus"` is an unknown member, and string values keep their escapes verbatim.
#[test]
fn test_limit_escaped_member_names_need_the_unescape_buffer() {
    let doc = br#"{"status":404,"c\u006fde":"NOT_FOUND","message":"a\/b"}"#;
    let ours: v0::ErrorInfo = decode(doc).unwrap();
    assert_eq!((ours.code.as_str(), ours.message.as_str()), ("NOT_FOUND", "a/b"));
    assert_eq!(sjc::<v0::ErrorInfo>(doc).unwrap(), ours, "with the unescape buffer");
    assert_eq!(
        serde_json_core::from_slice::<v0::ErrorInfo>(doc).map(|_| ()),
        Err(DeError::CustomError),
        "without it `c\\u006fde` is not `code`: missing field"
    );
    let plain_names = br#"{"status":404,"code":"NOT_FOUND","message":"a\/b"}"#;
    let (silent, _) = serde_json_core::from_slice::<v0::ErrorInfo>(plain_names).unwrap();
    assert_eq!(
        silent.message, r"a\/b",
        "without it an escaped value is kept escaped, silently"
    );
}

/// The unescape buffer bounds every string that has an escape (qod-core unescapes straight into the model's string).
#[test]
fn test_limit_the_unescape_buffer_bounds_escaped_strings() {
    let message = format!("{}\\n", "m".repeat(40));
    let doc = format!(r#"{{"status":400,"code":"INVALID_ARGUMENT","message":"{message}"}}"#);
    let ours: v0::ErrorInfo = decode(doc.as_bytes()).unwrap();
    assert_eq!(ours.message.len(), 41);
    let mut small = [0u8; 40];
    assert_eq!(
        serde_json_core::from_slice_escaped::<v0::ErrorInfo>(doc.as_bytes(), &mut small).map(|_| ()),
        Err(DeError::EscapedStringIsTooLong)
    );
    let mut enough = [0u8; 41];
    let (theirs, _) = serde_json_core::from_slice_escaped::<v0::ErrorInfo>(doc.as_bytes(), &mut enough).unwrap();
    assert_eq!(theirs, ours);
}

/// Numbers: both take the full `int64` range and refuse floats, exponents and overflow; only qod-core checks the
/// spec's ranges (`duration` is `int32` with `minimum: 1`): the serde path takes what fits the Rust type.
#[test]
fn test_limit_numbers_and_ranges() {
    let base = String::from_utf8(vector("v0", "session_info_minimal.json")).unwrap();
    let base = base.trim_end();
    let with = |from: &str, to: &str| {
        assert!(base.contains(from), "{from}");
        base.replacen(from, to, 1).into_bytes()
    };
    let max = with("1639566000", "9223372036854775807");
    assert_eq!(
        sjc::<v0::SessionInfo>(&max).unwrap(),
        decode::<v0::SessionInfo>(&max).unwrap()
    );
    assert_eq!(sjc::<v0::SessionInfo>(&max).unwrap().expires_at, i64::MAX);
    let min = with("1639566000", "-9223372036854775808");
    assert_eq!(sjc::<v0::SessionInfo>(&min).unwrap().expires_at, i64::MIN);
    both_refuse::<v0::SessionInfo>(
        &with("1639566000", "9223372036854775808"),
        K::OutOfRange,
        "expiresAt",
        DeError::InvalidNumber,
    );
    both_refuse::<v0::SessionInfo>(
        &with(r#""duration":86400"#, r#""duration":86400.0"#),
        K::InvalidNumber,
        "duration",
        DeError::ExpectedObjectCommaOrEnd,
    );
    both_refuse::<v0::SessionInfo>(
        &with(r#""duration":86400"#, r#""duration":8.64e4"#),
        K::InvalidNumber,
        "duration",
        DeError::ExpectedObjectCommaOrEnd,
    );
    both_refuse::<v0::SessionInfo>(
        &with(r#""phoneNumber":"123456789""#, r#""ipv4Address":{"publicPort":70000}"#),
        K::OutOfRange,
        "device.ipv4Address.publicPort",
        DeError::InvalidNumber,
    );
    // Out of the spec's range, inside u32: qod-core refuses, serde-json-core keeps the value.
    for duration in ["0", "2147483648"] {
        let doc = with(r#""duration":86400"#, &format!(r#""duration":{duration}"#));
        assert_eq!(decode::<v0::SessionInfo>(&doc).unwrap_err().kind, K::OutOfRange);
        assert_eq!(sjc::<v0::SessionInfo>(&doc).unwrap().duration.to_string(), duration);
    }
}

/// What a device sends: serde writes whatever the model holds; qod-core's `api::encode_*` validate first, and
/// `Validate::validate` is the same check for the serde path.
#[test]
fn test_limit_requests_are_written_unchecked() {
    use qod_core::Validate;
    let mut create: v0::CreateSession = decode(&vector("v0", "create_session.json")).unwrap();
    create.duration = Some(0);
    assert!(String::from_utf8(sjc_encode(&create).unwrap())
        .unwrap()
        .ends_with(r#""duration":0}"#));
    assert_eq!(create.validate().unwrap_err().field, "duration");
    let mut create: v1::CreateSession = decode(&vector("v1", "create_session.json")).unwrap();
    create.sink_credential.as_mut().unwrap().credential_type = v1::CredentialType::Unknown;
    let written = String::from_utf8(sjc_encode(&create).unwrap()).unwrap();
    assert!(written.contains(r#""credentialType":"Unknown""#), "{written}");
    assert_eq!(create.validate().unwrap_err().field, "sinkCredential.credentialType");
    let ep = qod_core::api::Endpoint::new("api.example.com", "");
    let mut tx = [0u8; 2048];
    assert!(matches!(
        qod_core::v1::api::encode_create_session(&ep, &create, &mut tx),
        Err(qod_core::Error::Invalid(e)) if e.field == "sinkCredential.credentialType"
    ));
}

/// Capacities: over-long strings and lists are refused by both (never truncated); serde-json-core's error names
/// neither the member nor the position, where qod-core's does both.
#[test]
fn test_limit_capacities_and_error_detail() {
    use qod_core::limits;
    let base = String::from_utf8(vector("v0", "session_info_minimal.json")).unwrap();
    let profile = |n: usize| base.replace("QOS_E", &"Q".repeat(n)).into_bytes();
    assert_eq!(
        sjc::<v0::SessionInfo>(&profile(limits::QOS_PROFILE)).unwrap(),
        decode::<v0::SessionInfo>(&profile(limits::QOS_PROFILE)).unwrap()
    );
    both_refuse::<v0::SessionInfo>(
        &profile(limits::QOS_PROFILE + 1),
        K::TooLong,
        "qosProfile",
        DeError::CustomError,
    );
    let messages = |n: usize| {
        let one = r#"{"severity":"INFO","description":"m"}"#;
        base.replace(
            r#""qosStatus""#,
            &format!(r#""messages":[{}],"qosStatus""#, vec![one; n].join(",")),
        )
        .into_bytes()
    };
    assert_eq!(
        sjc::<v0::SessionInfo>(&messages(limits::MESSAGES))
            .unwrap()
            .messages
            .len(),
        limits::MESSAGES
    );
    both_refuse::<v0::SessionInfo>(
        &messages(limits::MESSAGES + 1),
        K::TooMany,
        "messages",
        DeError::CustomError,
    );
    let e = decode::<v0::SessionInfo>(&profile(limits::QOS_PROFILE + 1)).unwrap_err();
    assert!(
        e.to_string().contains("qosProfile") && e.to_string().contains("byte"),
        "{e}"
    );
}

/// Unknown members: serde-json-core skips a scalar by scanning to the next `,`, `}` or `]`, so invalid JSON inside an
/// unknown member is accepted; qod-core checks what it skips.
#[test]
fn test_limit_unknown_members_are_skipped_without_checking_them() {
    let base = String::from_utf8(vector("v0", "session_info_minimal.json")).unwrap();
    for (junk, kind) in [
        ("nonsense", K::Syntax),
        ("1x2", K::Syntax),
        ("tru", K::Syntax),
        ("--1", K::InvalidNumber),
    ] {
        let doc = base.replace(r#""qosStatus""#, &format!(r#""junk":{junk},"qosStatus""#));
        assert_eq!(
            decode::<v0::SessionInfo>(doc.as_bytes()).unwrap_err().kind,
            kind,
            "{junk}"
        );
        assert_eq!(
            sjc::<v0::SessionInfo>(doc.as_bytes()).unwrap(),
            decode::<v0::SessionInfo>(base.as_bytes()).unwrap(),
            "{junk}"
        );
    }
}

/// Nesting: qod-core skips unknown members iteratively and refuses past its depth limit on a 64 KiB stack;
/// serde-json-core recurses once per level with no limit, so a document's depth is bounded only by the stack (a
/// hostile or broken server can overflow a device's). Shown on a large stack: the 2,000-deep member is accepted.
#[test]
fn test_limit_nesting_depth_is_unbounded() {
    let base = String::from_utf8(vector("v0", "session_info_minimal.json")).unwrap();
    let deep = format!("{}{}", "[".repeat(2000), "]".repeat(2000));
    let doc = base.replace(r#""qosStatus""#, &format!(r#""junk":{deep},"qosStatus""#));
    let ours = doc.clone();
    let small = std::thread::Builder::new()
        .stack_size(64 * 1024)
        .spawn(move || decode::<v0::SessionInfo>(ours.as_bytes()).map(|_| ()).unwrap_err().kind)
        .unwrap();
    assert_eq!(small.join().unwrap(), K::TooDeep);
    let large = std::thread::Builder::new()
        .stack_size(256 * 1024 * 1024)
        .spawn(move || sjc::<v0::SessionInfo>(doc.as_bytes()).map(|v| v.qos_status))
        .unwrap();
    assert_eq!(large.join().unwrap(), Ok(v0::QosStatus::Requested));
}

/// Control characters other than `\b \t \n \f \r`: serde-json-core writes upper-case hex (`\u001F`), qod-core and
/// serde_json lower-case (`\u001f`). Equivalent JSON, not the same bytes; each reads the other's.
#[test]
fn test_limit_control_characters_are_spelled_in_upper_case_hex() {
    let mut e: v0::ErrorInfo = decode(&vector("v0", "error_info_404.json")).unwrap();
    e.message = heapless::String::try_from("a\u{1f}b\u{0}c\td").unwrap();
    let ours = own_encode(&e).unwrap();
    let theirs = sjc_encode(&e).unwrap();
    assert!(std::str::from_utf8(&ours).unwrap().contains(r#""a\u001fb\u0000c\td""#));
    assert!(std::str::from_utf8(&theirs)
        .unwrap()
        .contains(r#""a\u001Fb\u0000c\td""#));
    assert_eq!(serde_json::to_vec(&e).unwrap(), ours);
    assert_eq!(decode::<v0::ErrorInfo>(&theirs).unwrap(), e);
    assert_eq!(sjc::<v0::ErrorInfo>(&ours).unwrap(), e);
}
