//! The 1.1.0 operations: exact request bytes under the API root, `x-correlator` out and back, what is refused
//! before sending, and the status mapping of every response.
#![allow(clippy::result_large_err)]

use qod_core::api::{Endpoint, Operation, ResponseError};
use qod_core::http::{ResponseReader, Status};
use qod_core::v1::model::*;
use qod_core::v1::{api, op};
use qod_core::{Error, Problem, ValidationError};

const TOKEN: &str = "0123456789abcdef0123456789abcdef01234567";
const ID: &str = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
const CORRELATOR: &str = "b4333c46-49c0-4f62-80d7-f0ef930f1c46";

fn ep() -> Endpoint<'static> {
    Endpoint::new("127.0.0.1:9091", "").with_token(TOKEN)
}

fn text(buf: &[u8], n: usize) -> &str {
    std::str::from_utf8(&buf[..n]).unwrap()
}

fn vector(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/vectors/v1/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn create_body() -> CreateSession {
    qod_core::decode(&vector("create_session.json")).unwrap()
}

fn invalid<T>(field: &'static str, problem: Problem) -> Result<T, Error> {
    Err(Error::Invalid(ValidationError { field, problem }))
}

#[test]
fn test_requests_go_under_the_api_root() {
    let mut buf = [0u8; 2048];
    let c = create_body();
    let n = api::encode_create_session(&ep(), &c, &mut buf).unwrap();
    let body = String::from_utf8(vector("create_session.json")).unwrap();
    let body = body.trim_end();
    assert_eq!(
        text(&buf, n),
        format!(
            "POST /quality-on-demand/v1/sessions HTTP/1.1\r\nHost: 127.0.0.1:9091\r\nAuthorization: Bearer {TOKEN}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
    );
    // A root with a path prefix, with or without its trailing slash.
    for root in ["/api", "/api/"] {
        let ep = Endpoint::new("h", root);
        let n = api::encode_get_session(&ep, ID, &mut buf).unwrap();
        assert_eq!(
            text(&buf, n),
            format!("GET /api/quality-on-demand/v1/sessions/{ID} HTTP/1.1\r\nHost: h\r\n\r\n")
        );
    }
    let n = api::encode_delete_session(&ep(), ID, &mut buf).unwrap();
    assert!(text(&buf, n).starts_with(&format!("DELETE /quality-on-demand/v1/sessions/{ID} HTTP/1.1\r\n")));
    let ext = qod_core::fill!(ExtendSessionDuration {
        requested_additional_duration: 1800,
    });
    let n = api::encode_extend_session(&ep(), ID, &ext, &mut buf).unwrap();
    assert!(text(&buf, n).starts_with(&format!("POST /quality-on-demand/v1/sessions/{ID}/extend HTTP/1.1\r\n")));
    assert!(text(&buf, n).ends_with("\r\n\r\n{\"requestedAdditionalDuration\":1800}"));
    let input: RetrieveSessionsInput = qod_core::decode(&vector("retrieve_sessions.json")).unwrap();
    let n = api::encode_retrieve_sessions(&ep(), &input, &mut buf).unwrap();
    assert!(text(&buf, n).starts_with("POST /quality-on-demand/v1/retrieve-sessions HTTP/1.1\r\n"));
    assert!(text(&buf, n).ends_with("\r\n\r\n{\"device\":{\"phoneNumber\":\"+123456789\"}}"));
    let n = api::encode_retrieve_sessions(&ep(), &RetrieveSessionsInput::default(), &mut buf).unwrap();
    assert!(
        text(&buf, n).ends_with("Content-Length: 2\r\n\r\n{}"),
        "a device-bound token needs no device"
    );
    let n = api::encode_get_qos_profile(&ep(), "QOS_E", &mut buf).unwrap();
    assert!(text(&buf, n).starts_with("GET /qos-profiles/v1/qos-profiles/QOS_E HTTP/1.1\r\n"));
    let q: QosProfileDeviceRequest = qod_core::decode(&vector("retrieve_qos_profiles.json")).unwrap();
    let n = api::encode_retrieve_qos_profiles(&ep(), &q, &mut buf).unwrap();
    assert!(text(&buf, n).starts_with("POST /qos-profiles/v1/retrieve-qos-profiles HTTP/1.1\r\n"));
    // The x-correlator goes out as a header.
    let mut e = ep();
    e.correlator = Some(CORRELATOR);
    let n = api::encode_get_session(&e, ID, &mut buf).unwrap();
    assert!(text(&buf, n).contains(&format!("\r\nx-correlator: {CORRELATOR}\r\n")));
}

#[test]
fn test_bad_input_is_refused_before_sending() {
    let mut buf = [0u8; 2048];
    let create = |f: &dyn Fn(&mut CreateSession)| {
        let mut c = create_body();
        f(&mut c);
        api::encode_create_session(&ep(), &c, &mut [0u8; 2048])
    };
    assert_eq!(
        create(&|c| c.sink = Some("http://plain.example/cb".try_into().unwrap())),
        invalid("sink", Problem::Pattern)
    );
    assert_eq!(
        create(&|c| c.sink = Some("https://".try_into().unwrap())),
        invalid("sink", Problem::NotAUrl)
    );
    assert_eq!(
        create(&|c| c.sink_credential.as_mut().unwrap().credential_type = CredentialType::Plain),
        invalid("sinkCredential.credentialType", Problem::NotAllowed)
    );
    assert_eq!(
        create(&|c| c.sink_credential.as_mut().unwrap().access_token = None),
        invalid("sinkCredential.accessToken", Problem::Missing)
    );
    assert_eq!(
        create(&|c| c.sink_credential.as_mut().unwrap().access_token_expires_utc = None),
        invalid("sinkCredential.accessTokenExpiresUtc", Problem::Missing)
    );
    assert_eq!(
        create(&|c| c.sink_credential.as_mut().unwrap().access_token_type = Some(AccessTokenType::Unknown)),
        invalid("sinkCredential.accessTokenType", Problem::UnknownValue)
    );
    assert_eq!(create(&|c| c.duration = 0), invalid("duration", Problem::OutOfRange));
    assert_eq!(
        create(&|c| c.duration = 1 << 31),
        invalid("duration", Problem::OutOfRange)
    );
    assert_eq!(
        create(&|c| c.device = Some(Device::default())),
        invalid("device", Problem::Empty)
    );
    // v1's phone-number rule: E.164 with the `+`.
    let phone = |p: &str| {
        let p = p.to_owned();
        create(&move |c| {
            c.device = Some(qod_core::fill!(Device {
                phone_number: Some(p.as_str().try_into().unwrap()),
                ..Device::default()
            }))
        })
    };
    assert_eq!(phone("123456789"), invalid("device.phoneNumber", Problem::Pattern));
    assert!(phone("+123456789").is_ok());
    // No device at all is the caller's choice (a device-bound token); the server judges it.
    assert!(create(&|c| c.device = None).is_ok());
    assert!(create(&|c| c.sink_credential = None).is_ok());
    let ext = qod_core::fill!(ExtendSessionDuration {
        requested_additional_duration: 0,
    });
    assert_eq!(
        api::encode_extend_session(&ep(), ID, &ext, &mut buf),
        invalid("requestedAdditionalDuration", Problem::OutOfRange)
    );
    let q = qod_core::fill!(QosProfileDeviceRequest {
        name: Some("Q".try_into().unwrap()),
        ..Default::default()
    });
    assert_eq!(
        api::encode_retrieve_qos_profiles(&ep(), &q, &mut buf),
        invalid("name", Problem::TooShort)
    );
    let q = qod_core::fill!(QosProfileDeviceRequest {
        status: Some(QosProfileStatus::Unknown),
        ..Default::default()
    });
    assert_eq!(
        api::encode_retrieve_qos_profiles(&ep(), &q, &mut buf),
        invalid("status", Problem::UnknownValue)
    );
    assert_eq!(
        api::encode_get_session(&ep(), "a/b", &mut buf),
        invalid("sessionId", Problem::ForbiddenCharacter)
    );
    // The x-correlator against its pattern: no CR/LF injection, no characters the spec does not allow.
    for (bad, problem) in [
        ("a\r\nEvil: 1", Problem::Pattern),
        ("a b", Problem::Pattern),
        ("a,b", Problem::Pattern),
        (&*"a".repeat(257), Problem::TooLong),
    ] {
        let mut e = ep();
        e.correlator = Some(bad);
        assert_eq!(
            api::encode_get_session(&e, ID, &mut buf),
            invalid("x-correlator", problem),
            "{bad:?}"
        );
        assert_eq!(
            api::encode_create_session(&e, &create_body(), &mut buf),
            invalid("x-correlator", problem)
        );
    }
}

/// Reads `wire` as one response and runs `op`'s decoder on it.
fn run<O: Operation>(op: &mut O, wire: &str) -> Result<O::Output, ResponseError> {
    let mut buf = vec![0u8; 16 * 1024];
    let mut r = ResponseReader::new(&mut buf);
    r.receive_buffer()[..wire.len()].copy_from_slice(wire.as_bytes());
    r.commit(wire.len());
    assert!(matches!(r.poll(), Ok(Status::Complete(_))), "{wire}");
    op.decode(&r.response().unwrap())
}

fn wire(status: u16, correlator: Option<&str>, body: &str) -> String {
    let c = correlator.map(|c| format!("x-correlator: {c}\r\n")).unwrap_or_default();
    format!(
        "HTTP/1.1 {status} X\r\n{c}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

#[test]
fn test_operations_decode_and_keep_the_correlator() {
    let session = String::from_utf8(vector("session_info_full.json")).unwrap();
    let mut out = SessionInfo::default();
    let mut c = XCorrelator::new();
    let mut get = op::GetSession::new(ID, &mut out).with_correlator(&mut c);
    run(&mut get, &wire(200, Some(CORRELATOR), &session)).unwrap();
    assert_eq!(c.as_str(), CORRELATOR);
    assert_eq!(out.status_info, Some(StatusInfo::NetworkTerminated));
    // On an error too; a value that breaks the pattern is not kept.
    let mut get = op::GetSession::new(ID, &mut out).with_correlator(&mut c);
    let e = run(
        &mut get,
        &wire(
            404,
            Some("other-1"),
            r#"{"status":404,"code":"NOT_FOUND","message":"gone"}"#,
        ),
    );
    assert!(matches!(e, Err(ResponseError::Api(ref a)) if a.status == 404), "{e:?}");
    assert_eq!(c.as_str(), "other-1");
    let mut get = op::GetSession::new(ID, &mut out).with_correlator(&mut c);
    run(&mut get, &wire(200, Some("bad value!"), &session)).unwrap();
    assert_eq!(c.as_str(), "", "a correlator outside the pattern is not kept");
    // Statuses: 201 for create, 204 for delete; anything else is unexpected or an API error.
    let mut out2 = SessionInfo::default();
    let body = create_body();
    run(
        &mut op::CreateSession::new(&body, &mut out2),
        &wire(201, None, &session),
    )
    .unwrap();
    let e = run(
        &mut op::CreateSession::new(&body, &mut out2),
        &wire(200, None, &session),
    );
    assert_eq!(e, Err(ResponseError::Codec(Error::UnexpectedStatus(200))));
    run(&mut op::DeleteSession::new(ID), "HTTP/1.1 204 No Content\r\n\r\n").unwrap();
    let conflict = String::from_utf8(vector("error_info_409.json")).unwrap();
    let ext = qod_core::fill!(ExtendSessionDuration {
        requested_additional_duration: 60,
    });
    match run(
        &mut op::ExtendSession::new(ID, ext, &mut out2),
        &wire(409, None, conflict.trim_end()),
    ) {
        Err(ResponseError::Api(a)) => assert_eq!(a.code(), ErrorCode::SessionExtensionNotAllowed),
        other => panic!("{other:?}"),
    }
    let missing = String::from_utf8(vector("error_info_422.json")).unwrap();
    match run(
        &mut op::CreateSession::new(&body, &mut out2),
        &wire(422, None, missing.trim_end()),
    ) {
        Err(ResponseError::Api(a)) => assert_eq!((a.status, a.code()), (422, ErrorCode::MissingIdentifier)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn test_lists_whole_and_streamed() {
    let list = String::from_utf8(vector("session_list.json")).unwrap();
    let input = RetrieveSessionsInput::default();
    let mut out = SessionList::new();
    run(
        &mut op::RetrieveSessions::new(&input, &mut out),
        &wire(200, None, list.trim_end()),
    )
    .unwrap();
    assert_eq!(out.len(), 2);
    run(&mut op::RetrieveSessions::new(&input, &mut out), &wire(200, None, "[]")).unwrap();
    assert!(out.is_empty());
    let mut scratch = SessionInfo::default();
    let mut ids = Vec::new();
    let mut each = |s: &SessionInfo| ids.push(s.session_id.to_string());
    let n = run(
        &mut op::RetrieveSessionsEach::new(&input, &mut scratch, &mut each),
        &wire(200, None, list.trim_end()),
    );
    assert_eq!(n, Ok(2));
    assert_eq!(
        ids,
        [
            "3fa85f64-5717-4562-b3fc-2c963f66afa6",
            "123e4567-e89b-12d3-a456-426614174000"
        ]
    );
    let profiles = String::from_utf8(vector("qos_profile_list.json")).unwrap();
    let q = QosProfileDeviceRequest::default();
    let mut out = QosProfileList::new();
    run(
        &mut op::RetrieveQosProfiles::new(&q, &mut out),
        &wire(200, None, profiles.trim_end()),
    )
    .unwrap();
    assert_eq!(out.len(), 3);
    let mut scratch = QosProfile::default();
    let mut names = Vec::new();
    let mut each = |p: &QosProfile| names.push(p.name.to_string());
    let n = run(
        &mut op::RetrieveQosProfilesEach::new(&q, &mut scratch, &mut each),
        &wire(200, None, profiles.trim_end()),
    );
    assert_eq!(n, Ok(3));
    assert_eq!(names, ["QOS_E", "QOS_L", "QOS_OLD"]);
    let mut p = QosProfile::default();
    let one = String::from_utf8(vector("qos_profile.json")).unwrap();
    run(
        &mut op::GetQosProfile::new("QOS_VC", &mut p),
        &wire(200, None, one.trim_end()),
    )
    .unwrap();
    assert_eq!(p.l4s_queue_type, Some(L4sQueueType::MixedQueue));
    // A streamed list stops at the first bad item, naming it.
    let bad = list.replace("\"duration\":60", "\"duration\":0");
    let e = run(
        &mut op::RetrieveSessionsEach::new(&input, &mut scratch_session(), &mut |_| {}),
        &wire(200, None, bad.trim_end()),
    );
    assert!(
        matches!(e, Err(ResponseError::Codec(Error::Decode(ref d))) if d.path == "duration"),
        "{e:?}"
    );
    // The operations' idempotence (checked at compile time): only the POSTs that change something are never
    // re-sent.
    const {
        assert!(!<op::CreateSession as Operation>::IDEMPOTENT && !<op::ExtendSession as Operation>::IDEMPOTENT);
        assert!(<op::RetrieveSessions as Operation>::IDEMPOTENT && <op::RetrieveQosProfiles as Operation>::IDEMPOTENT);
        assert!(<op::GetSession as Operation>::IDEMPOTENT && <op::DeleteSession as Operation>::IDEMPOTENT);
    }
}

fn scratch_session() -> SessionInfo {
    SessionInfo::default()
}
