//! `validate::http_url` and the webhook token's length check accept exactly what their earlier, larger versions
//! accepted (kept here as the reference).

use proptest::prelude::*;
use qod_core::model::Webhook;
use qod_core::validate::http_url;
use qod_core::{Problem, Secret, Validate};

/// The earlier `http_url`.
fn reference(s: &str) -> bool {
    let b = s.as_bytes();
    let strip = |prefix: &[u8]| match b.get(..prefix.len()) {
        Some(head) if head.eq_ignore_ascii_case(prefix) => b.get(prefix.len()..),
        _ => None,
    };
    let Some(rest) = strip(b"https://").or_else(|| strip(b"http://")) else {
        return false;
    };
    if b.iter().any(|&c| c <= b' ' || c == 0x7f) {
        return false;
    }
    let end = rest
        .iter()
        .position(|c| matches!(c, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let authority = &rest[..end];
    let host = match authority.iter().rposition(|&c| c == b'@') {
        Some(at) => &authority[at + 1..],
        None => authority,
    };
    !matches!(host, [] | [b':', ..] | [b'[', b']', ..] | [b'['])
}

fn same(s: &str) -> Result<(), TestCaseError> {
    let got = http_url(s);
    prop_assert_eq!(got.is_ok(), reference(s), "{:?}", s);
    if let Err(p) = got {
        prop_assert_eq!(p, Problem::NotAUrl);
    }
    Ok(())
}

/// A scheme: the right ones in mixed case, near misses, and control characters that `| 0x20` maps onto `:`/`/`.
fn scheme() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[hH][tT][tT][pP][sS]?://",
        1 => "[hH][tT][tT][pP][sSx]{0,2}[:\x1a][/\x0f]{0,3}",
        2 => "[hH]?[tT]{0,3}[pP]?[sS]{0,2}:?/{0,3}",
        1 => "[a-zA-Z:/\x1a\x0f]{0,9}",
        1 => Just(String::new()),
    ]
}

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(4096);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn urls_match_the_reference(s in scheme(), rest in "[a-z0-9@:/?#\\[\\]. \x7f\x1a\t%é]{0,16}") {
        same(&format!("{s}{rest}"))?;
    }

    #[test]
    fn arbitrary_strings(s in ".{0,24}") {
        same(&s)?;
    }

    #[test]
    fn token_length_counts_characters(t in "(.|[aé€😀]){0,80}") {
        let w = qod_core::fill!(Webhook {
            notification_url: "https://h".try_into().unwrap_or_default(),
            notification_auth_token: Secret::new(&t).ok(),
        });
        let n = t.chars().count();
        let expected = match w.notification_auth_token {
            None => Ok(()),
            Some(_) if n < 20 => Err(Problem::TooShort),
            Some(_) if n > 256 => Err(Problem::TooLong),
            Some(_) => Ok(()),
        };
        prop_assert_eq!(w.validate().map_err(|e| e.problem), expected);
    }
}

#[test]
fn edge_cases() {
    for s in [
        "",
        "http://",
        "https://",
        "http:/",
        "https:",
        "http://h",
        "https://h",
        "HtTpS://h",
        "httpS://h",
        "httpss://h",
        "htps://h",
        "htt://h",
        "htts://h",
        "ttp://h",
        "http//h",
        "http:/h",
        "http\x1a//h",
        "http:\x0f/h",
        "https://:80",
        "https://[",
        "https://[]",
        "https://[]:1",
        "https://[:",
        "https://[::1]",
        "https://u@",
        "https://u@h",
        "https://u@:1",
        "https://u@[",
        "https://a@b@c",
        "https://a@b@",
        "https:///p",
        "https://?q",
        "https://#f",
        "https://h/@",
        "https://h?@x",
        "https://h#@",
        "https://@",
        "https://h path",
        "https://h\x7f",
        " https://h",
        "https://h/é",
        "https://é",
    ] {
        same(s).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn token_boundaries() {
    for (t, expected) in [
        ("a".repeat(19), Err(Problem::TooShort)),
        ("a".repeat(20), Ok(())),
        ("é".repeat(19), Err(Problem::TooShort)),
        ("é".repeat(20), Ok(())),
        ("😀".repeat(19), Err(Problem::TooShort)),
        ("😀".repeat(20), Ok(())),
        ("a".repeat(256), Ok(())),
        ("é".repeat(128), Ok(())),
    ] {
        let w = qod_core::fill!(Webhook {
            notification_url: "https://h".try_into().unwrap_or_default(),
            notification_auth_token: Secret::new(&t).ok(),
        });
        assert!(w.notification_auth_token.is_some(), "{t}");
        assert_eq!(w.validate().map_err(|e| e.problem), expected, "{t}");
    }
}
