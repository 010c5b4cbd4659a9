//! Shared by the client's mock tests: an in-memory connector of scripted connections (minimq style: rx chunks, EOFs,
//! injected errors, short writes, a peer that never answers) and a `MockDelay` that records every wait.
#![allow(dead_code)]
use embedded_io::ErrorKind;
use qod_client::{Client, Config, Connect, Connection, Url};
use qod_core::model::CreateSession;
use std::cell::{RefCell, RefMut};
use std::collections::VecDeque;

pub const TOKEN: &str = "0123456789abcdef0123456789abcdef01234567";
pub const ID: &str = "123e4567-e89b-12d3-a456-426614174000";

pub fn session_json(status: &str) -> String {
    format!(
        r#"{{"device":{{"phoneNumber":"+436641234567"}},"applicationServer":{{"ipv4Address":"198.51.100.0/24"}},"qosProfile":"QOS_VC","sessionId":"{ID}","duration":600,"startedAt":1639479600,"expiresAt":1639480200,"qosStatus":"{status}"}}"#
    )
}

pub fn ok(status: u16, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

pub fn closing(status: u16, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status} X\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

pub fn error_body(status: u16, code: &str, msg: &str) -> String {
    format!(r#"{{"status":{status},"code":"{code}","message":"{msg}"}}"#)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MockError(pub ErrorKind);
impl std::fmt::Display for MockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.0)
    }
}
impl std::error::Error for MockError {}
impl embedded_io::Error for MockError {
    fn kind(&self) -> ErrorKind {
        self.0
    }
}

#[derive(Debug, Clone)]
pub enum Rx {
    Data(Vec<u8>),
    /// These bytes again at every read, forever, always ready (a server that never runs dry).
    Repeat(Vec<u8>),
    Eof,
    Err(ErrorKind),
    Never,
}

/// One scripted TCP connection.
#[derive(Debug, Clone, Default)]
pub struct Script {
    pub rx: VecDeque<Rx>,
    pub max_write: Option<usize>,
    pub write_err: bool,
}

impl Script {
    pub fn new(rx: impl IntoIterator<Item = Rx>) -> Self {
        Script {
            rx: rx.into_iter().collect(),
            ..Default::default()
        }
    }
    /// The server sends each response only after it received a request (like a real server).
    pub fn responses(rs: impl IntoIterator<Item = Vec<u8>>) -> Self {
        Self::new(rs.into_iter().map(Rx::Data))
    }
}

#[derive(Debug, Default)]
pub struct MockState {
    pub scripts: VecDeque<Script>,
    pub cur: Option<Script>,
    /// Bytes written, one entry per connection.
    pub sent: Vec<Vec<u8>>,
    /// The URL of each connection.
    pub urls: Vec<String>,
    pub connects: usize,
    pub closes: usize,
    pub aborts: usize,
    pub peer_closed: bool,
}

impl MockState {
    pub fn requests(&self) -> Vec<String> {
        self.sent
            .iter()
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .collect()
    }
}

/// The connector: scripted connections, one at a time.
#[derive(Debug, Default)]
pub struct Mock(pub RefCell<MockState>);

impl Mock {
    pub fn new(scripts: impl IntoIterator<Item = Script>) -> Self {
        Mock(RefCell::new(MockState {
            scripts: scripts.into_iter().collect(),
            ..Default::default()
        }))
    }
    pub fn state(&self) -> std::cell::Ref<'_, MockState> {
        self.0.borrow()
    }
    pub fn requests(&self) -> Vec<String> {
        self.state().requests()
    }
    pub fn set_peer_closed(&self) {
        self.0.borrow_mut().peer_closed = true;
    }
}

/// An open scripted connection; dropping it without `close` counts as an abort.
pub struct MockConn<'a> {
    pub m: &'a Mock,
    pub closed: bool,
}

impl MockConn<'_> {
    pub fn st(&self) -> RefMut<'_, MockState> {
        self.m.0.borrow_mut()
    }
}

impl Drop for MockConn<'_> {
    fn drop(&mut self) {
        if !self.closed {
            let mut st = self.st();
            st.cur = None;
            st.aborts += 1;
        }
    }
}

impl embedded_io_async::ErrorType for MockConn<'_> {
    type Error = MockError;
}

impl embedded_io_async::Read for MockConn<'_> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, MockError> {
        let next = {
            let mut st = self.st();
            let cur = st.cur.as_mut().ok_or(MockError(ErrorKind::NotConnected))?;
            match cur.rx.pop_front() {
                Some(Rx::Data(mut d)) => {
                    let n = d.len().min(buf.len());
                    buf[..n].copy_from_slice(&d[..n]);
                    if n < d.len() {
                        cur.rx.push_front(Rx::Data(d.split_off(n)));
                    }
                    return Ok(n);
                }
                Some(Rx::Repeat(d)) => {
                    let n = d.len().min(buf.len());
                    buf[..n].copy_from_slice(&d[..n]);
                    cur.rx.push_front(Rx::Repeat(d));
                    return Ok(n);
                }
                Some(Rx::Eof) | None => {
                    cur.rx.push_front(Rx::Eof);
                    return Ok(0);
                }
                Some(Rx::Err(k)) => return Err(MockError(k)),
                Some(Rx::Never) => {
                    // A peer that stays silent stays silent for every later read too.
                    cur.rx.push_front(Rx::Never);
                    Rx::Never
                }
            }
        };
        drop(next);
        core::future::pending().await
    }
}

impl embedded_io_async::Write for MockConn<'_> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, MockError> {
        let mut st = self.st();
        let cur = st.cur.as_mut().ok_or(MockError(ErrorKind::NotConnected))?;
        if cur.write_err {
            return Err(MockError(ErrorKind::ConnectionReset));
        }
        let n = buf.len().min(cur.max_write.unwrap_or(usize::MAX));
        st.sent.last_mut().unwrap().extend_from_slice(&buf[..n]);
        Ok(n)
    }
    async fn flush(&mut self) -> Result<(), MockError> {
        Ok(())
    }
}

impl Connection for MockConn<'_> {
    async fn close(mut self) {
        let mut st = self.st();
        assert!(st.cur.take().is_some(), "close without a connection");
        st.closes += 1;
        drop(st);
        self.closed = true;
    }
    fn peer_closed(&mut self) -> bool {
        self.st().peer_closed
    }
}

impl Connect for Mock {
    type Error = MockError;
    type Connection<'a> = MockConn<'a>;

    async fn connect<'a>(&'a self, to: &Url<'_>) -> Result<MockConn<'a>, MockError> {
        let mut st = self.0.borrow_mut();
        assert!(st.cur.is_none(), "connect while a connection is open");
        let s = st.scripts.pop_front().ok_or(MockError(ErrorKind::ConnectionRefused))?;
        st.cur = Some(s);
        st.sent.push(Vec::new());
        st.urls.push(to.to_string());
        st.connects += 1;
        st.peer_closed = false;
        Ok(MockConn { m: self, closed: false })
    }
}

/// Records every wait in ms and completes after a thousand polls (waking itself each time): at once for a test's
/// purposes, yet later than any exchange that makes progress, so a timeout fires only when the peer stalls.
#[derive(Debug, Default)]
pub struct MockDelay(pub Vec<u32>);

async fn a_thousand_polls() {
    let mut left = 1000u32;
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

impl embedded_hal_async::delay::DelayNs for MockDelay {
    async fn delay_ns(&mut self, ns: u32) {
        self.0.push(ns / 1_000_000);
        a_thousand_polls().await;
    }
    async fn delay_ms(&mut self, ms: u32) {
        self.0.push(ms);
        a_thousand_polls().await;
    }
}

pub struct Bufs {
    pub tx: [u8; 1024],
    pub rx: [u8; 2048],
}
impl Bufs {
    pub fn new() -> Self {
        Bufs {
            tx: [0; 1024],
            rx: [0; 2048],
        }
    }
}

pub fn config() -> Config<'static> {
    Config::new(Url::parse("http://qod.example:9091/qod/v0").unwrap())
}

pub fn client<'b>(mock: &'b Mock, bufs: &'b mut Bufs) -> Client<'b, Mock, MockDelay> {
    Client::new(mock, MockDelay::default(), config(), &mut bufs.tx, &mut bufs.rx).with_token(TOKEN)
}

pub fn create_body() -> CreateSession {
    let mut c = CreateSession::default();
    c.device.phone_number = Some("+436641234567".try_into().unwrap());
    c.application_server.ipv4_address = Some("198.51.100.0/24".try_into().unwrap());
    c.qos_profile = "QOS_VC".try_into().unwrap();
    c.duration = Some(600);
    c
}
