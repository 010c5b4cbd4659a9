//! Golden vectors of quality-on-demand / qos-profiles 1.1.0: the spec's examples and our edge cases. Each canonical
//! vector is checked three ways: decode → expected value, encode → byte-exact compact JSON, decode(encode(x)) == x.
use qod_core::v1::model::*;
use qod_core::{decode, encode, Decode, DecodeErrorKind as K, Encode};

fn vector(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/vectors/v1/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn text(name: &str) -> String {
    String::from_utf8(vector(name)).unwrap().trim_end().to_owned()
}

fn canonical<T: Decode + Encode + Default + PartialEq + std::fmt::Debug>(name: &str) -> T {
    let bytes = vector(name);
    let value: T = decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut out = [0u8; 8192];
    let n = encode(&value, &mut out).unwrap();
    assert_eq!(std::str::from_utf8(&out[..n]).unwrap(), text(name), "{name}");
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

fn at(e: &qod_core::DecodeError) -> (K, String) {
    (e.kind, e.path.to_string())
}

#[test]
fn test_session_info_full() {
    let v: SessionInfo = canonical("session_info_full.json");
    let d = v.device.as_ref().unwrap();
    assert_eq!(d.phone_number.as_deref(), Some("+436641234567"));
    assert_eq!(d.ipv4_address.as_ref().unwrap().public_port, Some(59765));
    assert_eq!(v.sink.as_deref(), Some("https://application-server.com/notifications"));
    assert_eq!(v.duration, 2428);
    assert_eq!(v.started_at.unwrap().unix(), 1_717_243_200);
    let e = v.expires_at.unwrap();
    assert_eq!(
        (e.unix(), e.nanos(), e.offset_minutes()),
        (1_717_243_200 + 2428 - 7200, 500_000_000, 120)
    );
    assert_eq!(v.qos_status, QosStatus::Unavailable);
    assert_eq!(v.status_info, Some(StatusInfo::NetworkTerminated));
}

#[test]
fn test_session_info_requested_has_no_times() {
    let v: SessionInfo = canonical("session_info_requested.json");
    assert_eq!(v.qos_status, QosStatus::Requested);
    assert!(v.device.is_none() && v.started_at.is_none() && v.expires_at.is_none() && v.status_info.is_none());
    let v: SessionInfo = canonical("session_info_available.json");
    assert_eq!(v.expires_at.unwrap().unix() - v.started_at.unwrap().unix(), 3600);
}

#[test]
fn test_session_info_as_servers_write_it() {
    // The spec's example order, whitespace, lower-case `t`/`z`, a `+00:00` offset, an echoed sinkCredential (not
    // kept), an unknown statusInfo value and an unknown member.
    let v: SessionInfo = decode(&vector("session_info_spec_example.json")).unwrap();
    assert_eq!(v.duration, 2428);
    assert_eq!(v.started_at.unwrap().to_string(), "2024-06-01T12:00:00Z");
    assert_eq!(v.expires_at.unwrap().unix(), 1_717_243_200 + 2428);
    assert_eq!(v.status_info, Some(StatusInfo::Unknown));
    let mut buf = [0u8; 2048];
    assert!(
        matches!(encode(&v, &mut buf), Err(qod_core::Error::Invalid(e)) if e.field == "statusInfo"),
        "an unknown value cannot be sent back"
    );
}

#[test]
fn test_requests() {
    let c: CreateSession = canonical("create_session.json");
    assert!(c.device.is_some() && c.duration == 600);
    let cred = c.sink_credential.as_ref().unwrap();
    assert_eq!(cred.credential_type, CredentialType::AccessToken);
    assert_eq!(cred.access_token_type, Some(AccessTokenType::Bearer));
    assert_eq!(
        cred.access_token_expires_utc.unwrap().to_string(),
        "2024-06-02T12:00:00Z"
    );
    assert!(
        !format!("{c:?}").contains("c2luay10b2tlbg"),
        "the sink token is redacted in Debug"
    );
    let e: ExtendSessionDuration = canonical("extend_session.json");
    assert_eq!(e.requested_additional_duration, 1800);
    let r: RetrieveSessionsInput = canonical("retrieve_sessions.json");
    assert_eq!(r.device.unwrap().phone_number.as_deref(), Some("+123456789"));
    let q: QosProfileDeviceRequest = canonical("retrieve_qos_profiles.json");
    assert_eq!(
        (q.name.as_deref(), q.status),
        (Some("QOS_E"), Some(QosProfileStatus::Active))
    );
    assert_eq!(
        decode::<QosProfileDeviceRequest>(b"{}").unwrap(),
        QosProfileDeviceRequest::default()
    );
    assert_eq!(
        decode::<RetrieveSessionsInput>(b"{}").unwrap(),
        RetrieveSessionsInput::default()
    );
}

#[test]
fn test_session_lists() {
    let l: SessionList = canonical("session_list.json");
    assert_eq!(l.len(), 2);
    assert_eq!(l[1].qos_status, QosStatus::Requested);
    let l: SessionList = canonical("session_list_empty.json");
    assert!(l.is_empty());
}

#[test]
fn test_profiles() {
    let p: QosProfile = canonical("qos_profile.json");
    let c = p.country_availability.as_ref().unwrap();
    assert_eq!(c.len(), 3);
    assert_eq!((c[0].country_name.as_str(), c[0].networks.len()), ("GB", 2));
    assert!(c[2].networks.is_empty());
    assert_eq!(p.max_duration.unwrap().seconds(), Some(7200));
    assert_eq!(p.l4s_queue_type, Some(L4sQueueType::MixedQueue));
    assert_eq!(p.service_class, Some(ServiceClass::RealTimeInteractive));
    let l: QosProfileList = canonical("qos_profile_list.json");
    assert_eq!(l.len(), 3);
    assert_eq!(
        l[1].country_availability.as_deref(),
        Some(&[][..]),
        "an empty list is kept as given"
    );
    assert_eq!(l[2].status, QosProfileStatus::Deprecated);
}

#[test]
fn test_notification() {
    let e: QosStatusChanged = canonical("notification.json");
    assert_eq!(e.data.status_info, Some(StatusInfo::DurationExpired));
    assert_eq!(e.time.unix(), 1_717_246_800);
    let v0_type = text("notification.json").replace(
        "org.camaraproject.quality-on-demand.v1.qos-status-changed",
        "org.camaraproject.qod.v0.qos-status-changed",
    );
    assert_eq!(
        at(&err::<QosStatusChanged>(v0_type.as_bytes())),
        (K::UnexpectedValue, "type".into())
    );
    let bad_time = text("notification.json").replace("2024-06-01T13:00:00Z", "2024-06-01 13:00:00");
    assert_eq!(
        at(&err::<QosStatusChanged>(bad_time.as_bytes())),
        (K::InvalidDateTime, "time".into())
    );
    let no_data = text("notification.json").replace(r#","data":{"sessionId":"123e4567-e89b-12d3-a456-426614174000","qosStatus":"UNAVAILABLE","statusInfo":"DURATION_EXPIRED"}"#, "");
    assert_eq!(
        at(&err::<QosStatusChanged>(no_data.as_bytes())),
        (K::Missing, "data".into())
    );
}

#[test]
fn test_error_infos() {
    let e: ErrorInfo = canonical("error_info_409.json");
    assert_eq!(e.error_code(), ErrorCode::SessionExtensionNotAllowed);
    let e: ErrorInfo = canonical("error_info_422.json");
    assert_eq!(e.error_code(), ErrorCode::MissingIdentifier);
    for (code, want) in [
        ("IDENTIFIER_NOT_FOUND", ErrorCode::IdentifierNotFound),
        ("UNNECESSARY_IDENTIFIER", ErrorCode::UnnecessaryIdentifier),
        ("UNSUPPORTED_IDENTIFIER", ErrorCode::UnsupportedIdentifier),
        ("SERVICE_NOT_APPLICABLE", ErrorCode::ServiceNotApplicable),
        ("QUALITY_ON_DEMAND.DURATION_OUT_OF_RANGE", ErrorCode::DurationOutOfRange),
        (
            "QUALITY_ON_DEMAND.QOS_PROFILE_NOT_APPLICABLE",
            ErrorCode::QosProfileNotApplicable,
        ),
        ("INVALID_SINK", ErrorCode::InvalidSink),
        ("INVALID_CREDENTIAL", ErrorCode::InvalidCredential),
        ("INVALID_TOKEN", ErrorCode::InvalidToken),
        ("QUOTA_EXCEEDED", ErrorCode::QuotaExceeded),
        ("GONE", ErrorCode::Gone),
    ] {
        assert_eq!(ErrorCode::from_wire(code), want, "{code}");
    }
}

#[test]
fn test_date_times_and_required_members() {
    let base = text("session_info_available.json");
    let with = |from: &str, to: &str| {
        assert!(base.contains(from), "{from}");
        base.replacen(from, to, 1).into_bytes()
    };
    for bad in [
        "2024-06-01T12:00:00",
        "2024-02-30T12:00:00Z",
        "2024-06-01T25:00:00Z",
        "2024-06-01T12:00:00.1234567890Z",
        "2024-06-01T12:00:00+2:00",
        "x",
        "",
    ] {
        let e = err::<SessionInfo>(&with("2024-06-01T12:00:00Z", bad));
        assert_eq!(at(&e), (K::InvalidDateTime, "startedAt".into()), "{bad}");
    }
    let e = err::<SessionInfo>(&with(r#""2024-06-01T13:00:00Z""#, "1717246800"));
    assert_eq!(at(&e), (K::WrongType, "expiresAt".into()));
    let e = err::<SessionInfo>(&with("2024-06-01T13:00:00Z\"", &format!("{}\"", "9".repeat(500))));
    assert_eq!(at(&e), (K::InvalidDateTime, "expiresAt".into()));
    // null date-times are absent; a truncated one is the end of input.
    let v: SessionInfo = decode(&with(r#""2024-06-01T12:00:00Z""#, "null")).unwrap();
    assert!(v.started_at.is_none());
    assert_eq!(
        err::<SessionInfo>(&base.as_bytes()[..base.find("T12").unwrap()]).kind,
        K::Eof
    );
    // Required members, and what a server may leave out.
    for (member, value) in [
        ("applicationServer", r#"{"ipv4Address":"198.51.100.0/24"}"#),
        ("qosProfile", r#""QOS_L""#),
        ("sessionId", r#""3fa85f64-5717-4562-b3fc-2c963f66afa6""#),
        ("duration", "3600"),
        ("qosStatus", r#""AVAILABLE""#),
    ] {
        let doc = base.replace(&format!(r#""{member}":{value}"#), r#""x":1"#);
        assert_ne!(doc, base, "{member}");
        assert_eq!(at(&err::<SessionInfo>(doc.as_bytes())), (K::Missing, member.into()));
    }
    let e = err::<SessionInfo>(&with(r#""duration":3600"#, r#""duration":0"#));
    assert_eq!(at(&e), (K::OutOfRange, "duration".into()));
    let e = err::<SessionInfo>(&with(r#""duration":3600"#, r#""duration":2147483648"#));
    assert_eq!(at(&e), (K::OutOfRange, "duration".into()));
    let c = text("create_session.json").replace(r#","duration":600"#, "");
    assert_eq!(at(&err::<CreateSession>(c.as_bytes())), (K::Missing, "duration".into()));
    let c = text("create_session.json").replace("2024-06-02T12:00:00Z", "tomorrow");
    assert_eq!(
        at(&err::<CreateSession>(c.as_bytes())),
        (K::InvalidDateTime, "sinkCredential.accessTokenExpiresUtc".into())
    );
}

#[test]
fn test_duplicates_limits_and_truncation() {
    let e = err::<SessionInfo>(&vector("session_info_duplicate_member.json"));
    assert_eq!(at(&e), (K::DuplicateMember, "duration".into()));
    let p = text("qos_profile.json").replacen(r#""countryName":"GB","#, r#""countryName":"GB","networks":[],"#, 1);
    assert_eq!(
        at(&err::<QosProfile>(p.as_bytes())),
        (K::DuplicateMember, "countryAvailability.networks".into())
    );

    use qod_core::limits as l;
    let base = text("session_info_available.json");
    let sink = |n: usize| {
        base.replace(
            "https://application-server.com/notifications",
            &format!("https://{}", "s".repeat(n - 8)),
        )
    };
    decode::<SessionInfo>(sink(l::SINK).as_bytes()).unwrap();
    assert_eq!(
        at(&err::<SessionInfo>(sink(l::SINK + 1).as_bytes())),
        (K::TooLong, "sink".into())
    );
    let profile = text("qos_profile.json");
    let e = err::<QosProfile>(
        profile
            .replace(r#""countryName":"GB""#, r#""countryName":"GBR""#)
            .as_bytes(),
    );
    assert_eq!(at(&e), (K::TooLong, "countryAvailability.countryName".into()));
    let e = err::<QosProfile>(profile.replace("23591", "2359111").as_bytes());
    assert_eq!(at(&e), (K::TooLong, "countryAvailability.networks".into()));
    let networks = |n: usize| profile.replace(r#"["26202"]"#, &format!("[{}]", vec![r#""26202""#; n].join(",")));
    decode::<QosProfile>(networks(l::NETWORKS).as_bytes()).unwrap();
    let e = err::<QosProfile>(networks(l::NETWORKS + 1).as_bytes());
    assert_eq!(at(&e), (K::TooMany, "countryAvailability.networks".into()));
    let countries = |n: usize| {
        let one = r#"{"countryName":"AT"}"#;
        profile.replace(r#"{"countryName":"AT"}"#, &vec![one; n - 2].join(","))
    };
    decode::<QosProfile>(countries(l::COUNTRIES).as_bytes()).unwrap();
    assert_eq!(
        at(&err::<QosProfile>(countries(l::COUNTRIES + 1).as_bytes())),
        (K::TooMany, "countryAvailability".into())
    );
    let sessions = |n: usize| format!("[{}]", vec![base.as_str(); n].join(","));
    assert_eq!(
        decode::<SessionList>(sessions(l::SESSIONS).as_bytes()).unwrap().len(),
        l::SESSIONS
    );
    assert_eq!(
        err::<SessionList>(sessions(l::SESSIONS + 1).as_bytes()).kind,
        K::TooMany
    );
    let token =
        |n: usize| text("create_session.json").replace("eyJhbGciOiJSUzI1NiJ9.c2luay10b2tlbg.c2ln", &"t".repeat(n));
    decode::<CreateSession>(token(l::SINK_ACCESS_TOKEN).as_bytes()).unwrap();
    assert_eq!(
        at(&err::<CreateSession>(token(l::SINK_ACCESS_TOKEN + 1).as_bytes())),
        (K::TooLong, "sinkCredential.accessToken".into())
    );
    // Every truncation of the full session fails cleanly.
    let full = text("session_info_full.json");
    for cut in 0..full.len() {
        let e = err::<SessionInfo>(&full.as_bytes()[..cut]);
        assert!(matches!(e.kind, K::Eof | K::Missing | K::Syntax), "cut {cut}: {e}");
    }
}

#[test]
fn test_decoded_models_fit_their_budgets() {
    let (info, list, profile) = (
        core::mem::size_of::<SessionInfo>(),
        core::mem::size_of::<SessionList>(),
        core::mem::size_of::<QosProfile>(),
    );
    println!("v1 sizes with the default limits: SessionInfo {info} B, SessionList {list} B, QosProfile {profile} B");
    assert!(info <= 2048, "v1 SessionInfo takes {info} bytes");
}
