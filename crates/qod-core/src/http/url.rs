//! [`Url`]: the one parser of `http(s)://host[:port][/path]` server URLs, for the API's base URL and the OAuth2 token
//! endpoint, on the device and in the host tools alike.
use core::fmt;

/// A parsed `http://` or `https://` URL without userinfo, query or fragment: where a connection goes (scheme, host,
/// port), what the `Host` header says (authority), and the path requests start with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Url<'a> {
    /// `https://`: the connection must be TLS.
    pub https: bool,
    /// Host name or IP literal, without brackets.
    pub host: &'a str,
    /// TCP port (80 for `http`, 443 for `https` when absent).
    pub port: u16,
    /// `Host` header value: the URL's authority (`host[:port]`, brackets kept).
    pub authority: &'a str,
    /// The path, e.g. `/qod/v0` or `/oauth/token` (empty when absent; no trailing `/`).
    pub path: &'a str,
}

/// Why a URL was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum UrlError {
    /// Neither `http://` nor `https://`.
    Scheme,
    /// Empty host, bad brackets, or a userinfo, query or fragment part.
    Host,
    /// A port that is not a number in 1-65535.
    Port,
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UrlError::Scheme => "the URL must start with http:// or https://",
            UrlError::Host => {
                "the URL has no valid host (expected http[s]://host[:port][/path], no user, query or fragment)"
            }
            UrlError::Port => "the URL's port must be a number from 1 to 65535",
        })
    }
}

impl core::error::Error for UrlError {}

fn strip_scheme<'a>(url: &'a str, scheme: &str) -> Option<&'a str> {
    let head = url.get(..scheme.len())?;
    head.eq_ignore_ascii_case(scheme)
        .then(|| url.get(scheme.len()..))
        .flatten()
}

impl<'a> Url<'a> {
    /// Parses `http[s]://host[:port][/path]` (IPv6 as `[::1]`).
    ///
    /// # Errors
    /// [`UrlError`].
    ///
    /// # Panics
    /// Never.
    pub fn parse(url: &'a str) -> Result<Self, UrlError> {
        let (https, rest) = match (strip_scheme(url, "https://"), strip_scheme(url, "http://")) {
            (Some(rest), _) => (true, rest),
            (_, Some(rest)) => (false, rest),
            _ => return Err(UrlError::Scheme),
        };
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        if authority.is_empty() || authority.contains(['@', '?', '#']) || path.contains(['?', '#']) {
            return Err(UrlError::Host);
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (h, tail) = v6.split_once(']').ok_or(UrlError::Host)?;
            match tail {
                "" => (h, None),
                t => (h, Some(t.strip_prefix(':').ok_or(UrlError::Host)?)),
            }
        } else {
            match authority.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            }
        };
        let port = match port {
            None if https => 443,
            None => 80,
            Some(p) => p.parse::<u16>().ok().filter(|p| *p != 0).ok_or(UrlError::Port)?,
        };
        if host.is_empty() || host.contains(['[', ']']) {
            return Err(UrlError::Host);
        }
        Ok(Url {
            https,
            host,
            port,
            authority,
            path: path.trim_end_matches('/'),
        })
    }

    /// Whether two URLs reach the same server over the same kind of connection (scheme, host and port), so that
    /// one kept-alive connection can carry requests for both.
    pub fn same_origin(&self, other: &Url<'_>) -> bool {
        self.https == other.https && self.port == other.port && self.host.eq_ignore_ascii_case(other.host)
    }

    /// Whether the host is a loopback address (`localhost`, `127.0.0.0/8`, `::1`).
    pub fn is_loopback(&self) -> bool {
        let h = self.host;
        h.eq_ignore_ascii_case("localhost")
            || h == "::1"
            || h.strip_prefix("127.").is_some_and(|r| {
                let mut n = 0;
                r.split('.').all(|o| {
                    n += 1;
                    !o.is_empty() && o.len() <= 3 && o.bytes().all(|b| b.is_ascii_digit()) && o.parse::<u8>().is_ok()
                }) && n == 3
            })
    }
}

impl fmt::Display for Url<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.https { "https" } else { "http" };
        write!(f, "{scheme}://{}{}", self.authority, self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_parse() {
        let u = Url::parse("http://127.0.0.1:9091/qod/v0/").unwrap();
        assert_eq!(
            (u.https, u.host, u.port, u.authority, u.path),
            (false, "127.0.0.1", 9091, "127.0.0.1:9091", "/qod/v0")
        );
        let u = Url::parse("HTTP://qod.example").unwrap();
        assert_eq!(
            (u.host, u.port, u.authority, u.path),
            ("qod.example", 80, "qod.example", "")
        );
        let u = Url::parse("https://qod.example/oauth/token").unwrap();
        assert_eq!((u.https, u.port, u.path), (true, 443, "/oauth/token"));
        let u = Url::parse("https://[fd00::1]:8443/x").unwrap();
        assert_eq!((u.host, u.port, u.authority), ("fd00::1", 8443, "[fd00::1]:8443"));
        assert_eq!(u.to_string(), "https://[fd00::1]:8443/x");
        assert_eq!(Url::parse("ftp://x"), Err(UrlError::Scheme));
        assert_eq!(Url::parse("http://x:0"), Err(UrlError::Port));
        assert_eq!(Url::parse("http://x:99999"), Err(UrlError::Port));
        assert_eq!(Url::parse("http://x:"), Err(UrlError::Port));
        assert_eq!(Url::parse("http://:80"), Err(UrlError::Host));
        assert_eq!(Url::parse("http://u@x/"), Err(UrlError::Host));
        assert_eq!(Url::parse("http://x/a?b"), Err(UrlError::Host));
        assert_eq!(Url::parse("http://[::1/"), Err(UrlError::Host));
        assert_eq!(Url::parse("http://[::1]x/"), Err(UrlError::Host));
        assert_eq!(Url::parse("https:/"), Err(UrlError::Scheme));
        assert_eq!(Url::parse(""), Err(UrlError::Scheme));
        assert_eq!(Url::parse("é"), Err(UrlError::Scheme));
    }

    #[test]
    fn test_origin_and_loopback() {
        let a = Url::parse("https://QOD.example/qod/v0").unwrap();
        assert!(a.same_origin(&Url::parse("https://qod.example:443/oauth/token").unwrap()));
        assert!(!a.same_origin(&Url::parse("http://qod.example:443/").unwrap()));
        assert!(!a.same_origin(&Url::parse("https://auth.example/").unwrap()));
        for l in [
            "http://localhost:1",
            "http://127.0.0.1",
            "http://127.1.2.3:8",
            "http://[::1]:9",
        ] {
            assert!(Url::parse(l).unwrap().is_loopback(), "{l}");
        }
        for n in [
            "http://10.0.2.2",
            "http://127.0.0.1.example",
            "http://127.0.0",
            "http://127.0.0.256",
            "http://[::2]",
        ] {
            assert!(!Url::parse(n).unwrap().is_loopback(), "{n}");
        }
    }
}
