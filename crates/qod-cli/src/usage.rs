//! Options a command would ignore are refused (exit status 2) instead of silently dropped: a gateway option given
//! to `qod sim`, a secret next to a ready token, a signing key's `--key-id` without the key, and so on.
//!
//! Only what was typed on the command line counts: the `QOD_*` environment variables are ambient defaults, and a
//! command that does not use one simply does not read it.
use clap::parser::ValueSource;
use clap::ArgMatches;

/// Which command runs, as far as its options are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `qod sim`.
    #[cfg_attr(not(feature = "sim"), allow(dead_code))]
    Sim,
    /// `qod demo`.
    #[cfg_attr(not(feature = "demo"), allow(dead_code))]
    Demo,
    /// `qod session …`, `qod profiles`.
    Gateway,
    /// `qod completions`.
    Completions,
    /// `qod pki`.
    #[cfg_attr(not(feature = "sim"), allow(dead_code))]
    Pki,
}

impl Kind {
    /// The kind of `command`.
    pub fn of(command: &crate::Command) -> Kind {
        match command {
            #[cfg(feature = "sim")]
            crate::Command::Sim(_) => Kind::Sim,
            #[cfg(feature = "demo")]
            crate::Command::Demo(_) => Kind::Demo,
            crate::Command::Session(_) | crate::Command::Profiles(_) => Kind::Gateway,
            crate::Command::Completions { .. } => Kind::Completions,
            #[cfg(feature = "sim")]
            crate::Command::Pki(_) => Kind::Pki,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Sim => "qod sim",
            Kind::Demo => "qod demo",
            Kind::Gateway => "the gateway commands",
            Kind::Completions => "qod completions",
            Kind::Pki => "qod pki",
        }
    }
}

/// The options of the gateway commands (clap ids and flags).
const GATEWAY: &[(&str, &str)] = &[
    ("server", "--server"),
    ("ca_file", "--ca-file"),
    ("allow_http", "--allow-http"),
    ("timeout", "--timeout"),
    ("token", "--token"),
    ("client_id", "--client-id"),
    ("client_secret", "--client-secret"),
    ("client_secret_file", "--client-secret-file"),
    ("client_key_file", "--client-key-file"),
    ("key_id", "--key-id"),
    ("auth_method", "--auth-method"),
    ("token_url", "--token-url"),
    ("scope", "--scope"),
    ("correlator", "--correlator"),
];

/// What fetching a token needs; none of it is used with a ready `--token`.
const TOKEN_FETCH: &[(&str, &str)] = &[
    ("client_id", "--client-id"),
    ("client_secret", "--client-secret"),
    ("client_secret_file", "--client-secret-file"),
    ("client_key_file", "--client-key-file"),
    ("key_id", "--key-id"),
    ("auth_method", "--auth-method"),
    ("token_url", "--token-url"),
    ("scope", "--scope"),
];

fn given(m: &ArgMatches, id: &str) -> bool {
    matches!(m.try_get_raw(id), Ok(Some(_))) && m.value_source(id) == Some(ValueSource::CommandLine)
}

/// Refuses an option that `kind` would ignore, with a sentence that says why.
///
/// # Errors
/// The sentence.
pub fn check(kind: Kind, m: &ArgMatches) -> Result<(), String> {
    if kind != Kind::Gateway {
        if let Some((_, flag)) = GATEWAY.iter().find(|(id, _)| given(m, id)) {
            return Err(format!(
                "{flag} is an option of the gateway commands (session, profiles); {} does not use it",
                kind.name()
            ));
        }
        if kind != Kind::Demo && given(m, "api") {
            return Err(format!(
                "--api is for the gateway commands and demo; {} does not use it{}",
                kind.name(),
                if kind == Kind::Sim {
                    " (qod sim serves both versions)"
                } else {
                    ""
                }
            ));
        }
        if matches!(kind, Kind::Sim | Kind::Completions | Kind::Pki) && given(m, "json") {
            return Err(format!("--json: {} has no JSON output", kind.name()));
        }
        return Ok(());
    }
    if given(m, "token") {
        if let Some((_, flag)) = TOKEN_FETCH.iter().find(|(id, _)| given(m, id)) {
            return Err(format!(
                "{flag} is for fetching a token with client credentials; --token gives a ready one: use one or the other"
            ));
        }
    } else if !given(m, "client_id") {
        let fetch_only = &TOKEN_FETCH[1..];
        if let Some((_, flag)) = fetch_only.iter().find(|(id, _)| given(m, id)) {
            return Err(format!("{flag} needs --client-id (the OAuth2 client it belongs to)"));
        }
    }
    if given(m, "client_key_file") {
        for (id, flag) in [
            ("client_secret", "--client-secret"),
            ("client_secret_file", "--client-secret-file"),
            ("auth_method", "--auth-method"),
        ] {
            if given(m, id) {
                return Err(format!(
                    "{flag} is for a client secret; --client-key-file signs a client assertion instead: use one or the other"
                ));
            }
        }
    } else if given(m, "key_id") {
        return Err("--key-id names the key of --client-key-file, which is not given".into());
    }
    if given(m, "client_secret") && given(m, "client_secret_file") {
        return Err("--client-secret and --client-secret-file both give the secret: use one".into());
    }
    Ok(())
}
