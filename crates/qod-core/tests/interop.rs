//! Property tests: encode/decode round trips of arbitrary in-capacity models, and byte-for-byte agreement with an
//! independent JSON implementation (`serde_json` over the same models' serde derives), both directions.

use proptest::prelude::*;
use qod_core::model::*;
use qod_core::{decode, encode, limits, Secret};

fn hs<const N: usize>() -> impl Strategy<Value = heapless::String<N>> {
    prop::collection::vec(any::<char>(), 0..N.min(40)).prop_map(|chars| {
        let mut s = heapless::String::new();
        for c in chars {
            if s.push(c).is_err() {
                break;
            }
        }
        s
    })
}

fn opt_hs<const N: usize>() -> impl Strategy<Value = Option<heapless::String<N>>> {
    prop::option::of(hs::<N>())
}

fn ports() -> impl Strategy<Value = PortsSpec> {
    (
        prop::collection::vec((any::<u16>(), any::<u16>()), 0..=limits::PORT_RANGES),
        prop::collection::vec(any::<u16>(), 0..=limits::PORTS),
    )
        .prop_map(|(r, p)| {
            qod_core::fill!(PortsSpec {
                ranges: r
                    .into_iter()
                    .map(|(from, to)| qod_core::fill!(PortRange { from, to }))
                    .collect(),
                ports: p.into_iter().collect(),
            })
        })
}

fn device() -> impl Strategy<Value = Device> {
    (
        opt_hs(),
        opt_hs(),
        prop::option::of((opt_hs(), opt_hs(), prop::option::of(any::<u16>()))),
        opt_hs(),
    )
        .prop_map(|(p, n, v4, v6)| {
            qod_core::fill!(Device {
                phone_number: p,
                network_access_identifier: n,
                ipv4_address: v4.map(|(a, b, c)| qod_core::fill!(DeviceIpv4Addr {
                    public_address: a,
                    private_address: b,
                    public_port: c,
                })),
                ipv6_address: v6,
            })
        })
}

fn webhook() -> impl Strategy<Value = Webhook> {
    (hs(), prop::option::of(hs::<{ limits::NOTIFICATION_AUTH_TOKEN }>())).prop_map(|(u, t)| {
        qod_core::fill!(Webhook {
            notification_url: u,
            notification_auth_token: t.map(|t| Secret::new(&t).unwrap()),
        })
    })
}

fn status() -> impl Strategy<Value = QosStatus> {
    prop_oneof![
        Just(QosStatus::Requested),
        Just(QosStatus::Available),
        Just(QosStatus::Unavailable)
    ]
}

prop_compose! {
    fn session_info()(
        device in device(),
        v4 in opt_hs(), v6 in opt_hs(),
        dp in prop::option::of(ports()), sp in prop::option::of(ports()),
        qos_profile in hs(), webhook in prop::option::of(webhook()), session_id in hs(),
        duration in 1u32..=i32::MAX as u32, started_at in any::<i64>(), expires_at in any::<i64>(),
        qos_status in status(),
        messages in prop::collection::vec(
            (prop_oneof![Just(Severity::Info), Just(Severity::Warning)], hs()), 0..=limits::MESSAGES),
    ) -> SessionInfo {
        qod_core::fill!(SessionInfo {
            device, application_server: qod_core::fill!(ApplicationServer { ipv4_address: v4, ipv6_address: v6 }),
            device_ports: dp, application_server_ports: sp, qos_profile, webhook, session_id, duration,
            started_at, expires_at, qos_status,
            messages: messages.into_iter().map(|(severity, description)| qod_core::fill!(Message { severity, description })).collect(),
        })
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn session_info_round_trips_and_matches_serde_json(v in session_info()) {
        let mut buf = [0u8; 8192];
        let n = encode(&v, &mut buf).unwrap();
        let ours = &buf[..n];
        // Same bytes as serde_json (same member order, same escaping).
        let theirs = serde_json::to_vec(&v).unwrap();
        prop_assert_eq!(std::str::from_utf8(ours).unwrap(), std::str::from_utf8(&theirs).unwrap());
        // Our decoder reads it back exactly, and so does serde_json.
        let back: SessionInfo = decode(ours).unwrap();
        prop_assert_eq!(&back, &v);
        let via_serde: SessionInfo = serde_json::from_slice(ours).unwrap();
        prop_assert_eq!(&via_serde, &v);
        // serde_json's pretty output (whitespace everywhere) decodes the same.
        let pretty = serde_json::to_vec_pretty(&v).unwrap();
        prop_assert_eq!(&decode::<SessionInfo>(&pretty).unwrap(), &v);
    }

    /// The member lookup's fast path (the next member in the spec's order, spelt plainly) and its slow path (any
    /// other order, escaped names, unknown members between) give the same model.
    #[test]
    fn members_in_any_order_spelling_and_company_decode_alike(v in session_info(), seed in any::<u64>()) {
        let value = serde_json::to_value(&v).unwrap();
        let mut rng = seed;
        let mut doc = String::new();
        reorder(&value, &mut rng, &mut doc);
        prop_assert_eq!(&decode::<SessionInfo>(doc.as_bytes()).unwrap(), &v, "{}", doc);
    }

    #[test]
    fn create_session_round_trips(device in device(), v4 in opt_hs(), p in hs(), d in prop::option::of(1u32..=86400), w in prop::option::of(webhook())) {
        let v = qod_core::fill!(CreateSession {
            device, application_server: qod_core::fill!(ApplicationServer { ipv4_address: v4, ipv6_address: None }),
            device_ports: None, application_server_ports: None, qos_profile: p, webhook: w, duration: d,
        });
        let mut buf = [0u8; 4096];
        let n = encode(&v, &mut buf).unwrap();
        let theirs = serde_json::to_vec(&v).unwrap();
        prop_assert_eq!(&buf[..n], theirs.as_slice());
        prop_assert_eq!(decode::<CreateSession>(&buf[..n]).unwrap(), v);
    }

    #[test]
    fn decoders_never_panic_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = decode::<SessionInfo>(&bytes);
        let _ = decode::<CreateSession>(&bytes);
        let _ = decode::<ErrorInfo>(&bytes);
        let _ = decode::<QosProfileList>(&bytes);
        let _ = decode::<QosStatusChanged>(&bytes);
    }

    #[test]
    fn decoders_never_panic_on_mutated_documents(pos in 0usize..992, byte in any::<u8>(), cut in 0usize..1000) {
        let mut doc = include_bytes!("vectors/session_info_full.json").to_vec();
        if let Some(b) = doc.get_mut(pos) { *b = byte; }
        doc.truncate(cut.max(1));
        if let Ok(v) = decode::<SessionInfo>(&doc) {
            let mut buf = [0u8; 4096];
            if let Ok(n) = encode(&v, &mut buf) {
                prop_assert_eq!(decode::<SessionInfo>(&buf[..n]).unwrap(), v);
            }
        }
    }
}

/// Writes `value` as JSON with each object's members in an order drawn from `rng` (sometimes the spec's), some
/// member names escaped (`\u00XX` for their first letter) and some unknown members added.
fn reorder(value: &serde_json::Value, rng: &mut u64, out: &mut String) {
    // xorshift64 (never 0: `| 1`), a draw below `n`.
    fn next(rng: &mut u64, n: u64) -> u64 {
        *rng |= 1;
        *rng ^= *rng << 13;
        *rng ^= *rng >> 7;
        *rng ^= *rng << 17;
        *rng % n.max(1)
    }
    match value {
        serde_json::Value::Object(map) => {
            let mut members: Vec<_> = map.iter().collect();
            // serde_json's map is sorted by name; a third of the objects keep the spec's order instead (the
            // model's own output order, as the encoder writes it).
            match next(rng, 3) {
                0 => {
                    for i in (1..members.len()).rev() {
                        members.swap(i, next(rng, i as u64 + 1) as usize);
                    }
                }
                1 => {}
                _ => members.sort_by_key(|(k, _)| spec_rank(k)),
            }
            out.push('{');
            for (i, (k, v)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if next(rng, 5) == 0 {
                    out.push_str(r#""zzUnknown":[1,{"a":null}],"#);
                }
                let mut chars = k.chars();
                match (next(rng, 4), chars.next()) {
                    (0, Some(c)) => out.push_str(&format!("\"\\u{:04x}{}\":", c as u32, chars.as_str())),
                    _ => out.push_str(&format!("{}:", serde_json::to_string(k).unwrap())),
                }
                reorder(v, rng, out);
            }
            out.push('}');
        }
        serde_json::Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                reorder(item, rng, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// A member's position in the spec's order (the order the models declare), for [`reorder`].
fn spec_rank(name: &str) -> usize {
    const ORDER: &str = "device phoneNumber networkAccessIdentifier ipv4Address publicAddress privateAddress \
        publicPort ipv6Address applicationServer devicePorts ranges from to ports applicationServerPorts qosProfile \
        webhook notificationUrl notificationAuthToken sessionId duration startedAt expiresAt qosStatus messages \
        severity description";
    ORDER.split_whitespace().position(|n| n == name).unwrap_or(usize::MAX)
}

#[test]
fn serde_json_reads_every_vector_like_we_do() {
    let dir = format!("{}/tests/vectors", env!("CARGO_MANIFEST_DIR"));
    let check = |name: &str| std::fs::read(format!("{dir}/{name}")).unwrap();
    let ours: SessionInfo = decode(&check("session_info_full.json")).unwrap();
    let theirs: SessionInfo = serde_json::from_slice(&check("session_info_full.json")).unwrap();
    assert_eq!(ours, theirs);
    let ours: SessionInfo = decode(&check("session_info_escapes.json")).unwrap();
    let theirs: SessionInfo = serde_json::from_slice(&check("session_info_escapes.json")).unwrap();
    assert_eq!(ours, theirs);
    let ours: QosProfileList = decode(&check("qos_profile_list.json")).unwrap();
    let theirs: QosProfileList = serde_json::from_slice(&check("qos_profile_list.json")).unwrap();
    assert_eq!(ours, theirs);
    let event = check("notification.json");
    let ours: QosStatusChanged = decode(&event).unwrap();
    let theirs: QosStatusChanged = serde_json::from_slice(&event).unwrap();
    assert_eq!(ours, theirs);
    assert_eq!(serde_json::to_vec(&ours).unwrap(), event.trim_ascii_end());
}
