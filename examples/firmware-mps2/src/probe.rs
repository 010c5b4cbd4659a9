//! The "talk to the server" step.
//!
//! For now a plain HTTP/1.1 GET of the QoD profiles resource over a raw
//! embassy-net `TcpSocket`. This whole module is what the qod-client calls
//! will replace (create a QoS session, wait for AVAILABLE, read it, delete
//! it); `main` only needs [`talk_to_server`] and [`ProbeError`].

use embassy_net::tcp::{ConnectError, Error as TcpError, TcpSocket};
use embassy_net::{IpEndpoint, Stack};
use embassy_time::{with_timeout, Duration, Instant};

/// Request target on the server.
const PATH: &str = "/qod/v0/qos-profiles";
/// Statuses that prove a well-formed exchange with a QoD server: the
/// resource, an auth challenge, or a server that lacks the resource.
const EXPECTED_STATUSES: [u16; 3] = [200, 401, 404];
/// No data from the server for this long aborts the connection: a backstop
/// behind main's shorter `EXCHANGE_TIMEOUT`, which reports a timeout (exit 6).
const SOCKET_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a graceful close (our FIN acknowledged) may take.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

/// Why the exchange failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, defmt::Format)]
pub enum ProbeError {
    /// TCP connect failed (refused, unreachable, timed out).
    Connect(ConnectError),
    /// The connection broke while sending or receiving.
    Io(TcpError),
    /// The response is not HTTP/1.x or its head does not fit the buffer.
    Malformed,
    /// Well-formed HTTP, but not a status the server should send here.
    UnexpectedStatus(u16),
}

/// Sends `GET /qod/v0/qos-profiles` to `server`, reads the whole response,
/// checks its status, and closes the connection with a FIN.
pub async fn talk_to_server(stack: Stack<'_>, server: IpEndpoint) -> Result<(), ProbeError> {
    let mut rx_buffer = [0u8; 2048];
    let mut tx_buffer = [0u8; 1024];
    let mut socket = TcpSocket::new(stack, &mut rx_buffer, &mut tx_buffer);
    socket.set_timeout(Some(SOCKET_TIMEOUT));

    let start = Instant::now();
    defmt::info!("connecting to {}", server);
    socket.connect(server).await.map_err(ProbeError::Connect)?;
    defmt::info!("connected after {=u64} ms", start.elapsed().as_millis());

    let result = exchange(&mut socket, server).await;

    // Dropping a socket does not send a FIN; close, then wait (bounded)
    // until the FIN is acknowledged.
    socket.close();
    if with_timeout(CLOSE_TIMEOUT, socket.flush()).await.is_err() {
        defmt::warn!(
            "close: FIN not acknowledged within {=u64} ms",
            CLOSE_TIMEOUT.as_millis()
        );
    }
    defmt::info!("exchange done in {=u64} ms", start.elapsed().as_millis());
    result
}

async fn exchange(socket: &mut TcpSocket<'_>, server: IpEndpoint) -> Result<(), ProbeError> {
    let mut request = Buf::<192>::new();
    request.push(b"GET ");
    request.push(PATH.as_bytes());
    request.push(b" HTTP/1.1\r\nHost: ");
    request.push_display(server);
    request.push(b"\r\nAccept: application/json\r\nUser-Agent: firmware-mps2\r\nConnection: close\r\n\r\n");
    if request.overflowed {
        return Err(ProbeError::Malformed);
    }
    write_all(socket, request.as_bytes()).await?;

    // Read until the end of the response head.
    let mut head = [0u8; 1024];
    let mut filled = 0;
    let head_len = loop {
        if let Some(end) = find(&head[..filled], b"\r\n\r\n") {
            break end + 4;
        }
        let Some(space) = head.get_mut(filled..).filter(|s| !s.is_empty()) else {
            return Err(ProbeError::Malformed); // head larger than the buffer
        };
        match socket.read(space).await.map_err(ProbeError::Io)? {
            0 => return Err(ProbeError::Malformed), // closed before the head ended
            n => filled += n,
        }
    };
    let response = &head[..head_len];
    let status_line = response.split(|&b| b == b'\r').next().unwrap_or_default();
    defmt::info!("status line: {=[u8]:a}", status_line);
    let status = parse_status_line(status_line).ok_or(ProbeError::Malformed)?;
    let content_length = header_value(response, b"content-length").map(parse_decimal);

    // Read the body: Content-Length bytes, or until the server closes.
    let mut body_preview = [0u8; 96];
    let first = &head[head_len..filled];
    let mut preview_len = first.len().min(body_preview.len());
    body_preview[..preview_len].copy_from_slice(&first[..preview_len]);
    let mut body_len = first.len();
    let mut chunk = [0u8; 256];
    loop {
        if let Some(Some(expected)) = content_length {
            if body_len >= expected {
                break;
            }
        }
        let n = socket.read(&mut chunk).await.map_err(ProbeError::Io)?;
        if n == 0 {
            if let Some(Some(expected)) = content_length {
                if body_len < expected {
                    defmt::warn!("body truncated: {=usize} of {=usize} bytes", body_len, expected);
                    return Err(ProbeError::Malformed);
                }
            }
            break;
        }
        let take = n.min(body_preview.len() - preview_len);
        body_preview[preview_len..preview_len + take].copy_from_slice(&chunk[..take]);
        preview_len += take;
        body_len += n;
    }
    defmt::info!(
        "body: {=usize} bytes: {=[u8]:a}",
        body_len,
        &body_preview[..preview_len]
    );

    if EXPECTED_STATUSES.contains(&status) {
        Ok(())
    } else {
        Err(ProbeError::UnexpectedStatus(status))
    }
}

async fn write_all(socket: &mut TcpSocket<'_>, mut data: &[u8]) -> Result<(), ProbeError> {
    while !data.is_empty() {
        let n = socket.write(data).await.map_err(ProbeError::Io)?;
        data = &data[n..];
    }
    Ok(())
}

/// `HTTP/1.x NNN[ reason]` -> NNN.
fn parse_status_line(line: &[u8]) -> Option<u16> {
    let rest = line.strip_prefix(b"HTTP/1.")?;
    let (&minor, rest) = rest.split_first()?;
    if !minor.is_ascii_digit() {
        return None;
    }
    let rest = rest.strip_prefix(b" ")?;
    let code = rest.get(..3)?;
    if rest.get(3).is_some_and(|&b| b != b' ') || !code.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let status = code.iter().fold(0u16, |acc, &d| acc * 10 + u16::from(d - b'0'));
    (100..=599).contains(&status).then_some(status)
}

/// The value of header `name` (lower case) in a response head, trimmed.
fn header_value<'a>(head: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    head.split(|&b| b == b'\n').skip(1).find_map(|line| {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let colon = line.iter().position(|&b| b == b':')?;
        let (key, value) = line.split_at(colon);
        key.eq_ignore_ascii_case(name).then(|| value[1..].trim_ascii())
    })
}

fn parse_decimal(digits: &[u8]) -> Option<usize> {
    if digits.is_empty() || digits.len() > 9 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(digits.iter().fold(0usize, |acc, &d| acc * 10 + usize::from(d - b'0')))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A fixed-capacity byte buffer that records overflow instead of panicking.
struct Buf<const N: usize> {
    data: [u8; N],
    len: usize,
    overflowed: bool,
}

impl<const N: usize> Buf<N> {
    fn new() -> Self {
        Self {
            data: [0; N],
            len: 0,
            overflowed: false,
        }
    }

    fn push(&mut self, bytes: &[u8]) {
        match self.data.get_mut(self.len..self.len + bytes.len()) {
            Some(dst) => {
                dst.copy_from_slice(bytes);
                self.len += bytes.len();
            }
            None => self.overflowed = true,
        }
    }

    fn push_display(&mut self, value: impl core::fmt::Display) {
        use core::fmt::Write;
        if write!(self, "{value}").is_err() {
            self.overflowed = true;
        }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.data[..self.len]
    }
}

impl<const N: usize> core::fmt::Write for Buf<N> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.push(s.as_bytes());
        if self.overflowed {
            Err(core::fmt::Error)
        } else {
            Ok(())
        }
    }
}
