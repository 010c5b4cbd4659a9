//! Request-body validation: malformed JSON, schema (types, required members, ranges) and qod-core's semantic checks,
//! each mapped to a 400 `INVALID_ARGUMENT` or `OUT_OF_RANGE` whose message names the field (using the spec's example
//! messages where it has them). Nothing here panics on any input.
use crate::error::ApiError;
use qod_core::model::{CreateSession, ExtendSessionDuration};
use qod_core::v1::model as v1;
use qod_core::{Problem, Validate, ValidationError};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Where a value sits in the document: a chain of member names and array indices, kept on the stack and only
/// formatted when a duplicate is found.
#[derive(Clone, Copy)]
enum Seg<'a> {
    Root,
    Member(&'a str, &'a Seg<'a>),
    Index(usize, &'a Seg<'a>),
}

impl std::fmt::Display for Seg<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Seg::Root => Ok(()),
            Seg::Member(name, Seg::Root) => f.write_str(name),
            Seg::Member(name, parent) => write!(f, "{parent}.{name}"),
            Seg::Index(i, parent) => write!(f, "{parent}[{i}]"),
        }
    }
}

/// A JSON value read with every object's member names checked for duplicates (serde_json's `Value` silently keeps
/// the last one; one document must have one reading).
struct Unique<'p> {
    at: &'p Seg<'p>,
}

/// The prefix of a duplicate-member error, so it can be told apart from a syntax error.
const DUPLICATE: &str = "duplicate member name: ";

impl<'de> serde::de::DeserializeSeed<'de> for Unique<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Unique<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        loop {
            let at = Seg::Index(out.len(), self.at);
            match seq.next_element_seed(Unique { at: &at })? {
                Some(v) => out.push(v),
                None => return Ok(Value::Array(out)),
            }
        }
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let at = Seg::Member(&key, self.at);
            if out.contains_key(&key) {
                return Err(serde::de::Error::custom(format_args!("{DUPLICATE}{at}")));
            }
            let v = map.next_value_seed(Unique { at: &at })?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

/// Parses JSON like `serde_json::from_slice::<Value>`, refusing duplicate member names anywhere in the document.
///
/// # Errors
/// `Err(Ok(path))` for a duplicate member (its path, e.g. `device.ipv4Address.publicPort`), `Err(Err(e))` for
/// malformed JSON.
pub(crate) fn parse_unique(body: &[u8]) -> Result<Value, Result<String, serde_json::Error>> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let v =
        serde::de::DeserializeSeed::deserialize(Unique { at: &Seg::Root }, &mut de).and_then(|v| de.end().map(|()| v));
    v.map_err(|e| {
        let text = e.to_string();
        match text.strip_prefix(DUPLICATE) {
            // serde_json appends " at line L column C" to custom errors.
            Some(rest) => Ok(rest.rsplit_once(" at line ").map_or(rest, |(p, _)| p).to_owned()),
            None => Err(e),
        }
    })
}

fn parse_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match parse_unique(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::invalid(
            "Schema validation failed at (root): expected a JSON object",
        )),
        Err(Ok(path)) => Err(ApiError::invalid(format!("Duplicate member name: {path}"))),
        Err(Err(e)) => Err(ApiError::invalid(format!("Malformed JSON body: {e}"))),
    }
}

fn present<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key).filter(|v| !v.is_null())
}

fn require(obj: &Map<String, Value>, key: &str) -> Result<(), ApiError> {
    match present(obj, key) {
        Some(_) => Ok(()),
        None => Err(ApiError::invalid(format!("Expected property is missing: {key}"))),
    }
}

fn is_port(v: &Value) -> bool {
    v.as_u64().is_some_and(|p| p <= 65_535)
}

/// Ports must be integers 0–65535: the spec's `OUT_OF_RANGE` examples.
fn check_ports(obj: &Map<String, Value>) -> Result<(), ApiError> {
    let public_port = obj
        .get("device")
        .and_then(|d| d.get("ipv4Address"))
        .and_then(|a| a.get("publicPort"));
    if let Some(p) = public_port.filter(|p| !p.is_null()) {
        if !is_port(p) {
            return Err(ApiError::out_of_range(
                "Invalid port value specified: device.ipv4Address.publicPort",
            ));
        }
    }
    for root in ["devicePorts", "applicationServerPorts"] {
        let Some(spec) = present(obj, root) else { continue };
        let Some(spec) = spec.as_object() else {
            return Err(ApiError::invalid(format!(
                "Schema validation failed at {root}: expected an object"
            )));
        };
        let ranges = present(spec, "ranges");
        let ports = present(spec, "ports");
        if ranges.is_none() && ports.is_none() {
            return Err(ApiError::invalid(format!("Insufficient properties specified: {root}")));
        }
        if let Some(ports) = ports {
            let Some(list) = ports.as_array().filter(|l| !l.is_empty()) else {
                return Err(ApiError::invalid(format!(
                    "Schema validation failed at {root}.ports: expected a non-empty array of ports"
                )));
            };
            if !list.iter().all(is_port) {
                return Err(ApiError::out_of_range(format!(
                    "Invalid port value specified: {root}.ports"
                )));
            }
        }
        if let Some(ranges) = ranges {
            let Some(list) = ranges.as_array().filter(|l| !l.is_empty()) else {
                return Err(ApiError::invalid(format!(
                    "Schema validation failed at {root}.ranges: expected a non-empty array of port ranges"
                )));
            };
            let valid = list.iter().all(|r| match (r.get("from"), r.get("to")) {
                (Some(f), Some(t)) if is_port(f) && is_port(t) => f.as_u64() <= t.as_u64(),
                _ => false,
            });
            if !valid {
                return Err(ApiError::out_of_range(format!("Invalid port ranges specified: {root}")));
            }
        }
    }
    Ok(())
}

/// An integer member within `min..=max`, or `OUT_OF_RANGE` naming it.
fn check_int(obj: &Map<String, Value>, key: &str, min: u64, max: u64) -> Result<(), ApiError> {
    let Some(v) = present(obj, key) else { return Ok(()) };
    if !v.is_number() {
        return Err(ApiError::invalid(format!(
            "Schema validation failed at {key}: expected an integer"
        )));
    }
    match v.as_u64() {
        Some(n) if (min..=max).contains(&n) => Ok(()),
        _ => Err(ApiError::out_of_range(format!(
            "Out of range value specified: {key} (allowed {min} to {max})"
        ))),
    }
}

/// Deserializes into the qod-core model; type and capacity errors name the member's path.
fn typed<T: DeserializeOwned>(obj: Map<String, Value>) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(Value::Object(obj)).map_err(|e| {
        let path = e.path().to_string();
        ApiError::invalid(format!("Schema validation failed at {path}: {}", e.into_inner()))
    })
}

/// Maps qod-core's semantic validation to the spec's messages.
pub(crate) fn validation_error(e: ValidationError) -> ApiError {
    let root = e.field.split('.').next().unwrap_or(e.field);
    match e.problem {
        Problem::Missing => ApiError::invalid(format!("Expected property is missing: {}", e.field)),
        Problem::Empty | Problem::Ipv4Incomplete => {
            ApiError::invalid(format!("Insufficient properties specified: {}", e.field))
        }
        Problem::RangeReversed => ApiError::out_of_range(format!("Invalid port ranges specified: {root}")),
        Problem::OutOfRange => ApiError::out_of_range(format!("Out of range value specified: {}", e.field)),
        p => ApiError::invalid(format!("Invalid value specified: {} {}", e.field, p.description())),
    }
}

/// Validates a `POST /sessions` body.
pub(crate) fn create_session(body: &[u8]) -> Result<CreateSession, ApiError> {
    let obj = parse_object(body)?;
    for key in ["device", "applicationServer", "qosProfile"] {
        require(&obj, key)?;
    }
    check_ports(&obj)?;
    check_int(&obj, "duration", 1, 86_400)?;
    let req: CreateSession = typed(obj)?;
    req.validate().map_err(validation_error)?;
    Ok(req)
}

/// Maps qod-core's 1.1.0 validation to the spec's codes: the sink and its credential have their own.
pub(crate) fn validation_error_v1(e: ValidationError) -> ApiError {
    match (e.field, e.problem) {
        ("sink", _) => ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "INVALID_SINK",
            format!(
                "sink not valid for the specified protocol: sink {}",
                e.problem.description()
            ),
        ),
        ("sinkCredential.credentialType", Problem::NotAllowed) => ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "INVALID_CREDENTIAL",
            "Only Access token is supported",
        ),
        ("sinkCredential.accessTokenType", Problem::UnknownValue) => ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "INVALID_TOKEN",
            "Only bearer token is supported",
        ),
        _ => validation_error(e),
    }
}

/// The `sinkCredential` checks that have their own codes, on the raw JSON (before the typed model, whose enums
/// would read an unknown `accessTokenType` as `Unknown`): a credential other than `ACCESSTOKEN` is 400
/// `INVALID_CREDENTIAL`, a token type other than `bearer` 400 `INVALID_TOKEN`.
fn check_sink_credential(obj: &Map<String, Value>) -> Result<(), ApiError> {
    let Some(c) = present(obj, "sinkCredential") else {
        return Ok(());
    };
    let Some(c) = c.as_object() else {
        return Err(ApiError::invalid(
            "Schema validation failed at sinkCredential: expected an object",
        ));
    };
    match present(c, "credentialType").map(|t| t.as_str()) {
        None => {
            return Err(ApiError::invalid(
                "Expected property is missing: sinkCredential.credentialType",
            ))
        }
        Some(Some("ACCESSTOKEN")) => {}
        Some(Some("PLAIN" | "REFRESHTOKEN")) => {
            return Err(ApiError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "INVALID_CREDENTIAL",
                "Only Access token is supported",
            ))
        }
        Some(_) => return Err(ApiError::invalid(
            "Schema validation failed at sinkCredential.credentialType: not one of PLAIN, ACCESSTOKEN, REFRESHTOKEN",
        )),
    }
    for key in ["accessToken", "accessTokenExpiresUtc", "accessTokenType"] {
        if present(c, key).is_none() {
            return Err(ApiError::invalid(format!(
                "Expected property is missing: sinkCredential.{key}"
            )));
        }
    }
    match present(c, "accessTokenType").and_then(Value::as_str) {
        Some("bearer") => Ok(()),
        _ => Err(ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "INVALID_TOKEN",
            "Only bearer token is supported",
        )),
    }
}

/// The path of the first `null` in `v` (depth first), if any.
fn first_null(v: &Value, at: &str) -> Option<String> {
    match v {
        Value::Null => Some(at.to_owned()),
        Value::Object(m) => m.iter().find_map(|(k, v)| {
            let path = if at.is_empty() { k.clone() } else { format!("{at}.{k}") };
            first_null(v, &path)
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| first_null(v, &format!("{at}[{i}]"))),
        _ => None,
    }
}

/// A 1.1.0 body as an object: no schema of 1.1.0 is nullable, so a `null` anywhere is refused (where v0.10.1 reads
/// it as absent).
fn parse_object_v1(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    let obj = parse_object(body)?;
    for (k, v) in &obj {
        if let Some(path) = first_null(v, k) {
            return Err(ApiError::invalid(format!(
                "Schema validation failed at {path}: null is not allowed"
            )));
        }
    }
    Ok(obj)
}

/// Validates a 1.1.0 `POST /sessions` body.
pub(crate) fn create_session_v1(body: &[u8]) -> Result<v1::CreateSession, ApiError> {
    let obj = parse_object_v1(body)?;
    for key in ["applicationServer", "qosProfile", "duration"] {
        require(&obj, key)?;
    }
    check_ports(&obj)?;
    check_int(&obj, "duration", 1, i32::MAX as u64)?;
    if let Some(sink) = present(&obj, "sink") {
        if !sink.is_string() {
            return Err(ApiError::invalid("Schema validation failed at sink: expected a string"));
        }
    }
    check_sink_credential(&obj)?;
    let req: v1::CreateSession = typed(obj)?;
    req.validate().map_err(validation_error_v1)?;
    Ok(req)
}

/// Validates a 1.1.0 `POST /sessions/{id}/extend` body.
pub(crate) fn extend_session_v1(body: &[u8]) -> Result<v1::ExtendSessionDuration, ApiError> {
    let obj = parse_object_v1(body)?;
    require(&obj, "requestedAdditionalDuration")?;
    check_int(&obj, "requestedAdditionalDuration", 1, i32::MAX as u64)?;
    let req: v1::ExtendSessionDuration = typed(obj)?;
    req.validate().map_err(validation_error_v1)?;
    Ok(req)
}

/// Validates a 1.1.0 `POST /retrieve-sessions` body.
pub(crate) fn retrieve_sessions_v1(body: &[u8]) -> Result<v1::RetrieveSessionsInput, ApiError> {
    let obj = parse_object_v1(body)?;
    check_ports(&obj)?;
    let req: v1::RetrieveSessionsInput = typed(obj)?;
    req.validate().map_err(validation_error_v1)?;
    Ok(req)
}

/// Validates a qos-profiles 1.1.0 `POST /retrieve-qos-profiles` body.
pub(crate) fn retrieve_profiles_v1(body: &[u8]) -> Result<v1::QosProfileDeviceRequest, ApiError> {
    let obj = parse_object_v1(body)?;
    check_ports(&obj)?;
    if let Some(status) = present(&obj, "status") {
        if !matches!(status.as_str(), Some("ACTIVE" | "INACTIVE" | "DEPRECATED")) {
            return Err(ApiError::invalid(
                "Schema validation failed at status: not one of ACTIVE, INACTIVE, DEPRECATED",
            ));
        }
    }
    let req: v1::QosProfileDeviceRequest = typed(obj)?;
    req.validate().map_err(validation_error_v1)?;
    Ok(req)
}

/// Validates a `POST /sessions/{id}/extend` body.
pub(crate) fn extend_session(body: &[u8]) -> Result<ExtendSessionDuration, ApiError> {
    let obj = parse_object(body)?;
    require(&obj, "requestedAdditionalDuration")?;
    check_int(&obj, "requestedAdditionalDuration", 1, 86_399)?;
    let req: ExtendSessionDuration = typed(obj)?;
    req.validate().map_err(validation_error)?;
    Ok(req)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(body: &str) -> (String, &'static str) {
        let e = create_session(body.as_bytes()).unwrap_err();
        (e.message, e.code)
    }

    const OK: &str = r#"{"device":{"ipv4Address":{"publicAddress":"84.125.93.10","publicPort":59765}},
        "applicationServer":{"ipv4Address":"192.168.0.1/24"},"qosProfile":"QOS_E"}"#;

    #[test]
    fn test_valid_create() {
        let r = create_session(OK.as_bytes()).unwrap();
        assert_eq!(r.qos_profile, "QOS_E");
        assert_eq!(r.device.ipv4_address.unwrap().public_port, Some(59765));
    }

    #[test]
    fn test_create_errors_name_the_field() {
        assert_eq!(msg("{"), (msg("{").0, "INVALID_ARGUMENT"));
        assert!(msg("{").0.starts_with("Malformed JSON body"));
        assert_eq!(
            msg("[]").0,
            "Schema validation failed at (root): expected a JSON object"
        );
        assert_eq!(
            msg(r#"{"applicationServer":{},"qosProfile":"QOS_E"}"#).0,
            "Expected property is missing: device"
        );
        assert_eq!(
            msg(&OK.replace("59765", "70000")),
            (
                "Invalid port value specified: device.ipv4Address.publicPort".into(),
                "OUT_OF_RANGE"
            )
        );
        let reversed = OK.replace(
            r#""qosProfile""#,
            r#""devicePorts":{"ranges":[{"from":9,"to":1}]},"qosProfile""#,
        );
        assert_eq!(
            msg(&reversed),
            ("Invalid port ranges specified: devicePorts".into(), "OUT_OF_RANGE")
        );
        let empty_device = r#"{"device":{},"applicationServer":{"ipv4Address":"1.2.3.4"},"qosProfile":"QOS_E"}"#;
        assert_eq!(msg(empty_device).0, "Insufficient properties specified: device");
        let bad_phone = empty_device.replace("{},", r#"{"phoneNumber":"abc"},"#);
        assert_eq!(
            msg(&bad_phone).0,
            "Invalid value specified: device.phoneNumber does not match the allowed pattern"
        );
        let typed = OK.replace(r#""QOS_E""#, "5");
        assert!(
            msg(&typed).0.starts_with("Schema validation failed at qosProfile:"),
            "{}",
            msg(&typed).0
        );
        let long = OK.replace("QOS_E", &"Q".repeat(300));
        assert!(
            msg(&long).0.starts_with("Schema validation failed at qosProfile"),
            "{}",
            msg(&long).0
        );
        let dur = OK.replace(r#""qosProfile""#, r#""duration":0,"qosProfile""#);
        assert_eq!(msg(&dur).1, "OUT_OF_RANGE");
    }

    #[test]
    fn test_duplicate_members_are_refused_by_path() {
        let dup = |body: &str| create_session(body.as_bytes()).unwrap_err();
        let e = dup(&OK.replace(
            r#""qosProfile":"QOS_E""#,
            r#""qosProfile":"QOS_E","qosProfile":"QOS_L""#,
        ));
        assert_eq!(
            (e.code, e.message.as_str()),
            ("INVALID_ARGUMENT", "Duplicate member name: qosProfile")
        );
        let e = dup(&OK.replace(r#""publicPort":59765"#, r#""publicPort":59765,"publicPort":1"#));
        assert_eq!(e.message, "Duplicate member name: device.ipv4Address.publicPort");
        // A duplicate whose first value is null (a "last non-null wins" reader would take the second).
        let e = dup(&OK.replace(
            r#""qosProfile":"QOS_E""#,
            r#""duration":null,"qosProfile":"QOS_E","duration":60"#,
        ));
        assert_eq!(e.message, "Duplicate member name: duration");
        let ports = OK.replace(
            r#""qosProfile""#,
            r#""devicePorts":{"ranges":[{"from":1,"to":2,"from":3}]},"qosProfile""#,
        );
        assert_eq!(dup(&ports).message, "Duplicate member name: devicePorts.ranges[0].from");
        // Unknown members count too, and escapes are compared decoded.
        let e = dup(&OK.replace(r#""qosProfile""#, r#""x":1,"\u0078":2,"qosProfile""#));
        assert_eq!(e.message, "Duplicate member name: x");
        let e = extend_session(br#"{"requestedAdditionalDuration":60,"requestedAdditionalDuration":70}"#).unwrap_err();
        assert_eq!(e.message, "Duplicate member name: requestedAdditionalDuration");
        // The same name in different objects is fine; trailing garbage is still malformed.
        assert!(create_session(OK.as_bytes()).is_ok());
        assert!(dup(&format!("{OK} x")).message.starts_with("Malformed JSON body"));
    }

    #[test]
    fn test_extend_errors() {
        assert_eq!(
            extend_session(br#"{"requestedAdditionalDuration":60}"#)
                .unwrap()
                .requested_additional_duration,
            60
        );
        let e = extend_session(b"{}").unwrap_err();
        assert_eq!(e.message, "Expected property is missing: requestedAdditionalDuration");
        let e = extend_session(br#"{"requestedAdditionalDuration":86400}"#).unwrap_err();
        assert_eq!(e.code, "OUT_OF_RANGE");
        let e = extend_session(br#"{"requestedAdditionalDuration":"x"}"#).unwrap_err();
        assert_eq!(e.code, "INVALID_ARGUMENT");
    }
}
