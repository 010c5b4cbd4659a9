//! The client over real loopback TCP (feature `tokio`) against scripted raw servers: a server that closes a
//! kept-alive connection while it is idle (stale connection), one that never answers, one that sends its response
//! in 1-byte segments, and one that closes in the middle of the response.
#![cfg(feature = "tokio")]
use qod_client::tokio::{TokioConnector, TokioDelay};
use qod_client::{Client, ClientError, Config, Connection, Url};
use qod_core::model::{CreateSession, SessionInfo};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const ID: &str = "123e4567-e89b-12d3-a456-426614174000";

fn session() -> String {
    format!(
        r#"{{"device":{{"phoneNumber":"+436641234567"}},"applicationServer":{{"ipv4Address":"198.51.100.0/24"}},"qosProfile":"QOS_VC","sessionId":"{ID}","duration":600,"startedAt":1,"expiresAt":601,"qosStatus":"AVAILABLE"}}"#
    )
}

fn response(status: u16) -> Vec<u8> {
    let body = session();
    format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// Reads one request (head + Content-Length body); `None` at EOF or error.
async fn read_request(s: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let len = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap())
                })
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                let n = s.read(&mut chunk).await.ok()?;
                if n == 0 {
                    return None;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return Some(head);
        }
        let n = s.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

struct Server {
    url: String,
    connections: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
}

/// Serves each connection with `script(connection index, stream, request counter)`.
async fn server<F, Fut>(script: F) -> Server
where
    F: Fn(usize, TcpStream, Arc<AtomicUsize>) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/qod/v0", l.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let requests = Arc::new(AtomicUsize::new(0));
    let (c, r) = (connections.clone(), requests.clone());
    tokio::spawn(async move {
        loop {
            let (s, _) = l.accept().await.unwrap();
            let i = c.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(script(i, s, r.clone()));
        }
    });
    Server {
        url,
        connections,
        requests,
    }
}

fn config(url: &str) -> Config<'_> {
    let mut c = Config::new(Url::parse(url).unwrap());
    c.timeout_ms = 2_000;
    c
}

fn create_body() -> CreateSession {
    let mut c = CreateSession::default();
    c.device.phone_number = Some("+436641234567".try_into().unwrap());
    c.application_server.ipv4_address = Some("198.51.100.0/24".try_into().unwrap());
    c.qos_profile = "QOS_VC".try_into().unwrap();
    c
}

/// Answers one request per connection with a keep-alive response, then closes the connection while it is idle.
async fn one_then_close(_: usize, mut s: TcpStream, requests: Arc<AtomicUsize>) {
    if let Some(head) = read_request(&mut s).await {
        requests.fetch_add(1, Ordering::SeqCst);
        let status = if head.starts_with("POST") { 201 } else { 200 };
        s.write_all(&response(status)).await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn test_stale_kept_alive_connection_get_is_retried_once() {
    let srv = server(one_then_close).await;
    let (mut tx, mut rx) = ([0u8; 1024], [0u8; 2048]);
    let connector = TokioConnector::new();
    let mut c = Client::new(&connector, TokioDelay, config(&srv.url), &mut tx, &mut rx);
    let mut s = SessionInfo::default();
    c.get_session(ID, &mut s).await.unwrap();
    assert!(c.is_connected(), "the response allowed keep-alive");
    tokio::time::sleep(Duration::from_millis(100)).await; // the server has closed it by now
    c.get_session(ID, &mut s).await.unwrap();
    assert_eq!(connector.connects(), 2, "the stale connection was replaced once");
    assert_eq!(srv.requests.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn test_post_after_idle_close_goes_on_a_fresh_connection() {
    // `TokioConnector::peer_closed` sees the server's FIN before the POST is sent, so the client reconnects first
    // instead of risking a POST on a dead connection (which it would then refuse to re-send: see tests/mock.rs).
    let srv = server(one_then_close).await;
    let (mut tx, mut rx) = ([0u8; 1024], [0u8; 2048]);
    let connector = TokioConnector::new();
    let mut c = Client::new(&connector, TokioDelay, config(&srv.url), &mut tx, &mut rx);
    let mut s = SessionInfo::default();
    c.get_session(ID, &mut s).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        c.connection().is_some_and(|c| c.peer_closed()),
        "the idle close is visible locally"
    );
    c.create_session(&create_body(), &mut s).await.unwrap();
    assert_eq!(connector.connects(), 2);
    assert_eq!(
        srv.requests.load(Ordering::SeqCst),
        2,
        "the server saw the GET and exactly one POST"
    );
    assert_eq!(srv.connections.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn test_silent_server_times_out() {
    let srv = server(|_, mut s, r| async move {
        let _ = read_request(&mut s).await;
        r.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_secs(5)).await;
    })
    .await;
    let (mut tx, mut rx) = ([0u8; 1024], [0u8; 2048]);
    let mut cfg = config(&srv.url);
    cfg.timeout_ms = 200;
    let connector = TokioConnector::new();
    let mut c = Client::new(&connector, TokioDelay, cfg, &mut tx, &mut rx);
    let t = std::time::Instant::now();
    let e = c.get_session(ID, &mut SessionInfo::default()).await.unwrap_err();
    assert!(matches!(e, ClientError::Timeout), "{e:?}");
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "timed out after {:?}",
        t.elapsed()
    );
    assert!(!c.is_connected());
}

#[tokio::test]
async fn test_response_in_one_byte_segments() {
    let srv = server(|_, mut s, r| async move {
        s.set_nodelay(true).unwrap();
        while read_request(&mut s).await.is_some() {
            r.fetch_add(1, Ordering::SeqCst);
            for b in response(200) {
                s.write_all(&[b]).await.unwrap();
                s.flush().await.unwrap();
            }
        }
    })
    .await;
    let (mut tx, mut rx) = ([0u8; 1024], [0u8; 2048]);
    let connector = TokioConnector::new();
    let mut c = Client::new(&connector, TokioDelay, config(&srv.url), &mut tx, &mut rx);
    let mut s = SessionInfo::default();
    for _ in 0..3 {
        c.get_session(ID, &mut s).await.unwrap();
    }
    assert_eq!(s.session_id.as_str(), ID);
    assert_eq!(connector.connects(), 1);
}

#[tokio::test]
async fn test_server_closes_mid_response() {
    let srv = server(|_, mut s, _| async move {
        let _ = read_request(&mut s).await;
        let r = response(200);
        s.write_all(&r[..r.len() / 2]).await.unwrap();
    })
    .await;
    let (mut tx, mut rx) = ([0u8; 1024], [0u8; 2048]);
    let connector = TokioConnector::new();
    let mut c = Client::new(&connector, TokioDelay, config(&srv.url), &mut tx, &mut rx);
    let e = c.get_session(ID, &mut SessionInfo::default()).await.unwrap_err();
    assert!(matches!(e, ClientError::ConnectionClosed), "{e:?}");
    assert_eq!(connector.connects(), 1, "a fresh connection that breaks is not retried");
}
