//! Credentials: the client asks a [`TokenSource`] for the bearer token of every request.
//!
//! A source says whether a token is ready, must be fetched first, or is not used at all; the client does the fetch
//! itself (over the same connector, and the same kept-alive connection when the token endpoint is on the API's
//! origin), so sources stay sans-IO and the token request gets the same timeout, TLS and keep-alive as API calls.
//! After a `401` the client tells the source ([`TokenSource::rejected`]) and, when the source can get a new token,
//! fetches one and repeats the request once; a second `401` is returned as it is (no loop).
//!
//! Sources: [`StaticToken`] (a token the application got elsewhere), [`ClientCredentials`] (OAuth2 client
//! credentials with `client_secret_basic`, `client_secret_post` or `private_key_jwt`; the token cached until shortly
//! before it expires).
//!
//! # Time
//! Token lifetimes are counted on a monotonic [`Clock`]. A JWT client assertion also needs the wall-clock time
//! (`iat`, `exp`): from [`Clock::unix_time`] when the device has an RTC or SNTP, otherwise from the `Date` header of the
//! server's latest response. A device that has neither when it must sign first sends `GET <token URL>` and takes the
//! time from that answer's `Date` (whatever its status); if even that has none, the fetch fails with
//! [`TokenError::NoClock`]. The `Date` of a server reached over TLS is authenticated by the connection; the server is
//! also the one that checks the assertion, so a wrong clock only hurts itself. (The TLS certificate check, by
//! contrast, uses only the [`Clock`], never a `Date` from the server it is checking.)
use core::fmt;
use qod_core::http::{ResponseHead, Url};
use qod_core::oauth::{self, jwt, ClientAuth, TokenError};

/// A monotonic clock, and the wall-clock time if the device knows it.
pub trait Clock {
    /// Milliseconds since any fixed point (boot); never goes back.
    fn now_ms(&self) -> u64;
    /// Seconds since the Unix epoch, when the device knows the wall-clock time (RTC, SNTP). Default: unknown.
    fn unix_time(&self) -> Option<u64> {
        None
    }
}

impl<K: Clock + ?Sized> Clock for &K {
    fn now_ms(&self) -> u64 {
        (**self).now_ms()
    }
    fn unix_time(&self) -> Option<u64> {
        (**self).unix_time()
    }
}

/// What the client must do about credentials before a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum TokenState {
    /// Send the request without `Authorization`.
    Anonymous,
    /// [`TokenSource::bearer`] holds a token to send.
    Ready,
    /// Fetch a token first ([`TokenSource::encode_token_request`], then [`TokenSource::token_response`]).
    Fetch,
}

/// Where the bearer token of each request comes from. Implementations never print a secret or a token.
pub trait TokenSource {
    /// Whether a token is ready now, must be fetched, or is not used.
    fn state(&mut self) -> TokenState;

    /// The token to send (when [`TokenState::Ready`]).
    fn bearer(&self) -> Option<&str>;

    /// The token endpoint (when the source can fetch).
    fn token_url(&self) -> Option<Url<'_>> {
        None
    }

    /// Writes the token request into `buf` and returns its length; `scratch` (the client's receive buffer, unused
    /// at that moment) is room for building a JWT assertion.
    ///
    /// # Errors
    /// [`TokenError::NoClock`] when a JWT must be signed and no wall-clock time is known (the client then asks the
    /// server for its `Date` and calls this once more); any other [`TokenError`].
    fn encode_token_request(&mut self, buf: &mut [u8], scratch: &mut [u8]) -> Result<usize, TokenError> {
        let _ = (buf, scratch);
        Err(TokenError::Encode(qod_core::Error::UnexpectedStatus(0)))
    }

    /// Takes the token endpoint's response.
    ///
    /// # Errors
    /// [`TokenError`] when it holds no usable token.
    fn token_response(&mut self, head: &ResponseHead, body: &[u8]) -> Result<(), TokenError> {
        let _ = (head, body);
        Err(TokenError::UnexpectedStatus(head.status))
    }

    /// Sees the head of every response (API and token endpoint), e.g. to learn the time from `Date`.
    fn observe(&mut self, head: &ResponseHead) {
        let _ = head;
    }

    /// The API answered `401` to the current token: forget it. Returns whether a new one can be fetched (the
    /// client then fetches and repeats the request once).
    fn rejected(&mut self) -> bool {
        false
    }
}

/// A fixed bearer token (or none), e.g. one provisioned by a gateway. After a `401` there is nothing to refresh.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct StaticToken<'a>(pub Option<&'a str>);

impl fmt::Debug for StaticToken<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "StaticToken(<redacted>)"
        } else {
            "StaticToken(None)"
        })
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for StaticToken<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "StaticToken({=bool})", self.0.is_some())
    }
}

impl TokenSource for StaticToken<'_> {
    fn state(&mut self) -> TokenState {
        match self.0 {
            Some(_) => TokenState::Ready,
            None => TokenState::Anonymous,
        }
    }

    fn bearer(&self) -> Option<&str> {
        self.0
    }
}

/// Signs JWT client assertions for `private_key_jwt`. With the `es256` feature, `Es256Signer` implements it with
/// the `p256` crate.
pub trait AssertionSigner {
    /// The ES256 signature (`r ‖ s`) of `input`; `None` on failure.
    fn sign_es256(&mut self, input: &[u8]) -> Option<[u8; 64]>;
    /// Unpredictable bytes for an assertion's `jti` (from the board's RNG).
    fn nonce(&mut self, out: &mut [u8; 16]);
}

/// No signer: the source authenticates with a client secret.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoSigner;

impl AssertionSigner for NoSigner {
    fn sign_es256(&mut self, _: &[u8]) -> Option<[u8; 64]> {
        None
    }
    fn nonce(&mut self, out: &mut [u8; 16]) {
        *out = [0; 16];
    }
}

enum Method<'a, S> {
    Basic(&'a str),
    Post(&'a str),
    Jwt { signer: S, kid: Option<&'a str> },
}

/// How long a JWT client assertion is valid (RFC 7523 servers accept a few minutes at most).
const ASSERTION_LIFETIME_S: u64 = 60;

/// OAuth2 client credentials (RFC 6749 §4.4): fetches a token from the token endpoint, caches it (at most `N`
/// bytes) and has it refreshed shortly before it expires (a tenth of its lifetime, at most a minute, early) and after
/// a `401`.
///
/// `Debug` and `defmt` show the method and client id, never the secret, the key or the token.
pub struct ClientCredentials<'a, K, S = NoSigner, const N: usize = 1024> {
    token_url: &'a str,
    url: Url<'a>,
    id: &'a str,
    method: Method<'a, S>,
    scope: Option<&'a str>,
    clock: K,
    token: heapless::String<N>,
    /// Monotonic time (ms) from which the cached token is refreshed; `None`: no token.
    refresh_at: Option<u64>,
    /// Lifetime to assume when the server sends no `expires_in`.
    assume_lifetime_s: Option<u32>,
    /// The server's latest `Date` and the monotonic time it came.
    date: Option<(u64, u32)>,
}

impl<'a, K: Clock> ClientCredentials<'a, K> {
    /// `client_secret_basic` (the default method of RFC 6749): id and secret in `Authorization: Basic`.
    ///
    /// # Errors
    /// [`qod_core::http::UrlError`] for a token URL that is not `http[s]://host[:port]/path`.
    pub fn basic(token_url: &'a str, id: &'a str, secret: &'a str, clock: K) -> Result<Self, qod_core::http::UrlError> {
        Self::with_method(token_url, id, Method::Basic(secret), clock)
    }

    /// `client_secret_post`: id and secret in the form body.
    ///
    /// # Errors
    /// As [`basic`](Self::basic).
    pub fn post(token_url: &'a str, id: &'a str, secret: &'a str, clock: K) -> Result<Self, qod_core::http::UrlError> {
        Self::with_method(token_url, id, Method::Post(secret), clock)
    }
}

impl<'a, K: Clock, S: AssertionSigner> ClientCredentials<'a, K, S> {
    /// `private_key_jwt` (RFC 7523): a client assertion signed by `signer` (ES256), with `kid` in its header when
    /// given.
    ///
    /// # Errors
    /// As [`basic`](Self::basic).
    pub fn private_key_jwt(
        token_url: &'a str,
        id: &'a str,
        signer: S,
        kid: Option<&'a str>,
        clock: K,
    ) -> Result<Self, qod_core::http::UrlError> {
        Self::with_method(token_url, id, Method::Jwt { signer, kid }, clock)
    }
}

impl<'a, K: Clock, S: AssertionSigner, const N: usize> ClientCredentials<'a, K, S, N> {
    fn with_method(
        token_url: &'a str,
        id: &'a str,
        method: Method<'a, S>,
        clock: K,
    ) -> Result<Self, qod_core::http::UrlError> {
        Ok(ClientCredentials {
            token_url,
            url: Url::parse(token_url)?,
            id,
            method,
            scope: None,
            clock,
            token: heapless::String::new(),
            refresh_at: None,
            assume_lifetime_s: None,
            date: None,
        })
    }

    /// The same source with room for tokens of up to `M` bytes (default 1024; JWT access tokens can need 2048).
    pub fn with_capacity<const M: usize>(self) -> ClientCredentials<'a, K, S, M> {
        ClientCredentials {
            token_url: self.token_url,
            url: self.url,
            id: self.id,
            method: self.method,
            scope: self.scope,
            clock: self.clock,
            token: heapless::String::new(),
            refresh_at: None,
            assume_lifetime_s: self.assume_lifetime_s,
            date: self.date,
        }
    }

    /// Asks for `scope` (space-separated scope tokens).
    pub fn with_scope(mut self, scope: &'a str) -> Self {
        self.scope = Some(scope);
        self
    }

    /// Uses a token without `expires_in` for `seconds` (by default such a response is refused with
    /// [`TokenError::NoExpiry`]).
    pub fn assume_lifetime(mut self, seconds: u32) -> Self {
        self.assume_lifetime_s = Some(seconds);
        self
    }

    /// The clock.
    pub fn clock(&self) -> &K {
        &self.clock
    }

    /// Forgets the cached token (the next request fetches a new one).
    pub fn invalidate(&mut self) {
        self.token.clear();
        self.refresh_at = None;
    }

    /// Whether a token is cached and not due for refresh.
    pub fn has_token(&self) -> bool {
        self.refresh_at.is_some_and(|at| self.clock.now_ms() < at)
    }

    /// The wall-clock time: the clock's, else the last server `Date` advanced by the monotonic time since.
    pub fn unix_time(&self) -> Option<u64> {
        self.clock.unix_time().or_else(|| {
            self.date
                .map(|(at, date)| u64::from(date) + self.clock.now_ms().saturating_sub(at) / 1000)
        })
    }
}

impl<K, S, const N: usize> ClientCredentials<'_, K, S, N> {
    fn method_name(&self) -> &'static str {
        match self.method {
            Method::Basic(_) => "client_secret_basic",
            Method::Post(_) => "client_secret_post",
            Method::Jwt { .. } => "private_key_jwt",
        }
    }
}

impl<K, S, const N: usize> fmt::Debug for ClientCredentials<'_, K, S, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("token_url", &self.token_url)
            .field("client_id", &self.id)
            .field("method", &self.method_name())
            .field("credential", &"<redacted>")
            .field("token", &if self.token.is_empty() { "none" } else { "<redacted>" })
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "defmt")]
impl<K, S, const N: usize> defmt::Format for ClientCredentials<'_, K, S, N> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "ClientCredentials {{ token_url: {=str}, client_id: {=str}, method: {=str}, credential: <redacted>, token: {=bool} }}",
            self.token_url,
            self.id,
            self.method_name(),
            !self.token.is_empty()
        )
    }
}

/// Lower-case hex of `bytes` into `out`.
fn hex<'o>(bytes: &[u8; 16], out: &'o mut [u8; 32]) -> &'o str {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (i, b) in bytes.iter().enumerate() {
        if let (Some(hi), Some(lo)) = (out.get_mut(2 * i), HEX.get(usize::from(b >> 4))) {
            *hi = *lo;
        }
        if let (Some(lo_out), Some(lo)) = (out.get_mut(2 * i + 1), HEX.get(usize::from(b & 15))) {
            *lo_out = *lo;
        }
    }
    core::str::from_utf8(out).unwrap_or("")
}

impl<K: Clock, S: AssertionSigner, const N: usize> TokenSource for ClientCredentials<'_, K, S, N> {
    fn state(&mut self) -> TokenState {
        if self.has_token() {
            TokenState::Ready
        } else {
            TokenState::Fetch
        }
    }

    fn bearer(&self) -> Option<&str> {
        (!self.token.is_empty()).then_some(self.token.as_str())
    }

    fn token_url(&self) -> Option<Url<'_>> {
        Some(self.url)
    }

    fn encode_token_request(&mut self, buf: &mut [u8], scratch: &mut [u8]) -> Result<usize, TokenError> {
        let now = self.unix_time();
        let auth = match &mut self.method {
            Method::Basic(secret) => ClientAuth::SecretBasic { id: self.id, secret },
            Method::Post(secret) => ClientAuth::SecretPost { id: self.id, secret },
            Method::Jwt { signer, kid } => {
                let now = now.ok_or(TokenError::NoClock)?;
                let mut nonce = [0u8; 16];
                signer.nonce(&mut nonce);
                let mut jti = [0u8; 32];
                let claims = jwt::Claims {
                    client_id: self.id,
                    audience: self.token_url,
                    jti: hex(&nonce, &mut jti),
                    issued_at: now,
                    expires_at: now + ASSERTION_LIFETIME_S,
                };
                let n = jwt::write_assertion(scratch, *kid, &claims, &mut |input| signer.sign_es256(input))?;
                let assertion =
                    core::str::from_utf8(scratch.get(..n).unwrap_or(&[])).map_err(|_| TokenError::Signing)?;
                ClientAuth::PrivateKeyJwt { id: self.id, assertion }
            }
        };
        Ok(oauth::encode_token_request(&self.url, &auth, self.scope, buf)?)
    }

    fn token_response(&mut self, head: &ResponseHead, body: &[u8]) -> Result<(), TokenError> {
        self.refresh_at = None;
        let info = oauth::decode_token_response(head.status, body, self.token.as_mut_view())?;
        let Some(lifetime_s) = info.expires_in.or(self.assume_lifetime_s) else {
            self.token.clear();
            return Err(TokenError::NoExpiry);
        };
        let lifetime_ms = u64::from(lifetime_s) * 1000;
        let margin = (lifetime_ms / 10).min(60_000);
        self.refresh_at = Some(self.clock.now_ms() + lifetime_ms - margin);
        Ok(())
    }

    fn observe(&mut self, head: &ResponseHead) {
        if let Some(date) = head.date {
            self.date = Some((self.clock.now_ms(), date));
        }
    }

    fn rejected(&mut self) -> bool {
        self.invalidate();
        true
    }
}
