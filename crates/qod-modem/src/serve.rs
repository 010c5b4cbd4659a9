//! The I/O shell around [`Modem`]: one serial line (a TCP connection from QEMU's `-serial tcp:…`, or any tokio
//! byte stream) on one side, and on the other a userspace IP stack for the network.
//!
//! ```text
//!  device ── serial ──► Modem (AT, PPP) ── uplink delay line ──►  host embassy-net stack (medium-ip, 10.0.2.2)
//!         ◄─────────────                ◄── downlink delay line ──  bridge: TCP :PORT ──► loopback TCP (qod sim)
//! ```
//!
//! The network side is an embassy-net stack with an IP medium on an in-memory device
//! (`embassy-net-driver-channel`), as in `qod-devnet`, and `qod_devnet::bridge` proxies each TCP connection to a
//! port of the stack onto a host socket. No root, no kernel PPP, no TUN. The radio link is modelled by two delay
//! lines, one per direction: a packet leaves after the ones before it have been serialised at the configured
//! bandwidth, plus the one-way latency.

use crate::modem::{self, Modem, Output, Stats};
use embassy_net::{Config as NetStackConfig, Ipv4Cidr, Stack, StackResources, StaticConfigV4};
use embassy_net_driver_channel as ch;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio::time::Instant;

// embassy-time's queue symbols live in embassy-executor; link it even though its executor is not used.
use embassy_executor as _;

/// MTU of the host stack's link.
const MTU: usize = 1500;
/// Bytes a delay line holds before it drops packets (like a router's queue): 64 KiB.
const QUEUE_BYTES: usize = 64 * 1024;

/// The radio link between the modem and the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LinkShape {
    /// One-way latency added to every packet.
    pub latency: Duration,
    /// Bandwidth in bit/s per direction (`None`: unlimited).
    pub bandwidth: Option<u64>,
}

/// The network side.
#[derive(Debug, Clone)]
pub struct Network {
    /// TCP ports of the host stack and the host socket each one is proxied to.
    pub forwards: Vec<(u16, SocketAddr)>,
    /// Latency and bandwidth of the radio link.
    pub shape: LinkShape,
}

/// Commands to a running [`serve`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Drop the carrier now ([`Modem::drop_carrier`]).
    DropCarrier,
    /// End the session and return the counters.
    Shutdown,
}

/// One direction of the radio link. See the [module docs](self).
#[derive(Debug)]
struct DelayLine {
    shape: LinkShape,
    /// When the link finishes sending what is queued.
    free_at: Instant,
    queue: VecDeque<(Instant, Vec<u8>)>,
    queued: usize,
    dropped: u64,
}

impl DelayLine {
    fn new(shape: LinkShape) -> Self {
        DelayLine {
            shape,
            free_at: Instant::now(),
            queue: VecDeque::new(),
            queued: 0,
            dropped: 0,
        }
    }

    fn push(&mut self, now: Instant, packet: Vec<u8>) {
        if self.queued + packet.len() > QUEUE_BYTES {
            self.dropped += 1;
            return;
        }
        let start = self.free_at.max(now);
        let serialisation = self.shape.bandwidth.filter(|b| *b > 0).map_or(Duration::ZERO, |bps| {
            Duration::from_nanos((packet.len() as u64 * 8).saturating_mul(1_000_000_000) / bps)
        });
        self.free_at = start + serialisation;
        self.queued += packet.len();
        self.queue.push_back((self.free_at + self.shape.latency, packet));
    }

    fn next(&self) -> Option<Instant> {
        self.queue.front().map(|(at, _)| *at)
    }

    fn pop_due(&mut self, now: Instant) -> Option<Vec<u8>> {
        if self.next()? > now {
            return None;
        }
        let (_, packet) = self.queue.pop_front()?;
        self.queued -= packet.len();
        Some(packet)
    }
}

/// The host stack at `local`/24 and its in-memory device. Leaked: a process serves a few sessions at most.
fn host_stack(
    local: embassy_net::Ipv4Address,
) -> (
    Stack<'static>,
    embassy_net::Runner<'static, ch::Device<'static, MTU>>,
    ch::Runner<'static, MTU>,
) {
    let state = Box::leak(Box::new(ch::State::<MTU, 16, 16>::new()));
    let (phy, device) = ch::new(state, ch::driver::HardwareAddress::Ip);
    let config = NetStackConfig::ipv4_static(StaticConfigV4 {
        address: Ipv4Cidr::new(local, 24),
        gateway: None,
        dns_servers: Default::default(),
    });
    let resources = Box::leak(Box::new(StackResources::<8>::new()));
    let (stack, runner) = embassy_net::new(device, config, resources, 0x5eed_0d0d);
    (stack, runner, phy)
}

/// How a [`serve`] session ended.
#[derive(Debug, Clone)]
pub struct Session {
    /// The modem's counters.
    pub stats: Stats,
    /// It ended on [`Control::Shutdown`] (rather than the line closing).
    pub shutdown: bool,
}

/// Serves one serial line until it closes (a read returns end-of-file or fails, or a write fails) or
/// [`Control::Shutdown`] arrives, and returns the modem's counters.
///
/// Must run inside a [`tokio::task::LocalSet`]: the host stack and its bridges are local tasks, stopped when the
/// line closes.
pub async fn serve<S: AsyncRead + AsyncWrite>(
    serial: S,
    config: modem::Config,
    network: Network,
    control: &mut mpsc::UnboundedReceiver<Control>,
) -> Session {
    let start = Instant::now();
    let (stack, mut runner, phy) = host_stack(config.ppp.local);
    let (phy_state, mut host_rx, mut host_tx) = phy.split();
    phy_state.set_link_state(ch::driver::LinkState::Up);
    let mut tasks = vec![tokio::task::spawn_local(async move { runner.run().await })];
    for &(port, target) in &network.forwards {
        let stats = Arc::new(qod_devnet::BridgeStats::default());
        tasks.push(tokio::task::spawn_local(qod_devnet::bridge(stack, port, target, stats)));
    }
    let _stop = AbortOnDrop(tasks);

    let mut modem = Modem::new(config, Duration::ZERO);
    let (mut rd, mut wr) = tokio::io::split(serial);
    let mut up = DelayLine::new(network.shape);
    let mut down = DelayLine::new(network.shape);
    let mut buf = vec![0u8; 4096];
    let mut outputs = Vec::new();
    let far = start + Duration::from_secs(86_400 * 365);
    let mut shutdown = false;
    let mut control_open = true;
    loop {
        let deadline = [modem.next_deadline().map(|d| start + d), up.next(), down.next()]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(far);
        tokio::select! {
            read = rd.read(&mut buf) => match read {
                Ok(0) | Err(_) => break,
                Ok(n) => modem.serial_input(start.elapsed(), buf.get(..n).unwrap_or_default(), &mut outputs),
            },
            packet = host_tx.tx_buf() => {
                let packet = packet.to_vec();
                host_tx.tx_done();
                down.push(Instant::now(), packet);
            }
            () = tokio::time::sleep_until(deadline) => {}
            command = control.recv(), if control_open => match command {
                Some(Control::DropCarrier) => modem.drop_carrier(start.elapsed(), &mut outputs),
                Some(Control::Shutdown) => {
                    shutdown = true;
                    break;
                }
                None => control_open = false,
            },
        }
        modem.poll(start.elapsed(), &mut outputs);
        let mut closed = false;
        loop {
            let now = Instant::now();
            for output in outputs.drain(..) {
                match output {
                    Output::Serial(bytes) if !closed => {
                        if let Err(e) = wr.write_all(&bytes).await {
                            tracing::debug!("serial line closed while writing: {e}");
                            closed = true;
                        }
                    }
                    Output::Serial(_) => {}
                    Output::Uplink(packet) => up.push(now, packet),
                }
            }
            while let Some(packet) = up.pop_due(now) {
                match host_rx.try_rx_buf() {
                    Some(dst) if packet.len() <= dst.len() => {
                        if let Some(dst) = dst.get_mut(..packet.len()) {
                            dst.copy_from_slice(&packet);
                        }
                        host_rx.rx_done(packet.len());
                    }
                    _ => up.dropped += 1,
                }
            }
            while let Some(packet) = down.pop_due(now) {
                modem.downlink(&packet, &mut outputs);
            }
            if outputs.is_empty() {
                break;
            }
        }
        if closed || wr.flush().await.is_err() {
            break;
        }
    }
    if up.dropped + down.dropped > 0 {
        tracing::warn!(
            "radio link queues dropped {} packets up, {} down",
            up.dropped,
            down.dropped
        );
    }
    Session {
        stats: modem.stats().clone(),
        shutdown,
    }
}

struct AbortOnDrop(Vec<tokio::task::JoinHandle<()>>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn test_delay_line_latency_and_bandwidth() {
        let shape = LinkShape {
            latency: Duration::from_millis(60),
            bandwidth: Some(200_000),
        };
        let mut line = DelayLine::new(shape);
        let t0 = Instant::now();
        // 500 bytes at 200 kbit/s take 20 ms on the link.
        line.push(t0, vec![0; 500]);
        line.push(t0, vec![1; 500]);
        assert_eq!(line.next(), Some(t0 + Duration::from_millis(80)));
        assert_eq!(line.pop_due(t0 + Duration::from_millis(79)), None);
        assert_eq!(line.pop_due(t0 + Duration::from_millis(80)).map(|p| p[0]), Some(0));
        // The second waited for the first to be serialised.
        assert_eq!(line.next(), Some(t0 + Duration::from_millis(100)));
        // Overflow drops.
        for _ in 0..200 {
            line.push(t0, vec![2; 1000]);
        }
        assert!(line.dropped > 0);
        assert!(line.queued <= QUEUE_BYTES);
    }
}
