//! The modem: the serial line's two modes glued together. In command mode bytes go to the [`At`] interpreter; a
//! packet-data dial answers `CONNECT` after the connect delay and switches the line to PPP ([`Peer`] over
//! [`crate::hdlc`] framing); when the link ends the modem sends `NO CARRIER` and returns to command mode.
//! IPv4 packets between the device and the network pass through [`Modem::serial_input`] (uplink, returned as
//! [`Output::Uplink`]) and [`Modem::downlink`].
//!
//! Sans-IO like its parts: the caller feeds bytes, packets and the time, and performs the [`Output`]s. It also counts
//! every byte on the serial line by what it carried ([`Stats`]) and recognises HTTP requests in the device's TCP
//! segments, which is how the scripted carrier drop and the hang-up fault pick their moment.
//!
//! Frames to the device always escape the carriage return (RFC 1662 lets a sender escape more than the ACCM asks):
//! a raw `\r\nNO CARRIER\r\n` then cannot occur inside a frame, so the device can watch for it as a stand-in for
//! the DCD line a real board wires to a GPIO.

use crate::at::{self, At, Command};
use crate::hdlc::{self, Decoder};
use crate::ppp::{self, DownReason, Event, Peer};
use std::net::Ipv4Addr;
use std::time::Duration;

/// Everything the modem is configured with.
#[derive(Debug, Clone)]
pub struct Config {
    /// The AT interpreter's settings and faults.
    pub at: at::Config,
    /// Time from `ATD*99#` to `CONNECT` (PDP context activation).
    pub connect_delay: Duration,
    /// The APN the network accepts (`None`: any). Dialling a context with another APN gets `NO CARRIER`.
    pub apn: Option<String>,
    /// The PPP link: this side's address, the first address given to the device, DNS, authentication, timers.
    pub ppp: ppp::Config,
    /// Drop the carrier once, gracefully (LCP Terminate-Request, then `NO CARRIER`), right after forwarding the
    /// device's N-th HTTP request (1-based). The next call gets the same address, so TCP connections survive.
    pub drop_carrier_at: Option<u32>,
    /// Fault: hang up abruptly (`NO CARRIER`, no LCP) on the device's N-th HTTP request, which is lost. The network
    /// releases the context: the next call gets a new address (the previous one + 1).
    pub hangup_at: Option<u32>,
    /// Fault: the network accepts only this many calls; later dials get `NO CARRIER` (the network is gone).
    pub max_calls: Option<u64>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            at: at::Config::default(),
            connect_delay: Duration::from_millis(200),
            apn: None,
            ppp: ppp::Config::new(Ipv4Addr::new(10, 0, 2, 2), Ipv4Addr::new(10, 0, 2, 15)),
            drop_carrier_at: None,
            hangup_at: None,
            max_calls: None,
        }
    }
}

/// What the caller must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Send these bytes to the device.
    Serial(Vec<u8>),
    /// An IPv4 packet from the device to the network.
    Uplink(Vec<u8>),
}

/// Byte and event counters. Serial-line bytes are split by what they carried; together the `serial_*` fields add up
/// to every byte in each direction.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// Device → modem bytes in command mode (AT commands; also anything sent while dialling).
    pub serial_at_rx: u64,
    /// Modem → device bytes in command mode (echo, responses, `CONNECT`, `NO CARRIER`).
    pub serial_at_tx: u64,
    /// Device → modem bytes of LCP, PAP and IPCP frames (flags and escapes included).
    pub serial_ppp_control_rx: u64,
    /// Modem → device bytes of LCP, PAP and IPCP frames.
    pub serial_ppp_control_tx: u64,
    /// Device → modem bytes of IPv4 frames.
    pub serial_ip_rx: u64,
    /// Modem → device bytes of IPv4 frames.
    pub serial_ip_tx: u64,
    /// Device → modem bytes in PPP mode that formed no valid frame (noise, bad FCS, unknown protocols).
    pub serial_other_rx: u64,
    /// IPv4 packets from the device / to the device.
    pub ip_packets_up: u64,
    /// IPv4 packets to the device.
    pub ip_packets_down: u64,
    /// IPv4 bytes (headers included) from the device.
    pub ip_bytes_up: u64,
    /// IPv4 bytes to the device.
    pub ip_bytes_down: u64,
    /// TCP payload bytes from the device (the HTTP requests).
    pub tcp_payload_up: u64,
    /// TCP payload bytes to the device (the HTTP responses).
    pub tcp_payload_down: u64,
    /// Packets for the device dropped because no link was up (or for an address it no longer has).
    pub ip_dropped_down: u64,
    /// HTTP requests seen from the device (retransmissions not counted).
    pub http_requests: u64,
    /// TCP connections the device opened (SYNs, retransmissions not counted).
    pub tcp_connects: u64,
    /// `ATD` answered with `CONNECT`.
    pub calls: u64,
    /// Links that reached IPCP open.
    pub links_up: u64,
    /// Carrier drops (scripted or on command).
    pub carrier_drops: u64,
    /// Abrupt hang-ups (fault).
    pub hangups: u64,
}

impl Stats {
    /// Every byte the device sent.
    pub fn serial_rx(&self) -> u64 {
        self.serial_at_rx + self.serial_ppp_control_rx + self.serial_ip_rx + self.serial_other_rx
    }

    /// Every byte the modem sent.
    pub fn serial_tx(&self) -> u64 {
        self.serial_at_tx + self.serial_ppp_control_tx + self.serial_ip_tx
    }
}

#[derive(Debug)]
enum Mode {
    Command,
    Dialing { connect_at: Duration },
    Online(Box<Peer>),
}

/// The simulated modem on one serial line. See the [module docs](self).
#[derive(Debug)]
pub struct Modem {
    config: Config,
    at: At,
    mode: Mode,
    decoder: Decoder,
    /// The address the next (or current) call gives the device.
    device: Ipv4Addr,
    /// (source port, sequence number) of the HTTP requests seen, to skip retransmissions.
    seen_requests: Vec<(u16, u32)>,
    stats: Stats,
}

/// A TCP segment in an IPv4 packet: source port, sequence number, flags, payload.
struct Segment<'a> {
    port: u16,
    seq: u32,
    flags: u8,
    payload: &'a [u8],
}

const TCP_SYN: u8 = 0x02;
const TCP_ACK: u8 = 0x10;

/// The TCP segment in an IPv4 packet; `None` if it is not TCP or malformed.
fn tcp_segment(packet: &[u8]) -> Option<Segment<'_>> {
    let [version_ihl, _, len_hi, len_lo, ..] = *packet else {
        return None;
    };
    let ihl = usize::from(version_ihl & 0x0f) * 4;
    let total = usize::from(u16::from_be_bytes([len_hi, len_lo]));
    if version_ihl >> 4 != 4 || ihl < 20 || *packet.get(9)? != 6 {
        return None;
    }
    let tcp = packet.get(ihl..total)?;
    let [sp_hi, sp_lo, _, _, s0, s1, s2, s3, _, _, _, _, offset, flags, ..] = *tcp else {
        return None;
    };
    Some(Segment {
        port: u16::from_be_bytes([sp_hi, sp_lo]),
        seq: u32::from_be_bytes([s0, s1, s2, s3]),
        flags,
        payload: tcp.get(usize::from(offset >> 4) * 4..)?,
    })
}

fn destination(packet: &[u8]) -> Option<Ipv4Addr> {
    let d: [u8; 4] = packet.get(16..20)?.try_into().ok()?;
    Some(Ipv4Addr::from(d))
}

fn is_http_request(payload: &[u8]) -> bool {
    ["GET ", "POST ", "PUT ", "PATCH ", "DELETE ", "HEAD ", "OPTIONS "]
        .iter()
        .any(|m| payload.starts_with(m.as_bytes()))
}

/// The carriage return escaped in every frame to the device (see the module docs).
const ACCM_CR: u32 = 1 << 0x0d;

impl Modem {
    /// A modem powered on at `now`, in command mode.
    pub fn new(config: Config, now: Duration) -> Self {
        Modem {
            at: At::new(config.at.clone(), now),
            device: config.ppp.device,
            config,
            mode: Mode::Command,
            decoder: Decoder::new(),
            seen_requests: Vec::new(),
            stats: Stats::default(),
        }
    }

    /// The counters so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Whether a call is up with IPCP open.
    pub fn link_up(&self) -> bool {
        matches!(&self.mode, Mode::Online(peer) if peer.is_up())
    }

    /// The address the current (or next) call gives the device.
    pub fn device_address(&self) -> Ipv4Addr {
        self.device
    }

    /// When [`poll`](Self::poll) has work to do next.
    pub fn next_deadline(&self) -> Option<Duration> {
        match &self.mode {
            Mode::Command => None,
            Mode::Dialing { connect_at } => Some(*connect_at),
            Mode::Online(peer) => peer.next_deadline(),
        }
    }

    fn serial(&mut self, out: &mut Vec<Output>, bytes: Vec<u8>, command_mode: bool) {
        if bytes.is_empty() {
            return;
        }
        if command_mode {
            self.stats.serial_at_tx += bytes.len() as u64;
        }
        out.push(Output::Serial(bytes));
    }

    /// Bytes from the device.
    pub fn serial_input(&mut self, now: Duration, mut data: &[u8], out: &mut Vec<Output>) {
        while !data.is_empty() {
            match &mut self.mode {
                Mode::Command => {
                    let mut reply = Vec::new();
                    let (used, command) = self.at.input(now, data, &mut reply);
                    self.stats.serial_at_rx += used as u64;
                    data = data.get(used..).unwrap_or_default();
                    self.serial(out, reply, true);
                    if let Some(Command::Dial { cid, apn }) = command {
                        self.dial(now, cid, apn, out);
                    }
                }
                Mode::Dialing { .. } => {
                    // A real modem would abort the dial on a keypress; this one ignores input while dialling.
                    self.stats.serial_at_rx += data.len() as u64;
                    return;
                }
                Mode::Online(_) => {
                    let Some((&byte, rest)) = data.split_first() else {
                        return;
                    };
                    data = rest;
                    self.ppp_byte(now, byte, out);
                }
            }
        }
    }

    fn ppp_byte(&mut self, now: Duration, byte: u8, out: &mut Vec<Output>) {
        let result = match self.decoder.push(byte) {
            None => return,
            Some(Ok(frame)) => Ok((frame.protocol, frame.info.to_vec())),
            Some(Err(e)) => Err(e),
        };
        let raw = self.decoder.raw_len() as u64;
        let (protocol, info) = match result {
            Ok(frame) => frame,
            Err(e) => {
                tracing::debug!("PPP: bad frame from the device: {e:?}");
                self.stats.serial_other_rx += raw;
                return;
            }
        };
        match protocol {
            ppp::protocol::IPV4 => self.stats.serial_ip_rx += raw,
            ppp::protocol::LCP | ppp::protocol::PAP | ppp::protocol::IPCP => self.stats.serial_ppp_control_rx += raw,
            _ => self.stats.serial_other_rx += raw,
        }
        let mut events = Vec::new();
        if let Mode::Online(peer) = &mut self.mode {
            peer.input(now, protocol, &info, &mut events);
        }
        self.handle(now, events, out);
    }

    fn dial(&mut self, now: Duration, cid: u8, apn: Option<String>, out: &mut Vec<Output>) {
        let refused = if !self.at.registered(now) {
            Some("not registered")
        } else if apn.is_none() {
            Some("no PDP context defined")
        } else if self.config.apn.as_ref().is_some_and(|want| Some(want) != apn.as_ref()) {
            Some("APN refused by the network")
        } else if self.config.max_calls.is_some_and(|max| self.stats.calls >= max) {
            Some("fault: no more calls")
        } else {
            None
        };
        if let Some(why) = refused {
            tracing::info!("ATD*99***{cid}#: NO CARRIER ({why})");
            self.serial(out, b"\r\nNO CARRIER\r\n".to_vec(), true);
        } else {
            tracing::info!(
                "ATD*99***{cid}#: activating context {cid} (APN {:?})",
                apn.unwrap_or_default()
            );
            self.mode = Mode::Dialing {
                connect_at: now + self.config.connect_delay,
            };
        }
    }

    /// Runs the timers: `CONNECT` after the connect delay, PPP restart timers.
    pub fn poll(&mut self, now: Duration, out: &mut Vec<Output>) {
        match &mut self.mode {
            Mode::Command => {}
            Mode::Dialing { connect_at } => {
                if now >= *connect_at {
                    self.stats.calls += 1;
                    self.serial(out, b"\r\nCONNECT\r\n".to_vec(), true);
                    let mut ppp = self.config.ppp.clone();
                    ppp.device = self.device;
                    tracing::info!("CONNECT: call {}, PPP for device {}", self.stats.calls, self.device);
                    self.decoder.reset();
                    self.mode = Mode::Online(Box::new(Peer::new(ppp, now)));
                }
            }
            Mode::Online(peer) => {
                let mut events = Vec::new();
                peer.poll(now, &mut events);
                self.handle(now, events, out);
            }
        }
    }

    /// An IPv4 packet from the network for the device: framed onto the line if a link is up and the packet is for
    /// the device's current address, dropped otherwise.
    pub fn downlink(&mut self, packet: &[u8], out: &mut Vec<Output>) {
        let Mode::Online(peer) = &self.mode else {
            self.stats.ip_dropped_down += 1;
            return;
        };
        if !peer.is_up() || destination(packet) != Some(self.device) {
            self.stats.ip_dropped_down += 1;
            return;
        }
        let mut line = Vec::with_capacity(packet.len() + 16);
        let accm = peer.tx_accm(ppp::protocol::IPV4) | ACCM_CR;
        self.stats.serial_ip_tx += hdlc::encode(ppp::protocol::IPV4, packet, accm, &mut line) as u64;
        self.stats.ip_packets_down += 1;
        self.stats.ip_bytes_down += packet.len() as u64;
        if let Some(segment) = tcp_segment(packet) {
            self.stats.tcp_payload_down += segment.payload.len() as u64;
        }
        out.push(Output::Serial(line));
    }

    /// Drops the carrier gracefully: LCP Terminate-Request, then `NO CARRIER` once the device acknowledged (or the
    /// requests ran out). While dialling: `NO CARRIER` at once. In command mode: nothing.
    pub fn drop_carrier(&mut self, now: Duration, out: &mut Vec<Output>) {
        match &mut self.mode {
            Mode::Command => {}
            Mode::Dialing { .. } => {
                self.stats.carrier_drops += 1;
                self.mode = Mode::Command;
                self.serial(out, b"\r\nNO CARRIER\r\n".to_vec(), true);
            }
            Mode::Online(peer) => {
                self.stats.carrier_drops += 1;
                tracing::info!("dropping the carrier (LCP Terminate-Request, then NO CARRIER)");
                let mut events = Vec::new();
                peer.close(now, &mut events);
                self.handle(now, events, out);
            }
        }
    }

    fn handle(&mut self, now: Duration, events: Vec<Event>, out: &mut Vec<Output>) {
        for event in events {
            match event {
                Event::Send { protocol, packet } => {
                    let Mode::Online(peer) = &self.mode else { continue };
                    let mut line = Vec::with_capacity(packet.len() + 16);
                    let accm = peer.tx_accm(protocol) | ACCM_CR;
                    self.stats.serial_ppp_control_tx += hdlc::encode(protocol, &packet, accm, &mut line) as u64;
                    out.push(Output::Serial(line));
                }
                Event::Up { device } => {
                    self.stats.links_up += 1;
                    tracing::info!("link up: device {device}");
                }
                Event::Ip(packet) => self.uplink(now, packet, out),
                Event::Down(reason) => self.hang_up(reason, out),
            }
        }
    }

    fn hang_up(&mut self, reason: DownReason, out: &mut Vec<Output>) {
        tracing::info!("NO CARRIER ({reason:?})");
        self.mode = Mode::Command;
        self.decoder.reset();
        self.at.reset_line();
        self.serial(out, b"\r\nNO CARRIER\r\n".to_vec(), true);
    }

    fn uplink(&mut self, now: Duration, packet: Vec<u8>, out: &mut Vec<Output>) {
        let mut request = None;
        if let Some(Segment {
            port,
            seq,
            flags,
            payload,
        }) = tcp_segment(&packet)
        {
            self.stats.tcp_payload_up += payload.len() as u64;
            if flags & (TCP_SYN | TCP_ACK) == TCP_SYN && !self.seen_requests.contains(&(port, seq)) {
                self.seen_requests.push((port, seq));
                self.stats.tcp_connects += 1;
            }
            if is_http_request(payload) && !self.seen_requests.contains(&(port, seq)) {
                self.seen_requests.push((port, seq));
                self.stats.http_requests += 1;
                request = Some(self.stats.http_requests);
            }
        }
        let n = request.and_then(|n| u32::try_from(n).ok());
        if n.is_some() && n == self.config.hangup_at {
            self.stats.hangups += 1;
            tracing::warn!(
                "fault: hanging up on HTTP request {} (lost; the next call gets a new address)",
                n.unwrap_or(0)
            );
            self.device = Ipv4Addr::from(u32::from(self.device).wrapping_add(1));
            self.hang_up(DownReason::Closed, out);
            return;
        }
        self.stats.ip_packets_up += 1;
        self.stats.ip_bytes_up += packet.len() as u64;
        out.push(Output::Uplink(packet));
        if n.is_some() && n == self.config.drop_carrier_at {
            tracing::info!("scripted carrier drop after HTTP request {}", n.unwrap_or(0));
            self.drop_carrier(now, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ppproto::pppos::{PPPoS, PPPoSAction};

    const NET: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 2);

    /// The device: text in command mode, ppproto after CONNECT; the modem in between, all in memory.
    struct Bench {
        modem: Modem,
        now: Duration,
        /// Text the device received in command mode.
        text: String,
        device: Option<PPPoS<'static>>,
        rx: Vec<u8>,
        tx: Vec<u8>,
        uplink: Vec<Vec<u8>>,
        device_ip: Vec<Vec<u8>>,
        /// Bytes on their way to the device, in order (a serial line never reorders).
        line: std::collections::VecDeque<u8>,
    }

    impl Bench {
        fn new(config: Config) -> Self {
            Bench {
                modem: Modem::new(config, Duration::ZERO),
                now: Duration::ZERO,
                text: String::new(),
                device: None,
                rx: vec![0; 2048],
                tx: vec![0; 2048],
                uplink: Vec::new(),
                device_ip: Vec::new(),
                line: Default::default(),
            }
        }

        fn at(&mut self, cmd: &str) -> String {
            self.text.clear();
            let mut out = Vec::new();
            self.modem
                .serial_input(self.now, format!("{cmd}\r").as_bytes(), &mut out);
            self.deliver(out);
            std::mem::take(&mut self.text)
        }

        fn deliver(&mut self, out: Vec<Output>) {
            self.queue(out);
            self.settle();
        }

        fn queue(&mut self, out: Vec<Output>) {
            for o in out {
                match o {
                    Output::Serial(bytes) if self.device.is_some() => {
                        // The device watches for NO CARRIER in the raw bytes, like qod-cellular does.
                        if String::from_utf8_lossy(&bytes).contains("\r\nNO CARRIER\r\n") {
                            self.text.push_str("\r\nNO CARRIER\r\n");
                        }
                        self.line.extend(bytes);
                    }
                    Output::Serial(bytes) => self.text.push_str(&String::from_utf8_lossy(&bytes)),
                    Output::Uplink(p) => self.uplink.push(p),
                }
            }
        }

        /// Runs the device until the line is quiet: it consumes the line in order (a frame at a time), acts on
        /// each frame, and what it sends goes to the modem, whose answers queue behind on the line.
        fn settle(&mut self) {
            for _ in 0..1000 {
                let Some(device) = &mut self.device else { break };
                let chunk: Vec<u8> = self.line.iter().copied().collect();
                let n = device.consume(&chunk, &mut self.rx);
                self.line.drain(..n);
                let mut out = Vec::new();
                match device.poll(&mut self.tx, &mut self.rx) {
                    PPPoSAction::None if n == 0 => break,
                    PPPoSAction::None => {}
                    PPPoSAction::Received(r) => self.device_ip.push(self.rx[r].to_vec()),
                    PPPoSAction::Transmit(n) => {
                        let line = self.tx[..n].to_vec();
                        self.modem.serial_input(self.now, &line, &mut out);
                    }
                }
                self.queue(out);
            }
        }

        fn advance(&mut self, by: Duration) {
            self.now += by;
            let mut out = Vec::new();
            self.modem.poll(self.now, &mut out);
            if out
                .iter()
                .any(|o| matches!(o, Output::Serial(b) if b.ends_with(b"CONNECT\r\n")))
            {
                self.deliver(out);
                let mut device = PPPoS::new(ppproto::Config {
                    username: b"",
                    password: b"",
                });
                device.open().unwrap();
                self.device = Some(device);
                self.settle();
            } else {
                self.deliver(out);
            }
        }

        fn hang_up_device(&mut self) {
            self.device = None;
            self.line.clear();
        }

        fn send_ip(&mut self, packet: &[u8]) {
            let device = self.device.as_mut().unwrap();
            let n = device.send(packet, &mut self.tx).unwrap();
            let line = self.tx[..n].to_vec();
            let mut out = Vec::new();
            self.modem.serial_input(self.now, &line, &mut out);
            self.deliver(out);
        }

        fn dial(&mut self) {
            assert_eq!(self.at("ATD*99#"), "");
            self.advance(Duration::from_millis(200));
            assert!(
                self.modem.link_up(),
                "link not up: {:?} {:?} {:?}",
                self.text,
                self.modem.mode,
                self.device.as_ref().map(|d| d.status())
            );
        }
    }

    /// An IPv4/TCP segment from `src`:40000 to 10.0.2.2:9091 with `payload` at sequence `seq`.
    fn tcp(src: Ipv4Addr, seq: u32, payload: &[u8]) -> Vec<u8> {
        let len = (40 + payload.len()) as u16;
        let mut p = vec![0x45, 0, (len >> 8) as u8, len as u8, 0, 0, 0, 0, 64, 6, 0, 0];
        p.extend_from_slice(&src.octets());
        p.extend_from_slice(&NET.octets());
        p.extend_from_slice(&40000u16.to_be_bytes());
        p.extend_from_slice(&9091u16.to_be_bytes());
        p.extend_from_slice(&seq.to_be_bytes());
        p.extend_from_slice(&[0, 0, 0, 0, 0x50, 0x18, 0x10, 0, 0, 0, 0, 0]);
        p.extend_from_slice(payload);
        p
    }

    fn registered_bench(config: Config) -> Bench {
        let mut b = Bench::new(config);
        assert_eq!(b.at("ATE0"), "ATE0\r\r\nOK\r\n");
        assert_eq!(b.at("AT+CGDCONT=1,\"IP\",\"iot.qod\""), "\r\nOK\r\n");
        b.now = Duration::from_secs(2);
        assert_eq!(b.at("AT+CEREG?"), "\r\n+CEREG: 0,1\r\n\r\nOK\r\n");
        b
    }

    #[test]
    fn test_dial_before_registration_or_without_context_gets_no_carrier() {
        let mut b = Bench::new(Config::default());
        b.at("ATE0");
        assert_eq!(b.at("AT+CEREG?"), "\r\n+CEREG: 0,2\r\n\r\nOK\r\n");
        assert_eq!(b.at("ATD*99#"), "\r\nNO CARRIER\r\n");
        b.now = Duration::from_secs(2);
        assert_eq!(b.at("ATD*99#"), "\r\nNO CARRIER\r\n");
        let mut b = registered_bench(Config {
            apn: Some("other".into()),
            ..Config::default()
        });
        assert_eq!(b.at("ATD*99#"), "\r\nNO CARRIER\r\n");
        assert_eq!(b.modem.stats().calls, 0);
    }

    #[test]
    fn test_call_carries_ip_and_counts_every_byte() {
        let mut b = registered_bench(Config::default());
        b.dial();
        assert!(b.text.contains("CONNECT"));
        let request = tcp(
            Ipv4Addr::new(10, 0, 2, 15),
            1,
            b"GET /qod/v0/sessions/x HTTP/1.1\r\n\r\n",
        );
        b.send_ip(&request);
        assert_eq!(b.uplink, vec![request.clone()]);
        let mut out = Vec::new();
        let response = tcp(NET, 7, b"HTTP/1.1 200 OK\r\n\r\n");
        let mut to_device = response.clone();
        to_device[12..16].copy_from_slice(&NET.octets());
        to_device[16..20].copy_from_slice(&[10, 0, 2, 15]);
        b.modem.downlink(&to_device, &mut out);
        b.deliver(out);
        assert_eq!(b.device_ip, vec![to_device.clone()]);
        let s = b.modem.stats().clone();
        assert_eq!((s.calls, s.links_up, s.http_requests, s.tcp_connects), (1, 1, 1, 0));
        assert_eq!((s.ip_packets_up, s.ip_packets_down), (1, 1));
        assert_eq!(s.tcp_payload_up, 35);
        assert_eq!(s.tcp_payload_down, 19);
        assert!(s.serial_ppp_control_rx > 0 && s.serial_ppp_control_tx > 0 && s.serial_ip_rx > 0);
        // Everything in command mode was AT: "ATE0\r…" in, echo + replies + CONNECT out.
        assert_eq!(s.serial_at_rx, (5 + 28 + 10 + 8) as u64);
        assert_eq!(s.serial_other_rx, 0);
    }

    #[test]
    fn test_scripted_carrier_drop_keeps_the_address() {
        let mut b = registered_bench(Config {
            drop_carrier_at: Some(2),
            ..Config::default()
        });
        b.dial();
        let device = Ipv4Addr::new(10, 0, 2, 15);
        b.send_ip(&tcp(device, 1, b"POST /qod/v0/sessions HTTP/1.1\r\n\r\n"));
        // A retransmission is not a new request.
        b.send_ip(&tcp(device, 1, b"POST /qod/v0/sessions HTTP/1.1\r\n\r\n"));
        assert!(b.modem.link_up());
        b.send_ip(&tcp(device, 100, b"GET /qod/v0/sessions/1 HTTP/1.1\r\n\r\n"));
        // Forwarded, then LCP Terminate-Request, the device's Terminate-Ack, NO CARRIER.
        assert_eq!(b.uplink.len(), 3);
        assert!(b.text.ends_with("\r\nNO CARRIER\r\n"), "{:?}", b.text);
        assert_eq!(b.device.as_ref().unwrap().status().phase, ppproto::Phase::Dead);
        assert!(!b.modem.link_up());
        b.hang_up_device();
        // Back in command mode; the redial gets the same address.
        assert_eq!(b.at("AT"), "\r\nOK\r\n");
        b.dial();
        assert_eq!(b.modem.device_address(), device);
        let s = b.modem.stats();
        assert_eq!((s.calls, s.carrier_drops, s.hangups, s.http_requests), (2, 1, 0, 2));
    }

    #[test]
    fn test_hangup_fault_loses_the_request_and_moves_the_address() {
        let mut b = registered_bench(Config {
            hangup_at: Some(1),
            ..Config::default()
        });
        b.dial();
        b.send_ip(&tcp(
            Ipv4Addr::new(10, 0, 2, 15),
            1,
            b"POST /qod/v0/sessions HTTP/1.1\r\n\r\n",
        ));
        assert!(b.uplink.is_empty(), "the request is lost");
        assert!(b.text.ends_with("\r\nNO CARRIER\r\n"));
        // No LCP Terminate: the device's PPP still thinks it is up (it must notice NO CARRIER itself).
        assert_eq!(b.device.as_ref().unwrap().status().phase, ppproto::Phase::Open);
        b.hang_up_device();
        b.dial();
        assert_eq!(b.modem.device_address(), Ipv4Addr::new(10, 0, 2, 16));
        // Packets for the old address are dropped.
        let mut out = Vec::new();
        let mut old = tcp(NET, 1, b"late");
        old[16..20].copy_from_slice(&[10, 0, 2, 15]);
        b.modem.downlink(&old, &mut out);
        assert!(out.is_empty());
        assert_eq!(b.modem.stats().hangups, 1);
    }

    #[test]
    fn test_ppp_leftovers_after_hangup_do_not_break_the_next_command() {
        let mut b = registered_bench(Config {
            hangup_at: Some(1),
            ..Config::default()
        });
        b.dial();
        let request = tcp(Ipv4Addr::new(10, 0, 2, 15), 1, b"GET / HTTP/1.1\r\n\r\n");
        b.send_ip(&request);
        // The device retransmits before it noticed: a raw PPP frame arrives in command mode.
        let device = b.device.as_mut().unwrap();
        let n = device.send(&request, &mut b.tx).unwrap();
        let line = b.tx[..n].to_vec();
        b.hang_up_device();
        let mut out = Vec::new();
        b.modem.serial_input(b.now, &line, &mut out);
        assert!(out.is_empty(), "no answer to a PPP frame in command mode: {out:?}");
        assert_eq!(b.at("AT"), "\r\nOK\r\n");
    }

    #[test]
    fn test_no_more_calls_after_max_calls() {
        let mut b = registered_bench(Config {
            max_calls: Some(1),
            ..Config::default()
        });
        b.dial();
        let mut out = Vec::new();
        b.modem.drop_carrier(b.now, &mut out);
        b.deliver(out);
        b.hang_up_device();
        assert_eq!(b.at("ATD*99#"), "\r\nNO CARRIER\r\n");
        assert_eq!(b.modem.stats().calls, 1);
    }

    #[test]
    fn test_drop_carrier_while_idle_or_dialling() {
        let mut b = registered_bench(Config::default());
        let mut out = Vec::new();
        b.modem.drop_carrier(b.now, &mut out);
        assert!(out.is_empty());
        assert_eq!(b.at("ATD*99#"), "");
        b.modem.drop_carrier(b.now, &mut out);
        assert_eq!(out, vec![Output::Serial(b"\r\nNO CARRIER\r\n".to_vec())]);
        assert_eq!(b.modem.next_deadline(), None);
    }
}
