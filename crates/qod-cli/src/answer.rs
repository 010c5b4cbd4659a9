//! What the gateway commands read back, at host size, and what a failure means in the tool's terms.
//!
//! The gateway runs the devices' client and operations (`qod_core::v0::op`), but a device's decoded models have
//! fixed capacities (`qod_core::limits`, chosen for a microcontroller: 16 profiles, 128-character descriptions,
//! 256-character error messages, …). The tool is a host tool, so every operation runs inside [`Host`], which keeps
//! the answer as received ([`Answer`]) and still lets the device codec check it:
//!
//! - an answer the device codec accepts is shown whole, from its JSON (`serde_json`, no limits);
//! - an answer it refuses *only* because a value exceeds a device capacity that the spec does not set (a
//!   description, a message, a notification URL, a network access identifier, the number of messages or ports) is
//!   checked again in copies fitted to the device: those strings shortened, those lists taken a device-full at a
//!   time, so that every element is still checked; any number of profiles is checked one by one;
//! - any other decode error (a missing member, a wrong type, a value over the spec's own `maxLength`) is refused,
//!   as on the device;
//! - an error status is read as an `ErrorInfo` at host size too, so a long message is shown, and a body that is
//!   not an `ErrorInfo` is reported as such (never as a message cut short or a "wrong URL" for a long one).
use crate::exit::{Class, Failure};
use qod_client::ClientError;
use qod_core::api::{Endpoint, Operation, ResponseError};
use qod_core::http::Response;
use qod_core::oauth::TokenError;
use qod_core::{DecodeErrorKind, Error as CodecError, HttpError};

/// The receive buffer of the gateway commands: one response head and body. A QoD answer is a few kilobytes; a
/// catalogue of a thousand profiles fits.
pub const RX_BYTES: usize = 1024 * 1024;
/// The transmit buffer: one request (a create body with every field is under 2 KB).
pub const TX_BYTES: usize = 16 * 1024;

/// The last answer of an operation, as received.
#[derive(Debug, Default)]
pub struct Answer {
    /// Its HTTP status (0 until an answer came).
    pub status: u16,
    /// Its body (de-chunked).
    pub body: Vec<u8>,
    /// Its `Retry-After`, in seconds.
    pub retry_after: Option<u32>,
}

impl Answer {
    /// The body as JSON with its members in the server's order, at any size.
    ///
    /// # Errors
    /// A [`Class::Response`] failure when the body is not JSON.
    pub fn json(&self, what: &str) -> Result<serde_json::Value, Failure> {
        serde_json::from_slice(&self.body).map_err(|e| {
            Failure::new(
                Class::Response,
                format!("the server's answer is not a valid {what}: {e}"),
            )
        })
    }

    /// The body read as a CAMARA `ErrorInfo` (`code`, `message`), at host size.
    fn error_info(&self) -> Option<(String, String)> {
        let v: serde_json::Value = serde_json::from_slice(&self.body).ok()?;
        let code = v.get("code")?.as_str()?.to_owned();
        let message = v.get("message")?.as_str()?.to_owned();
        Some((code, message))
    }
}

/// An operation run at host size: the answer is kept in `answer`, and a decode error that is only a device
/// capacity is no error.
pub struct Host<'a, O> {
    /// The device operation (its request, and its decoder as the check).
    pub op: O,
    /// Where the answer goes.
    pub answer: &'a mut Answer,
}

impl<O: Operation> Operation for Host<'_, O> {
    type Output = ();
    const IDEMPOTENT: bool = O::IDEMPOTENT;

    fn encode(&self, ep: &Endpoint<'_>, buf: &mut [u8]) -> Result<usize, CodecError> {
        self.op.encode(ep, buf)
    }

    fn decode(&mut self, res: &Response<'_>) -> Result<(), ResponseError> {
        self.answer.status = res.status();
        self.answer.body.clear();
        self.answer.body.extend_from_slice(res.body);
        self.answer.retry_after = res.head.retry_after;
        match self.op.decode(res) {
            Ok(_) => Ok(()),
            Err(ResponseError::Codec(CodecError::Decode(e)))
                if (200..300).contains(&res.status())
                    && matches!(e.kind, DecodeErrorKind::TooLong | DecodeErrorKind::TooMany) =>
            {
                let Ok(value) = serde_json::from_slice::<serde_json::Value>(res.body) else {
                    return Err(ResponseError::Codec(CodecError::Decode(e)));
                };
                for copy in fitted(&value) {
                    let bytes = serde_json::to_vec(&copy).unwrap_or_default();
                    self.op.decode(&Response::new(res.head, res.head_bytes, &bytes))?;
                }
                Ok(())
            }
            // An error status keeps its error, so that the client's 429/503 waits still apply; the failure is
            // then read from the kept answer (see `failure`).
            Err(e) => Err(e),
        }
    }
}

/// The device capacity of a member the spec leaves unbounded, by its name: `(string bytes, list items)`.
fn device_capacity(name: &str) -> Option<(usize, usize)> {
    use qod_core::limits;
    Some(match name {
        "description" => (limits::MESSAGE_DESCRIPTION.min(limits::PROFILE_DESCRIPTION), 0),
        "notificationUrl" => (limits::NOTIFICATION_URL, 0),
        "networkAccessIdentifier" => (limits::NETWORK_ACCESS_IDENTIFIER, 0),
        "messages" => (0, limits::MESSAGES),
        "ports" => (0, limits::PORTS),
        "ranges" => (0, limits::PORT_RANGES),
        _ => return None,
    })
}

/// Copies of `value` fitted to the device's capacities where the spec sets none: such strings cut (at a character
/// boundary) to the capacity, such lists replaced by their `k`-th device-full, for every `k`, so that the copies
/// together hold every element. A top-level list (the profiles) is kept whole: it is decoded one item at a time.
fn fitted(value: &serde_json::Value) -> Vec<serde_json::Value> {
    let mut copies = Vec::new();
    let mut k = 0;
    loop {
        let mut more = false;
        let mut copy = value.clone();
        fit(&mut copy, k, &mut more);
        copies.push(copy);
        if !more {
            return copies;
        }
        k += 1;
    }
}

/// Fits `v` for round `k`; `more` is set when some list has items beyond round `k`.
fn fit(v: &mut serde_json::Value, k: usize, more: &mut bool) {
    use serde_json::Value;
    match v {
        Value::Array(items) => items.iter_mut().for_each(|i| fit(i, k, more)),
        Value::Object(members) => {
            for (name, member) in members.iter_mut() {
                match (device_capacity(name), member) {
                    (Some((bytes, _)), Value::String(s)) if bytes > 0 && s.len() > bytes => {
                        let mut end = bytes;
                        while !s.is_char_boundary(end) {
                            end -= 1;
                        }
                        s.truncate(end);
                    }
                    (Some((_, n)), Value::Array(items)) if n > 0 && items.len() > n => {
                        let chunks = items.len().div_ceil(n);
                        *more |= k + 1 < chunks;
                        let start = k.min(chunks - 1) * n;
                        let chunk: Vec<Value> = items.drain(..).skip(start).take(n).collect();
                        *items = chunk;
                        items.iter_mut().for_each(|i| fit(i, k, more));
                    }
                    (_, member) => fit(member, k, more),
                }
            }
        }
        _ => {}
    }
}

/// What the gateway commands need to word a failure in the tool's terms.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The answer's model, e.g. `SessionInfo`.
    pub what: &'a str,
    /// `--timeout` in seconds.
    pub timeout_s: u32,
    /// Whether the request changes something (a create or an extend), for a connection closed mid-answer.
    pub changes: bool,
}

/// A client error as the tool reports it: class, message, and a hint that names flags, not library items.
pub fn failure(e: ClientError<std::io::Error>, answer: &Answer, cx: Context<'_>) -> Failure {
    match e {
        ClientError::Transport(io) => transport(&io),
        ClientError::Timeout => Failure::new(
            Class::Network,
            format!("no complete answer within --timeout {} s", cx.timeout_s),
        )
        .hint("check --server and the network, or raise --timeout"),
        ClientError::ConnectionClosed => {
            let f = Failure::new(
                Class::Network,
                "the server closed the connection before a complete answer",
            );
            if cx.changes {
                f.hint("the request may or may not have taken effect: check with `qod session get`")
            } else {
                f.hint("try again; check --server if it persists")
            }
        }
        ClientError::Codec(CodecError::Invalid(v)) => {
            Failure::new(Class::Usage, format!("invalid input, nothing was sent: {v}"))
        }
        ClientError::Codec(CodecError::BufferTooSmall) => Failure::new(
            Class::Usage,
            format!("the request is larger than the tool sends ({} KiB)", TX_BYTES / 1024),
        ),
        ClientError::Codec(CodecError::Http(HttpError::TooLarge)) => Failure::new(
            Class::Response,
            format!(
                "the server's answer is larger than the tool accepts ({} KiB)",
                RX_BYTES / 1024
            ),
        )
        .hint("a QoD answer is a few kilobytes: check that --server is a QoD API"),
        ClientError::Codec(CodecError::Http(h)) => Failure::new(
            Class::Response,
            format!("the server's answer is not valid HTTP/1.1: {h}"),
        )
        .hint("check --server (scheme, host, port and base path)"),
        ClientError::Api(_) | ClientError::Codec(CodecError::UnexpectedStatus(_)) => status_failure(answer),
        ClientError::Codec(CodecError::Decode(d)) => Failure::new(
            Class::Response,
            format!("the server's answer is not a valid {}: {d}", cx.what),
        ),
        ClientError::Codec(other) => {
            Failure::new(Class::Response, format!("the server's answer is not usable: {other}"))
        }
        ClientError::Token(t) => token(t),
        other => Failure::new(Class::Other, other.to_string()),
    }
}

/// An answer with a status the operation does not define: the API's `ErrorInfo` (any length), or a status with
/// something else in its body.
fn status_failure(answer: &Answer) -> Failure {
    let (status, retry_after) = (answer.status, answer.retry_after);
    match answer.error_info() {
        Some((code, message)) if (400..600).contains(&status) => {
            let mut f = Failure::new(
                Class::of_status(status),
                format!("API error {status} {code}: {message}"),
            );
            let hint = code_hint(&code).map_or_else(|| status_hint(status, retry_after), str::to_owned);
            f.status = Some(status);
            f.code = Some(code);
            f.hint(hint)
        }
        _ => {
            let mut f = Failure::new(
                Class::Response,
                format!("unexpected HTTP status {status} without an ErrorInfo body"),
            )
            .hint("check --server: its scheme, host, port and base path (e.g. https://host/qod/v0)");
            f.status = Some(status);
            f
        }
    }
}

/// What to do about an API error whose CAMARA code says more than its status (the 1.1.0 codes share their
/// statuses with v0.10.1's), with the tool's flags.
fn code_hint(code: &str) -> Option<&'static str> {
    Some(match code {
        "QUALITY_ON_DEMAND.SESSION_EXTENSION_NOT_ALLOWED" => {
            "only an AVAILABLE session can be extended: read its qosStatus, or create a new session"
        }
        "QUALITY_ON_DEMAND.DURATION_OUT_OF_RANGE" => {
            "choose a --duration within the profile's minDuration and maxDuration (qod --api v1 profiles NAME)"
        }
        "QUALITY_ON_DEMAND.QOS_PROFILE_NOT_APPLICABLE" => {
            "this QoS profile cannot be used for the session: choose another --profile"
        }
        "IDENTIFIER_NOT_FOUND" => "the network does not know this device identifier: check the device flags",
        "MISSING_IDENTIFIER" => {
            "name the device (--phone-number, --nai, --device-ipv4, --device-ipv6): the access token does not identify one"
        }
        "UNNECESSARY_IDENTIFIER" => "leave the device flags out: the access token already identifies the device",
        "UNSUPPORTED_IDENTIFIER" => {
            "identify the device another way (--phone-number, --nai, --device-ipv4 or --device-ipv6)"
        }
        "SERVICE_NOT_APPLICABLE" => "QoD is not available for this device",
        "INVALID_SINK" => "--sink must be an https:// URL the operator can reach",
        "INVALID_CREDENTIAL" | "INVALID_TOKEN" => "--sink-token must be a bearer access token",
        "QUOTA_EXCEEDED" => "a business quota is used up: contact the operator",
        _ => return None,
    })
}

/// What to do about an API error status, with the tool's flags.
fn status_hint(status: u16, retry_after: Option<u32>) -> String {
    match status {
        400 => "fix the request: the message names the field".into(),
        401 => "the access token is missing, invalid or expired: give a fresh one (QOD_TOKEN) or client credentials (--client-id)".into(),
        403 => "the credentials lack the scope or the device is not theirs: check --scope and the client's permissions".into(),
        404 => "no such session or profile (or it was deleted): check the id and --server's base path".into(),
        409 => "a session already exists for this device: delete it (qod session delete ID) or reuse it".into(),
        422 => "the device or parameters cannot be served: check the device flags".into(),
        429 | 503 => match retry_after {
            Some(s) => format!("the server asks to retry after {s} s"),
            None => "retry later".into(),
        },
        500..=599 => "server-side failure: retry later or contact the operator".into(),
        _ => "see the API documentation for this status".into(),
    }
}

/// A transport error: the network class; a certificate problem names `--ca-file`.
fn transport(io: &std::io::Error) -> Failure {
    let text = io.to_string();
    // The client's own hint names library items as well; the tool gives its own.
    let text = match text.find(" (the server's certificate is not trusted") {
        Some(i) => text[..i].to_owned(),
        None => text,
    };
    let hint = if text.contains("UnknownIssuer") || text.contains("invalid peer certificate") {
        "the server's certificate is not trusted: pass its CA with --ca-file PEM"
    } else if text.contains("TLS") {
        "check --server's host name and that it serves TLS 1.2 or 1.3"
    } else {
        "check --server, the network, and that the server is running"
    };
    Failure::new(Class::Network, format!("cannot reach the server: {text}")).hint(hint)
}

/// A token failure: refused credentials are an authentication failure; a strange answer a response failure.
fn token(t: TokenError) -> Failure {
    let message = format!("no access token: {t}");
    match t {
        TokenError::Refused(e) => {
            let mut f = Failure::new(Class::Auth, message).hint(
                "check --client-id and its secret (QOD_CLIENT_SECRET, --client-secret-file) or key (--client-key-file), --auth-method and --scope",
            );
            f.status = Some(e.status);
            f.code = e.error.as_str().map(str::to_owned);
            f
        }
        TokenError::UnexpectedStatus(s) => {
            let mut f = Failure::new(
                Class::Response,
                format!("no access token: the token endpoint answered HTTP {s} without an OAuth2 error"),
            )
            .hint("check --token-url (default: {scheme}://{host}/oauth/token of --server)");
            f.status = Some(s);
            f
        }
        TokenError::Decode(_) => Failure::new(Class::Response, message).hint("check --token-url"),
        TokenError::TooLong => Failure::new(
            Class::Response,
            "no access token: the token endpoint issued an access token longer than the tool holds (4 KiB)",
        ),
        TokenError::NoExpiry => Failure::new(
            Class::Auth,
            "no access token: the token endpoint sent no expires_in, so the token's lifetime is unknown",
        )
        .hint("get a token another way and pass it in QOD_TOKEN"),
        TokenError::NotBearer | TokenError::InvalidToken => Failure::new(Class::Auth, message),
        TokenError::Encode(_) => Failure::new(Class::Usage, message).hint("check --client-id and --scope"),
        TokenError::Signing => {
            Failure::new(Class::Usage, message).hint("check --client-key-file (a P-256 private key)")
        }
        _ => Failure::new(Class::Other, message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            body: body.as_bytes().to_vec(),
            retry_after: None,
        }
    }

    const CX: Context<'static> = Context {
        what: "SessionInfo",
        timeout_s: 7,
        changes: false,
    };

    #[test]
    fn test_fitted_copies_hold_every_element_within_device_capacities() {
        let n = qod_core::limits::MESSAGES * 2 + 1;
        let messages: Vec<_> = (0..n)
            .map(|i| serde_json::json!({ "severity": "INFO", "description": format!("{i}{}", "é".repeat(300)) }))
            .collect();
        let v = serde_json::json!({ "messages": messages, "device": { "networkAccessIdentifier": "a".repeat(500) } });
        let copies = fitted(&v);
        assert_eq!(copies.len(), 3);
        let mut seen = Vec::new();
        for c in &copies {
            let m = c["messages"].as_array().unwrap();
            assert!(m.len() <= qod_core::limits::MESSAGES);
            for x in m {
                let d = x["description"].as_str().unwrap();
                assert!(d.len() <= qod_core::limits::MESSAGE_DESCRIPTION);
                seen.push(d.chars().next().unwrap());
            }
            let nai = c["device"]["networkAccessIdentifier"].as_str().unwrap();
            assert_eq!(nai.len(), qod_core::limits::NETWORK_ACCESS_IDENTIFIER);
        }
        seen.dedup();
        assert_eq!(seen.len(), n.min(10), "{seen:?}");
        // A member the spec bounds itself is left as it is (the device codec refuses it).
        let v = serde_json::json!({ "qosProfile": "Q".repeat(300) });
        assert_eq!(fitted(&v), vec![v]);
    }

    #[test]
    fn test_long_error_message_is_an_api_error_not_a_wrong_url() {
        let long = "x".repeat(5000);
        let a = answer(
            409,
            &format!(r#"{{"status":409,"code":"CONFLICT","message":"{long}"}}"#),
        );
        let f = failure(ClientError::Codec(CodecError::UnexpectedStatus(409)), &a, CX);
        assert_eq!(f.class, Class::Api);
        assert_eq!(f.code.as_deref(), Some("CONFLICT"));
        assert!(f.message.ends_with(&long), "{}", f.message);
    }

    #[test]
    fn test_status_without_error_info_points_at_the_url() {
        let f = failure(
            ClientError::Codec(CodecError::UnexpectedStatus(404)),
            &answer(404, "<html>"),
            CX,
        );
        assert_eq!(f.class, Class::Response);
        assert!(f.hint.unwrap().contains("--server"));
    }

    #[test]
    fn test_hints_name_flags_not_library_items() {
        for e in [
            ClientError::Timeout,
            ClientError::Codec(CodecError::Http(HttpError::TooLarge)),
            ClientError::Codec(CodecError::BufferTooSmall),
        ] {
            let f = failure(e, &Answer::default(), CX);
            let text = f.text();
            assert!(
                !text.contains("Config") && !text.contains("_buf") && !text.contains("timeout_ms"),
                "{text}"
            );
        }
        let f = failure(ClientError::Timeout, &Answer::default(), CX);
        assert!(f.text().contains("--timeout 7 s"), "{}", f.text());
        assert_eq!(f.class, Class::Network);
    }
}
