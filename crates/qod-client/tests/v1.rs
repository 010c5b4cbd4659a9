//! The 1.1.0 operations of the client (`Client::v1`) over the in-memory mock connector: paths under the API root,
//! the x-correlator out and back, `statusInfo` when a session ends, retrieve-sessions and retrieve-qos-profiles.

mod support;

use futures_executor::block_on;
use qod_client::{Client, ClientError, Config, PollPolicy, Url};
use qod_core::v1::model::*;
use support::*;

const CORRELATOR: &str = "b4333c46-49c0-4f62-80d7-f0ef930f1c46";

fn v1_session(status: &str, tail: &str) -> String {
    format!(
        r#"{{"applicationServer":{{"ipv4Address":"198.51.100.0/24"}},"qosProfile":"QOS_VC","sessionId":"{ID}","duration":600,"qosStatus":"{status}"{tail}}}"#
    )
}

fn with_correlator(status: u16, correlator: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status} X\r\nx-correlator: {correlator}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn v1_client<'b>(mock: &'b Mock, bufs: &'b mut Bufs) -> Client<'b, Mock, MockDelay> {
    let mut config = Config::new(Url::parse("http://qod.example:9091").unwrap());
    config.correlator = Some(CORRELATOR);
    Client::new(mock, MockDelay::default(), config, &mut bufs.tx, &mut bufs.rx).with_token(TOKEN)
}

fn create() -> CreateSession {
    let mut c = CreateSession::default();
    c.application_server.ipv4_address = Some("198.51.100.0/24".try_into().unwrap());
    c.qos_profile = "QOS_VC".try_into().unwrap();
    c.duration = 600;
    c
}

#[test]
fn test_v1_lifecycle_with_correlator_and_status_info() {
    let mock = Mock::new([Script::responses([
        with_correlator(201, CORRELATOR, &v1_session("REQUESTED", "")),
        with_correlator(200, "server-side-1", &v1_session("REQUESTED", "")),
        with_correlator(
            200,
            CORRELATOR,
            &v1_session(
                "UNAVAILABLE",
                r#","startedAt":"2024-06-01T12:00:00Z","expiresAt":"2024-06-01T12:00:07Z","statusInfo":"NETWORK_TERMINATED""#,
            ),
        ),
        ok(204, ""),
    ])]);
    let mut b = Bufs::new();
    let mut c = v1_client(&mock, &mut b);
    let mut s = SessionInfo::default();
    block_on(c.v1().create_session(&create(), &mut s)).unwrap();
    assert_eq!((s.qos_status, s.started_at), (QosStatus::Requested, None));
    assert_eq!(c.last_correlator(), Some(CORRELATOR));
    let poll = PollPolicy::new(100, 1000);
    let e = block_on(c.v1().wait_until_available(ID, &mut s, poll)).unwrap_err();
    assert_eq!(e, ClientError::SessionUnavailable(Some(StatusInfo::NetworkTerminated)));
    assert!(e.to_string().contains("statusInfo NETWORK_TERMINATED"), "{e}");
    assert_eq!(s.expires_at.unwrap().unix() - s.started_at.unwrap().unix(), 7);
    assert_eq!(c.last_correlator(), Some(CORRELATOR));
    block_on(c.v1().delete_session(ID)).unwrap();
    assert_eq!(c.last_correlator(), None);
    let reqs = c.connector().requests().concat();
    assert!(
        reqs.starts_with("POST /quality-on-demand/v1/sessions HTTP/1.1\r\n"),
        "{reqs}"
    );
    assert_eq!(
        reqs.matches(&format!("GET /quality-on-demand/v1/sessions/{ID} HTTP/1.1\r\n"))
            .count(),
        2
    );
    assert!(reqs.contains(&format!("DELETE /quality-on-demand/v1/sessions/{ID} HTTP/1.1\r\n")));
    assert_eq!(
        reqs.matches(&format!("\r\nx-correlator: {CORRELATOR}\r\n")).count(),
        4,
        "{reqs}"
    );
    assert!(reqs.contains(r#""duration":600}"#));
}

#[test]
fn test_v1_retrieve_and_profiles() {
    let list = format!("[{},{}]", v1_session("AVAILABLE", ""), v1_session("REQUESTED", ""));
    let profiles = r#"[{"name":"QOS_E","status":"ACTIVE","countryAvailability":[{"countryName":"GB"}]}]"#;
    let mock = Mock::new([Script::responses([
        ok(200, &list),
        ok(200, &list),
        ok(200, "[]"),
        ok(200, profiles),
        ok(200, r#"{"name":"QOS_E","status":"ACTIVE","serviceClass":"standard"}"#),
        ok(
            409,
            &error_body(409, "QUALITY_ON_DEMAND.SESSION_EXTENSION_NOT_ALLOWED", "not AVAILABLE"),
        ),
    ])]);
    let mut b = Bufs::new();
    let mut c = v1_client(&mock, &mut b);
    let input = qod_core::fill!(RetrieveSessionsInput {
        device: Some(qod_core::fill!(Device {
            phone_number: Some("+123456789".try_into().unwrap()),
            ..Device::default()
        })),
    });
    let mut out = SessionList::new();
    block_on(c.v1().retrieve_sessions(&input, &mut out)).unwrap();
    assert_eq!(out.len(), 2);
    let mut scratch = SessionInfo::default();
    let mut statuses = Vec::new();
    let n = block_on(
        c.v1()
            .retrieve_sessions_each(&input, &mut scratch, &mut |s| statuses.push(s.qos_status)),
    );
    assert_eq!(n, Ok(2));
    assert_eq!(statuses, [QosStatus::Available, QosStatus::Requested]);
    block_on(c.v1().retrieve_sessions(&RetrieveSessionsInput::default(), &mut out)).unwrap();
    assert!(out.is_empty());
    let mut pl = QosProfileList::new();
    let req = qod_core::fill!(QosProfileDeviceRequest {
        status: Some(QosProfileStatus::Active),
        ..Default::default()
    });
    block_on(c.v1().retrieve_qos_profiles(&req, &mut pl)).unwrap();
    assert_eq!(pl[0].country_availability.as_ref().unwrap()[0].country_name, "GB");
    let mut p = QosProfile::default();
    block_on(c.v1().qos_profile("QOS_E", &mut p)).unwrap();
    assert_eq!(p.service_class, Some(ServiceClass::Standard));
    let e = block_on(c.v1().extend_session(ID, 60, &mut scratch)).unwrap_err();
    assert_eq!(e.api_code(), Some(ErrorCode::SessionExtensionNotAllowed));
    // The hint follows the 1.1.0 code, not only the status (409 is also v0.10.1's "another session exists").
    let text = e.to_string();
    assert!(
        text.contains("QUALITY_ON_DEMAND.SESSION_EXTENSION_NOT_ALLOWED")
            && text.contains("only an AVAILABLE session can be extended")
            && !text.contains("already exists"),
        "{text}"
    );
    let reqs = c.connector().requests().concat();
    assert!(reqs.contains("POST /quality-on-demand/v1/retrieve-sessions HTTP/1.1\r\n"));
    assert!(reqs.contains("\r\n\r\n{\"device\":{\"phoneNumber\":\"+123456789\"}}"));
    assert!(
        reqs.contains("\r\n\r\n{}POST"),
        "a device-bound token sends no device: {reqs}"
    );
    assert!(reqs.contains("POST /qos-profiles/v1/retrieve-qos-profiles HTTP/1.1\r\n"));
    assert!(reqs.contains("{\"status\":\"ACTIVE\"}"));
    assert!(reqs.contains("GET /qos-profiles/v1/qos-profiles/QOS_E HTTP/1.1\r\n"));
    assert!(reqs.contains(&format!("POST /quality-on-demand/v1/sessions/{ID}/extend HTTP/1.1\r\n")));
}

#[test]
fn test_v1_invalid_correlator_or_body_sends_nothing() {
    let mock = Mock::new([]);
    let mut b = Bufs::new();
    let mut c = v1_client(&mock, &mut b);
    c.config_mut().correlator = Some("no spaces allowed");
    let mut s = SessionInfo::default();
    let e = block_on(c.v1().get_session(ID, &mut s)).unwrap_err();
    assert!(
        matches!(e, ClientError::Codec(qod_core::Error::Invalid(v)) if v.field == "x-correlator"),
        "{e:?}"
    );
    c.config_mut().correlator = None;
    let mut body = create();
    body.sink = Some("http://insecure.example/cb".try_into().unwrap());
    let e = block_on(c.v1().create_session(&body, &mut s)).unwrap_err();
    assert!(
        matches!(e, ClientError::Codec(qod_core::Error::Invalid(v)) if v.field == "sink"),
        "{e:?}"
    );
    assert!(c.connector().state().urls.is_empty(), "nothing was connected");
}
