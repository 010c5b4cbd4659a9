//! Golden vectors: the spec's examples and our edge cases. Each canonical vector is checked three ways:
//! decode → expected value, encode → byte-exact compact JSON, and decode(encode(x)) == x.

use qod_core::model::*;
use qod_core::{decode, encode, Decode, DecodeErrorKind as K, Encode};

fn vector(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Decodes, re-encodes byte-exactly (canonical vectors are compact and in spec order) and round-trips.
fn canonical<T: Decode + Encode + Default + PartialEq + std::fmt::Debug>(name: &str) -> T {
    let bytes = vector(name);
    let value: T = decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut out = [0u8; 4096];
    let n = encode(&value, &mut out).unwrap();
    assert_eq!(
        std::str::from_utf8(&out[..n]).unwrap(),
        std::str::from_utf8(&bytes).unwrap().trim_end(),
        "{name}"
    );
    let again: T = decode(&out[..n]).unwrap();
    assert_eq!(again, value, "{name}: decode(encode(x)) != x");
    value
}

fn err<T: Decode + Default>(json: &[u8]) -> qod_core::DecodeError {
    match decode::<T>(json) {
        Ok(_) => panic!("{} should not decode", String::from_utf8_lossy(json)),
        Err(e) => e,
    }
}

#[test]
fn test_decode_session_info_full() {
    let v: SessionInfo = canonical("session_info_full.json");
    assert_eq!(v.device.phone_number.as_deref(), Some("+436641234567"));
    assert_eq!(
        v.device.network_access_identifier.as_deref(),
        Some("123456789@domain.com")
    );
    let v4 = v.device.ipv4_address.as_ref().unwrap();
    assert_eq!(v4.public_address.as_deref(), Some("84.125.93.10"));
    assert_eq!(v4.private_address.as_deref(), Some("10.0.0.7"));
    assert_eq!(v4.public_port, Some(59765));
    assert_eq!(
        v.device.ipv6_address.as_deref(),
        Some("2001:db8:85a3:8d3:1319:8a2e:370:7344")
    );
    assert_eq!(v.application_server.ipv4_address.as_deref(), Some("192.168.0.1/24"));
    let dp = v.device_ports.as_ref().unwrap();
    assert_eq!(
        dp.ranges.as_slice(),
        &[qod_core::fill!(PortRange { from: 5010, to: 5020 })]
    );
    assert_eq!(dp.ports.as_slice(), &[5060, 5070]);
    assert_eq!(v.application_server_ports.as_ref().unwrap().ranges.len(), 2);
    assert_eq!(v.qos_profile, "QOS_VC");
    let wh = v.webhook.as_ref().unwrap();
    assert_eq!(wh.notification_url, "https://application-server.com/notifications");
    assert_eq!(
        wh.notification_auth_token.as_ref().unwrap().expose(),
        "c8974e592c2fa383d4a3960714"
    );
    assert_eq!(v.session_id, "3fa85f64-5717-4562-b3fc-2c963f66afa6");
    assert_eq!((v.duration, v.started_at, v.expires_at), (600, 1639479600, 1639480200));
    assert_eq!(v.qos_status, QosStatus::Available);
    assert_eq!(v.messages.len(), 2);
    assert_eq!(v.messages[1].severity, Severity::Warning);
    // The token never shows in Debug output.
    assert!(!format!("{v:?}").contains("c8974e592c2fa383d4a3960714"));
}

#[test]
fn test_decode_session_info_minimal() {
    let v: SessionInfo = canonical("session_info_minimal.json");
    assert!(v.device_ports.is_none() && v.webhook.is_none() && v.messages.is_empty());
    assert_eq!(v.qos_status, QosStatus::Requested);
}

#[test]
fn test_decode_escapes_and_raw_utf8() {
    let v: SessionInfo = decode(&vector("session_info_escapes.json")).unwrap();
    assert_eq!(v.device.network_access_identifier.as_deref(), Some("café😀@domain.com"));
    assert_eq!(v.application_server.ipv4_address.as_deref(), Some("192.168.0.1/24"));
    assert_eq!(v.qos_profile, "QOS_VC");
    let wh = v.webhook.unwrap();
    assert_eq!(wh.notification_url, "https://application-server.com/cb?a=\"b\"");
    assert!(wh.notification_auth_token.is_none(), "null optional is absent");
    assert_eq!(v.messages[0].description, "tab\there, newline\nthere, raw é and 😀");
    // An escaped member name still matches (`"qos\u0053tatus"`).
    assert_eq!(v.qos_status, QosStatus::Available);
}

#[test]
fn test_decode_unknown_members_and_enum_values() {
    let v: SessionInfo = decode(&vector("session_info_unknown_members.json")).unwrap();
    assert_eq!(v.device.phone_number.as_deref(), Some("123456789"));
    assert!(v.device_ports.is_none() && v.webhook.is_none());
    // A qosStatus this version does not know decodes as Unknown, and cannot be sent back.
    assert_eq!(v.qos_status, QosStatus::Unknown);
    let mut buf = [0u8; 2048];
    assert!(matches!(encode(&v, &mut buf), Err(qod_core::Error::Invalid(e)) if e.field == "qosStatus"));
}

#[test]
fn test_decode_create_session_and_extend() {
    let v: CreateSession = canonical("create_session.json");
    assert_eq!(v.duration, Some(600));
    assert_eq!(v.device.ipv4_address.as_ref().unwrap().public_port, Some(59765));
    let e: ExtendSessionDuration = canonical("extend_session.json");
    assert_eq!(e.requested_additional_duration, 60);
}

#[test]
fn test_decode_error_infos() {
    for (name, status, code) in [
        ("error_info_400.json", 400, ErrorCode::InvalidArgument),
        ("error_info_404.json", 404, ErrorCode::NotFound),
        ("error_info_409.json", 409, ErrorCode::Conflict),
    ] {
        let e: ErrorInfo = canonical(name);
        assert_eq!(e.status, status);
        assert_eq!(e.error_code(), code);
    }
}

#[test]
fn test_decode_profiles() {
    let p: QosProfile = canonical("qos_profile.json");
    assert_eq!(
        p.max_duration,
        Some(qod_core::fill!(Duration {
            value: Some(24),
            unit: Some(TimeUnit::Hours)
        }))
    );
    assert_eq!(
        p.target_min_upstream_rate,
        Some(qod_core::fill!(Rate {
            value: Some(2),
            unit: Some(RateUnit::Mbps)
        }))
    );
    let l: QosProfileList = canonical("qos_profile_list.json");
    assert_eq!(l.len(), 3);
    assert_eq!(l[2].status, QosProfileStatus::Deprecated);
}

#[test]
fn test_decode_notification() {
    let e: QosStatusChanged = canonical("notification.json");
    assert_eq!(e.data.qos_status, EventQosStatus::Unavailable);
    assert_eq!(e.data.status_info, Some(StatusInfo::DurationExpired));
    assert_eq!(e.time, "2021-12-12T00:00:00Z");
    let wrong_type = String::from_utf8(vector("notification.json"))
        .unwrap()
        .replace("qos-status-changed", "other");
    assert_eq!(err::<QosStatusChanged>(wrong_type.as_bytes()).path, "type");
    let wrong_version = String::from_utf8(vector("notification.json"))
        .unwrap()
        .replace("\"1.0\"", "\"0.3\"");
    assert_eq!(
        err::<QosStatusChanged>(wrong_version.as_bytes()).kind,
        K::UnexpectedValue
    );
}

#[test]
fn test_every_truncation_fails_cleanly() {
    let full = vector("session_info_full.json");
    let full = full.trim_ascii_end();
    for cut in 0..full.len() {
        let e = err::<SessionInfo>(&full[..cut]);
        assert!(matches!(e.kind, K::Eof | K::Missing | K::Syntax), "cut {cut}: {e}");
    }
}

#[test]
fn test_edge_cases() {
    let base = String::from_utf8(vector("session_info_minimal.json")).unwrap();
    let base = base.trim_end();
    let with = |from: &str, to: &str| base.replace(from, to).into_bytes();
    // Trailing garbage after the document.
    assert_eq!(
        err::<SessionInfo>(format!("{base} x").as_bytes()).kind,
        K::TrailingCharacters
    );
    decode::<SessionInfo>(format!(" \n{base}\r\n\t").as_bytes()).unwrap();
    // Missing required members name the member.
    let e = err::<SessionInfo>(&with(r#""qosStatus":"REQUESTED""#, r#""x":1"#));
    assert_eq!((e.kind, &*e.path.to_string()), (K::Missing, "qosStatus"));
    let e = err::<SessionInfo>(&with(r#""sessionId""#, r#""sessionID""#));
    assert_eq!((e.kind, &*e.path.to_string()), (K::Missing, "sessionId"));
    // null for a required member counts as missing.
    let e = err::<SessionInfo>(&with(r#""duration":86400"#, r#""duration":null"#));
    assert_eq!((e.kind, &*e.path.to_string()), (K::Missing, "duration"));
    // Integer ranges.
    let e = err::<SessionInfo>(&with(r#""duration":86400"#, r#""duration":0"#));
    assert_eq!((e.kind, &*e.path.to_string()), (K::OutOfRange, "duration"));
    let e = err::<SessionInfo>(&with(r#""duration":86400"#, r#""duration":86400.0"#));
    assert_eq!((e.kind, &*e.path.to_string()), (K::InvalidNumber, "duration"));
    decode::<SessionInfo>(&with("1639566000", "9223372036854775807")).unwrap();
    let e = err::<SessionInfo>(&with("1639566000", "9223372036854775808"));
    assert_eq!((e.kind, &*e.path.to_string()), (K::OutOfRange, "expiresAt"));
    let ports = |p: &str| {
        with(
            r#""qosProfile""#,
            &format!(r#""devicePorts":{{"ports":[{p}]}},"qosProfile""#),
        )
    };
    decode::<SessionInfo>(&ports("0,65535")).unwrap();
    let e = err::<SessionInfo>(&ports("65536"));
    assert_eq!((e.kind, &*e.path.to_string()), (K::OutOfRange, "devicePorts.ports"));
    let e = err::<SessionInfo>(&with(
        r#""phoneNumber":"123456789""#,
        r#""ipv4Address":{"publicAddress":"1.2.3.4","publicPort":70000}"#,
    ));
    assert_eq!(
        (e.kind, &*e.path.to_string()),
        (K::OutOfRange, "device.ipv4Address.publicPort")
    );
    // Wrong types name the member.
    let e = err::<SessionInfo>(&with(r#"{"phoneNumber":"123456789"}"#, r#""123456789""#));
    assert_eq!((e.kind, &*e.path.to_string()), (K::WrongType, "device"));
    // Garbage and invalid UTF-8.
    assert_eq!(err::<SessionInfo>(b"").kind, K::Eof);
    assert_eq!(err::<SessionInfo>(b"<html>").kind, K::Syntax);
    assert_eq!(err::<SessionInfo>(b"[]").kind, K::WrongType);
    let e = err::<SessionInfo>(
        &with("QOS_E", "QOS_\u{e9}")
            .iter()
            .map(|&b| if b == 0xc3 { 0xff } else { b })
            .collect::<Vec<_>>(),
    );
    assert_eq!((e.kind, &*e.path.to_string()), (K::InvalidUtf8, "qosProfile"));
    // Duplicate commas, trailing commas.
    assert_eq!(
        err::<SessionInfo>(&with(r#","qosProfile""#, r#",,"qosProfile""#)).kind,
        K::Syntax
    );
    assert_eq!(
        err::<SessionInfo>(&with(r#""REQUESTED"}"#, r#""REQUESTED",}"#)).kind,
        K::Syntax
    );
}

#[test]
fn test_capacity_limits_exact_and_one_over() {
    use qod_core::limits;
    let base = String::from_utf8(vector("session_info_minimal.json")).unwrap();
    let profile = |n: usize| base.replace("QOS_E", &"Q".repeat(n)).into_bytes();
    decode::<SessionInfo>(&profile(limits::QOS_PROFILE)).unwrap();
    let e = err::<SessionInfo>(&profile(limits::QOS_PROFILE + 1));
    assert_eq!((e.kind, &*e.path.to_string()), (K::TooLong, "qosProfile"));
    let id = |n: usize| {
        base.replace("123e4567-e89b-12d3-a456-426614174000", &"a".repeat(n))
            .into_bytes()
    };
    decode::<SessionInfo>(&id(limits::SESSION_ID)).unwrap();
    assert_eq!(err::<SessionInfo>(&id(limits::SESSION_ID + 1)).path, "sessionId");
    // An escape that expands past the capacity is caught too.
    let escaped = base.replace("QOS_E", &format!("{}\\u0041", "Q".repeat(limits::QOS_PROFILE)));
    assert_eq!(err::<SessionInfo>(escaped.as_bytes()).kind, K::TooLong);
    let msgs = |n: usize| {
        let one = r#"{"severity":"INFO","description":"m"}"#;
        let list = vec![one; n].join(",");
        base.replace(r#""qosStatus""#, &format!(r#""messages":[{list}],"qosStatus""#))
            .into_bytes()
    };
    assert_eq!(
        decode::<SessionInfo>(&msgs(limits::MESSAGES)).unwrap().messages.len(),
        limits::MESSAGES
    );
    let e = err::<SessionInfo>(&msgs(limits::MESSAGES + 1));
    assert_eq!((e.kind, &*e.path.to_string()), (K::TooMany, "messages"));
    let token = |n: usize| {
        base.replace(
            r#""sessionId""#,
            &format!(
                r#""webhook":{{"notificationUrl":"https://a.b","notificationAuthToken":"{}"}},"sessionId""#,
                "t".repeat(n)
            ),
        )
        .into_bytes()
    };
    decode::<SessionInfo>(&token(limits::NOTIFICATION_AUTH_TOKEN)).unwrap();
    assert_eq!(
        err::<SessionInfo>(&token(limits::NOTIFICATION_AUTH_TOKEN + 1)).path,
        "webhook.notificationAuthToken"
    );
}

#[test]
fn test_hostile_nesting_in_unknown_member() {
    let base = String::from_utf8(vector("session_info_minimal.json")).unwrap();
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let doc = base.replace(r#""qosStatus""#, &format!(r#""junk":{deep},"qosStatus""#));
    // Run on a small thread stack: refusal must not need recursion.
    let handle = std::thread::Builder::new()
        .stack_size(64 * 1024)
        .spawn(move || decode::<SessionInfo>(doc.as_bytes()).map(|_| ()).unwrap_err().kind)
        .unwrap();
    assert_eq!(handle.join().unwrap(), K::TooDeep);
    let shallow = format!("{}{}", "[".repeat(20), "]".repeat(20));
    decode::<SessionInfo>(
        base.replace(r#""qosStatus""#, &format!(r#""junk":{shallow},"qosStatus""#))
            .as_bytes(),
    )
    .unwrap();
}

#[test]
fn test_session_info_fits_2kb() {
    let size = core::mem::size_of::<SessionInfo>();
    println!("size_of::<SessionInfo>() = {size} bytes with the default limits");
    assert!(size <= 2048, "SessionInfo takes {size} bytes with the default limits");
}

/// Every string and list capacity of `limits`, exactly at the limit (decodes) and one over (a `TooLong`/`TooMany`
/// error naming the member).
#[test]
fn test_every_limit_and_one_over() {
    use qod_core::limits as l;
    let session = String::from_utf8(vector("session_info_full.json")).unwrap();
    let session = session.trim_end();
    let profile = String::from_utf8(vector("qos_profile.json")).unwrap();
    let profile = profile.trim_end();
    let event = String::from_utf8(vector("notification.json")).unwrap();
    let event = event.trim_end();
    let error = String::from_utf8(vector("error_info_404.json")).unwrap();
    let error = error.trim_end();

    // (document, the exact value to replace, capacity, path)
    let strings: &[(&str, &str, usize, &str)] = &[
        (session, "+436641234567", l::PHONE_NUMBER, "device.phoneNumber"),
        (
            session,
            "123456789@domain.com",
            l::NETWORK_ACCESS_IDENTIFIER,
            "device.networkAccessIdentifier",
        ),
        (session, "84.125.93.10", l::IPV4, "device.ipv4Address.publicAddress"),
        (session, "10.0.0.7", l::IPV4, "device.ipv4Address.privateAddress"),
        (
            session,
            "2001:db8:85a3:8d3:1319:8a2e:370:7344\"}",
            l::IPV6,
            "device.ipv6Address",
        ),
        (session, "192.168.0.1/24", l::IPV4_CIDR, "applicationServer.ipv4Address"),
        (
            session,
            "2001:db8:85a3:8d3:1319:8a2e:370:7344/128",
            l::IPV6_CIDR,
            "applicationServer.ipv6Address",
        ),
        (session, "QOS_VC", l::QOS_PROFILE, "qosProfile"),
        (
            session,
            "https://application-server.com/notifications",
            l::NOTIFICATION_URL,
            "webhook.notificationUrl",
        ),
        (
            session,
            "c8974e592c2fa383d4a3960714",
            l::NOTIFICATION_AUTH_TOKEN,
            "webhook.notificationAuthToken",
        ),
        (
            session,
            "3fa85f64-5717-4562-b3fc-2c963f66afa6",
            l::SESSION_ID,
            "sessionId",
        ),
        (
            session,
            "QoS session granted on cell 262-01-4711",
            l::MESSAGE_DESCRIPTION,
            "messages.description",
        ),
        (profile, "QOS_VC", l::QOS_PROFILE, "name"),
        (
            profile,
            "Video calls: low latency, guaranteed 2 Mbps each way",
            l::PROFILE_DESCRIPTION,
            "description",
        ),
        (error, "NOT_FOUND", l::ERROR_CODE, "code"),
        (error, "Session Id does not exist", l::ERROR_MESSAGE, "message"),
        (event, "83a0d986-0866-4f38-b8c0-fc65bfcda452", l::EVENT_ID, "id"),
        (
            event,
            "https://api.example.com/qod/v0/sessions/123e4567-e89b-12d3-a456-426614174000",
            l::EVENT_SOURCE,
            "source",
        ),
        (event, "2021-12-12T00:00:00Z", l::EVENT_TIME, "time"),
    ];
    for &(doc, old, cap, path) in strings {
        let suffix = if old.ends_with("\"}") { "\"}" } else { "" };
        let at = |n: usize| doc.replacen(old, &format!("{}{suffix}", "x".repeat(n)), 1).into_bytes();
        assert!(doc.contains(old), "{old} not in the vector");
        let (ok, over) = (at(cap), at(cap + 1));
        let decode_ok = |bytes: &[u8]| -> Result<(), qod_core::DecodeError> {
            if doc == session {
                decode::<SessionInfo>(bytes).map(drop)
            } else if doc == profile {
                decode::<QosProfile>(bytes).map(drop)
            } else if doc == error {
                decode::<ErrorInfo>(bytes).map(drop)
            } else {
                decode::<QosStatusChanged>(bytes).map(drop)
            }
        };
        decode_ok(&ok).unwrap_or_else(|e| panic!("{path} at its limit {cap}: {e}"));
        let e = decode_ok(&over).unwrap_err();
        assert_eq!(
            (e.kind, &*e.path.to_string()),
            (K::TooLong, path),
            "{path} one over its limit {cap}"
        );
    }

    // Lists.
    let ports = |n: usize| {
        let list = vec!["1"; n].join(",");
        session
            .replace(r#""ports":[5060,5070]"#, &format!(r#""ports":[{list}]"#))
            .into_bytes()
    };
    decode::<SessionInfo>(&ports(l::PORTS)).unwrap();
    assert_eq!(err::<SessionInfo>(&ports(l::PORTS + 1)).path, "devicePorts.ports");
    let ranges = |n: usize| {
        let list = vec![r#"{"from":1,"to":2}"#; n].join(",");
        session
            .replace(
                r#""ranges":[{"from":5010,"to":5020}]"#,
                &format!(r#""ranges":[{list}]"#),
            )
            .into_bytes()
    };
    decode::<SessionInfo>(&ranges(l::PORT_RANGES)).unwrap();
    let e = err::<SessionInfo>(&ranges(l::PORT_RANGES + 1));
    assert_eq!((e.kind, &*e.path.to_string()), (K::TooMany, "devicePorts.ranges"));
    let profiles = |n: usize| format!("[{}]", vec![profile; n].join(",")).into_bytes();
    assert_eq!(
        decode::<QosProfileList>(&profiles(l::PROFILES)).unwrap().len(),
        l::PROFILES
    );
    assert_eq!(err::<QosProfileList>(&profiles(l::PROFILES + 1)).kind, K::TooMany);
    // Nesting depth.
    let nest = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    let doc = |n: usize| session.replacen(r#""qosProfile""#, &format!(r#""x":{},"qosProfile""#, nest(n)), 1);
    decode::<SessionInfo>(doc(l::DEPTH - 1).as_bytes()).unwrap();
    assert_eq!(err::<SessionInfo>(doc(l::DEPTH).as_bytes()).kind, K::TooDeep);
}

/// One document, one reading: a member given twice is refused, naming it, whatever the two values (issue 14).
#[test]
fn test_duplicate_members_are_refused() {
    let e = err::<SessionInfo>(&vector("session_info_duplicate_member.json"));
    assert_eq!((e.kind, &*e.path.to_string()), (K::DuplicateMember, "qosProfile"));
    assert_eq!(
        e.to_string(),
        format!("duplicate member name at `qosProfile` (byte {})", e.offset)
    );
    let base = String::from_utf8(vector("session_info_minimal.json")).unwrap();
    let base = base.trim_end();
    let with = |from: &str, to: &str| {
        assert!(base.contains(from), "{from}");
        base.replacen(from, to, 1).into_bytes()
    };
    // Nested, and the name of the object it sits in.
    let e = err::<SessionInfo>(&with(
        r#""phoneNumber":"123456789""#,
        r#""phoneNumber":"123456789","ipv4Address":{"publicAddress":"1.2.3.4","publicPort":1,"publicPort":2}"#,
    ));
    assert_eq!(
        (e.kind, &*e.path.to_string()),
        (K::DuplicateMember, "device.ipv4Address.publicPort")
    );
    // A first value of `null` (a "last non-null wins" reader would take the second).
    let e = err::<SessionInfo>(&with(r#""duration":86400"#, r#""duration":null,"duration":86400"#));
    assert_eq!((e.kind, &*e.path.to_string()), (K::DuplicateMember, "duration"));
    let e = err::<SessionInfo>(&with(r#""duration":86400"#, r#""duration":86400,"duration":null"#));
    assert_eq!((e.kind, &*e.path.to_string()), (K::DuplicateMember, "duration"));
    // The same name spelt with an escape is the same member.
    let e = err::<SessionInfo>(&with(
        r#""qosStatus":"REQUESTED""#,
        r#""qosStatus":"REQUESTED","qos\u0053tatus":"AVAILABLE""#,
    ));
    assert_eq!((e.kind, &*e.path.to_string()), (K::DuplicateMember, "qosStatus"));
    // Inside list items, and in every schema.
    let e = err::<SessionInfo>(&with(
        r#""qosProfile""#,
        r#""devicePorts":{"ranges":[{"from":1,"to":2,"from":3}]},"qosProfile""#,
    ));
    assert_eq!(
        (e.kind, &*e.path.to_string()),
        (K::DuplicateMember, "devicePorts.ranges.from")
    );
    let corpus = format!(
        "{}/../../fuzz/corpus/decode_json/create_session_duplicate_members.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let e = err::<CreateSession>(&std::fs::read(corpus).unwrap());
    assert_eq!(
        (e.kind, &*e.path.to_string()),
        (K::DuplicateMember, "device.ipv4Address.publicPort")
    );
    let e = err::<ErrorInfo>(br#"{"status":404,"code":"NOT_FOUND","message":"a","code":"CONFLICT"}"#);
    assert_eq!((e.kind, &*e.path.to_string()), (K::DuplicateMember, "code"));
    let e = err::<QosStatusChanged>(
        String::from_utf8(vector("notification.json"))
            .unwrap()
            .replacen(r#""sessionId""#, r#""qosStatus":"AVAILABLE","sessionId""#, 1)
            .as_bytes(),
    );
    assert_eq!((e.kind, &*e.path.to_string()), (K::DuplicateMember, "data.qosStatus"));
    // The same name in two different objects is fine.
    decode::<SessionInfo>(&with(
        r#""qosProfile""#,
        r#""devicePorts":{"ranges":[{"from":1,"to":2},{"from":3,"to":4}]},"qosProfile""#,
    ))
    .unwrap();
}
