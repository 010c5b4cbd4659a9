//! One encode/decode pair per operation: exact request bytes, status mapping, typed API errors, and HTTP fixtures
//! fed whole and one byte at a time.

use qod_core::api::{self, ApiError, Endpoint, ResponseError};
use qod_core::http::{ResponseReader, Status};
use qod_core::model::*;
use qod_core::{Error, HttpError, Problem, ValidationError};

const TOKEN: &str = "0123456789abcdef0123456789abcdef01234567";
const ID: &str = "3fa85f64-5717-4562-b3fc-2c963f66afa6";

fn ep() -> Endpoint<'static> {
    Endpoint::new("127.0.0.1:9091", "/qod/v0").with_token(TOKEN)
}

fn text(buf: &[u8], n: usize) -> &str {
    std::str::from_utf8(&buf[..n]).unwrap()
}

fn create_body() -> CreateSession {
    let mut c: CreateSession = qod_core::decode(include_bytes!("vectors/create_session.json")).unwrap();
    c.webhook = None;
    c
}

#[test]
fn test_encode_requests() {
    let mut buf = [0u8; 1024];
    let n = api::encode_create_session(&ep(), &create_body(), &mut buf).unwrap();
    let body = r#"{"device":{"ipv4Address":{"publicAddress":"84.125.93.10","publicPort":59765}},"applicationServer":{"ipv4Address":"192.168.0.1/24"},"devicePorts":{"ports":[5060]},"qosProfile":"QOS_VC","duration":600}"#;
    assert_eq!(
        text(&buf, n),
        format!(
            "POST /qod/v0/sessions HTTP/1.1\r\nHost: 127.0.0.1:9091\r\nAuthorization: Bearer {TOKEN}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
    );
    let n = api::encode_get_session(&ep(), ID, &mut buf).unwrap();
    assert_eq!(
        text(&buf, n),
        format!("GET /qod/v0/sessions/{ID} HTTP/1.1\r\nHost: 127.0.0.1:9091\r\nAuthorization: Bearer {TOKEN}\r\n\r\n")
    );
    let n = api::encode_delete_session(&Endpoint::new("h", ""), ID, &mut buf).unwrap();
    assert_eq!(
        text(&buf, n),
        format!("DELETE /sessions/{ID} HTTP/1.1\r\nHost: h\r\n\r\n")
    );
    let ext = qod_core::fill!(ExtendSessionDuration {
        requested_additional_duration: 60,
    });
    let n = api::encode_extend_session(&ep(), ID, &ext, &mut buf).unwrap();
    assert!(text(&buf, n).starts_with(&format!("POST /qod/v0/sessions/{ID}/extend HTTP/1.1\r\n")));
    assert!(text(&buf, n).ends_with("Content-Length: 34\r\n\r\n{\"requestedAdditionalDuration\":60}"));
    let n = api::encode_get_qos_profiles(&ep(), Some("QOS_E"), Some(QosProfileStatus::Active), &mut buf).unwrap();
    assert!(text(&buf, n).starts_with("GET /qod/v0/qos-profiles?name=QOS_E&status=ACTIVE HTTP/1.1\r\n"));
    let n = api::encode_get_qos_profiles(&ep(), None, Some(QosProfileStatus::Deprecated), &mut buf).unwrap();
    assert!(text(&buf, n).starts_with("GET /qod/v0/qos-profiles?status=DEPRECATED HTTP/1.1\r\n"));
    let n = api::encode_get_qos_profiles(&ep(), None, None, &mut buf).unwrap();
    assert!(text(&buf, n).starts_with("GET /qod/v0/qos-profiles HTTP/1.1\r\n"));
    let n = api::encode_get_qos_profile(&ep(), "QOS_VC", &mut buf).unwrap();
    assert!(text(&buf, n).starts_with("GET /qod/v0/qos-profiles/QOS_VC HTTP/1.1\r\n"));
    let mut ep = ep();
    ep.correlator = Some("b4333c46-49c0-4f62-80d7-f0ef930f1c46");
    let n = api::encode_get_session(&ep, ID, &mut buf).unwrap();
    assert!(text(&buf, n).contains("\r\nx-correlator: b4333c46-49c0-4f62-80d7-f0ef930f1c46\r\n"));
}

#[test]
fn test_bad_input_is_refused_before_sending() {
    let mut buf = [0u8; 1024];
    let invalid = |field, problem| Err(Error::Invalid(ValidationError { field, problem }));
    let mut c = create_body();
    c.device.ipv4_address.as_mut().unwrap().public_port = None;
    assert_eq!(
        api::encode_create_session(&ep(), &c, &mut buf),
        invalid("device.ipv4Address", Problem::Ipv4Incomplete)
    );
    let mut c = create_body();
    c.device = Device::default();
    assert_eq!(
        api::encode_create_session(&ep(), &c, &mut buf),
        invalid("device", Problem::Empty)
    );
    let mut c = create_body();
    c.device.phone_number = Some("+43 664".try_into().unwrap());
    assert_eq!(
        api::encode_create_session(&ep(), &c, &mut buf),
        invalid("device.phoneNumber", Problem::Pattern)
    );
    let mut c = create_body();
    c.duration = Some(86_401);
    assert_eq!(
        api::encode_create_session(&ep(), &c, &mut buf),
        invalid("duration", Problem::OutOfRange)
    );
    let mut c = create_body();
    c.device_ports = Some(qod_core::fill!(PortsSpec {
        ranges: [qod_core::fill!(PortRange { from: 9, to: 1 })].into_iter().collect(),
        ports: Default::default(),
    }));
    assert_eq!(
        api::encode_create_session(&ep(), &c, &mut buf),
        invalid("devicePorts.ranges", Problem::RangeReversed)
    );
    let mut c = create_body();
    c.application_server.ipv4_address = Some("10.0.0.0/33".try_into().unwrap());
    assert_eq!(
        api::encode_create_session(&ep(), &c, &mut buf),
        invalid("applicationServer.ipv4Address", Problem::NotAnAddress)
    );
    let mut c = create_body();
    c.webhook = Some(qod_core::fill!(Webhook {
        notification_url: "https://x.y".try_into().unwrap(),
        notification_auth_token: qod_core::Secret::new("short").ok(),
    }));
    assert_eq!(
        api::encode_create_session(&ep(), &c, &mut buf),
        invalid("webhook.notificationAuthToken", Problem::TooShort)
    );
    let mut c = create_body();
    c.qos_profile = "QOS VC".try_into().unwrap();
    assert_eq!(
        api::encode_create_session(&ep(), &c, &mut buf),
        invalid("qosProfile", Problem::Pattern)
    );
    let ext = qod_core::fill!(ExtendSessionDuration {
        requested_additional_duration: 86_400,
    });
    assert_eq!(
        api::encode_extend_session(&ep(), ID, &ext, &mut buf),
        invalid("requestedAdditionalDuration", Problem::OutOfRange)
    );
    assert_eq!(
        api::encode_get_session(&ep(), "../admin", &mut buf),
        invalid("sessionId", Problem::ForbiddenCharacter)
    );
    assert_eq!(
        api::encode_get_session(&ep(), "x\r\nEvil: 1", &mut buf),
        invalid("sessionId", Problem::ForbiddenCharacter)
    );
    let bad_host = Endpoint::new("h\r\nX: y", "/qod/v0");
    assert_eq!(
        api::encode_get_session(&bad_host, ID, &mut buf),
        invalid("host", Problem::ForbiddenCharacter)
    );
    let bad_token = Endpoint::new("h", "/qod/v0").with_token("a\nb");
    assert_eq!(
        api::encode_get_session(&bad_token, ID, &mut buf),
        invalid("token", Problem::ForbiddenCharacter)
    );
    let bad_base = Endpoint::new("h", "/qod v0");
    assert_eq!(
        api::encode_get_session(&bad_base, ID, &mut buf),
        invalid("basePath", Problem::ForbiddenCharacter)
    );
    assert_eq!(
        api::encode_get_qos_profile(&ep(), "a/b", &mut buf),
        invalid("name", Problem::Pattern)
    );
    let mut small = [0u8; 64];
    assert_eq!(
        api::encode_create_session(&ep(), &create_body(), &mut small),
        Err(Error::BufferTooSmall)
    );
}

/// Reads a response fixture whole and byte by byte; returns (status, body) and checks both agree.
fn read(fixture: &[u8]) -> Result<(u16, Vec<u8>), HttpError> {
    let mut results = vec![];
    for step in [fixture.len().max(1), 1, 7] {
        let mut buf = [0u8; 4096];
        let mut r = ResponseReader::new(&mut buf);
        let mut head = None;
        for chunk in fixture.chunks(step) {
            r.receive_buffer()[..chunk.len()].copy_from_slice(chunk);
            r.commit(chunk.len());
            if let Status::Complete(h) = r.poll()? {
                head = Some(h);
                break;
            }
        }
        let head = match head {
            Some(h) => h,
            None => r.finish_eof()?,
        };
        results.push((head.status, r.body().to_vec()));
    }
    assert!(results.windows(2).all(|w| w[0] == w[1]), "fragmented reads disagree");
    Ok(results.remove(0))
}

fn http(status: &str, body: &[u8]) -> Vec<u8> {
    let mut v = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    v.extend_from_slice(body);
    v
}

fn chunked(status: &str, body: &[u8]) -> Vec<u8> {
    let mut v = format!("HTTP/1.1 {status}\r\nTransfer-Encoding: chunked\r\n\r\n").into_bytes();
    for c in body.chunks(100) {
        v.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
        v.extend_from_slice(c);
        v.extend_from_slice(b"\r\n");
    }
    v.extend_from_slice(b"0\r\n\r\n");
    v
}

#[test]
fn test_decode_operations() {
    let info = include_bytes!("vectors/session_info_full.json");
    for fixture in [http("201 Created", info), chunked("201 Created", info)] {
        let (status, body) = read(&fixture).unwrap();
        let mut s = SessionInfo::default();
        api::decode_create_session(status, &body, &mut s).unwrap();
        assert_eq!(s.session_id, ID);
    }
    let (status, body) = read(&http("200 OK", info)).unwrap();
    let mut s = SessionInfo::default();
    api::decode_get_session(status, &body, &mut s).unwrap();
    api::decode_extend_session(status, &body, &mut s).unwrap();
    // create wants 201, not 200.
    assert_eq!(
        api::decode_create_session(status, &body, &mut s),
        Err(ResponseError::Codec(Error::UnexpectedStatus(200)))
    );
    let (status, body) = read(b"HTTP/1.1 204 No Content\r\n\r\n").unwrap();
    api::decode_delete_session(status, &body).unwrap();
    let (status, body) = read(&http("200 OK", include_bytes!("vectors/qos_profile_list.json"))).unwrap();
    let mut l = QosProfileList::default();
    api::decode_get_qos_profiles(status, &body, &mut l).unwrap();
    assert_eq!(l.len(), 3);
    let mut names = vec![];
    let mut scratch = QosProfile::default();
    let n = api::decode_get_qos_profiles_each(status, &body, &mut scratch, &mut |p| names.push(p.name.to_string()))
        .unwrap();
    assert_eq!(
        (n, names.as_slice()),
        (3, &["QOS_VC".to_string(), "QOS_E".into(), "QOS_LEGACY".into()][..])
    );
    // Streaming has no list capacity: 40 profiles pass through one scratch value.
    let many = format!("[{}]", vec![r#"{"name":"QOS_E","status":"ACTIVE"}"#; 40].join(","));
    assert_eq!(
        api::decode_get_qos_profiles_each(200, many.as_bytes(), &mut scratch, &mut |_| {}),
        Ok(40)
    );
    assert!(api::decode_get_qos_profiles_each(
        404,
        include_bytes!("vectors/error_info_404.json"),
        &mut scratch,
        &mut |_| {}
    )
    .is_err());
    let (status, body) = read(&http("200 OK", include_bytes!("vectors/qos_profile.json"))).unwrap();
    let mut p = QosProfile::default();
    api::decode_get_qos_profile(status, &body, &mut p).unwrap();
    assert_eq!(p.name, "QOS_VC");
}

#[test]
fn test_decode_api_errors() {
    for (status_line, vector, code) in [
        (
            "400 Bad Request",
            &include_bytes!("vectors/error_info_400.json")[..],
            ErrorCode::InvalidArgument,
        ),
        (
            "404 Not Found",
            include_bytes!("vectors/error_info_404.json"),
            ErrorCode::NotFound,
        ),
        (
            "409 Conflict",
            include_bytes!("vectors/error_info_409.json"),
            ErrorCode::Conflict,
        ),
    ] {
        let (status, body) = read(&http(status_line, vector)).unwrap();
        let mut s = SessionInfo::default();
        match api::decode_create_session(status, &body, &mut s) {
            Err(ResponseError::Api(ApiError { status: st, info, .. })) => {
                assert_eq!(st, status);
                assert_eq!(info.error_code(), code);
            }
            other => panic!("{other:?}"),
        }
    }
    let e = api::decode_delete_session(
        401,
        br#"{"status":401,"code":"UNAUTHENTICATED","message":"Authorization failed: ..."}"#,
    );
    assert!(
        matches!(e, Err(ResponseError::Api(ref a)) if a.code() == ErrorCode::Unauthenticated && a.to_string() == "401 UNAUTHENTICATED: Authorization failed: ...")
    );
    // An error status without an ErrorInfo body, and statuses the operation does not define.
    assert_eq!(
        api::decode_delete_session(502, b"<html>Bad gateway</html>"),
        Err(ResponseError::Codec(Error::UnexpectedStatus(502)))
    );
    assert_eq!(
        api::decode_delete_session(302, b""),
        Err(ResponseError::Codec(Error::UnexpectedStatus(302)))
    );
    let mut s = SessionInfo::default();
    let e = api::decode_get_session(200, b"{\"sessionId\":", &mut s).unwrap_err();
    assert!(matches!(e, ResponseError::Codec(Error::Decode(_))));
}
