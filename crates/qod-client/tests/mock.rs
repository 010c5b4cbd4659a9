//! The client over an in-memory mock connector (minimq style): scripted rx chunks, EOFs, injected errors, short
//! writes, a server that never answers; and a `MockDelay` that records every wait and completes at once.
mod support;

use embedded_io::ErrorKind;
use futures_executor::block_on;
use qod_client::{Client, ClientError, PollPolicy, RetryPolicy};
use qod_core::model::{ErrorCode, QosProfile, QosProfileList, QosStatus, SessionInfo};
use support::*;

#[test]
fn test_get_session_sends_bearer_and_decodes() {
    let mut b = Bufs::new();
    let mock = Mock::new([Script::responses([ok(200, &session_json("AVAILABLE"))])]);
    let mut c = client(&mock, &mut b);
    let mut s = SessionInfo::default();
    block_on(c.get_session(ID, &mut s)).unwrap();
    assert_eq!(s.session_id.as_str(), ID);
    assert_eq!(s.qos_status, QosStatus::Available);
    let m = c.connector().state();
    assert_eq!(
        m.requests()[0],
        format!(
            "GET /qod/v0/sessions/{ID} HTTP/1.1\r\nHost: qod.example:9091\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"
        )
    );
    assert_eq!(
        m.urls,
        ["http://qod.example:9091/qod/v0"],
        "the connector is asked for the server's URL"
    );
    drop(m);
    assert!(c.is_connected(), "HTTP/1.1 with Content-Length keeps the connection");
}

#[test]
fn test_fragmented_response_and_short_writes() {
    let resp = ok(201, &session_json("REQUESTED"));
    let mut script = Script::new(resp.iter().map(|b| Rx::Data(vec![*b])));
    script.max_write = Some(3);
    let mut b = Bufs::new();
    let mock = Mock::new([script]);
    let mut c = client(&mock, &mut b);
    let mut s = SessionInfo::default();
    block_on(c.create_session(&create_body(), &mut s)).unwrap();
    assert_eq!(s.qos_status, QosStatus::Requested);
    let req = &c.connector().requests()[0];
    assert!(req.starts_with("POST /qod/v0/sessions HTTP/1.1\r\n"), "{req}");
    assert!(
        req.ends_with(r#""qosProfile":"QOS_VC","duration":600}"#),
        "whole body written despite 3-byte writes: {req}"
    );
}

#[test]
fn test_chunked_response_split_across_reads() {
    let body = session_json("AVAILABLE");
    let (a, z) = body.split_at(100);
    let wire = format!(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{a}\r\n{:x}\r\n{z}\r\n0\r\n\r\n",
        a.len(),
        z.len()
    );
    let chunks: Vec<Rx> = wire.as_bytes().chunks(7).map(|c| Rx::Data(c.to_vec())).collect();
    let mut b = Bufs::new();
    let mock = Mock::new([Script::new(chunks)]);
    let mut c = client(&mock, &mut b);
    let mut s = SessionInfo::default();
    block_on(c.get_session(ID, &mut s)).unwrap();
    assert_eq!(s.expires_at, 1639480200);
}

#[test]
fn test_keep_alive_reused_and_connection_close_honoured() {
    let j = session_json("AVAILABLE");
    let mock = Mock::new([
        Script::responses([ok(200, &j), closing(200, &j)]),
        Script::responses([ok(204, "")]),
    ]);
    let mut b = Bufs::new();
    let mut c = client(&mock, &mut b);
    let mut s = SessionInfo::default();
    block_on(c.get_session(ID, &mut s)).unwrap();
    block_on(c.get_session(ID, &mut s)).unwrap();
    assert!(!c.is_connected());
    block_on(c.delete_session(ID)).unwrap();
    let m = c.connector().state();
    assert_eq!(m.connects, 2, "first two requests share one connection");
    assert_eq!(m.closes, 1, "Connection: close is followed by a graceful close");
    assert_eq!(m.aborts, 0);
    assert_eq!(m.sent[0].windows(4).filter(|w| w == b"GET ").count(), 2);
    assert!(m.requests()[1].starts_with("DELETE "));
}

#[test]
fn test_stale_keep_alive_get_retried_once_on_fresh_connection() {
    let j = session_json("AVAILABLE");
    // Connection 1: one response, then the server closes it while idle. Connection 2 answers.
    let mock = Mock::new([
        Script::new([Rx::Data(ok(200, &j)), Rx::Eof]),
        Script::responses([ok(200, &j)]),
    ]);
    let mut b = Bufs::new();
    let mut c = client(&mock, &mut b);
    let mut s = SessionInfo::default();
    block_on(c.get_session(ID, &mut s)).unwrap();
    block_on(c.get_session(ID, &mut s)).unwrap();
    let m = c.connector().state();
    assert_eq!(m.connects, 2);
    assert_eq!(m.aborts, 1);
}

#[test]
fn test_stale_reset_then_retry_also_fails_gives_error() {
    let j = session_json("AVAILABLE");
    let mock = Mock::new([
        Script::new([Rx::Data(ok(200, &j)), Rx::Err(ErrorKind::ConnectionReset)]),
        Script::new([Rx::Err(ErrorKind::ConnectionReset)]),
    ]);
    let mut b = Bufs::new();
    let mut c = client(&mock, &mut b);
    let mut s = SessionInfo::default();
    block_on(c.get_session(ID, &mut s)).unwrap();
    let e = block_on(c.get_session(ID, &mut s)).unwrap_err();
    assert_eq!(e, ClientError::Transport(MockError(ErrorKind::ConnectionReset)));
    assert_eq!(c.connector().state().connects, 2, "exactly one retry");
}

#[test]
fn test_stale_keep_alive_post_is_never_resent() {
    let j = session_json("AVAILABLE");
    let mut dead = Script::new([Rx::Data(ok(200, &j)), Rx::Eof]);
    dead.max_write = None;
    let mock = Mock::new([dead, Script::responses([ok(201, &j)])]);
    let mut b = Bufs::new();
    let mut c = client(&mock, &mut b);
    let mut s = SessionInfo::default();
    block_on(c.get_session(ID, &mut s)).unwrap();
    let e = block_on(c.create_session(&create_body(), &mut s)).unwrap_err();
    assert_eq!(e, ClientError::ConnectionClosed);
    let m = c.connector().state();
    assert_eq!(m.connects, 1, "no fresh connection, no second POST");
    assert_eq!(m.sent[0].windows(5).filter(|w| w == b"POST ").count(), 1);
    assert!(e.to_string().contains("not re-sent"));
}

#[test]
fn test_post_reconnects_first_when_peer_closed_idle_connection() {
    let j = session_json("REQUESTED");
    let mock = Mock::new([Script::responses([ok(200, &j)]), Script::responses([ok(201, &j)])]);
    let mut b = Bufs::new();
    let mut c = client(&mock, &mut b);
    let mut s = SessionInfo::default();
    block_on(c.get_session(ID, &mut s)).unwrap();
    c.connector().set_peer_closed();
    block_on(c.create_session(&create_body(), &mut s)).unwrap();
    let m = c.connector().state();
    assert_eq!(m.connects, 2);
    assert!(m.requests()[1].starts_with("POST "));
}

#[test]
fn test_server_closes_mid_response() {
    let full = ok(200, &session_json("AVAILABLE"));
    let mock = Mock::new([Script::new([Rx::Data(full[..full.len() - 10].to_vec()), Rx::Eof])]);
    let mut b = Bufs::new();
    let mut c = client(&mock, &mut b);
    let e = block_on(c.get_session(ID, &mut SessionInfo::default())).unwrap_err();
    assert_eq!(e, ClientError::ConnectionClosed);
    assert!(!c.is_connected());
}

#[test]
fn test_slow_server_times_out_and_aborts() {
    let mock = Mock::new([Script::new([Rx::Data(b"HTTP/1.1 200 OK\r\n".to_vec()), Rx::Never])]);
    let mut b = Bufs::new();
    let mut c = client(&mock, &mut b);
    let e = block_on(c.get_session(ID, &mut SessionInfo::default())).unwrap_err();
    assert_eq!(e, ClientError::Timeout);
    assert_eq!(c.connector().state().aborts, 1);
    assert!(!c.is_connected());
    assert!(e.to_string().contains("timeout_ms"));
}

#[test]
fn test_transport_errors() {
    let mut b = Bufs::new();
    let mock = Mock::new([]);
    let mut c = client(&mock, &mut b);
    let e = block_on(c.delete_session(ID)).unwrap_err();
    assert_eq!(e, ClientError::Transport(MockError(ErrorKind::ConnectionRefused)));
    assert_eq!(embedded_io::Error::kind(&e), ErrorKind::ConnectionRefused);
    let w = Script {
        write_err: true,
        ..Default::default()
    };
    let mut b = Bufs::new();
    let mock = Mock::new([w]);
    let mut c = client(&mock, &mut b);
    let e = block_on(c.delete_session(ID)).unwrap_err();
    assert_eq!(
        e,
        ClientError::Transport(MockError(ErrorKind::ConnectionReset)),
        "a fresh connection is not retried"
    );
}

#[test]
fn test_api_errors_are_typed_with_hints() {
    let cases = [
        (400, "INVALID_ARGUMENT", ErrorCode::InvalidArgument, "fix the request"),
        (401, "UNAUTHENTICATED", ErrorCode::Unauthenticated, "token"),
        (404, "NOT_FOUND", ErrorCode::NotFound, "does not exist"),
        (409, "CONFLICT", ErrorCode::Conflict, "already exists"),
    ];
    for (status, code, want, hint) in cases {
        let mut b = Bufs::new();
        let mock = Mock::new([Script::responses([ok(status, &error_body(status, code, "nope"))])]);
        let mut c = client(&mock, &mut b);
        let e = block_on(c.get_session(ID, &mut SessionInfo::default())).unwrap_err();
        assert_eq!(e.status(), Some(status));
        assert_eq!(e.api_code(), Some(want));
        let text = e.to_string();
        assert!(
            text.contains(&format!("{status} {code}: nope")) && text.contains(hint),
            "{text}"
        );
        assert!(c.is_connected(), "an API error does not spoil the connection");
    }
}

#[test]
fn test_retry_after_honoured_within_bound() {
    let busy = format!(
        "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 2\r\nContent-Length: {}\r\n\r\n{}",
        error_body(503, "UNAVAILABLE", "busy").len(),
        error_body(503, "UNAVAILABLE", "busy")
    );
    let j = session_json("AVAILABLE");
    let mut b = Bufs::new();
    let mut cfg = config();
    cfg.retry = RetryPolicy::new(2, 5_000, 100);
    let mock = Mock::new([Script::responses([busy.clone().into_bytes(), ok(429, ""), ok(200, &j)])]);
    let mut c = Client::new(&mock, MockDelay::default(), cfg, &mut b.tx, &mut b.rx).with_token(TOKEN);
    let mut s = SessionInfo::default();
    block_on(c.get_session(ID, &mut s)).unwrap();
    let d = block_on(c.into_parts());
    let m = mock.state();
    assert_eq!(d.0, vec![2000, 100], "Retry-After 2 s, then the default wait");
    assert_eq!(m.sent[0].windows(4).filter(|w| w == b"GET ").count(), 3);

    // Retry-After above the bound: no wait, the error carries it.
    let mut b = Bufs::new();
    let mut cfg = config();
    cfg.retry = RetryPolicy::new(2, 1_000, 100);
    let mock = Mock::new([Script::responses([busy.into_bytes()])]);
    let mut c = Client::new(&mock, MockDelay::default(), cfg, &mut b.tx, &mut b.rx).with_token(TOKEN);
    match block_on(c.get_session(ID, &mut s)).unwrap_err() {
        ClientError::Api(e) => assert_eq!((e.status, e.retry_after), (503, Some(2))),
        e => panic!("{e:?}"),
    }
}

#[test]
fn test_invalid_input_refused_before_connecting() {
    let mut body = create_body();
    body.device.phone_number = Some("12".try_into().unwrap());
    let mut b = Bufs::new();
    let mock = Mock::new([Script::responses([ok(201, "")])]);
    let mut c = client(&mock, &mut b);
    let e = block_on(c.create_session(&body, &mut SessionInfo::default())).unwrap_err();
    assert!(matches!(e, ClientError::Codec(qod_core::Error::Invalid(_))), "{e:?}");
    assert!(e.to_string().contains("device.phoneNumber"), "{e}");
    assert_eq!(c.connector().state().connects, 0);
}

#[test]
fn test_response_larger_than_rx_buffer() {
    let mut tx = [0u8; 512];
    let mut rx = [0u8; 128];
    let mock = Mock::new([Script::responses([ok(200, &session_json("AVAILABLE"))])]);
    let mut c = Client::new(&mock, MockDelay::default(), config(), &mut tx, &mut rx).with_token(TOKEN);
    let e = block_on(c.get_session(ID, &mut SessionInfo::default())).unwrap_err();
    assert_eq!(e, ClientError::Codec(qod_core::HttpError::TooLarge.into()));
    assert!(e.to_string().contains("rx_buf"));
    let mut tx = [0u8; 64];
    let mut rx = [0u8; 128];
    let mock = Mock::new([]);
    let mut c = Client::new(&mock, MockDelay::default(), config(), &mut tx, &mut rx).with_token(TOKEN);
    let e = block_on(c.get_session(ID, &mut SessionInfo::default())).unwrap_err();
    assert!(e.to_string().contains("tx_buf"));
}

#[test]
fn test_extra_bytes_after_response_prevent_reuse() {
    let j = session_json("AVAILABLE");
    let mut resp = ok(200, &j);
    resp.extend_from_slice(b"HTTP/1.1 200 OK\r\n");
    let mock = Mock::new([Script::responses([resp]), Script::responses([ok(200, &j)])]);
    let mut b = Bufs::new();
    let mut c = client(&mock, &mut b);
    let mut s = SessionInfo::default();
    block_on(c.get_session(ID, &mut s)).unwrap();
    assert!(!c.is_connected());
    block_on(c.get_session(ID, &mut s)).unwrap();
    assert_eq!(c.connector().state().connects, 2);
}

#[test]
fn test_wait_until_available_polls() {
    let (r, a, u) = (
        session_json("REQUESTED"),
        session_json("AVAILABLE"),
        session_json("UNAVAILABLE"),
    );
    let poll = PollPolicy::new(500, 1200);
    let mut b = Bufs::new();
    let mock = Mock::new([Script::responses([ok(200, &r), ok(200, &r), ok(200, &a)])]);
    let mut c = client(&mock, &mut b);
    let mut s = SessionInfo::default();
    block_on(c.wait_until_available(ID, &mut s, poll)).unwrap();
    assert_eq!(s.qos_status, QosStatus::Available);
    let d = block_on(c.into_parts());
    assert_eq!(d.0, vec![500, 500]);

    let mut b = Bufs::new();
    let mock = Mock::new([Script::responses([ok(200, &r), ok(200, &u)])]);
    let mut c = client(&mock, &mut b);
    assert_eq!(
        block_on(c.wait_until_available(ID, &mut s, poll)),
        Err(ClientError::SessionUnavailable(None))
    );

    let mut b = Bufs::new();
    let mock = Mock::new([Script::responses(std::iter::repeat_n(ok(200, &r), 5))]);
    let mut c = client(&mock, &mut b);
    assert_eq!(
        block_on(c.wait_until_available(ID, &mut s, poll)),
        Err(ClientError::DeadlineExceeded)
    );
    assert_eq!(
        c.connector().state().sent[0]
            .windows(4)
            .filter(|w| w == b"GET ")
            .count(),
        4,
        "polls at 0, 500, 1000, 1200 ms"
    );
}

#[test]
fn test_profiles() {
    let p = r#"{"name":"QOS_VC","status":"ACTIVE","maxDownstreamRate":{"value":10,"unit":"Mbps"}}"#;
    let mut b = Bufs::new();
    let mock = Mock::new([Script::responses([ok(200, &format!("[{p}]")), ok(200, p)])]);
    let mut c = client(&mock, &mut b);
    let mut list = QosProfileList::new();
    block_on(c.qos_profiles(None, None, &mut list)).unwrap();
    assert_eq!(list.len(), 1);
    let mut one = QosProfile::default();
    block_on(c.qos_profile("QOS_VC", &mut one)).unwrap();
    assert_eq!(one.name.as_str(), "QOS_VC");
    let reqs = c.connector().requests();
    assert!(
        reqs[0].contains("GET /qod/v0/qos-profiles HTTP/1.1\r\n")
            && reqs[0].contains("GET /qod/v0/qos-profiles/QOS_VC HTTP/1.1\r\n")
    );
}

#[test]
fn test_secrets_not_in_debug() {
    let mut b = Bufs::new();
    let mock = Mock::new([]);
    let c = client(&mock, &mut b);
    let d = format!("{c:?} {:?}", c.config());
    assert!(!d.contains(TOKEN) && d.contains("redacted"), "{d}");
}

/// A delay that never completes, so only the test decides when a request stops.
struct NeverDelay;
impl embedded_hal_async::delay::DelayNs for NeverDelay {
    async fn delay_ns(&mut self, _: u32) {
        core::future::pending().await
    }
}

#[test]
fn test_request_dropped_mid_response_does_not_poison_the_connection() {
    use std::future::Future;
    use std::task::{Context, Poll as TaskPoll, Waker};
    let j = session_json("AVAILABLE");
    let whole = ok(200, &j);
    // Connection 1 sends half a response, then nothing. Connection 2 answers.
    let mock = Mock::new([
        Script::new([Rx::Data(whole[..40].to_vec()), Rx::Never]),
        Script::responses([whole.clone()]),
    ]);
    let mut b = Bufs::new();
    let mut c = Client::new(&mock, NeverDelay, config(), &mut b.tx, &mut b.rx).with_token(TOKEN);
    let mut s = SessionInfo::default();
    let mut cx = Context::from_waker(Waker::noop());
    {
        let first = std::pin::pin!(c.get_session(ID, &mut s));
        assert!(first.poll(&mut cx).is_pending(), "waits for the rest of the response");
        // Dropped here, as a caller's own timeout would.
    }
    // Every mock operation but `Never` completes at once: one poll must finish the next request on a new connection.
    {
        let second = std::pin::pin!(c.get_session(ID, &mut s));
        let ready = matches!(second.poll(&mut cx), TaskPoll::Ready(Ok(())));
        assert!(ready, "reused the half-read connection");
    }
    assert_eq!(s.qos_status, QosStatus::Available);
    let m = c.connector().state();
    assert_eq!((m.connects, m.aborts), (2, 1));
}

/// A timer that fires after it has been polled `n` times (each poll that is not the last wakes the task again): time
/// passes only when the client lets its timer be looked at.
struct PolledDelay(u32);
impl embedded_hal_async::delay::DelayNs for PolledDelay {
    async fn delay_ns(&mut self, _: u32) {
        let mut left = self.0;
        core::future::poll_fn(|cx| {
            if left == 0 {
                return std::task::Poll::Ready(());
            }
            left -= 1;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        })
        .await
    }
}

#[test]
fn test_timeout_holds_when_the_server_never_runs_dry() {
    // Interim heads, ready at every read: without a yield in the read loop the exchange never returns `Pending`,
    // the timeout it races against is never polled, and this request never ends.
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mock = Mock::new([Script::new([Rx::Repeat(b"HTTP/1.1 100 Continue\r\n\r\n".repeat(40))])]);
        let mut b = Bufs::new();
        let mut c = Client::new(&mock, PolledDelay(50), config(), &mut b.tx, &mut b.rx);
        let e = block_on(c.get_session(ID, &mut SessionInfo::default())).unwrap_err();
        let _ = done_tx.send(e.to_string());
    });
    let e = done_rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("the request outlived its timeout");
    assert!(e.contains("no complete response in time"), "{e}");
}

/// An operation of the caller's own: the engine hands it the whole response, head included, so headers such as
/// `x-correlator` reach the decoder; a POST query marked idempotent is re-sent once on a stale connection.
#[test]
fn test_run_hands_the_head_to_the_operation() {
    use qod_client::Operation;
    use qod_core::api::{Endpoint, ResponseError};
    use qod_core::http::Response;

    struct Echo {
        correlator: String,
        encodes: std::cell::Cell<u32>,
    }
    impl Operation for Echo {
        type Output = (u16, String, String);
        const IDEMPOTENT: bool = true;
        fn encode(&self, ep: &Endpoint<'_>, buf: &mut [u8]) -> Result<usize, qod_core::Error> {
            self.encodes.set(self.encodes.get() + 1);
            let req = format!(
                "POST {}/echo HTTP/1.1\r\nHost: {}\r\nx-correlator: {}\r\nContent-Length: 0\r\n\r\n",
                ep.base_path, ep.host, self.correlator
            );
            let dst = buf.get_mut(..req.len()).ok_or(qod_core::Error::BufferTooSmall)?;
            dst.copy_from_slice(req.as_bytes());
            Ok(req.len())
        }
        fn decode(&mut self, res: &Response<'_>) -> Result<Self::Output, ResponseError> {
            Ok((
                res.status(),
                res.correlator().unwrap_or("").to_owned(),
                String::from_utf8_lossy(res.body).into_owned(),
            ))
        }
    }
    let reply = b"HTTP/1.1 200 OK\r\nX-Correlator: abc-123\r\nContent-Length: 2\r\n\r\nhi".to_vec();
    // The first connection answers once, then turns out closed when reused: the idempotent query goes again.
    let mock = Mock::new([Script::responses([reply.clone()]), Script::responses([reply])]);
    let mut b = Bufs::new();
    let mut c = client(&mock, &mut b);
    let op = || Echo {
        correlator: "abc-123".into(),
        encodes: std::cell::Cell::new(0),
    };
    let out = block_on(c.run(op())).unwrap();
    assert_eq!(out, (200, "abc-123".to_owned(), "hi".to_owned()));
    let out = block_on(c.run(op())).unwrap();
    assert_eq!(out.1, "abc-123");
    // Two connections: the first carried the first request and the one that met the stale connection.
    let reqs = c.connector().requests().concat();
    assert_eq!(reqs.matches("POST /qod/v0/echo HTTP/1.1\r\n").count(), 3, "{reqs}");
    assert_eq!(reqs.matches("x-correlator: abc-123\r\n").count(), 3, "{reqs}");
}
