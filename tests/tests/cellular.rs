//! End to end on the host: the cellular firmware's device side — qod-cellular (AT bring-up with atat, dial, link
//! supervision), embassy-net-ppp, an embassy-net stack, qod-client over qod-embassy — on an in-memory serial line to
//! the simulated modem, whose network side bridges TCP to qod-sim on loopback.

use embassy_futures::select::{select3, Either3};
use embassy_net::{Stack, StackResources};
use embedded_io_adapters::tokio_1::FromTokio;
use qod_cellular::{Error, Link, Step};
use qod_client::Url;
use qod_client::{ClientError, Config as ClientConfig, PollPolicy};
use qod_core::model::{CreateSession, DeviceIpv4Addr, QosStatus, SessionInfo};
use qod_embassy::EmbassyConnector;
use qod_modem::{modem, serve, Control, LinkShape, Network, Stats};
use std::future::Future;
use std::net::Ipv4Addr;
use std::time::Duration;
use tokio::sync::mpsc;

const URL: &str = "http://10.0.2.2:9091/qod/v0";

/// A device configuration with short waits, so that the fault tests stay fast.
fn device_config() -> qod_cellular::Config<'static> {
    qod_core::fill!(qod_cellular::Config {
        at_attempts: 2,
        registration_timeout: embassy_time::Duration::from_millis(1500),
        registration_poll: embassy_time::Duration::from_millis(100),
        dial_attempts: 2,
        ppp_timeout: embassy_time::Duration::from_secs(5),
        ..qod_cellular::Config::new("iot.qod")
    })
}

fn modem_config() -> modem::Config {
    let mut c = modem::Config::default();
    c.at.registration_delay = Duration::from_millis(300);
    c.connect_delay = Duration::from_millis(50);
    c.apn = Some("iot.qod".into());
    c
}

/// How a run went.
struct Run<T> {
    /// What the flow returned.
    end: T,
    /// The modem's counters once the serial line closed.
    stats: Stats,
    /// QoS sessions still on the simulator at the end (an orphaned session shows here).
    sessions_left: usize,
}

/// Runs the device (its stack, the link supervisor and `flow`) against the modem and the simulator.
fn run_device<F, Fut, T>(
    modem: modem::Config,
    shape: LinkShape,
    device: qod_cellular::Config<'static>,
    flow: F,
) -> Run<T>
where
    F: FnOnce(Stack<'static>, &'static Link) -> Fut,
    Fut: Future<Output = T>,
{
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, async move {
        let sim = qod_sim::serve(qod_sim::Config {
            requested_delay: Duration::from_millis(300),
            auth: qod_sim::AuthConfig {
                enabled: false,
                ..Default::default()
            },
            ..Default::default()
        })
        .await
        .unwrap();
        let (modem_end, device_end) = tokio::io::duplex(16 * 1024);
        let network = Network {
            forwards: vec![(9091, sim.local_addr())],
            shape,
        };
        let modem_task = tokio::task::spawn_local(async move {
            let (_keep, mut control) = mpsc::unbounded_channel::<Control>();
            serve(modem_end, modem, network, &mut control).await.stats
        });

        let ppp_state = Box::leak(Box::new(embassy_net_ppp::State::<4, 4>::new()));
        let (ppp_device, mut ppp_runner) = embassy_net_ppp::new(ppp_state);
        let resources = Box::leak(Box::new(StackResources::<4>::new()));
        let (stack, mut stack_runner) = embassy_net::new(ppp_device, embassy_net::Config::default(), resources, 7);
        let link: &'static Link = Box::leak(Box::new(Link::new()));
        let mut serial = FromTokio::new(device_end);
        let end = tokio::time::timeout(
            Duration::from_secs(60),
            select3(
                stack_runner.run(),
                // As in the firmware, the flow goes on when the supervisor gives up (its error is in `link`).
                async {
                    qod_cellular::run(&mut serial, &mut ppp_runner, stack, &device, link).await;
                    std::future::pending::<()>().await
                },
                flow(stack, link),
            ),
        )
        .await
        .expect("the device did not finish within 60 s");
        let end = match end {
            Either3::First(never) => match never {},
            Either3::Second(()) => unreachable!("the supervisor future never ends"),
            Either3::Third(v) => v,
        };
        drop(serial);
        let stats = modem_task.await.unwrap();
        let sessions_left = sim.session_count();
        sim.shutdown().await;
        Run {
            end,
            stats,
            sessions_left,
        }
    })
}

fn create_request(own: Ipv4Addr) -> CreateSession {
    let own = own.to_string();
    let mut c = CreateSession::default();
    c.device.ipv4_address = Some(qod_core::fill!(DeviceIpv4Addr {
        public_address: Some(own.as_str().try_into().unwrap()),
        private_address: Some(own.as_str().try_into().unwrap()),
        public_port: None,
    }));
    c.application_server.ipv4_address = Some("10.0.2.2".try_into().unwrap());
    c.qos_profile = "QOS_VC".try_into().unwrap();
    c.duration = Some(600);
    c
}

/// What the device's session job saw.
#[derive(Debug, Default)]
struct Job {
    address: Option<Ipv4Addr>,
    created: bool,
    available: bool,
    /// The failure of the first step that failed, if any.
    failure: Option<String>,
    /// The session is gone (deleted, then a GET answered 404).
    gone: bool,
    losses: u16,
}

/// The firmware's job, in short: create, wait until AVAILABLE, delete, confirm the 404; on a failure after the
/// create, delete anyway.
async fn job(stack: Stack<'static>, link: &'static Link) -> Job {
    let mut job = Job::default();
    session_job(stack, link, &mut job).await;
    job.losses = link.carrier_losses();
    job
}

async fn session_job(stack: Stack<'static>, link: &'static Link, job: &mut Job) {
    let address = match link.wait_up().await {
        Ok(a) => a,
        Err(e) => {
            job.failure = Some(format!("link: {e}"));
            return;
        }
    };
    job.address = Some(address);
    let url = Url::parse(URL).unwrap();
    let (mut srx, mut stx) = ([0u8; 2048], [0u8; 2048]);
    let (mut tx, mut rx) = ([0u8; 1024], [0u8; 4096]);
    let conn = EmbassyConnector::new(stack, &mut srx, &mut stx);
    let mut config = ClientConfig::new(url);
    config.timeout_ms = 5_000;
    let mut client = qod_embassy::Client::new(&conn, embassy_time::Delay, config, &mut tx, &mut rx);
    let mut info = SessionInfo::default();
    if let Err(e) = client.create_session(&create_request(address), &mut info).await {
        job.failure = Some(format!("create: {e}"));
        return;
    }
    job.created = true;
    let id = info.session_id.clone();
    let poll = PollPolicy::new(100, 10_000);
    match client.wait_until_available(&id, &mut info, poll).await {
        Ok(()) => job.available = info.qos_status == QosStatus::Available,
        Err(e) => job.failure = Some(format!("wait: {e}")),
    }
    for _ in 0..2 {
        match client.delete_session(&id).await {
            Ok(()) => break,
            Err(e) => job.failure.get_or_insert(format!("delete: {e}")),
        };
    }
    job.gone = matches!(client.get_session(&id, &mut info).await, Err(ClientError::Api(e)) if e.status == 404);
    client.close().await;
}

fn no_shape() -> LinkShape {
    LinkShape::default()
}

#[test]
fn test_session_lifecycle_through_the_modem_with_latency_and_bandwidth() {
    let shape = LinkShape {
        latency: Duration::from_millis(30),
        bandwidth: Some(200_000),
    };
    let run = run_device(modem_config(), shape, device_config(), job);
    let job = run.end;
    assert_eq!(job.address, Some(Ipv4Addr::new(10, 0, 2, 15)));
    assert!(job.created && job.available && job.gone, "{job:?}");
    assert_eq!(job.failure, None);
    let stats = run.stats;
    assert_eq!((stats.calls, stats.links_up, stats.carrier_drops), (1, 1, 0));
    // create, at least one poll, delete, the 404 check, on one kept-alive connection.
    assert!(stats.http_requests >= 4, "{stats:?}");
    assert_eq!(stats.tcp_connects, 1);
    assert!(stats.serial_at_rx > 0 && stats.serial_ppp_control_rx > 0 && stats.serial_ip_rx > 0);
    assert!(stats.tcp_payload_up > 0 && stats.tcp_payload_down > stats.tcp_payload_up);
    assert_eq!(
        stats.serial_other_rx, 0,
        "every device byte was AT, a PPP control frame or IP"
    );
    assert_eq!(run.sessions_left, 0);
}

#[test]
fn test_pap_credentials_checked() {
    let mut modem = modem_config();
    modem.ppp.auth = qod_modem::ppp::Auth::Pap {
        user: "qod".into(),
        password: "secret".into(),
    };
    let device = qod_core::fill!(qod_cellular::Config {
        pap: ("qod", "secret"),
        ..device_config()
    });
    let run = run_device(modem.clone(), no_shape(), device, |_, link| async move {
        link.wait_up().await
    });
    assert_eq!(run.end, Ok(Ipv4Addr::new(10, 0, 2, 15)));
    let device = qod_core::fill!(qod_cellular::Config {
        pap: ("qod", "wrong"),
        ..device_config()
    });
    let run = run_device(modem, no_shape(), device, |_, link| async move { link.wait_up().await });
    assert_eq!(run.end, Err(Error::PppFailed));
    assert_eq!(run.stats.links_up, 0);
}

#[test]
fn test_carrier_drop_mid_request_redials_and_the_job_carries_on() {
    let modem = modem::Config {
        drop_carrier_at: Some(2),
        ..modem_config()
    };
    let run = run_device(modem, no_shape(), device_config(), job);
    let job = run.end;
    assert!(job.created && job.available && job.gone, "{job:?}");
    assert_eq!(job.failure, None, "the request in flight survived the drop");
    assert_eq!(job.losses, 1);
    assert_eq!(
        (run.stats.calls, run.stats.links_up, run.stats.carrier_drops),
        (2, 2, 1)
    );
    assert_eq!(run.sessions_left, 0);
}

#[test]
fn test_hangup_during_a_get_redials_with_a_new_address_and_carries_on() {
    // Request 2 is the first poll (GET): lost with the call; the next call has a new address, so the kept-alive
    // connection is dead, and the client sends the GET again on a fresh connection.
    let modem = modem::Config {
        hangup_at: Some(2),
        ..modem_config()
    };
    let run = run_device(modem, no_shape(), device_config(), |stack, link| async move {
        let job = job(stack, link).await;
        (job, stack.config_v4().map(|c| c.address.address()))
    });
    let (job, address) = run.end;
    assert!(job.created && job.available && job.gone, "{job:?}");
    assert_eq!(job.failure, None);
    assert_eq!(job.losses, 1);
    assert_eq!(address, Some(Ipv4Addr::new(10, 0, 2, 16)));
    assert_eq!((run.stats.calls, run.stats.hangups), (2, 1));
    assert_eq!(run.sessions_left, 0);
}

#[test]
fn test_hangup_during_the_create_fails_it_and_leaves_no_session() {
    // The POST is lost with the call and never re-sent (it is not idempotent): the device reports the failure, and
    // since the request never reached the server, no session exists.
    let modem = modem::Config {
        hangup_at: Some(1),
        ..modem_config()
    };
    let run = run_device(modem, no_shape(), device_config(), job);
    let job = run.end;
    assert!(!job.created, "{job:?}");
    assert!(
        job.failure.as_deref().unwrap_or_default().starts_with("create:"),
        "{job:?}"
    );
    assert_eq!(job.losses, 1);
    assert_eq!(run.stats.hangups, 1);
    assert_eq!(run.sessions_left, 0);
}

#[test]
fn test_carrier_lost_for_good_gives_up_after_the_redials_and_the_job_fails_in_bounded_time() {
    // The network drops the call after the first poll and takes no more calls. The device redials twice (its
    // configuration), gives up with DialFailed, and the job's requests time out; the session cannot be deleted
    // without a network: it stays until it expires (600 s). This is the one case where a session is left.
    let modem = modem::Config {
        drop_carrier_at: Some(2),
        max_calls: Some(1),
        ..modem_config()
    };
    let device = qod_core::fill!(qod_cellular::Config {
        redials: 2,
        ..device_config()
    });
    let started = std::time::Instant::now();
    let run = run_device(modem, no_shape(), device, |stack, link| async move {
        let job = job(stack, link).await;
        (job, link.status())
    });
    let (job, status) = run.end;
    assert!(job.created && !job.gone, "{job:?}");
    assert!(job.failure.is_some(), "{job:?}");
    assert_eq!(status, qod_cellular::Status::Failed(Error::DialFailed));
    assert_eq!(run.stats.calls, 1);
    assert_eq!(run.sessions_left, 1);
    assert!(
        started.elapsed() < Duration::from_secs(45),
        "bounded: {:?}",
        started.elapsed()
    );
}

/// Runs only the bring-up against `modem`; returns the link's error.
fn bring_up_error(modem: modem::Config) -> Error {
    let run = run_device(modem, no_shape(), device_config(), |_, link| async move {
        link.wait_up().await
    });
    run.end.expect_err("the link came up")
}

#[test]
fn test_modem_faults_give_clear_errors() {
    let mut m = modem_config();
    m.at.error = Some("+CGDCONT".into());
    assert_eq!(bring_up_error(m), Error::Refused(Step::DefineContext));

    let mut m = modem_config();
    m.at.error = Some(String::new());
    assert_eq!(bring_up_error(m), Error::Refused(Step::At));

    let mut m = modem_config();
    m.at.silent = Some(String::new());
    assert_eq!(bring_up_error(m), Error::NoAnswer);

    let mut m = modem_config();
    m.at.silent = Some("+CSQ".into());
    assert_eq!(bring_up_error(m), Error::Timeout(Step::SignalQuality));

    let mut m = modem_config();
    m.at.never_register = true;
    assert_eq!(bring_up_error(m), Error::NotRegistered { stat: 2 });

    let mut m = modem_config();
    m.apn = Some("other.apn".into());
    assert_eq!(bring_up_error(m), Error::DialFailed);
}
