//! Fault injection: added latency, 503 and 429 with `Retry-After`, a connection reset in the middle of a response, and
//! chunked responses. Off by default; each [`FaultRule`] fires on a deterministic [`Trigger`] (every Nth API request,
//! or a probability drawn from a seeded RNG), so tests that rely on faults are reproducible.
//!
//! Rules count the requests under the API base path (the token endpoint is never faulted). When several rules fire on
//! one request, latency is added first, then the first of reset / 503 / 429 (in rule order) replaces the answer, and
//! chunking applies to whatever answer is sent.
//!
//! A connection reset is done below HTTP: every connection's socket is wrapped in a `FaultIo`. The fault middleware
//! arms it with the length of the response body; `FaultIo` then lets the response head and half of the body through,
//! sets `SO_LINGER` to zero and fails the write, so hyper drops the connection and the kernel sends a TCP RST.
use crate::error::ApiError;
use crate::server::Conn;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// When a rule fires.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Trigger {
    /// On the Nth, 2Nth, 3Nth… request (N ≥ 1; 1 is every request).
    EveryNth(u64),
    /// With probability `p` (0.0–1.0) per request, from a RNG seeded with `seed`.
    Probability {
        /// Probability per request.
        p: f64,
        /// RNG seed.
        seed: u64,
    },
}

/// What a rule does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FaultKind {
    /// Delay the answer.
    Latency(Duration),
    /// Answer 503 `UNAVAILABLE` with `Retry-After: <seconds>`.
    ServiceUnavailable {
        /// `Retry-After` seconds.
        retry_after: u32,
    },
    /// Answer 429 `TOO_MANY_REQUESTS` with `Retry-After: <seconds>`.
    TooManyRequests {
        /// `Retry-After` seconds.
        retry_after: u32,
    },
    /// Send the response head and half of the body, then reset the TCP connection.
    ConnectionReset,
    /// Send the body with `Transfer-Encoding: chunked`, split into this many chunks (at least 2).
    Chunked(usize),
}

/// One fault and when it fires.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaultRule {
    /// What happens.
    pub kind: FaultKind,
    /// When.
    pub trigger: Trigger,
}

impl FromStr for FaultRule {
    type Err = String;

    /// Parses `KIND[=ARG][,every=N | ,p=P[,seed=S]]`, e.g. `latency=200`, `503=2,every=5`, `429,p=0.1,seed=7`,
    /// `reset,every=3`, `chunked=4`. `latency` takes milliseconds, `503`/`429` a `Retry-After` in seconds (default 1),
    /// `chunked` a chunk count (default 3). Without a trigger the rule fires on every request.
    fn from_str(s: &str) -> Result<Self, String> {
        let mut parts = s.split(',');
        let head = parts.next().unwrap_or("");
        let (kind, arg) = match head.split_once('=') {
            Some((k, a)) => (k.trim(), Some(a.trim())),
            None => (head.trim(), None),
        };
        let num = |a: Option<&str>, default: u64| -> Result<u64, String> {
            a.map_or(Ok(default), |a| {
                a.parse::<u64>().map_err(|_| format!("`{a}` is not a number"))
            })
        };
        let kind = match kind {
            "latency" => FaultKind::Latency(Duration::from_millis(num(arg, 100)?)),
            "503" | "unavailable" => FaultKind::ServiceUnavailable {
                retry_after: clamp_u32(num(arg, 1)?),
            },
            "429" | "too-many" => FaultKind::TooManyRequests {
                retry_after: clamp_u32(num(arg, 1)?),
            },
            "reset" => FaultKind::ConnectionReset,
            "chunked" => FaultKind::Chunked(usize::try_from(num(arg, 3)?.max(2)).unwrap_or(3)),
            other => return Err(format!("unknown fault `{other}` (latency, 503, 429, reset, chunked)")),
        };
        let (mut every, mut p, mut seed) = (None, None, 0u64);
        for part in parts {
            match part.trim().split_once('=') {
                Some(("every", n)) => every = Some(n.parse::<u64>().map_err(|_| format!("bad every=`{n}`"))?.max(1)),
                Some(("p", v)) => {
                    let v = v.parse::<f64>().map_err(|_| format!("bad p=`{v}`"))?;
                    if !(0.0..=1.0).contains(&v) {
                        return Err("p must be within 0..=1".into());
                    }
                    p = Some(v);
                }
                Some(("seed", v)) => seed = v.parse::<u64>().map_err(|_| format!("bad seed=`{v}`"))?,
                _ => return Err(format!("unknown fault option `{part}` (every=N, p=P, seed=S)")),
            }
        }
        let trigger = match (every, p) {
            (Some(_), Some(_)) => return Err("give either every=N or p=P, not both".into()),
            (_, Some(p)) => Trigger::Probability { p, seed },
            (n, None) => Trigger::EveryNth(n.unwrap_or(1)),
        };
        Ok(Self { kind, trigger })
    }
}

fn clamp_u32(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// The fault rules of a run (empty: no faults).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultConfig {
    /// The rules, evaluated in order.
    pub rules: Vec<FaultRule>,
}

/// SplitMix64: a tiny, seedable, well-distributed RNG (enough for fault and termination draws).
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub(crate) fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// `true` with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.next_f64() < p
    }
}

struct RuleState {
    rule: FaultRule,
    count: u64,
    rng: SplitMix64,
}

/// The fault rules with their counters and RNGs.
pub(crate) struct Faults {
    rules: Mutex<Vec<RuleState>>,
}

/// What the rules decided for one request.
#[derive(Debug, Default)]
struct Decision {
    latency: Duration,
    replace: Option<FaultKind>,
    chunks: Option<usize>,
}

impl Faults {
    pub(crate) fn new(config: &FaultConfig) -> Self {
        let rules = config
            .rules
            .iter()
            .map(|&rule| {
                let seed = match rule.trigger {
                    Trigger::Probability { seed, .. } => seed,
                    Trigger::EveryNth(_) => 0,
                };
                RuleState {
                    rule,
                    count: 0,
                    rng: SplitMix64::new(seed),
                }
            })
            .collect();
        Self {
            rules: Mutex::new(rules),
        }
    }

    fn decide(&self) -> Decision {
        let mut d = Decision::default();
        let Ok(mut rules) = self.rules.lock() else { return d };
        for r in rules.iter_mut() {
            r.count += 1;
            let fire = match r.rule.trigger {
                Trigger::EveryNth(n) => r.count % n.max(1) == 0,
                Trigger::Probability { p, .. } => r.rng.chance(p),
            };
            if !fire {
                continue;
            }
            match r.rule.kind {
                FaultKind::Latency(l) => d.latency += l,
                FaultKind::Chunked(n) => d.chunks = Some(n),
                k => {
                    d.replace.get_or_insert(k);
                }
            }
        }
        d
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rules.lock().map(|r| r.is_empty()).unwrap_or(true)
    }
}

/// The fault middleware (layered on the API routes only).
pub(crate) async fn middleware(faults: Arc<Faults>, req: Request, next: Next) -> Response {
    let d = faults.decide();
    if !d.latency.is_zero() {
        tracing::info!(latency_ms = d.latency.as_millis() as u64, "fault: added latency");
        tokio::time::sleep(d.latency).await;
    }
    let conn = req.extensions().get::<Arc<ConnFault>>().cloned();
    let res = match d.replace {
        Some(FaultKind::ServiceUnavailable { retry_after }) => {
            tracing::info!("fault: 503 Service Unavailable");
            let mut e = ApiError::for_status(StatusCode::SERVICE_UNAVAILABLE);
            e.retry_after = Some(retry_after);
            e.into_response()
        }
        Some(FaultKind::TooManyRequests { retry_after }) => {
            tracing::info!("fault: 429 Too Many Requests");
            let mut e = ApiError::for_status(StatusCode::TOO_MANY_REQUESTS);
            e.retry_after = Some(retry_after);
            e.into_response()
        }
        _ => next.run(req).await,
    };
    let reset = matches!(d.replace, Some(FaultKind::ConnectionReset));
    if !reset && d.chunks.is_none() {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return ApiError::for_status(StatusCode::INTERNAL_SERVER_ERROR).into_response();
    };
    if reset {
        if let Some(conn) = conn {
            tracing::info!(body_len = bytes.len(), "fault: connection reset mid-response");
            conn.arm(bytes.len());
        }
    }
    if let Some(n) = d.chunks {
        tracing::info!(chunks = n, "fault: chunked response");
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::new(Chunks::split(bytes, n)));
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A body sent as several frames with no length known up front, so HTTP/1.1 sends it chunked.
struct Chunks(VecDeque<Bytes>);

impl Chunks {
    fn split(mut bytes: Bytes, n: usize) -> Self {
        let n = n.max(2);
        let size = bytes.len().div_ceil(n).max(1);
        let mut q = VecDeque::new();
        while !bytes.is_empty() {
            q.push_back(bytes.split_to(size.min(bytes.len())));
        }
        Self(q)
    }
}

impl http_body::Body for Chunks {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        Poll::Ready(self.0.pop_front().map(|b| Ok(http_body::Frame::data(b))))
    }
}

/// Per-connection fault state, shared between the request handlers (through a request extension) and the
/// connection's [`FaultIo`].
#[derive(Debug, Default)]
pub(crate) struct ConnFault {
    armed: AtomicBool,
    body_len: AtomicUsize,
}

impl ConnFault {
    fn arm(&self, body_len: usize) {
        self.body_len.store(body_len, Ordering::SeqCst);
        self.armed.store(true, Ordering::SeqCst);
    }
}

/// A connection (plain TCP or TLS) that can cut the response being written (see the module docs). Over TLS the
/// budget counts plaintext bytes; the records written before the cut are flushed, then the TCP connection is reset.
pub(crate) struct FaultIo {
    inner: Conn,
    fault: Arc<ConnFault>,
    /// Bytes still allowed through once armed.
    budget: Option<usize>,
}

impl FaultIo {
    /// Wraps `inner`; `fault` is the state the request handlers arm.
    pub(crate) fn new(inner: Conn, fault: Arc<ConnFault>) -> Self {
        Self {
            inner,
            fault,
            budget: None,
        }
    }

    fn reset(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Whatever was let through reaches the peer first (TLS buffers records).
        match Pin::new(&mut self.inner).poll_flush(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Ready(Ok(())) => {}
        }
        // Zero linger: closing the socket sends RST instead of FIN.
        let _ = self.inner.tcp().set_zero_linger();
        Poll::Ready(Err(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "fault injection: connection reset",
        )))
    }
}

impl AsyncRead for FaultIo {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for FaultIo {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if self.budget.is_none() && self.fault.armed.load(Ordering::SeqCst) {
            let body_len = self.fault.body_len.load(Ordering::SeqCst);
            let head = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4);
            self.budget = Some(match head {
                Some(h) if body_len > 0 => h + body_len / 2,
                Some(h) => h / 2,
                None => buf.len() / 2,
            });
        }
        let Some(budget) = self.budget else {
            return Pin::new(&mut self.inner).poll_write(cx, buf);
        };
        if budget == 0 {
            return self.reset(cx).map(|r| r.map(|()| 0));
        }
        let n = budget.min(buf.len());
        match Pin::new(&mut self.inner).poll_write(cx, &buf[..n]) {
            Poll::Ready(Ok(w)) => {
                self.budget = Some(budget - w);
                Poll::Ready(Ok(w))
            }
            other => other,
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.budget == Some(0) {
            return self.reset(cx);
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_parse_rules() {
        let r: FaultRule = "503=2,every=5".parse().unwrap();
        assert_eq!(r.kind, FaultKind::ServiceUnavailable { retry_after: 2 });
        assert_eq!(r.trigger, Trigger::EveryNth(5));
        let r: FaultRule = "reset,p=0.25,seed=9".parse().unwrap();
        assert_eq!(r.trigger, Trigger::Probability { p: 0.25, seed: 9 });
        assert_eq!(
            "latency=20".parse::<FaultRule>().unwrap().kind,
            FaultKind::Latency(Duration::from_millis(20))
        );
        assert_eq!("chunked".parse::<FaultRule>().unwrap().kind, FaultKind::Chunked(3));
        assert!("boom".parse::<FaultRule>().is_err());
        assert!("503,every=2,p=0.5".parse::<FaultRule>().is_err());
        assert!("503,p=2".parse::<FaultRule>().is_err());
    }

    #[test]
    fn test_every_nth_and_seeded_probability() {
        let f = Faults::new(&FaultConfig {
            rules: vec!["429,every=3".parse().unwrap()],
        });
        let fired: Vec<bool> = (0..6).map(|_| f.decide().replace.is_some()).collect();
        assert_eq!(fired, [false, false, true, false, false, true]);
        let run = || {
            let f = Faults::new(&FaultConfig {
                rules: vec!["503,p=0.5,seed=42".parse().unwrap()],
            });
            (0..64).map(|_| f.decide().replace.is_some()).collect::<Vec<_>>()
        };
        let a = run();
        assert_eq!(a, run(), "same seed, same faults");
        let n = a.iter().filter(|x| **x).count();
        assert!((16..=48).contains(&n), "{n} of 64 fired at p=0.5");
    }

    #[test]
    fn test_chunks_split() {
        let c = Chunks::split(Bytes::from_static(b"0123456789"), 3);
        let parts: Vec<_> = c.0.iter().map(|b| b.len()).collect();
        assert_eq!(parts, [4, 4, 2]);
    }
}
