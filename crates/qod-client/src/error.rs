//! [`ClientError`]: everything a request can end with other than success.
use core::fmt;
use qod_core::api::ApiError;
use qod_core::common::{ErrorCode, StatusInfo};
use qod_core::oauth::TokenError;
use qod_core::{Error as CodecError, HttpError};

/// Why a client operation failed. Generic over the transport's error `E`, like minimq's `Error<E>`.
///
/// `Display` says what happened *and what to change*; `Debug`/`defmt` never contain the access token.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ClientError<E> {
    /// The transport failed (connect, DNS, read or write).
    Transport(E),
    /// No complete response within [`Config::timeout_ms`](crate::Config::timeout_ms).
    Timeout,
    /// The server closed the connection before a complete response. For a `POST` on a kept-alive connection the
    /// request may or may not have reached the server: it is not re-sent (check with a `GET` first).
    ConnectionClosed,
    /// A local codec problem: an input refused before sending ([`CodecError::Invalid`]), a buffer too small, or a
    /// response that is not what the operation defines.
    Codec(CodecError),
    /// The API refused with a CAMARA `ErrorInfo` (status, code, message, `Retry-After`).
    Api(ApiError),
    /// `wait_until_available`: the session went `UNAVAILABLE`, and why (`statusInfo`, which 1.1.0 reports and
    /// v0.10.1 does not).
    SessionUnavailable(Option<StatusInfo>),
    /// `wait_until_available`: still `REQUESTED` at the deadline.
    DeadlineExceeded,
    /// No access token could be had from the token source (the OAuth2 token endpoint refused or answered
    /// something unusable).
    Token(TokenError),
}

impl<E> ClientError<E> {
    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Api(e) => Some(e.status),
            ClientError::Codec(CodecError::UnexpectedStatus(s)) => Some(*s),
            _ => None,
        }
    }

    /// The CAMARA error code of an API error.
    pub fn api_code(&self) -> Option<ErrorCode> {
        match self {
            ClientError::Api(e) => Some(e.code()),
            _ => None,
        }
    }
}

impl<E> From<CodecError> for ClientError<E> {
    fn from(e: CodecError) -> Self {
        ClientError::Codec(e)
    }
}

/// What to change after an API error: by its CAMARA code where the code says more than the status (the 1.1.0 codes
/// share their statuses with v0.10.1's), else by the status.
fn api_hint(e: &ApiError) -> &'static str {
    match (e.code(), e.status) {
        (ErrorCode::SessionExtensionNotAllowed, _) => {
            "only an AVAILABLE session can be extended: read its qosStatus, or create a new session"
        }
        (ErrorCode::DurationOutOfRange, _) => {
            "choose a duration within the QoS profile's minDuration and maxDuration (read the profile)"
        }
        (ErrorCode::QosProfileNotApplicable, _) => "this QoS profile cannot be used for the session: choose another",
        (ErrorCode::IdentifierNotFound, _) => "the network does not know this device identifier: check it",
        (ErrorCode::MissingIdentifier, _) => "name the device: the access token does not identify one",
        (ErrorCode::UnnecessaryIdentifier, _) => "leave the device out: the access token already identifies it",
        (ErrorCode::UnsupportedIdentifier, _) => {
            "identify the device another way (phone number, network access identifier or IP address)"
        }
        (ErrorCode::ServiceNotApplicable, _) => "QoD is not available for this device",
        (ErrorCode::InvalidSink, _) => "the sink must be an https:// URL the operator can reach",
        (ErrorCode::InvalidCredential | ErrorCode::InvalidToken, _) => {
            "the sinkCredential must be an ACCESSTOKEN credential with accessTokenType bearer"
        }
        (ErrorCode::QuotaExceeded, _) => "a business quota is used up: contact the operator",
        (_, 400) => "fix the request fields named in the message",
        (_, 401) => "the access token is missing, invalid or expired: get a new one",
        (_, 403) => "the token lacks the scope or the device is not allowed: check the credentials' permissions",
        (_, 404) => "the session (or profile) does not exist or has already been deleted",
        (_, 409) => "a session already exists for this device: delete it or reuse it",
        (_, 422) => "the device or parameters cannot be served: check the device identifier",
        (_, 429) => "too many requests: retry after the indicated time (see `RetryPolicy`)",
        (_, 503) => "the service is temporarily unavailable: retry later (see `RetryPolicy`)",
        (_, 500..=599) => "server-side failure: retry later or contact the operator",
        _ => "see the API documentation for this status",
    }
}

impl<E: fmt::Display> fmt::Display for ClientError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Transport(e) => {
                write!(f, "transport error: {e} (check the server address, the network link and that the server is running)")
            }
            ClientError::Timeout => f.write_str(
                "no complete response in time: check the server address and the network, or raise `Config::timeout_ms`",
            ),
            ClientError::ConnectionClosed => f.write_str(
                "the server closed the connection before a complete response; a POST was not re-sent (check its effect with a GET)",
            ),
            ClientError::Codec(CodecError::Invalid(v)) => write!(f, "invalid input, nothing was sent: {v}"),
            ClientError::Codec(CodecError::BufferTooSmall) => {
                f.write_str("the request does not fit the transmit buffer: pass a larger `tx_buf`")
            }
            ClientError::Codec(CodecError::Http(HttpError::TooLarge)) => {
                f.write_str("the response does not fit the receive buffer: pass a larger `rx_buf`")
            }
            ClientError::Codec(CodecError::UnexpectedStatus(s)) => {
                write!(f, "unexpected HTTP status {s} without an ErrorInfo body: check the server URL and base path")
            }
            ClientError::Codec(e) => write!(f, "the server's response is not valid for this operation: {e}"),
            ClientError::Api(e) => {
                write!(f, "API error {} {}: {}", e.status, e.info.code, e.info.message)?;
                if let Some(s) = e.retry_after {
                    write!(f, " (Retry-After {s} s)")?;
                }
                write!(f, " - {}", api_hint(e))
            }
            ClientError::SessionUnavailable(info) => {
                f.write_str("the network could not provide the requested QoS (qosStatus UNAVAILABLE")?;
                if let Some(i) = info {
                    write!(f, ", statusInfo {i}")?;
                }
                f.write_str(match info {
                    Some(StatusInfo::DurationExpired) => "): the session ran its duration; create a new one",
                    Some(StatusInfo::DeleteRequested) => "): the session was deleted",
                    _ => "): try another profile or later",
                })
            }
            ClientError::DeadlineExceeded => {
                f.write_str("the session was still REQUESTED at the deadline: raise the deadline or check the network side")
            }
            ClientError::Token(e) => write!(f, "no access token: {e}"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> core::error::Error for ClientError<E> {}

impl<E: embedded_io::Error> embedded_io::Error for ClientError<E> {
    fn kind(&self) -> embedded_io::ErrorKind {
        use embedded_io::ErrorKind;
        match self {
            ClientError::Transport(e) => e.kind(),
            ClientError::Timeout | ClientError::DeadlineExceeded => ErrorKind::TimedOut,
            ClientError::ConnectionClosed => ErrorKind::ConnectionAborted,
            ClientError::Codec(CodecError::Invalid(_)) => ErrorKind::InvalidInput,
            ClientError::Codec(CodecError::BufferTooSmall) => ErrorKind::OutOfMemory,
            ClientError::Codec(_) => ErrorKind::InvalidData,
            ClientError::Api(e) if e.status == 401 || e.status == 403 => ErrorKind::PermissionDenied,
            ClientError::Api(e) if e.status == 404 => ErrorKind::NotFound,
            ClientError::Api(e) if e.status == 409 => ErrorKind::AlreadyExists,
            ClientError::Token(TokenError::Refused(_)) => ErrorKind::PermissionDenied,
            ClientError::Token(_) | ClientError::Api(_) | ClientError::SessionUnavailable(_) => ErrorKind::Other,
        }
    }
}
