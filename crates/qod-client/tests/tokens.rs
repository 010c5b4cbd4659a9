//! The credentials seam: the client asks its token source before each request, fetches and caches OAuth2 tokens
//! (over the kept-alive connection when the token endpoint shares the API's origin), refreshes them before they
//! expire and once after a 401, and never loops or leaks a secret.
mod support;

use futures_executor::block_on;
use qod_client::auth::{AssertionSigner, Clock};
use qod_client::{Client, ClientCredentials, ClientError};
use qod_core::model::SessionInfo;
use qod_core::oauth::{OAuthErrorCode, TokenError};
use std::cell::Cell;
use support::*;

const SECRET: &str = "s3cr3t-very-secret";

/// A clock the test moves.
#[derive(Debug, Default)]
struct TestClock {
    ms: Cell<u64>,
    unix: Cell<Option<u64>>,
}
impl TestClock {
    fn advance_s(&self, s: u64) {
        self.ms.set(self.ms.get() + s * 1000);
    }
}
impl Clock for TestClock {
    fn now_ms(&self) -> u64 {
        self.ms.get()
    }
    fn unix_time(&self) -> Option<u64> {
        self.unix.get()
    }
}

fn token_ok(token: &str, expires_in: u32) -> Vec<u8> {
    ok(
        200,
        &format!(r#"{{"access_token":"{token}","token_type":"Bearer","expires_in":{expires_in}}}"#),
    )
}

fn session_ok() -> Vec<u8> {
    ok(200, &session_json("AVAILABLE"))
}

fn unauthorized() -> Vec<u8> {
    ok(401, &error_body(401, "UNAUTHENTICATED", "token expired"))
}

/// The form body of a request.
fn body_of(req: &str) -> &str {
    req.split("\r\n\r\n").nth(1).unwrap_or("")
}

/// Splits a connection's bytes into requests (each ends with its Content-Length body or an empty line).
fn requests_in(conn: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = conn;
    while let Some(end) = rest.find("\r\n\r\n") {
        let head = &rest[..end];
        let len = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length: "))
            .map(|v| v.parse::<usize>().unwrap())
            .unwrap_or(0);
        out.push(rest[..end + 4 + len].to_string());
        rest = &rest[end + 4 + len..];
    }
    out
}

#[test]
fn test_token_fetched_once_on_the_same_connection_then_cached() {
    let mock = Mock::new([Script::responses([token_ok("tok-1", 3600), session_ok(), session_ok()])]);
    let clock = TestClock::default();
    let src = ClientCredentials::basic("http://qod.example:9091/oauth/token", "gw", SECRET, &clock).unwrap();
    let mut b = Bufs::new();
    let mut c = Client::new(&mock, MockDelay::default(), config(), &mut b.tx, &mut b.rx).with_token_source(src);
    let mut s = SessionInfo::default();
    block_on(c.get_session(ID, &mut s)).unwrap();
    clock.advance_s(3000);
    block_on(c.get_session(ID, &mut s)).unwrap();
    let st = mock.state();
    assert_eq!(
        st.connects, 1,
        "token request and API calls share one kept-alive connection"
    );
    let reqs = requests_in(&st.requests()[0]);
    assert_eq!(reqs.len(), 3, "{reqs:?}");
    assert!(reqs[0].starts_with("POST /oauth/token HTTP/1.1\r\nHost: qod.example:9091\r\nAuthorization: Basic "));
    assert_eq!(body_of(&reqs[0]), "grant_type=client_credentials");
    for r in &reqs[1..] {
        assert!(r.starts_with(&format!("GET /qod/v0/sessions/{ID} ")), "{r}");
        assert!(r.contains("\r\nAuthorization: Bearer tok-1\r\n"), "{r}");
    }
}

#[test]
fn test_token_refreshed_before_it_expires() {
    let mock = Mock::new([Script::responses([
        token_ok("tok-1", 100),
        session_ok(),
        token_ok("tok-2", 100),
        session_ok(),
    ])]);
    let clock = TestClock::default();
    let src = ClientCredentials::post("http://qod.example:9091/oauth/token", "gw", SECRET, &clock).unwrap();
    let mut b = Bufs::new();
    let mut c = Client::new(&mock, MockDelay::default(), config(), &mut b.tx, &mut b.rx).with_token_source(src);
    let mut s = SessionInfo::default();
    block_on(c.get_session(ID, &mut s)).unwrap();
    // 100 s lifetime: refreshed a tenth early, at 90 s.
    clock.advance_s(90);
    block_on(c.get_session(ID, &mut s)).unwrap();
    let reqs = requests_in(&mock.state().requests()[0]);
    assert_eq!(reqs.len(), 4);
    assert_eq!(
        body_of(&reqs[2]),
        format!("grant_type=client_credentials&client_id=gw&client_secret={SECRET}")
    );
    assert!(reqs[3].contains("Bearer tok-2"), "{}", reqs[3]);
}

#[test]
fn test_refreshed_once_after_a_401_and_the_request_repeated_even_a_post() {
    let created = ok(201, &session_json("REQUESTED"));
    let mock = Mock::new([Script::responses([
        token_ok("tok-1", 3600),
        unauthorized(),
        token_ok("tok-2", 3600),
        created,
    ])]);
    let clock = TestClock::default();
    let src = ClientCredentials::basic("http://qod.example:9091/oauth/token", "gw", SECRET, &clock).unwrap();
    let mut b = Bufs::new();
    let mut c = Client::new(&mock, MockDelay::default(), config(), &mut b.tx, &mut b.rx).with_token_source(src);
    let mut s = SessionInfo::default();
    block_on(c.create_session(&create_body(), &mut s)).unwrap();
    let reqs = requests_in(&mock.state().requests()[0]);
    let posts: Vec<_> = reqs
        .iter()
        .filter(|r| r.starts_with("POST /qod/v0/sessions "))
        .collect();
    assert_eq!(posts.len(), 2);
    assert!(posts[0].contains("Bearer tok-1") && posts[1].contains("Bearer tok-2"));
}

#[test]
fn test_a_second_401_right_after_the_refresh_is_returned_not_looped() {
    let mock = Mock::new([Script::responses([
        token_ok("tok-1", 3600),
        unauthorized(),
        token_ok("tok-2", 3600),
        unauthorized(),
        token_ok("never-fetched", 3600),
    ])]);
    let clock = TestClock::default();
    let src = ClientCredentials::basic("http://qod.example:9091/oauth/token", "gw", SECRET, &clock).unwrap();
    let mut b = Bufs::new();
    let mut c = Client::new(&mock, MockDelay::default(), config(), &mut b.tx, &mut b.rx).with_token_source(src);
    let e = block_on(c.get_session(ID, &mut SessionInfo::default())).unwrap_err();
    assert_eq!(e.status(), Some(401), "{e:?}");
    let reqs = requests_in(&mock.state().requests()[0]);
    assert_eq!(reqs.iter().filter(|r| r.starts_with("POST /oauth/token")).count(), 2);
    assert_eq!(reqs.len(), 4);
}

#[test]
fn test_a_static_token_is_not_refreshed_after_a_401() {
    let mock = Mock::new([Script::responses([unauthorized(), session_ok()])]);
    let mut b = Bufs::new();
    let mut c = client(&mock, &mut b);
    let e = block_on(c.get_session(ID, &mut SessionInfo::default())).unwrap_err();
    assert_eq!(e.status(), Some(401));
    assert_eq!(requests_in(&mock.state().requests()[0]).len(), 1);
}

#[test]
fn test_token_endpoint_failures_are_typed() {
    type Check = fn(&TokenError) -> bool;
    let cases: Vec<(Vec<u8>, Check)> = vec![
        (
            ok(
                401,
                r#"{"error":"invalid_client","error_description":"unknown client"}"#,
            ),
            |e| matches!(e, TokenError::Refused(o) if o.error == OAuthErrorCode::InvalidClient),
        ),
        (
            ok(400, r#"{"error":"invalid_request"}"#),
            |e| matches!(e, TokenError::Refused(o) if o.status == 400),
        ),
        (ok(200, "garbage"), |e| matches!(e, TokenError::Decode(_))),
        (ok(200, r#"{"access_token":"t","token_type":"Bearer"}"#), |e| {
            *e == TokenError::NoExpiry
        }),
        (ok(503, "<html>down</html>"), |e| {
            *e == TokenError::UnexpectedStatus(503)
        }),
    ];
    for (resp, check) in cases {
        let mock = Mock::new([Script::responses([resp])]);
        let clock = TestClock::default();
        let src = ClientCredentials::basic("http://qod.example:9091/oauth/token", "gw", SECRET, &clock).unwrap();
        let mut b = Bufs::new();
        let mut c = Client::new(&mock, MockDelay::default(), config(), &mut b.tx, &mut b.rx).with_token_source(src);
        match block_on(c.get_session(ID, &mut SessionInfo::default())) {
            Err(ClientError::Token(e)) => {
                assert!(check(&e), "{e:?}");
                let text = ClientError::<MockError>::Token(e).to_string();
                assert!(!text.contains(SECRET), "{text}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            requests_in(&mock.state().requests()[0]).len(),
            1,
            "no API request without a token"
        );
    }
}

#[test]
fn test_assumed_lifetime_for_tokens_without_expires_in() {
    let mock = Mock::new([Script::responses([
        ok(200, r#"{"access_token":"t","token_type":"Bearer"}"#),
        session_ok(),
    ])]);
    let clock = TestClock::default();
    let src = ClientCredentials::basic("http://qod.example:9091/oauth/token", "gw", SECRET, &clock)
        .unwrap()
        .assume_lifetime(300);
    let mut b = Bufs::new();
    let mut c = Client::new(&mock, MockDelay::default(), config(), &mut b.tx, &mut b.rx).with_token_source(src);
    block_on(c.get_session(ID, &mut SessionInfo::default())).unwrap();
    assert!(c.tokens().has_token());
    clock.advance_s(271);
    assert!(
        !c.tokens().has_token(),
        "refreshed 30 s (a tenth) before the assumed 300 s"
    );
}

#[test]
fn test_token_endpoint_on_another_origin_gets_its_own_connection() {
    let mock = Mock::new([
        Script::responses([session_ok()]),
        Script::responses([token_ok("tok-2", 3600)]),
        Script::responses([session_ok()]),
    ]);
    let clock = TestClock::default();
    let src = ClientCredentials::basic("https://auth.example/oauth/token", "gw", SECRET, &clock).unwrap();
    let mut b = Bufs::new();
    let mut c = Client::new(&mock, MockDelay::default(), config(), &mut b.tx, &mut b.rx);
    c.set_token(Some(TOKEN));
    block_on(c.get_session(ID, &mut SessionInfo::default())).unwrap();
    let mut c = c.with_token_source(src);
    block_on(c.get_session(ID, &mut SessionInfo::default())).unwrap();
    let st = mock.state();
    assert_eq!(
        st.urls,
        [
            "http://qod.example:9091/qod/v0",
            "https://auth.example/oauth/token",
            "http://qod.example:9091/qod/v0"
        ]
    );
    assert_eq!(
        (st.closes, st.aborts),
        (2, 0),
        "the API connection, then the token connection, closed gracefully"
    );
}

/// Signs with a fixed "signature"; records what it signed.
struct TestSigner(Vec<u8>);
impl AssertionSigner for TestSigner {
    fn sign_es256(&mut self, input: &[u8]) -> Option<[u8; 64]> {
        self.0 = input.to_vec();
        Some([0xab; 64])
    }
    fn nonce(&mut self, out: &mut [u8; 16]) {
        *out = [0x5a; 16];
    }
}

fn b64url_json(part: &str) -> serde_json::Value {
    let pad = "=".repeat((4 - part.len() % 4) % 4);
    let std = part.replace('-', "+").replace('_', "/") + &pad;
    let bytes = base64_decode(&std);
    serde_json::from_slice(&bytes).unwrap()
}

fn base64_decode(s: &str) -> Vec<u8> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes().filter(|c| *c != b'=') {
        bits = (bits << 6) | A.iter().position(|a| *a == c).unwrap() as u32;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    out
}

#[test]
fn test_private_key_jwt_without_a_clock_learns_the_time_from_the_server() {
    let probe_answer =
        b"HTTP/1.1 405 Method Not Allowed\r\nDate: Tue, 01 Dec 2026 11:11:30 GMT\r\nContent-Length: 0\r\n\r\n".to_vec();
    let mock = Mock::new([Script::responses([probe_answer, token_ok("tok-j", 600), session_ok()])]);
    let clock = TestClock::default();
    clock.advance_s(5);
    let src = ClientCredentials::private_key_jwt(
        "http://qod.example:9091/oauth/token",
        "dev-42",
        TestSigner(Vec::new()),
        Some("key-1"),
        &clock,
    )
    .unwrap();
    let mut b = Bufs::new();
    let mut c = Client::new(&mock, MockDelay::default(), config(), &mut b.tx, &mut b.rx).with_token_source(src);
    block_on(c.get_session(ID, &mut SessionInfo::default())).unwrap();
    let reqs = requests_in(&mock.state().requests()[0]);
    assert_eq!(reqs.len(), 3, "{reqs:?}");
    assert_eq!(reqs[0], "GET /oauth/token HTTP/1.1\r\nHost: qod.example:9091\r\n\r\n");
    let form = body_of(&reqs[1]);
    let assertion = form.split("&client_assertion=").nth(1).unwrap();
    assert!(form.starts_with(
        "grant_type=client_credentials&client_id=dev-42&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&"
    ));
    let parts: Vec<&str> = assertion.split('.').collect();
    assert_eq!(parts.len(), 3);
    assert_eq!(
        b64url_json(parts[0]),
        serde_json::json!({"alg": "ES256", "typ": "JWT", "kid": "key-1"})
    );
    assert_eq!(
        b64url_json(parts[1]),
        serde_json::json!({
            "iss": "dev-42", "sub": "dev-42", "aud": "http://qod.example:9091/oauth/token",
            "jti": "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a", "iat": 1_796_123_490u64, "exp": 1_796_123_550u64
        })
    );
    assert!(reqs[2].contains("Bearer tok-j"));
}

#[test]
fn test_private_key_jwt_with_no_time_anywhere_fails_clearly() {
    let mock = Mock::new([Script::responses([ok(404, "")])]);
    let clock = TestClock::default();
    let src = ClientCredentials::private_key_jwt(
        "http://qod.example:9091/oauth/token",
        "dev-42",
        TestSigner(Vec::new()),
        None,
        &clock,
    )
    .unwrap();
    let mut b = Bufs::new();
    let mut c = Client::new(&mock, MockDelay::default(), config(), &mut b.tx, &mut b.rx).with_token_source(src);
    let e = block_on(c.get_session(ID, &mut SessionInfo::default())).unwrap_err();
    assert_eq!(e, ClientError::Token(TokenError::NoClock));
    assert!(e.to_string().contains("wall-clock"), "{e}");
    assert_eq!(
        requests_in(&mock.state().requests()[0]).len(),
        1,
        "one probe, then no request"
    );
}

#[test]
fn test_private_key_jwt_with_a_clock_needs_no_probe() {
    let mock = Mock::new([Script::responses([token_ok("tok-j", 600), session_ok()])]);
    let clock = TestClock::default();
    clock.unix.set(Some(1_800_000_000));
    let src = ClientCredentials::private_key_jwt(
        "http://qod.example:9091/oauth/token",
        "dev-42",
        TestSigner(Vec::new()),
        None,
        &clock,
    )
    .unwrap();
    let mut b = Bufs::new();
    let mut c = Client::new(&mock, MockDelay::default(), config(), &mut b.tx, &mut b.rx).with_token_source(src);
    block_on(c.get_session(ID, &mut SessionInfo::default())).unwrap();
    let reqs = requests_in(&mock.state().requests()[0]);
    assert!(reqs[0].starts_with("POST /oauth/token"));
    let assertion = body_of(&reqs[0]).split("&client_assertion=").nth(1).unwrap();
    assert_eq!(
        b64url_json(assertion.split('.').nth(1).unwrap())["iat"],
        1_800_000_000u64
    );
}

#[test]
fn test_no_secret_or_token_in_debug() {
    let mock = Mock::new([Script::responses([token_ok("tok-SECRET-TOKEN", 3600), session_ok()])]);
    let clock = TestClock::default();
    let src = ClientCredentials::basic("http://qod.example:9091/oauth/token", "gw", SECRET, &clock).unwrap();
    let mut b = Bufs::new();
    let mut c = Client::new(&mock, MockDelay::default(), config(), &mut b.tx, &mut b.rx).with_token_source(src);
    block_on(c.get_session(ID, &mut SessionInfo::default())).unwrap();
    let d = format!("{c:?}");
    assert!(!d.contains(SECRET) && !d.contains("SECRET-TOKEN"), "{d}");
    assert!(d.contains("client_secret_basic") && d.contains("\"gw\""), "{d}");
}
