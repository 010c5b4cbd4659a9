//! Generates `limits.rs` from build-time environment variables (the smoltcp pattern), so that a firmware can shrink or
//! grow every fixed capacity without forking the crate: `QOD_LIMIT_QOS_PROFILE=64 cargo build`.
use std::{env, fmt::Write as _, fs, path::PathBuf};

/// (name, default, what it bounds and why this default)
const LIMITS: &[(&str, usize, &str)] = &[
    (
        "QOS_PROFILE",
        256,
        "`qosProfile` / `QosProfile.name`: the spec's maxLength (256).",
    ),
    (
        "NOTIFICATION_AUTH_TOKEN",
        256,
        "`webhook.notificationAuthToken`: the spec's maxLength (256).",
    ),
    (
        "NOTIFICATION_URL",
        256,
        "`webhook.notificationUrl`: no maxLength in the spec; 256 covers any sane callback URL.",
    ),
    (
        "SESSION_ID",
        36,
        "`sessionId`: a UUID in its canonical 36-character form (the spec's format).",
    ),
    (
        "PHONE_NUMBER",
        16,
        "`device.phoneNumber`: `^\\+?[0-9]{5,15}$` is at most 16 characters.",
    ),
    (
        "NETWORK_ACCESS_IDENTIFIER",
        64,
        "`device.networkAccessIdentifier`: no maxLength; 64 fits `local@domain` GPSIs.",
    ),
    ("IPV4", 15, "a single IPv4 literal (`255.255.255.255`)."),
    ("IPV4_CIDR", 18, "an IPv4 literal with `/mask` (application server)."),
    ("IPV6", 45, "an IPv6 literal, including an embedded IPv4 tail."),
    ("IPV6_CIDR", 49, "an IPv6 literal with `/prefix` (application server)."),
    ("PORTS", 8, "entries of `PortsSpec.ports` (the spec sets no maximum)."),
    (
        "PORT_RANGES",
        8,
        "entries of `PortsSpec.ranges` (the spec sets no maximum).",
    ),
    (
        "MESSAGES",
        2,
        "entries of `SessionInfo.messages`; more are a decode error, not silently dropped.",
    ),
    ("MESSAGE_DESCRIPTION", 160, "`Message.description`."),
    (
        "ERROR_CODE",
        64,
        "`ErrorInfo.code` (CAMARA codes are short upper-case words).",
    ),
    ("ERROR_MESSAGE", 256, "`ErrorInfo.message`."),
    ("PROFILE_DESCRIPTION", 128, "`QosProfile.description`."),
    (
        "PROFILES",
        16,
        "entries of a decoded `QosProfileList` (use `api::decode_get_qos_profiles_each` to stream any number).",
    ),
    ("EVENT_ID", 64, "CloudEvent `id`."),
    ("EVENT_SOURCE", 160, "CloudEvent `source` (a URI reference)."),
    ("EVENT_TIME", 40, "CloudEvent `time` (RFC 3339 date-time)."),
    (
        "SINK",
        256,
        "v1 `sink`: no maxLength in the spec; 256 covers any sane callback URL.",
    ),
    (
        "SINK_ACCESS_TOKEN",
        512,
        "v1 `sinkCredential.accessToken` a device sends (no maxLength in the spec).",
    ),
    (
        "SESSIONS",
        4,
        "entries of a decoded v1 session list (`retrieve-sessions`; use the streaming decoder for any number).",
    ),
    ("COUNTRIES", 8, "entries of a v1 profile's `countryAvailability`."),
    (
        "NETWORKS",
        4,
        "entries of `countryAvailability.networks` (PLMN ids of 5 or 6 digits).",
    ),
    (
        "X_CORRELATOR",
        256,
        "an `x-correlator` read back from a response: the spec's maximum (256).",
    ),
    (
        "DEPTH",
        32,
        "JSON nesting depth accepted (skipped unknown members included); deeper input is refused.",
    ),
];

fn main() {
    let mut out = String::new();
    for (name, default, doc) in LIMITS {
        let var = format!("QOD_LIMIT_{name}");
        println!("cargo:rerun-if-env-changed={var}");
        let value = match env::var(&var) {
            Ok(v) => v
                .trim()
                .parse::<usize>()
                .unwrap_or_else(|_| panic!("{var}={v:?} is not a number")),
            Err(_) => *default,
        };
        assert!(value >= 1, "{var} must be at least 1");
        writeln!(
            out,
            "/// {doc}\n///\n/// Default {default}; set `{var}` at build time to change it."
        )
        .ok();
        writeln!(out, "pub const {name}: usize = {value};").ok();
    }
    let path = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR")).join("limits.rs");
    fs::write(path, out).expect("write limits.rs");
}
