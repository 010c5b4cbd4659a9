//! The device stack over a **TAP** interface to any QoD server: the same qod-client + qod-embassy flow as `qod demo`
//! (create QOS_VC for 600 s, wait until AVAILABLE, read, extend, delete, expect 404), on an embassy-net stack with
//! its own IP on an Ethernet TAP device (embassy-net-tuntap; Linux, root for the setup).
//!
//! Setup in a throw-away network namespace, so that no packet leaves the machine (as root):
//!
//! ```sh
//! ip netns add qod && ip netns exec qod ip link set lo up
//! ip netns exec qod ip tuntap add name tap0 mode tap
//! ip netns exec qod ip addr add 192.168.69.100/24 dev tap0
//! ip netns exec qod ip link set tap0 up
//! ip netns exec qod qod sim --listen 192.168.69.100:9091 --no-auth &       # or any server reachable from tap0
//! ip netns exec qod cargo run -p qod-devnet --example tap -- \
//!     --tap tap0 --ip 192.168.69.2/24 --server http://192.168.69.100:9091/qod/v0 [--token TOKEN]
//! kill %1; ip netns del qod                                                # deleting the netns removes tap0
//! ```
//!
//! The device's address is `--ip` (default 192.168.69.2/24); the application server in the session is the server's
//! address. Exit status 0 only if every step succeeded.

use embassy_futures::select::{select, Either};
use embassy_net::{Config, Ipv4Address, Ipv4Cidr, StackResources, StaticConfigV4};
use embassy_net_tuntap::TunTapDevice;
use qod_client::Url;
use qod_client::{Client, ClientError, PollPolicy};
use qod_core::model::{CreateSession, DeviceIpv4Addr, SessionInfo};
use qod_embassy::EmbassyConnector;
use std::process::ExitCode;

use embassy_executor as _;

struct Args {
    tap: String,
    ip: Ipv4Cidr,
    server: String,
    token: Option<String>,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        tap: "tap0".into(),
        ip: Ipv4Cidr::new(Ipv4Address::new(192, 168, 69, 2), 24),
        server: String::new(),
        token: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let v = it.next().ok_or(format!("{k} needs a value"))?;
        match k.as_str() {
            "--tap" => a.tap = v,
            "--ip" => a.ip = v.parse().map_err(|_| format!("--ip {v}: expected A.B.C.D/N"))?,
            "--server" => a.server = v,
            "--token" => a.token = Some(v),
            _ => return Err(format!("unknown option {k} (options: --tap, --ip, --server, --token)")),
        }
    }
    if a.server.is_empty() {
        return Err("--server http://HOST:PORT/BASE is required".into());
    }
    Ok(a)
}

fn step<E: core::fmt::Display>(name: &str, r: Result<(), ClientError<E>>, s: &SessionInfo) -> bool {
    match &r {
        Ok(()) => println!(
            "ok   {name:<24} id={} qosStatus={} duration={}",
            s.session_id, s.qos_status, s.duration
        ),
        Err(e) => println!("FAIL {name:<24} {e}"),
    }
    r.is_ok()
}

fn main() -> ExitCode {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("tap: {e}");
            return ExitCode::FAILURE;
        }
    };
    let url = match Url::parse(&a.server) {
        Ok(u) => u,
        Err(e) => {
            eprintln!("tap: --server: {e}");
            return ExitCode::FAILURE;
        }
    };
    let device = match TunTapDevice::new(&a.tap) {
        Ok(d) => d,
        Err(e) => {
            eprintln!(
                "tap: cannot open TAP device {}: {e} (see the setup in this example's header)",
                a.tap
            );
            return ExitCode::FAILURE;
        }
    };
    let server_ip: Option<Ipv4Address> = url.host.parse().ok();
    let mut v4 = StaticConfigV4 {
        address: a.ip,
        gateway: server_ip,
        dns_servers: Default::default(),
    };
    if let Some(ip) = server_ip {
        let _ = v4.dns_servers.push(ip);
    }
    let resources = Box::leak(Box::new(StackResources::<4>::new()));
    let (stack, mut runner) = embassy_net::new(device, Config::ipv4_static(v4), resources, 0x7a9_0001);

    let flow = async move {
        let (mut srx, mut stx) = ([0u8; 2048], [0u8; 2048]);
        let (mut tx, mut rx) = ([0u8; 1024], [0u8; 2048]);
        let conn = EmbassyConnector::new(stack, &mut srx, &mut stx);
        let mut cfg = qod_client::Config::new(url);
        cfg.timeout_ms = 10_000;
        let mut client = Client::new(&conn, embassy_time::Delay, cfg, &mut tx, &mut rx);
        client.set_token(a.token.as_deref());
        let me = a.ip.address().to_string();
        let mut body = CreateSession::default();
        body.device.ipv4_address = Some(qod_core::fill!(DeviceIpv4Addr {
            public_address: me.as_str().try_into().ok(),
            private_address: me.as_str().try_into().ok(),
            public_port: None,
        }));
        body.application_server.ipv4_address = format!("{}/32", url.host).as_str().try_into().ok();
        body.qos_profile = "QOS_VC".try_into().unwrap_or_default();
        body.duration = Some(600);
        let mut s = SessionInfo::default();
        let mut ok = true;
        let r = client.create_session(&body, &mut s).await;
        ok &= step("create (QOS_VC, 600 s)", r, &s);
        if !ok {
            return false;
        }
        let id = s.session_id.clone();
        let r = client
            .wait_until_available(&id, &mut s, PollPolicy::new(500, 30_000))
            .await;
        ok &= step("wait until AVAILABLE", r, &s);
        let r = client.get_session(&id, &mut s).await;
        ok &= step("read", r, &s);
        let r = client.extend_session(&id, 300, &mut s).await;
        ok &= step("extend by 300 s", r, &s);
        let r = client.delete_session(&id).await;
        ok &= step("delete", r, &s);
        match client.get_session(&id, &mut s).await {
            Err(e) if e.status() == Some(404) => println!("ok   read deleted -> 404     {e}"),
            other => {
                ok = false;
                println!("FAIL read deleted -> 404     {other:?}");
            }
        }
        client.close().await;
        ok
    };
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tap: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(select(runner.run(), flow)) {
        Either::Second(true) => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}
