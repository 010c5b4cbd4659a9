#![doc = include_str!("../README.md")]
//! A simulated device network for host tests and `qod demo`, with no TAP, no root and no setup.
//!
//! ```text
//!  device embassy-net stack (10.42.0.2)          host embassy-net stack (10.42.0.1)        host OS (tokio)
//!  qod-client + qod-embassy  ── IP packets ──►   bridge: TcpSocket listeners on :PORT ──►  TcpStream to the
//!  (one TcpSocket)           ◄── in memory ──    copying bytes both ways, FIN for FIN      server (e.g. qod-sim)
//! ```
//!
//! The link is two `embassy-net-driver-channel` devices with `medium-ip` (no ARP) and two "wire" futures that move
//! frames between them (dropping a frame when the receiver's queue is full, like a wire, which avoids the RX/TX
//! deadlock the channel's README warns about). The device's TCP connections really run through smoltcp on both
//! ends; only the last hop (host stack → server) is a normal loopback socket, so the server needs no changes.
//!
//! Everything is polled by whatever executor awaits [`DevNet::run`] and the [`bridge`] (tokio's current-thread runtime
//! in `qod demo` and the tests); embassy-time's `std` driver with `generic-queue-64` serves the timers for any waker.
//! The stacks are `'static` (leaked: a test or demo process builds one or two).
use core::net::SocketAddr;
use embassy_futures::join::{join, join4};
use embassy_futures::select::{select, Either};
use embassy_net::tcp::TcpSocket;
use embassy_net::{Config, Ipv4Address, Ipv4Cidr, Runner, Stack, StackResources, StaticConfigV4};
use embassy_net_driver_channel as ch;
use embassy_time::{Duration, Timer};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

// embassy-time's queue symbols live in embassy-executor; link it even though its executor is not used.
use embassy_executor as _;

pub mod hostile;

/// Link MTU.
pub const MTU: usize = 1500;
/// Sockets per stack (device: the client's one TCP socket + DNS; host: the bridge listeners + DNS).
pub const SOCKETS: usize = 6;

type Device = ch::Device<'static, MTU>;

/// The two stacks and what drives them.
pub struct DevNet {
    /// The simulated device's stack.
    pub device: Stack<'static>,
    /// The host side's stack.
    pub host: Stack<'static>,
    /// The device's address.
    pub device_ip: Ipv4Address,
    /// The host side's address (where the [`bridge`] listens).
    pub host_ip: Ipv4Address,
    runners: Option<Runners>,
}

struct Runners {
    device: Runner<'static, Device>,
    host: Runner<'static, Device>,
    device_phy: ch::Runner<'static, MTU>,
    host_phy: ch::Runner<'static, MTU>,
}

impl std::fmt::Debug for DevNet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevNet")
            .field("device_ip", &self.device_ip)
            .field("host_ip", &self.host_ip)
            .finish()
    }
}

fn stack(
    ip: Ipv4Address,
    peer: Ipv4Address,
    seed: u64,
) -> (Stack<'static>, Runner<'static, Device>, ch::Runner<'static, MTU>) {
    let state = Box::leak(Box::new(ch::State::<MTU, 8, 8>::new()));
    let (phy, device) = ch::new(state, ch::driver::HardwareAddress::Ip);
    let mut v4 = StaticConfigV4 {
        address: Ipv4Cidr::new(ip, 24),
        gateway: Some(peer),
        dns_servers: Default::default(),
    };
    let _ = v4.dns_servers.push(peer);
    let config = Config::ipv4_static(v4);
    let resources = Box::leak(Box::new(StackResources::<SOCKETS>::new()));
    let (stack, runner) = embassy_net::new(device, config, resources, seed);
    (stack, runner, phy)
}

impl DevNet {
    /// A device at `10.42.0.2/24` and a host side at `10.42.0.1/24`.
    pub fn new() -> Self {
        Self::with_addresses(Ipv4Address::new(10, 42, 0, 2), Ipv4Address::new(10, 42, 0, 1))
    }

    /// A device at `device_ip/24` and the host side at `host_ip/24`.
    pub fn with_addresses(device_ip: Ipv4Address, host_ip: Ipv4Address) -> Self {
        let (device, device_run, device_phy) = stack(device_ip, host_ip, 0x5eed_0001);
        let (host, host_run, host_phy) = stack(host_ip, device_ip, 0x5eed_0002);
        DevNet {
            device,
            host,
            device_ip,
            host_ip,
            runners: Some(Runners {
                device: device_run,
                host: host_run,
                device_phy,
                host_phy,
            }),
        }
    }

    /// Runs both stacks and the wire; never returns. Call it once (later calls return at once).
    pub async fn run(&mut self) {
        let Some(r) = self.runners.take() else { return };
        let Runners {
            device: mut dev_run,
            host: mut host_run,
            device_phy,
            host_phy,
        } = r;
        let (dev_state, dev_rx, dev_tx) = device_phy.split();
        let (host_state, host_rx, host_tx) = host_phy.split();
        dev_state.set_link_state(ch::driver::LinkState::Up);
        host_state.set_link_state(ch::driver::LinkState::Up);
        join4(
            dev_run.run(),
            host_run.run(),
            wire(dev_tx, host_rx),
            wire(host_tx, dev_rx),
        )
        .await;
    }
}

impl Default for DevNet {
    fn default() -> Self {
        Self::new()
    }
}

async fn wire(mut from: ch::TxRunner<'static, MTU>, mut to: ch::RxRunner<'static, MTU>) {
    loop {
        let pkt = from.tx_buf().await;
        if let Some(dst) = to.try_rx_buf() {
            let n = pkt.len();
            dst[..n].copy_from_slice(pkt);
            to.rx_done(n);
        }
        from.tx_done();
    }
}

/// Counters of a running [`bridge`].
#[derive(Debug, Default)]
pub struct BridgeStats {
    /// Connections accepted on the host stack.
    pub accepted: AtomicUsize,
    /// Connections fully finished (both directions closed, sockets released).
    pub finished: AtomicUsize,
    /// Bytes from the device to the server.
    pub up_bytes: AtomicUsize,
    /// Bytes from the server to the device.
    pub down_bytes: AtomicUsize,
    /// Round trips above TCP: how often the server sent after the device had (a request and its response, a TLS
    /// ClientHello and the server's flight). The TCP handshake is not counted.
    pub turns: AtomicUsize,
}

/// Accepts TCP connections on `stack`:`port` with four listening sockets (embassy-net has no backlog: one socket per
/// connection, so a SYN that finds every listener busy is reset) and proxies each to `target` over a host `TcpStream`, passing a FIN on in each direction. Never
/// returns.
pub async fn bridge(stack: Stack<'static>, port: u16, target: SocketAddr, stats: Arc<BridgeStats>) {
    join(
        join(
            listener(stack, port, target, stats.clone()),
            listener(stack, port, target, stats.clone()),
        ),
        join(
            listener(stack, port, target, stats.clone()),
            listener(stack, port, target, stats),
        ),
    )
    .await;
}

async fn listener(stack: Stack<'static>, port: u16, target: SocketAddr, stats: Arc<BridgeStats>) {
    let rx = Box::leak(vec![0u8; 4096].into_boxed_slice());
    let tx = Box::leak(vec![0u8; 4096].into_boxed_slice());
    let mut sock = TcpSocket::new(stack, rx, tx);
    loop {
        sock.set_timeout(Some(Duration::from_secs(30)));
        if sock.accept(port).await.is_err() {
            sock.abort();
            Timer::after_millis(10).await;
            continue;
        }
        stats.accepted.fetch_add(1, Ordering::Relaxed);
        let clean = match tokio::net::TcpStream::connect(target).await {
            Ok(stream) => {
                let _ = stream.set_nodelay(true);
                proxy(&mut sock, stream, &stats).await
            }
            Err(_) => false,
        };
        if clean {
            sock.close();
            let _ = select(sock.flush(), Timer::after_secs(1)).await;
        }
        sock.abort();
        let _ = select(sock.flush(), Timer::after_millis(100)).await;
        stats.finished.fetch_add(1, Ordering::Relaxed);
    }
}

/// Copies both ways until both sides sent FIN (`true`), or until either side fails or resets (`false`: the caller
/// aborts the device side; dropping the stream closes the server side).
async fn proxy(sock: &mut TcpSocket<'static>, mut stream: tokio::net::TcpStream, stats: &BridgeStats) -> bool {
    let (mut a, mut b) = ([0u8; 2048], [0u8; 2048]);
    let (mut dev_open, mut srv_open) = (true, true);
    let mut device_spoke = false;
    while dev_open || srv_open {
        let dev_read = async {
            if dev_open {
                sock.read(&mut a).await.map_err(|_| ())
            } else {
                core::future::pending().await
            }
        };
        let srv_read = async {
            if srv_open {
                stream.read(&mut b).await.map_err(|_| ())
            } else {
                core::future::pending().await
            }
        };
        match select(dev_read, srv_read).await {
            Either::First(Err(())) | Either::Second(Err(())) => return false,
            Either::First(Ok(0)) => {
                dev_open = false;
                let _ = stream.shutdown().await;
            }
            Either::First(Ok(n)) => {
                stats.up_bytes.fetch_add(n, Ordering::Relaxed);
                device_spoke = true;
                if stream.write_all(&a[..n]).await.is_err() {
                    return false;
                }
            }
            Either::Second(Ok(0)) => {
                srv_open = false;
                sock.close();
            }
            Either::Second(Ok(n)) => {
                stats.down_bytes.fetch_add(n, Ordering::Relaxed);
                if core::mem::take(&mut device_spoke) {
                    stats.turns.fetch_add(1, Ordering::Relaxed);
                }
                if embedded_io_async::Write::write_all(sock, &b[..n]).await.is_err() {
                    return false;
                }
            }
        }
    }
    true
}

/// A one-name DNS server on `stack`, UDP port 53: answers an `A` query for `name` with `ip`, and NXDOMAIN for any
/// other name (so that the device's `Stack::dns_query` path can be tested without a real resolver). Never returns.
pub async fn dns_responder(stack: Stack<'static>, name: &'static str, ip: Ipv4Address) {
    use embassy_net::udp::{PacketMetadata, UdpSocket};
    let (rx_meta, tx_meta) = (
        Box::leak(Box::new([PacketMetadata::EMPTY; 4])),
        Box::leak(Box::new([PacketMetadata::EMPTY; 4])),
    );
    let (rx, tx) = (
        Box::leak(vec![0u8; 1024].into_boxed_slice()),
        Box::leak(vec![0u8; 1024].into_boxed_slice()),
    );
    let mut sock = UdpSocket::new(stack, rx_meta, rx, tx_meta, tx);
    if sock.bind(53).is_err() {
        return core::future::pending().await;
    }
    let mut q = [0u8; 512];
    loop {
        let Ok((n, from)) = sock.recv_from(&mut q).await else {
            continue;
        };
        if let Some(answer) = dns_answer(&q[..n], name, ip) {
            let _ = sock.send_to(&answer, from).await;
        }
    }
}

/// The response to one DNS query (header + one question), or `None` for something that is not a query.
fn dns_answer(q: &[u8], name: &str, ip: Ipv4Address) -> Option<Vec<u8>> {
    if q.len() < 12 || q[2] & 0x80 != 0 {
        return None;
    }
    // Question name: length-prefixed labels up to a zero byte, then QTYPE and QCLASS.
    let mut i = 12;
    let mut labels = Vec::new();
    while *q.get(i)? != 0 {
        let len = usize::from(q[i]);
        labels.push(
            std::str::from_utf8(q.get(i + 1..i + 1 + len)?)
                .ok()?
                .to_ascii_lowercase(),
        );
        i += 1 + len;
    }
    let question_end = i + 5;
    let qtype = u16::from_be_bytes([*q.get(i + 1)?, *q.get(i + 2)?]);
    let found = labels.join(".") == name.to_ascii_lowercase() && qtype == 1;
    let mut r = Vec::with_capacity(question_end + 16);
    r.extend_from_slice(&q[..2]);
    r.extend_from_slice(if found { &[0x81, 0x80] } else { &[0x81, 0x83] });
    r.extend_from_slice(&[0, 1, 0, u8::from(found), 0, 0, 0, 0]);
    r.extend_from_slice(q.get(12..question_end)?);
    if found {
        r.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]);
        r.extend_from_slice(&ip.octets());
    }
    Some(r)
}
