//! Exit statuses by class, and how a failure is printed: one `qod: …` line on stderr, or with `--json` one JSON
//! object on stderr (stdout stays for results).
//!
//! | status | class | when |
//! |---:|---|---|
//! | 0 | — | success |
//! | 1 | `other` | anything else (`qod sim`/`qod demo` failures, output that cannot be written) |
//! | 2 | `usage` | the command line; an input refused before anything was sent; a file that cannot be read |
//! | 3 | `auth` | authentication or authorisation: HTTP 401/403, the token endpoint refused or sent no usable token |
//! | 4 | `api` | the API refused the request with a 4xx `ErrorInfo` (400, 404, 409, 422, 429, …) |
//! | 5 | `server` | the API failed with a 5xx |
//! | 6 | `network` | no answer: connect, DNS, TLS handshake or certificate, timeout, connection closed |
//! | 7 | `response` | an answer that is not what the API defines: not HTTP, not the operation's JSON, a status without an `ErrorInfo`, larger than the tool accepts |
//!
//! Text from a server (error messages, OAuth2 error fields, anything quoted back) is printed with control
//! characters and bidirectional-override characters escaped, so an answer cannot rewrite the terminal.
use std::fmt::Write as _;
use std::process::ExitCode;

/// The classes of failure, each with its exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// 1: anything not classed below.
    Other,
    /// 2: the command line, or an input refused before anything was sent.
    Usage,
    /// 3: credentials refused or unusable (401, 403, token endpoint).
    Auth,
    /// 4: the API refused the request (4xx other than 401/403).
    Api,
    /// 5: the API failed (5xx).
    Server,
    /// 6: no answer (connect, DNS, TLS, timeout, closed).
    Network,
    /// 7: an answer that is not what the API defines.
    Response,
}

impl Class {
    /// The exit status.
    pub fn code(self) -> u8 {
        match self {
            Class::Other => 1,
            Class::Usage => 2,
            Class::Auth => 3,
            Class::Api => 4,
            Class::Server => 5,
            Class::Network => 6,
            Class::Response => 7,
        }
    }

    /// The name used in `--json` errors.
    pub fn name(self) -> &'static str {
        match self {
            Class::Other => "other",
            Class::Usage => "usage",
            Class::Auth => "auth",
            Class::Api => "api",
            Class::Server => "server",
            Class::Network => "network",
            Class::Response => "response",
        }
    }

    /// The class of an API answer's HTTP status.
    pub fn of_status(status: u16) -> Class {
        match status {
            401 | 403 => Class::Auth,
            400..=499 => Class::Api,
            500..=599 => Class::Server,
            _ => Class::Response,
        }
    }
}

/// The exit statuses as the `--help` text lists them.
pub const HELP: &str = "\
Exit status:
  0  success
  1  other failure (qod sim, qod demo)
  2  usage: the command line, or an input refused before anything was sent
  3  authentication: HTTP 401/403, or the token endpoint refused the credentials
  4  the API refused the request (4xx with an ErrorInfo)
  5  the API failed (5xx)
  6  network: connect, DNS, TLS, timeout, connection closed
  7  the answer is not what the API defines (or larger than the tool accepts)

With --json, a failure is one JSON object on stderr:
  {\"error\":{\"class\":\"api\",\"exitCode\":4,\"status\":404,\"code\":\"NOT_FOUND\",\"message\":\"...\",\"hint\":\"...\"}}";

/// A failed command: its class, what happened, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The class (and so the exit status).
    pub class: Class,
    /// What happened, one sentence (server text included verbatim: it is escaped when printed).
    pub message: String,
    /// The HTTP status, for an answer from the API or the token endpoint.
    pub status: Option<u16>,
    /// The CAMARA `ErrorInfo.code` or the OAuth2 `error`.
    pub code: Option<String>,
    /// What to do about it, in the tool's terms (flags).
    pub hint: Option<String>,
}

impl Failure {
    /// A failure of `class` saying `message`.
    pub fn new(class: Class, message: impl Into<String>) -> Self {
        Failure {
            class,
            message: message.into(),
            status: None,
            code: None,
            hint: None,
        }
    }

    /// With a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The text line: `message - hint`, escaped.
    pub fn text(&self) -> String {
        match &self.hint {
            Some(h) => format!("{} - {}", escape(&self.message), escape(h)),
            None => escape(&self.message),
        }
    }

    /// The `--json` object: `{"error": {...}}` (serde_json escapes every control character).
    pub fn json(&self) -> serde_json::Value {
        let mut e = serde_json::Map::new();
        e.insert("class".into(), self.class.name().into());
        e.insert("exitCode".into(), self.class.code().into());
        if let Some(s) = self.status {
            e.insert("status".into(), s.into());
        }
        if let Some(c) = &self.code {
            e.insert("code".into(), c.as_str().into());
        }
        e.insert("message".into(), self.message.as_str().into());
        if let Some(h) = &self.hint {
            e.insert("hint".into(), h.as_str().into());
        }
        serde_json::json!({ "error": e })
    }

    /// Prints the failure on stderr (text or JSON) and returns its exit status.
    pub fn report(&self, json: bool) -> ExitCode {
        if json {
            eprintln!("{}", self.json());
        } else {
            eprintln!("qod: {}", self.text());
        }
        ExitCode::from(self.class.code())
    }
}

/// A message of ours (a flag or file problem) is a usage failure.
impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure::new(Class::Usage, message)
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Self {
        Failure::new(Class::Usage, message)
    }
}

/// `s` with every control character (C0, DEL, C1) and every bidirectional formatting character written as an
/// escape (`\n`, `\r`, `\t`, `\u{1b}`, `\u{202e}`), so that text from a server prints on one line and cannot move
/// the cursor, change colours or reorder what follows. A backslash is left as it is.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || is_bidi_control(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// The Unicode bidirectional formatting characters (embeddings, overrides, isolates, marks).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_escape_controls_and_bidi() {
        assert_eq!(
            escape("a\x1b[2Jb\nc\u{202e}d\u{7f}é\\"),
            "a\\u{1b}[2Jb\\nc\\u{202e}d\\u{7f}é\\"
        );
    }

    #[test]
    fn test_classes_of_status() {
        assert_eq!(Class::of_status(401), Class::Auth);
        assert_eq!(Class::of_status(409), Class::Api);
        assert_eq!(Class::of_status(503), Class::Server);
        assert_eq!(Class::of_status(302), Class::Response);
    }
}
