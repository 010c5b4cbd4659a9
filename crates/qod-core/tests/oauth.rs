//! OAuth2 token request/response codec: exact request bytes for each client authentication, and every kind of
//! token response a device must survive.
use qod_core::http::Url;
use qod_core::oauth::{decode_token_response, encode_token_request, ClientAuth, OAuthErrorCode, TokenError};
use qod_core::{DecodeErrorKind, Error, Problem, ValidationError};

fn url() -> Url<'static> {
    Url::parse("https://auth.example:8443/oauth/token").unwrap()
}

fn request(auth: ClientAuth<'_>, scope: Option<&str>) -> Result<String, Error> {
    let mut buf = [0u8; 1024];
    let n = encode_token_request(&url(), &auth, scope, &mut buf)?;
    Ok(String::from_utf8(buf[..n].to_vec()).unwrap())
}

#[test]
fn test_client_secret_basic_form_encodes_before_base64() {
    let got = request(
        ClientAuth::SecretBasic {
            id: "gw 1",
            secret: "s3cr:et é",
        },
        Some("qod:sessions-write qod:sessions-read"),
    )
    .unwrap();
    // base64("gw%201:s3cr%3Aet%20%C3%A9")
    assert_eq!(
        got,
        "POST /oauth/token HTTP/1.1\r\nHost: auth.example:8443\r\n\
         Authorization: Basic Z3clMjAxOnMzY3IlM0FldCUyMCVDMyVBOQ==\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 78\r\n\r\n\
         grant_type=client_credentials&scope=qod%3Asessions-write%20qod%3Asessions-read"
    );
}

#[test]
fn test_client_secret_post_and_private_key_jwt_bodies() {
    let got = request(
        ClientAuth::SecretPost {
            id: "gw",
            secret: "a&b=c",
        },
        None,
    )
    .unwrap();
    assert!(
        got.ends_with("\r\n\r\ngrant_type=client_credentials&client_id=gw&client_secret=a%26b%3Dc"),
        "{got}"
    );
    assert!(!got.contains("Authorization"), "{got}");
    let got = request(
        ClientAuth::PrivateKeyJwt {
            id: "dev-42",
            assertion: "aGVhZA.Y2xhaW1z.c2ln",
        },
        None,
    )
    .unwrap();
    assert!(
        got.ends_with(
            "grant_type=client_credentials&client_id=dev-42&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3A\
             client-assertion-type%3Ajwt-bearer&client_assertion=aGVhZA.Y2xhaW1z.c2ln"
        ),
        "{got}"
    );
    let body_len = got.split("\r\n\r\n").nth(1).unwrap().len();
    assert!(got.contains(&format!("Content-Length: {body_len}\r\n")), "{got}");
}

#[test]
fn test_refused_inputs_name_the_field() {
    let invalid = |field, problem| Err(Error::Invalid(ValidationError { field, problem }));
    assert_eq!(
        request(ClientAuth::SecretPost { id: "", secret: "x" }, None),
        invalid("client_id", Problem::Missing)
    );
    assert_eq!(
        request(ClientAuth::SecretBasic { id: "a", secret: "" }, None),
        invalid("client_secret", Problem::Missing)
    );
    assert_eq!(
        request(ClientAuth::PrivateKeyJwt { id: "a", assertion: "" }, None),
        invalid("client_assertion", Problem::Missing)
    );
    for bad in ["", "a  b", "a\"b", "a\\b", "é", "a\r\nX: y"] {
        assert_eq!(
            request(ClientAuth::SecretPost { id: "a", secret: "b" }, Some(bad)),
            invalid("scope", Problem::ForbiddenCharacter),
            "{bad:?}"
        );
    }
    let mut small = [0u8; 100];
    assert_eq!(
        encode_token_request(
            &url(),
            &ClientAuth::SecretPost { id: "a", secret: "b" },
            None,
            &mut small
        ),
        Err(Error::BufferTooSmall)
    );
}

#[test]
fn test_debug_never_shows_the_credential() {
    for auth in [
        ClientAuth::SecretBasic {
            id: "gw",
            secret: "TOPSECRET",
        },
        ClientAuth::SecretPost {
            id: "gw",
            secret: "TOPSECRET",
        },
        ClientAuth::PrivateKeyJwt {
            id: "gw",
            assertion: "TOPSECRET",
        },
    ] {
        let d = format!("{auth:?}");
        assert!(
            !d.contains("TOPSECRET") && d.contains("gw") && d.contains("redacted"),
            "{d}"
        );
    }
}

fn decode(status: u16, body: &str) -> (Result<Option<u32>, TokenError>, String) {
    let mut token = heapless::String::<64>::new();
    let r = decode_token_response(status, body.as_bytes(), token.as_mut_view()).map(|i| i.expires_in);
    (r, token.to_string())
}

#[test]
fn test_token_responses() {
    let (r, t) = decode(
        200,
        r#"{"access_token":"eyJhbGciOi.J9-_~+/x==","token_type":"Bearer","expires_in":3600,"scope":"a b"}"#,
    );
    assert_eq!((r, t.as_str()), (Ok(Some(3600)), "eyJhbGciOi.J9-_~+/x=="));
    // expires_in as a string of digits, token_type in another case, unknown members.
    let (r, t) = decode(
        200,
        r#"{"token_type":"bearer","x":{"y":[1]},"expires_in":"60","access_token":"abc"}"#,
    );
    assert_eq!((r, t.as_str()), (Ok(Some(60)), "abc"));
    // No expires_in: the caller decides (see TokenError::NoExpiry in qod-client).
    assert_eq!(
        decode(200, r#"{"access_token":"abc","token_type":"Bearer"}"#).0,
        Ok(None)
    );
}

#[test]
fn test_duplicate_token_members_are_refused() {
    let (r, t) = decode(
        200,
        r#"{"access_token":"abc","token_type":"Bearer","access_token":"evil","expires_in":60}"#,
    );
    match r {
        Err(TokenError::Decode(e)) => {
            assert_eq!(
                (e.kind, &*e.path.to_string()),
                (qod_core::DecodeErrorKind::DuplicateMember, "access_token")
            )
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(t, "", "no token is kept from a refused answer");
}

#[test]
fn test_bad_token_responses_are_typed() {
    type Check = fn(&TokenError) -> bool;
    let cases: &[(u16, &str, Check)] = &[
        (200, r#"{"access_token":"abc","token_type":"mac"}"#, |e| {
            *e == TokenError::NotBearer
        }),
        (200, r#"{"access_token":"a b","token_type":"Bearer"}"#, |e| {
            *e == TokenError::InvalidToken
        }),
        (200, r#"{"access_token":"","token_type":"Bearer"}"#, |e| {
            *e == TokenError::InvalidToken
        }),
        (200, r#"{"access_token":"a\r\nX: y","token_type":"Bearer"}"#, |e| {
            *e == TokenError::InvalidToken
        }),
        (200, r#"{"access_token":"=","token_type":"Bearer"}"#, |e| {
            *e == TokenError::InvalidToken
        }),
        (
            200,
            &format!(r#"{{"access_token":"{}","token_type":"Bearer"}}"#, "a".repeat(65)),
            |e| *e == TokenError::TooLong,
        ),
        (
            200,
            r#"{"token_type":"Bearer"}"#,
            |e| matches!(e, TokenError::Decode(d) if d.kind == DecodeErrorKind::Missing && d.path == "access_token"),
        ),
        (
            200,
            r#"{"access_token":"abc","token_type":"Bearer","expires_in":-1}"#,
            |e| matches!(e, TokenError::Decode(d) if d.path == "expires_in"),
        ),
        (
            200,
            r#"{"access_token":"abc","token_type":"Bearer","expires_in":"1h"}"#,
            |e| matches!(e, TokenError::Decode(d) if d.kind == DecodeErrorKind::WrongType),
        ),
        (200, "<html>ok</html>", |e| matches!(e, TokenError::Decode(_))),
        (200, "", |e| matches!(e, TokenError::Decode(_))),
        (502, "<html>Bad Gateway</html>", |e| {
            *e == TokenError::UnexpectedStatus(502)
        }),
        (404, r#"{"status":404,"code":"NOT_FOUND","message":"x"}"#, |e| {
            *e == TokenError::UnexpectedStatus(404)
        }),
        (
            401,
            r#"{"error":"invalid_client","error_description":"bad secret"}"#,
            |e| matches!(e, TokenError::Refused(o) if o.status == 401 && o.error == OAuthErrorCode::InvalidClient && o.description == "bad secret"),
        ),
        (
            400,
            r#"{"error":"something_new"}"#,
            |e| matches!(e, TokenError::Refused(o) if o.error == OAuthErrorCode::Unknown && o.description.is_empty()),
        ),
    ];
    for (status, body, check) in cases {
        let (r, t) = decode(*status, body);
        let e = r.expect_err(body);
        assert!(check(&e), "{status} {body}: {e:?}");
        assert!(t.is_empty(), "no token kept after an error: {body}");
        assert!(!e.to_string().is_empty());
    }
    let (r, _) = decode(401, r#"{"error":"invalid_client","error_description":"bad secret"}"#);
    assert_eq!(
        r.unwrap_err().to_string(),
        "the token endpoint refused the client credentials: 401 invalid_client: bad secret"
    );
}
