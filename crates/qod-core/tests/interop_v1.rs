//! Property tests for 1.1.0: encode/decode round trips of arbitrary in-capacity models, and byte-for-byte agreement
//! with serde_json over the same models' serde derives, both directions.

use proptest::prelude::*;
use qod_core::v1::model::*;
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

fn date_time() -> impl Strategy<Value = DateTime> {
    // Years 0001-9998, so that any offset keeps the local time within 0000-9999.
    (
        -62_100_000_000i64..253_300_000_000,
        0u32..1_000_000_000,
        -1439i16..=1439,
    )
        .prop_map(|(s, n, o)| {
            DateTime::from_unix(s)
                .and_then(|d| d.with_nanos(n))
                .and_then(|d| d.with_offset(o))
                .unwrap()
        })
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

fn server() -> impl Strategy<Value = ApplicationServer> {
    (opt_hs(), opt_hs()).prop_map(|(a, b)| {
        qod_core::fill!(ApplicationServer {
            ipv4_address: a,
            ipv6_address: b,
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

fn status_info() -> impl Strategy<Value = StatusInfo> {
    prop_oneof![
        Just(StatusInfo::DurationExpired),
        Just(StatusInfo::NetworkTerminated),
        Just(StatusInfo::DeleteRequested)
    ]
}

prop_compose! {
    fn session_info()(
        device in prop::option::of(device()), application_server in server(),
        device_ports in prop::option::of(ports()), application_server_ports in prop::option::of(ports()),
        qos_profile in hs(), sink in opt_hs(), session_id in hs(), duration in 1u32..=i32::MAX as u32,
        started_at in prop::option::of(date_time()), expires_at in prop::option::of(date_time()),
        qos_status in status(), status_info in prop::option::of(status_info()),
    ) -> SessionInfo {
        qod_core::fill!(SessionInfo {
            device, application_server, device_ports, application_server_ports, qos_profile, sink, session_id,
            duration, started_at, expires_at, qos_status, status_info,
        })
    }
}

prop_compose! {
    fn create_session()(
        device in prop::option::of(device()), application_server in server(),
        device_ports in prop::option::of(ports()), qos_profile in hs(), sink in opt_hs(),
        cred in prop::option::of((
            prop_oneof![Just(CredentialType::Plain), Just(CredentialType::AccessToken), Just(CredentialType::RefreshToken)],
            prop::option::of(hs::<{ limits::SINK_ACCESS_TOKEN }>()),
            prop::option::of(date_time()),
            prop::option::of(Just(AccessTokenType::Bearer)),
        )),
        duration in 1u32..=i32::MAX as u32,
    ) -> CreateSession {
        qod_core::fill!(CreateSession {
            device, application_server, device_ports, application_server_ports: None, qos_profile, sink,
            sink_credential: cred.map(|(credential_type, token, expires, kind)| qod_core::fill!(SinkCredential {
                credential_type,
                access_token: token.map(|t| Secret::new(&t).unwrap()),
                access_token_expires_utc: expires,
                access_token_type: kind,
            })),
            duration,
        })
    }
}

fn rate() -> impl Strategy<Value = Option<Rate>> {
    prop::option::of((prop::option::of(0u32..=1024), prop::option::of(Just(RateUnit::Mbps))))
        .prop_map(|r| r.map(|(value, unit)| qod_core::fill!(Rate { value, unit })))
}

fn duration() -> impl Strategy<Value = Option<Duration>> {
    prop::option::of((prop::option::of(1u32..1000), prop::option::of(Just(TimeUnit::Seconds))))
        .prop_map(|d| d.map(|(value, unit)| qod_core::fill!(Duration { value, unit })))
}

prop_compose! {
    fn profile()(
        name in hs(), description in opt_hs(),
        status in prop_oneof![Just(QosProfileStatus::Active), Just(QosProfileStatus::Inactive), Just(QosProfileStatus::Deprecated)],
        countries in prop::option::of(prop::collection::vec(
            (hs::<2>(), prop::collection::vec(hs::<6>(), 0..=limits::NETWORKS)), 0..=limits::COUNTRIES)),
        rates in (rate(), rate(), rate(), rate()), durations in (duration(), duration(), duration()),
        priority in prop::option::of(1u32..=100), loss in prop::option::of(1u32..=10),
        l4s in prop::option::of(prop_oneof![Just(L4sQueueType::L4sQueue), Just(L4sQueueType::MixedQueue)]),
        class in prop::option::of(prop_oneof![Just(ServiceClass::Standard), Just(ServiceClass::MicrosoftVoice)]),
    ) -> QosProfile {
        qod_core::fill!(QosProfile {
            name, description, status,
            country_availability: countries.map(|c| c.into_iter().map(|(country_name, n)| qod_core::fill!(Availability {
                country_name, networks: n.into_iter().collect(),
            })).collect()),
            target_min_upstream_rate: rates.0, max_upstream_rate: rates.1, max_upstream_burst_rate: None,
            target_min_downstream_rate: rates.2, max_downstream_rate: rates.3, max_downstream_burst_rate: None,
            min_duration: durations.0, max_duration: durations.1, priority, packet_delay_budget: durations.2,
            jitter: None, packet_error_loss_rate: loss, l4s_queue_type: l4s, service_class: class,
        })
    }
}

/// Ours and serde_json's bytes are the same; both decoders read them back to the value, pretty-printed too.
fn agree<T>(v: &T) -> Result<(), TestCaseError>
where
    T: qod_core::Encode + qod_core::Decode + Default + PartialEq + std::fmt::Debug,
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    let mut buf = vec![0u8; 64 * 1024];
    let n = encode(v, &mut buf).unwrap();
    let ours = &buf[..n];
    let theirs = serde_json::to_vec(v).unwrap();
    prop_assert_eq!(
        std::str::from_utf8(ours).unwrap(),
        std::str::from_utf8(&theirs).unwrap()
    );
    prop_assert_eq!(&decode::<T>(ours).unwrap(), v);
    prop_assert_eq!(&serde_json::from_slice::<T>(ours).unwrap(), v);
    let pretty = serde_json::to_vec_pretty(v).unwrap();
    prop_assert_eq!(&decode::<T>(&pretty).unwrap(), v);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn session_info_matches_serde_json(v in session_info()) {
        agree(&v)?;
    }

    #[test]
    fn session_lists_match_serde_json(v in prop::collection::vec(session_info(), 0..=limits::SESSIONS)) {
        agree(&v.into_iter().collect::<SessionList>())?;
    }

    #[test]
    fn create_session_matches_serde_json(v in create_session()) {
        agree(&v)?;
    }

    #[test]
    fn profiles_match_serde_json(v in profile(), device in prop::option::of(device()), name in opt_hs()) {
        agree(&v)?;
        agree(&QosProfileList::from_iter([v.clone(), v]))?;
        agree(&qod_core::fill!(QosProfileDeviceRequest { device: device.clone(), name, status: Some(QosProfileStatus::Active) }))?;
        agree(&qod_core::fill!(RetrieveSessionsInput { device }))?;
    }

    #[test]
    fn notification_matches_serde_json(
        id in hs(), source in hs(), session_id in hs(), time in date_time(),
        info in prop::option::of(status_info()),
    ) {
        agree(&qod_core::fill!(QosStatusChanged {
            id, source, event_type: QosStatusChangedType, specversion: SpecVersion,
            datacontenttype: Some(DataContentType::ApplicationJson),
            data: qod_core::fill!(QosStatusChangedData { session_id, qos_status: EventQosStatus::Unavailable, status_info: info }),
            time,
        }))?;
    }

    #[test]
    fn decoders_never_panic_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = decode::<SessionInfo>(&bytes);
        let _ = decode::<SessionList>(&bytes);
        let _ = decode::<CreateSession>(&bytes);
        let _ = decode::<QosProfileList>(&bytes);
        let _ = decode::<QosStatusChanged>(&bytes);
        let _ = DateTime::parse(&bytes);
    }

    #[test]
    fn date_time_text_round_trips(v in date_time()) {
        let text = v.to_string();
        prop_assert_eq!(DateTime::parse(text.as_bytes()), Some(v));
        prop_assert!(text.len() <= qod_core::time::DATE_TIME_MAX_LEN);
    }
}

#[test]
fn serde_json_reads_every_v1_vector_like_we_do() {
    let dir = format!("{}/tests/vectors/v1", env!("CARGO_MANIFEST_DIR"));
    let read = |name: &str| std::fs::read(format!("{dir}/{name}")).unwrap();
    fn same<T>(bytes: &[u8])
    where
        T: qod_core::Decode + Default + PartialEq + std::fmt::Debug + serde::de::DeserializeOwned,
    {
        let ours: T = decode(bytes).unwrap();
        let theirs: T = serde_json::from_slice(bytes).unwrap();
        assert_eq!(ours, theirs);
    }
    same::<SessionInfo>(&read("session_info_full.json"));
    same::<SessionInfo>(&read("session_info_spec_example.json"));
    same::<SessionList>(&read("session_list.json"));
    same::<CreateSession>(&read("create_session.json"));
    same::<QosProfile>(&read("qos_profile.json"));
    same::<QosProfileList>(&read("qos_profile_list.json"));
    same::<QosStatusChanged>(&read("notification.json"));
    // serde_json refuses what we refuse: a duplicate member.
    assert!(serde_json::from_slice::<SessionInfo>(&read("session_info_duplicate_member.json")).is_err());
}
