//! The async [`Client`]: encode with qod-core into `tx_buf`, exchange over a [`Connect`] transport under a timeout,
//! read the response incrementally into `rx_buf`, decode with qod-core.
//!
//! # Connection reuse
//! A connection is kept for the next request when the response allows it (`ResponseHead::keep_alive` and no bytes
//! beyond the response, `ResponseReader::extra() == 0`); otherwise it is closed gracefully (FIN) right away. If a
//! kept-alive connection turns out to be stale (the server closed it while idle: a write fails, or EOF/reset comes
//! before any response byte), a `GET`/`DELETE` is re-sent once on a fresh connection; a `POST` is never re-sent and
//! ends with [`ClientError::ConnectionClosed`]. Before a `POST` the client asks the transport whether the peer has
//! already closed the idle connection ([`Connect::peer_closed`]) and reconnects first if so.
//!
//! # Timeouts
//! Every attempt (connect, send, receive) races against one [`Config::timeout_ms`] delay; the graceful close races
//! against [`Config::close_timeout_ms`]. A timed-out or failed connection is aborted, never reused. The token fetch
//! is an attempt like any other.
//!
//! # Credentials
//! Each request's bearer token comes from the client's [`TokenSource`] (see [`crate::auth`]): fetched first when the
//! source says so, over the kept-alive connection when the token endpoint shares the API's origin (otherwise over a
//! connection of its own, after the API connection was closed), and refreshed once after a `401`.
use crate::auth::{StaticToken, TokenSource, TokenState};
use crate::{ClientError, Connect, Connection};
use embassy_futures::select::{select, Either};
use embedded_hal_async::delay::DelayNs;
use embedded_io_async::{Read as _, Write as _};
use qod_core::api::{Endpoint, Operation, ResponseError};
use qod_core::http::{Response, ResponseHead, ResponseReader, Status, Url};
use qod_core::oauth::TokenError;

/// Bounded retries of a request the server refused with `429 Too Many Requests` or `503 Service Unavailable`.
///
/// The wait is the response's `Retry-After` (seconds) or [`default_wait_ms`](Self::default_wait_ms) without one. If
/// the server asks for longer than [`max_wait_ms`](Self::max_wait_ms), the client does not wait and returns the
/// [`ClientError::Api`] at once (with `retry_after` set), so the caller can decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 = never retry).
    pub max_retries: u8,
    /// Longest single wait the client accepts.
    pub max_wait_ms: u32,
    /// Wait when the response has no `Retry-After`.
    pub default_wait_ms: u32,
}

impl RetryPolicy {
    /// Up to `max_retries` retries, each waiting at most `max_wait_ms` (`default_wait_ms` without `Retry-After`).
    pub const fn new(max_retries: u8, max_wait_ms: u32, default_wait_ms: u32) -> Self {
        RetryPolicy {
            max_retries,
            max_wait_ms,
            default_wait_ms,
        }
    }

    /// No retries: a 429/503 is returned at once.
    pub const NONE: RetryPolicy = RetryPolicy {
        max_retries: 0,
        max_wait_ms: 0,
        default_wait_ms: 0,
    };
    /// Up to 3 retries, waiting at most 30 s each (1 s without `Retry-After`).
    pub const DEFAULT: RetryPolicy = RetryPolicy {
        max_retries: 3,
        max_wait_ms: 30_000,
        default_wait_ms: 1_000,
    };
}

/// Client settings. `Debug` and `defmt` print the token redacted.
///
/// Start from [`Config::new`] and assign the fields to change (the struct is `#[non_exhaustive]`: later versions
/// add settings).
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct Config<'a> {
    /// Where connections go, the `Host` header and the path every request starts with: for the v0.10.1 methods
    /// the API's base URL (`http[s]://host[:port]/qod/v0`), for the 1.1.0 ones (`Client::v1`, feature `v1`) the
    /// API root (`http[s]://host[:port][/prefix]`, under which `/quality-on-demand/v1` and `/qos-profiles/v1` are).
    pub server: Url<'a>,
    /// Optional `x-correlator` header value, sent with every request (1.1.0 checks it against the spec's pattern
    /// first).
    pub correlator: Option<&'a str>,
    /// Bound on each attempt: connect (and TLS handshake) + send + complete response, whatever the server sends
    /// (interim responses, a drip, headers or chunks that never end: see `tests/hostile.rs`). Default 10 s.
    ///
    /// A request makes one attempt, and at most these more, each under the same bound: one on a fresh connection
    /// when a kept-alive one turned out closed (`GET`/`DELETE`), the token fetch when the token source needs one (and
    /// once a `Date` probe before it, for a JWT without a clock), and the repeat after a `401` with its token fetch.
    /// Waits that [`RetryPolicy`] allows after a 429/503 come on top.
    pub timeout_ms: u32,
    /// Bound on a graceful close (FIN acknowledged) before the connection is aborted. Default 1 s.
    pub close_timeout_ms: u32,
    /// 429/503 handling. Default [`RetryPolicy::NONE`].
    pub retry: RetryPolicy,
}

impl<'a> Config<'a> {
    /// Defaults for `server`: 10 s timeout, 1 s close timeout, no 429/503 retries.
    pub const fn new(server: Url<'a>) -> Self {
        Config {
            server,
            correlator: None,
            timeout_ms: 10_000,
            close_timeout_ms: 1_000,
            retry: RetryPolicy::NONE,
        }
    }

    /// What qod-core's request encoders need: `Host`, base path, correlator, and `token`.
    pub fn endpoint<'t>(&self, token: Option<&'t str>) -> Endpoint<'t>
    where
        'a: 't,
    {
        let mut ep = Endpoint::new(self.server.authority, self.server.path);
        ep.token = token;
        ep.correlator = self.correlator;
        ep
    }
}

impl core::fmt::Debug for Config<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Config")
            .field("server", &self.server)
            .field("correlator", &self.correlator)
            .field("timeout_ms", &self.timeout_ms)
            .field("close_timeout_ms", &self.close_timeout_ms)
            .field("retry", &self.retry)
            .finish()
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Config<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "Config {{ server: {}, timeout_ms: {}, close_timeout_ms: {}, retry: {} }}",
            self.server,
            self.timeout_ms,
            self.close_timeout_ms,
            self.retry
        )
    }
}

/// How [`Client::wait_until_available`] polls: [`PollPolicy::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct PollPolicy {
    /// Wait between two `GET`s.
    pub interval_ms: u32,
    /// Total waiting allowed (the sum of the waits; request time is bounded separately by the timeout).
    pub deadline_ms: u32,
}

impl PollPolicy {
    /// A `GET` every `interval_ms`, waiting `deadline_ms` in all.
    pub const fn new(interval_ms: u32, deadline_ms: u32) -> Self {
        PollPolicy {
            interval_ms,
            deadline_ms,
        }
    }
}

/// How one attempt ended, short of a decodable response.
enum Fail<E> {
    /// A reused connection turned out to be closed before any response byte: retry once on a fresh one.
    Stale,
    /// The transport failed.
    Transport(E),
    /// The response could not be read (kept small: no `ApiError` can arise here, and this value is part of the
    /// request future).
    Http(qod_core::HttpError),
    /// The peer closed the connection mid-response.
    Closed,
    /// No complete response within the timeout.
    Timeout,
}

impl<E> Fail<E> {
    fn into_error(self) -> ClientError<E> {
        match self {
            Fail::Stale | Fail::Closed => ClientError::ConnectionClosed,
            Fail::Transport(e) => ClientError::Transport(e),
            Fail::Http(e) => ClientError::Codec(e.into()),
            Fail::Timeout => ClientError::Timeout,
        }
    }
}

/// What the engine needs of an operation, object-safe so that one engine (one async state machine in flash) runs
/// every operation.
trait Exchange {
    fn idempotent(&self) -> bool;
    fn encode(&self, ep: &Endpoint<'_>, buf: &mut [u8]) -> Result<usize, qod_core::Error>;
    fn decode(&mut self, res: &Response<'_>) -> Result<(), ResponseError>;
}

/// An [`Operation`] and, once it succeeded, its output.
struct Run<O: Operation> {
    op: O,
    out: Option<O::Output>,
}

impl<O: Operation> Exchange for Run<O> {
    fn idempotent(&self) -> bool {
        O::IDEMPOTENT
    }

    fn encode(&self, ep: &Endpoint<'_>, buf: &mut [u8]) -> Result<usize, qod_core::Error> {
        self.op.encode(ep, buf)
    }

    fn decode(&mut self, res: &Response<'_>) -> Result<(), ResponseError> {
        self.out = Some(self.op.decode(res)?);
        Ok(())
    }
}

/// A complete response in `rx`: head, body length (the body starts at `head.head_len`), reusable connection?
struct Done {
    head: ResponseHead,
    body_len: usize,
    reuse: bool,
}

/// The QoD client over connector `C` (see [`Connect`]) with delay source `D` and token source `T` (see
/// [`TokenSource`]), using caller buffers.
///
/// The client borrows the connector and keeps at most one connection from it open between requests (keep-alive).
/// `tx_buf` must hold the largest request (about 300 B plus the token for a create with a few optionals: 1 KB is
/// ample), `rx_buf` the largest response head plus body (a `SessionInfo` response is usually under 1 KB; 2 KB is
/// comfortable, a full profile list needs more).
pub struct Client<'c, C: Connect, D, T = StaticToken<'c>> {
    connector: &'c C,
    conn: Option<C::Connection<'c>>,
    delay: D,
    config: Config<'c>,
    tokens: T,
    tx: &'c mut [u8],
    rx: &'c mut [u8],
    /// An exchange is under way. Still set when a request starts means the previous request's future was dropped
    /// mid-exchange (e.g. by a caller's own timeout): the connection may hold half a response and is not reused.
    in_flight: bool,
    /// Length of the head of the last complete response in `rx` (0: none), for [`Client::last_header`].
    last_head: usize,
}

impl<C: Connect, D, T: core::fmt::Debug> core::fmt::Debug for Client<'_, C, D, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .field("tokens", &self.tokens)
            .field("tx_buf", &self.tx.len())
            .field("rx_buf", &self.rx.len())
            .field("connected", &self.conn.is_some())
            .finish_non_exhaustive()
    }
}

impl<'c, C: Connect, D: DelayNs> Client<'c, C, D> {
    /// A client without credentials (see [`with_token`](Self::with_token) and
    /// [`with_token_source`](Self::with_token_source)); nothing is sent until the first request.
    pub fn new(connector: &'c C, delay: D, config: Config<'c>, tx_buf: &'c mut [u8], rx_buf: &'c mut [u8]) -> Self {
        Client {
            connector,
            conn: None,
            delay,
            config,
            tokens: StaticToken(None),
            tx: tx_buf,
            rx: rx_buf,
            in_flight: false,
            last_head: 0,
        }
    }

    /// The same client sending `token` as `Authorization: Bearer` with every request.
    pub fn with_token(mut self, token: &'c str) -> Self {
        self.tokens = StaticToken(Some(token));
        self
    }

    /// Replaces the static bearer token (e.g. one refreshed by the application).
    pub fn set_token(&mut self, token: Option<&'c str>) {
        self.tokens = StaticToken(token);
    }
}

impl<'c, C: Connect, D: DelayNs, T: TokenSource> Client<'c, C, D, T> {
    /// The same client taking each request's token from `tokens` (e.g. [`ClientCredentials`](crate::ClientCredentials)).
    pub fn with_token_source<U: TokenSource>(self, tokens: U) -> Client<'c, C, D, U> {
        Client {
            connector: self.connector,
            conn: self.conn,
            delay: self.delay,
            config: self.config,
            tokens,
            tx: self.tx,
            rx: self.rx,
            in_flight: self.in_flight,
            last_head: self.last_head,
        }
    }

    /// The token source.
    pub fn tokens(&self) -> &T {
        &self.tokens
    }

    /// The token source, e.g. to invalidate its token.
    pub fn tokens_mut(&mut self) -> &mut T {
        &mut self.tokens
    }

    /// Fetches a token from the token source now, whether or not the cached one is still good (e.g. at start-up,
    /// to fail early on bad credentials). Requests do this by themselves when they need to.
    ///
    /// # Errors
    /// [`ClientError::Token`] when the source cannot fetch or the endpoint refused; transport errors.
    pub async fn refresh_token(&mut self) -> Result<(), ClientError<C::Error>> {
        if self.tokens.token_url().is_none() {
            return Ok(());
        }
        self.fetch_token().await
    }

    /// A header of the last complete response (compared without case), until the next request: e.g. the
    /// `x-correlator` the server answered with ([`last_correlator`](Self::last_correlator)), or anything a caller
    /// wants to log.
    pub fn last_header(&self, name: &str) -> Option<&[u8]> {
        let head = self.rx.get(..self.last_head).filter(|h| !h.is_empty())?;
        Response::new(qod_core::http::ResponseHead::EMPTY, head, &[]).header(name)
    }

    /// The `x-correlator` of the last complete response, when it sent one that is text.
    pub fn last_correlator(&self) -> Option<&str> {
        core::str::from_utf8(self.last_header("x-correlator")?).ok()
    }

    /// The settings.
    pub fn config(&self) -> &Config<'c> {
        &self.config
    }

    /// The settings, to change (timeouts, retry policy) between requests.
    pub fn config_mut(&mut self) -> &mut Config<'c> {
        &mut self.config
    }

    /// Whether a kept-alive connection is open.
    pub fn is_connected(&self) -> bool {
        self.conn.is_some()
    }

    /// The kept-alive connection, if one is open (e.g. to inspect its socket).
    pub fn connection(&mut self) -> Option<&mut C::Connection<'c>> {
        self.conn.as_mut()
    }

    /// The connector (e.g. to inspect it in tests).
    pub fn connector(&self) -> &'c C {
        self.connector
    }

    /// Closes a kept-alive connection gracefully (bounded by `close_timeout_ms`), and returns the delay.
    pub async fn into_parts(mut self) -> D {
        self.close().await;
        self.delay
    }

    /// Closes a kept-alive connection gracefully; aborts it if the close takes longer than `close_timeout_ms`.
    pub async fn close(&mut self) {
        close(&mut self.conn, &mut self.delay, self.config.close_timeout_ms).await;
    }

    /// Waits `ms` milliseconds on the client's delay.
    #[cfg_attr(not(any(feature = "v0", feature = "v1")), allow(dead_code))]
    pub(crate) async fn sleep_ms(&mut self, ms: u32) {
        self.delay.delay_ms(ms).await;
    }

    /// Runs `op`: encodes its request (validated first: an invalid input never causes I/O, not even a token
    /// fetch), sends it under the timeout with the client's token, keep-alive, stale-connection, `401` and 429/503
    /// logic, and decodes the response (head included) with the operation. Every convenience method is this.
    ///
    /// # Errors
    /// [`ClientError`]; an `ErrorInfo` answer is [`ClientError::Api`].
    pub async fn run<O: Operation>(&mut self, op: O) -> Result<O::Output, ClientError<C::Error>> {
        let mut run = Run { op, out: None };
        self.request(&mut run).await?;
        // `request` succeeds only after `decode` stored the output.
        run.out.ok_or(ClientError::Codec(qod_core::Error::UnexpectedStatus(0)))
    }

    /// The engine: encodes `ex`'s request (for the current token), sends it and decodes the response with it, with
    /// the token, reconnect, stale-connection and 429/503 logic. Not generic, so that it exists once in flash.
    async fn request(&mut self, ex: &mut dyn Exchange) -> Result<(), ClientError<C::Error>> {
        let idempotent = ex.idempotent();
        let mut retries = 0u8;
        let mut stale_retry = idempotent;
        let mut refreshed = false;
        // Validated and encoded before anything else: an invalid input never causes I/O, not even a token fetch.
        let mut n = ex.encode(&self.config.endpoint(self.tokens.bearer()), self.tx)?;
        loop {
            if self.tokens.state() == TokenState::Fetch {
                self.fetch_token().await?;
                n = ex.encode(&self.config.endpoint(self.tokens.bearer()), self.tx)?;
            }
            if core::mem::replace(&mut self.in_flight, true) {
                self.conn = None;
            }
            let tx = self.tx.get(..n).unwrap_or(&[]);
            let got = attempt(
                self.connector,
                &self.config.server,
                &mut self.conn,
                &mut self.delay,
                self.config.timeout_ms,
                !idempotent,
                tx,
                self.rx,
            )
            .await;
            self.in_flight = false;
            self.last_head = 0;
            let res = match got {
                Ok(r) => r,
                Err(Fail::Stale) if core::mem::take(&mut stale_retry) => {
                    debug!("qod-client: the kept-alive connection was stale: sending again on a new one");
                    continue;
                }
                Err(fail) => return Err(fail.into_error()),
            };
            self.last_head = res.head.head_len;
            self.tokens.observe(&res.head);
            if !res.reuse {
                self.close().await;
            }
            let status = res.head.status;
            if status == 401 && !refreshed && self.tokens.rejected() {
                // The server did not act on a request it refused as unauthenticated: send it again, once, with a
                // fresh token (a POST too).
                refreshed = true;
                debug!("qod-client: 401 with a cached token: fetching a fresh one and sending again, once");
                continue;
            }
            let start = res.head.head_len;
            let response = Response::new(
                res.head,
                self.rx.get(..start).unwrap_or(&[]),
                self.rx.get(start..start + res.body_len).unwrap_or(&[]),
            );
            // The error (an `ErrorInfo` of ~330 B) lives only in this block, so it takes no room in the future
            // across the retry wait.
            let wait = {
                let err = match ex.decode(&response) {
                    Ok(()) => return Ok(()),
                    Err(ResponseError::Api(mut e)) => {
                        e.retry_after = e.retry_after.or(res.head.retry_after);
                        ClientError::Api(e)
                    }
                    Err(ResponseError::Codec(e)) => ClientError::Codec(e),
                };
                let policy = self.config.retry;
                let wait = match res.head.retry_after {
                    Some(s) => s.saturating_mul(1000),
                    None => policy.default_wait_ms,
                };
                if (status == 429 || status == 503) && retries < policy.max_retries && wait <= policy.max_wait_ms {
                    wait
                } else {
                    return Err(err);
                }
            };
            retries += 1;
            debug!(
                "qod-client: {} with Retry-After: waiting {} ms (retry {})",
                status, wait, retries
            );
            self.delay.delay_ms(wait).await;
        }
    }

    /// Gets a token from the token source's endpoint: on the kept-alive connection when it shares the API's
    /// origin, else on a connection of its own (the API connection is closed first: a connector may have only one).
    /// When a JWT must be signed and no wall-clock time is known, asks the token endpoint for its `Date` first.
    async fn fetch_token(&mut self) -> Result<(), ClientError<C::Error>> {
        let mut probed = false;
        loop {
            let (n, probing) = match self.tokens.encode_token_request(self.tx, self.rx) {
                Ok(n) => (n, false),
                Err(TokenError::NoClock) if !probed => {
                    probed = true;
                    debug!(
                        "qod-client: no wall-clock time for the client assertion: reading the token endpoint's Date"
                    );
                    let url = self.tokens.token_url().ok_or(ClientError::Token(TokenError::NoClock))?;
                    (qod_core::oauth::encode_time_probe(&url, self.tx)?, true)
                }
                Err(e) => return Err(ClientError::Token(e)),
            };
            let Some(url) = self.tokens.token_url() else {
                return Err(ClientError::Token(TokenError::NoClock));
            };
            let same_origin = url.same_origin(&self.config.server);
            if !probing {
                debug!(
                    "qod-client: fetching an access token (same origin as the API: {})",
                    same_origin
                );
            }
            if !same_origin {
                close(&mut self.conn, &mut self.delay, self.config.close_timeout_ms).await;
            }
            if core::mem::replace(&mut self.in_flight, true) {
                self.conn = None;
            }
            let tx = self.tx.get(..n).unwrap_or(&[]);
            let timeout = self.config.timeout_ms;
            // A token request changes nothing on the server but the tokens it holds, so it may go again on a fresh
            // connection when a kept-alive one turns out stale (once).
            let mut got = Err(Fail::Stale);
            for _ in 0..2 {
                got = attempt(
                    self.connector,
                    &url,
                    &mut self.conn,
                    &mut self.delay,
                    timeout,
                    false,
                    tx,
                    self.rx,
                )
                .await;
                if !matches!(got, Err(Fail::Stale)) {
                    break;
                }
            }
            self.in_flight = false;
            self.last_head = 0;
            let res = got.map_err(Fail::into_error)?;
            self.last_head = res.head.head_len;
            if !res.reuse || !same_origin {
                close(&mut self.conn, &mut self.delay, self.config.close_timeout_ms).await;
            }
            self.tokens.observe(&res.head);
            if probing {
                // The answer's `Date` taught the source the time; now the token request itself.
                continue;
            }
            let start = res.head.head_len;
            let body = self.rx.get(start..start + res.body_len).unwrap_or(&[]);
            return self.tokens.token_response(&res.head, body).map_err(ClientError::Token);
        }
    }
}

/// Closes the connection in `slot` gracefully, bounded by `close_timeout_ms` (then dropped, which aborts it).
async fn close<C: Connection, D: DelayNs>(slot: &mut Option<C>, delay: &mut D, close_timeout_ms: u32) {
    if let Some(conn) = slot.take() {
        trace!("qod-client: closing the connection");
        let _ = select(conn.close(), delay.delay_ms(close_timeout_ms)).await;
    }
}

/// One attempt under the timeout: [`exchange`], and the connection dropped (aborted) if it failed.
#[allow(clippy::too_many_arguments)]
async fn attempt<'c, C: Connect, D: DelayNs>(
    connector: &'c C,
    url: &Url<'_>,
    slot: &mut Option<C::Connection<'c>>,
    delay: &mut D,
    timeout_ms: u32,
    check_idle: bool,
    tx: &[u8],
    rx: &mut [u8],
) -> Result<Done, Fail<C::Error>> {
    let outcome = select(
        exchange(connector, url, slot, check_idle, tx, rx),
        delay.delay_ms(timeout_ms),
    )
    .await;
    let res = match outcome {
        Either::First(r) => r,
        Either::Second(()) => {
            debug!(
                "qod-client: no complete response within {} ms: the connection is dropped",
                timeout_ms
            );
            Err(Fail::Timeout)
        }
    };
    if res.is_err() {
        *slot = None;
    }
    res
}

/// One attempt: (re)connect if needed, send `tx`, read one complete response into `rx`. On success the connection
/// stays in `slot` only if the response allows reuse; on failure the caller drops it.
async fn exchange<'c, C: Connect>(
    connector: &'c C,
    server: &Url<'_>,
    slot: &mut Option<C::Connection<'c>>,
    check_idle: bool,
    tx: &[u8],
    rx: &mut [u8],
) -> Result<Done, Fail<C::Error>> {
    if check_idle && slot.as_mut().is_some_and(|c| c.peer_closed()) {
        *slot = None;
    }
    let reused = slot.is_some();
    let conn = match slot {
        Some(conn) => {
            trace!("qod-client: reusing the kept-alive connection");
            conn
        }
        None => {
            debug!("qod-client: connecting to {}:{}", server.host, server.port);
            slot.insert(connector.connect(server).await.map_err(Fail::Transport)?)
        }
    };
    let io_fail = |e| {
        if reused {
            Fail::Stale
        } else {
            Fail::Transport(e)
        }
    };
    conn.write_all(tx).await.map_err(io_fail)?;
    conn.flush().await.map_err(io_fail)?;

    let mut reader = ResponseReader::new(rx);
    let mut received = false;
    loop {
        let buf = reader.receive_buffer();
        if buf.is_empty() {
            return Err(Fail::Http(qod_core::HttpError::TooLarge));
        }
        let got = match conn.read(buf).await {
            Ok(got) => got,
            Err(_) if reused && !received => return Err(Fail::Stale),
            Err(e) => return Err(Fail::Transport(e)),
        };
        if got == 0 {
            if reused && !received {
                return Err(Fail::Stale);
            }
            return match reader.finish_eof() {
                Ok(head) => Ok(Done {
                    head,
                    body_len: reader.body().len(),
                    reuse: false,
                }),
                Err(qod_core::HttpError::Truncated) => Err(Fail::Closed),
                Err(e) => Err(Fail::Http(e)),
            };
        }
        received = true;
        reader.commit(got);
        let polled = reader.poll();
        if let Ok(Status::Partial) = polled {
            // Give the caller's timer a turn: a server that always has more bytes ready (a flood of interim `1xx`
            // heads, trailers, a fast drip) would otherwise keep this loop from ever returning `Pending`, and the
            // timeout it races against would never be looked at.
            embassy_futures::yield_now().await;
        }
        match polled {
            Ok(Status::Complete(head)) => {
                let reuse = head.keep_alive && reader.extra() == 0;
                return Ok(Done {
                    head,
                    body_len: reader.body().len(),
                    reuse,
                });
            }
            Ok(Status::Partial) => {}
            Err(e) => return Err(Fail::Http(e)),
        }
    }
}
