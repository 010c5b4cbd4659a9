//! Request-body validation: malformed JSON, schema (types, required members, ranges) and qod-core's semantic checks,
//! each mapped to a 400 `INVALID_ARGUMENT` or `OUT_OF_RANGE` whose message names the field (using the spec's example
//! messages where it has them). Nothing here panics on any input.
use crate::error::ApiError;
use qod_core::model::{CreateSession, ExtendSessionDuration};
use qod_core::{Problem, Validate, ValidationError};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

fn parse_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::invalid(
            "Schema validation failed at (root): expected a JSON object",
        )),
        Err(e) => Err(ApiError::invalid(format!("Malformed JSON body: {e}"))),
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
