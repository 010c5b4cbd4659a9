//! The network side of a PPP link, as a cellular modem is towards its host after `CONNECT`: LCP (RFC 1661), PAP as
//! the authenticator (RFC 1334), IPCP (RFC 1332) assigning the device its address and DNS servers (RFC 1877).
//!
//! Sans-IO: [`Peer::input`] takes one decoded frame (protocol and information field), [`Peer::poll`] runs the
//! restart timers, and both append [`Event`]s: packets to send, the link coming up with the device's address, IPv4
//! packets from the device, and the end of the link. Time is an argument (a [`Duration`] since any fixed start).
//!
//! The negotiation automaton is RFC 1661's (states Stopped, Req-Sent, Ack-Rcvd, Ack-Sent, Opened, Closing), with
//! LCP started *passively*: the peer waits for the device's first Configure-Request before sending its own, so no
//! byte is lost while the device switches its UART from AT commands to PPP. Restart timers resend Configure- and
//! Terminate-Requests; a negotiation that does not finish in time ends the link.
//!
//! # Untrusted input
//! Every packet is parsed with bounds checks: a malformed packet or option list is discarded, never a panic.

use std::net::Ipv4Addr;
use std::time::Duration;

/// PPP protocol numbers.
pub mod protocol {
    /// Internet Protocol version 4.
    pub const IPV4: u16 = 0x0021;
    /// IP Control Protocol.
    pub const IPCP: u16 = 0x8021;
    /// Link Control Protocol.
    pub const LCP: u16 = 0xc021;
    /// Password Authentication Protocol.
    pub const PAP: u16 = 0xc023;
}

const CONF_REQ: u8 = 1;
const CONF_ACK: u8 = 2;
const CONF_NAK: u8 = 3;
const CONF_REJ: u8 = 4;
const TERM_REQ: u8 = 5;
const TERM_ACK: u8 = 6;
const CODE_REJ: u8 = 7;
const PROTO_REJ: u8 = 8;
const ECHO_REQ: u8 = 9;
const ECHO_REPLY: u8 = 10;
const DISCARD_REQ: u8 = 11;

const PAP_AUTH_REQ: u8 = 1;
const PAP_AUTH_ACK: u8 = 2;
const PAP_AUTH_NAK: u8 = 3;

const LCP_MRU: u8 = 1;
const LCP_ACCM: u8 = 2;
const LCP_AUTH: u8 = 3;
const LCP_MAGIC: u8 = 5;
const IPCP_ADDRESS: u8 = 3;
const IPCP_DNS1: u8 = 129;
const IPCP_DNS2: u8 = 131;

/// Whether and how the device must authenticate.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Auth {
    /// No authentication phase.
    #[default]
    None,
    /// PAP with exactly these credentials.
    Pap {
        /// Peer-ID the device must send.
        user: String,
        /// Password the device must send.
        password: String,
    },
}

/// The link's parameters.
#[derive(Debug, Clone)]
pub struct Config {
    /// This side's address (the device's gateway).
    pub local: Ipv4Addr,
    /// The address assigned to the device.
    pub device: Ipv4Addr,
    /// Primary and secondary DNS servers offered to the device.
    pub dns: [Ipv4Addr; 2],
    /// Authentication the device must pass.
    pub auth: Auth,
    /// Restart timer: how long to wait for an answer before resending a request.
    pub restart: Duration,
    /// Configure-Requests sent per layer before giving up (RFC 1661 Max-Configure).
    pub max_configure: u8,
    /// Terminate-Requests sent before giving up (RFC 1661 Max-Terminate).
    pub max_terminate: u8,
    /// The whole negotiation (LCP, PAP, IPCP) must finish within this time after [`Peer::new`].
    pub establish_timeout: Duration,
}

impl Config {
    /// Defaults for a device at `device` behind `local`: DNS at `local`, no authentication, 1 s restart timer,
    /// 10 Configure-Requests, 2 Terminate-Requests, 20 s to establish.
    pub fn new(local: Ipv4Addr, device: Ipv4Addr) -> Self {
        Config {
            local,
            device,
            dns: [local, Ipv4Addr::UNSPECIFIED],
            auth: Auth::None,
            restart: Duration::from_secs(1),
            max_configure: 10,
            max_terminate: 2,
            establish_timeout: Duration::from_secs(20),
        }
    }
}

/// What the caller must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Send this packet in a frame of `protocol`, HDLC-encoded with [`Peer::tx_accm`].
    Send {
        /// PPP protocol number.
        protocol: u16,
        /// The information field.
        packet: Vec<u8>,
    },
    /// IPCP is open: the device uses `device` and IPv4 packets may flow.
    Up {
        /// The device's address.
        device: Ipv4Addr,
    },
    /// An IPv4 packet from the device.
    Ip(Vec<u8>),
    /// The link is finished; the caller hangs up (the peer sends nothing more).
    Down(DownReason),
}

/// Why the link ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownReason {
    /// The device sent an LCP Terminate-Request.
    PeerTerminated,
    /// [`Peer::close`] was called and the device acknowledged (or the Terminate-Requests ran out).
    Closed,
    /// A layer did not converge within Max-Configure requests or the establish timeout.
    NegotiationFailed(&'static str),
    /// The device failed PAP, refused to authenticate, or sent no PAP request in time.
    AuthFailed,
}

/// Link phase (RFC 1661 section 3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// LCP negotiating.
    Establish,
    /// Waiting for the device's PAP request.
    Authenticate,
    /// IPCP negotiating or open.
    Network,
    /// Terminate-Request sent, waiting for the acknowledgement.
    Terminate,
    /// Finished: [`Event::Down`] was emitted.
    Dead,
}

/// Option negotiation automaton state (RFC 1661 section 4.2, the states a modem's peer passes through).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Initial,
    Stopped,
    ReqSent,
    AckRcvd,
    AckSent,
    Opened,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layer {
    Lcp,
    Ipcp,
}

impl Layer {
    fn protocol(self) -> u16 {
        match self {
            Layer::Lcp => protocol::LCP,
            Layer::Ipcp => protocol::IPCP,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Layer::Lcp => "LCP",
            Layer::Ipcp => "IPCP",
        }
    }
}

#[derive(Debug)]
struct Fsm {
    state: State,
    /// Identifier of our latest Configure-Request.
    id: u8,
    /// Configure-Requests left before giving up.
    left: u8,
    /// When the restart timer fires.
    deadline: Option<Duration>,
}

impl Fsm {
    fn new(state: State) -> Self {
        Fsm {
            state,
            id: 0,
            left: 0,
            deadline: None,
        }
    }
}

/// How we answer a Configure-Request.
#[derive(Debug, PartialEq, Eq)]
enum Reply {
    Ack,
    Nak(Vec<u8>),
    Rej(Vec<u8>),
}

/// A control packet: code, identifier and data (the bytes within its length field).
struct Packet<'a> {
    code: u8,
    id: u8,
    data: &'a [u8],
}

/// Parses a control-protocol header; `None` when the packet is malformed (RFC 1661: silently discarded).
fn parse_packet(info: &[u8]) -> Option<Packet<'_>> {
    let [code, id, hi, lo, ..] = *info else {
        return None;
    };
    let len = usize::from(u16::from_be_bytes([hi, lo]));
    // Octets beyond the length field are padding.
    let data = info.get(4..len)?;
    Some(Packet { code, id, data })
}

fn packet(code: u8, id: u8, data: &[u8]) -> Vec<u8> {
    let len = (data.len() + 4).min(usize::from(u16::MAX)) as u16;
    let mut p = Vec::with_capacity(data.len() + 4);
    p.extend_from_slice(&[code, id]);
    p.extend_from_slice(&len.to_be_bytes());
    p.extend_from_slice(data.get(..usize::from(len) - 4).unwrap_or(data));
    p
}

/// Iterates over the (type, data) options of a Configure packet; `None` when the list is malformed.
fn parse_options(mut data: &[u8]) -> Option<Vec<(u8, &[u8])>> {
    let mut options = Vec::new();
    while !data.is_empty() {
        let [kind, len, ..] = *data else { return None };
        let len = usize::from(len);
        if len < 2 {
            return None;
        }
        options.push((kind, data.get(2..len)?));
        data = data.get(len..)?;
    }
    Some(options)
}

fn push_option(out: &mut Vec<u8>, kind: u8, data: &[u8]) {
    out.push(kind);
    out.push((data.len() + 2) as u8);
    out.extend_from_slice(data);
}

/// Collects the answer to a Configure-Request: a reject outranks a nak outranks an ack (RFC 1661 5.2-5.4).
#[derive(Default)]
struct Verdicts {
    nak: Vec<u8>,
    rej: Vec<u8>,
}

impl Verdicts {
    fn reply(self) -> Reply {
        if !self.rej.is_empty() {
            Reply::Rej(self.rej)
        } else if !self.nak.is_empty() {
            Reply::Nak(self.nak)
        } else {
            Reply::Ack
        }
    }
}

/// LCP options as negotiated so far.
#[derive(Debug, Clone, Copy)]
struct LcpOptions {
    /// The ACCM we ask the device to use (None once it rejected the option).
    ours_accm: Option<u32>,
    /// Whether we still ask for PAP.
    ours_pap: bool,
    /// The ACCM the device asked us to use (what we escape in non-LCP frames once LCP is open).
    their_accm: u32,
}

/// The network side of one PPP link. See the [module docs](self).
#[derive(Debug)]
pub struct Peer {
    config: Config,
    phase: Phase,
    lcp: Fsm,
    ipcp: Fsm,
    lcp_options: LcpOptions,
    /// Whether we still send our IP-Address option in IPCP.
    ours_address: bool,
    /// The establish deadline (None once IPCP opened).
    establish_by: Option<Duration>,
    /// Terminate-Requests left while closing, and why.
    terminating: Option<(u8, DownReason)>,
    term_id: u8,
    pap_failures: u8,
    next_id: u8,
}

impl Peer {
    /// A link in the Establish phase, waiting for the device's first LCP Configure-Request.
    pub fn new(config: Config, now: Duration) -> Self {
        let ours_pap = config.auth != Auth::None;
        Peer {
            establish_by: Some(now + config.establish_timeout),
            config,
            phase: Phase::Establish,
            lcp: Fsm::new(State::Stopped),
            ipcp: Fsm::new(State::Initial),
            lcp_options: LcpOptions {
                ours_accm: Some(0),
                ours_pap,
                their_accm: crate::hdlc::ACCM_ALL,
            },
            ours_address: true,
            terminating: None,
            term_id: 0,
            pap_failures: 0,
            next_id: 0,
        }
    }

    /// The link's phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Whether IPCP is open: IPv4 packets flow.
    pub fn is_up(&self) -> bool {
        self.phase == Phase::Network && self.ipcp.state == State::Opened
    }

    /// The ACCM to encode a frame of `protocol` with: every control character for LCP and until LCP is open
    /// (RFC 1662 section 7.1), the device's negotiated map afterwards.
    pub fn tx_accm(&self, protocol: u16) -> u32 {
        if protocol == protocol::LCP || self.lcp.state != State::Opened {
            crate::hdlc::ACCM_ALL
        } else {
            self.lcp_options.their_accm
        }
    }

    /// When [`poll`](Self::poll) has work to do next.
    pub fn next_deadline(&self) -> Option<Duration> {
        [self.lcp.deadline, self.ipcp.deadline, self.establish_by]
            .into_iter()
            .flatten()
            .min()
    }

    fn id(&mut self) -> u8 {
        self.next_id = self.next_id.wrapping_add(1);
        self.next_id
    }

    /// Handles one frame from the device.
    pub fn input(&mut self, now: Duration, protocol: u16, info: &[u8], out: &mut Vec<Event>) {
        if self.phase == Phase::Dead {
            return;
        }
        match protocol {
            protocol::LCP => self.lcp_input(now, info, out),
            protocol::PAP => self.pap_input(now, info, out),
            protocol::IPCP => {
                // IPCP packets before the Network phase are silently discarded (RFC 1661 section 3.4).
                if self.phase == Phase::Network {
                    self.ncp_input(now, Layer::Ipcp, info, out);
                }
            }
            protocol::IPV4 => {
                if self.is_up() {
                    out.push(Event::Ip(info.to_vec()));
                } else {
                    tracing::debug!("PPP: IPv4 packet before IPCP is open, dropped");
                }
            }
            other => {
                if self.lcp.state == State::Opened {
                    tracing::debug!("PPP: protocol {other:#06x} rejected");
                    let mut data = other.to_be_bytes().to_vec();
                    data.extend_from_slice(info.get(..1400).unwrap_or(info));
                    let id = self.id();
                    self.send(out, protocol::LCP, packet(PROTO_REJ, id, &data));
                }
            }
        }
    }

    /// Runs the timers.
    pub fn poll(&mut self, now: Duration, out: &mut Vec<Event>) {
        if self.phase == Phase::Dead {
            return;
        }
        if self.establish_by.is_some_and(|t| now >= t) {
            self.establish_by = None;
            let what = match self.phase {
                Phase::Establish => "LCP",
                Phase::Authenticate => "PAP",
                _ => "IPCP",
            };
            tracing::warn!("PPP: {what} not done within {:?}", self.config.establish_timeout);
            let reason = if self.phase == Phase::Authenticate {
                DownReason::AuthFailed
            } else {
                DownReason::NegotiationFailed(what)
            };
            self.terminate(now, reason, out);
            return;
        }
        if self.phase == Phase::Terminate {
            if self.lcp.deadline.is_some_and(|t| now >= t) {
                self.send_terminate(now, out);
            }
            return;
        }
        for layer in [Layer::Lcp, Layer::Ipcp] {
            let fsm = self.fsm(layer);
            if fsm.deadline.is_none_or(|t| now < t) {
                continue;
            }
            fsm.deadline = None;
            match fsm.state {
                State::ReqSent | State::AckRcvd | State::AckSent if fsm.left > 0 => {
                    if fsm.state == State::AckRcvd {
                        fsm.state = State::ReqSent;
                    }
                    self.send_request(now, layer, out);
                }
                State::ReqSent | State::AckRcvd | State::AckSent => {
                    tracing::warn!(
                        "PPP: {} got no answer to {} requests",
                        layer.name(),
                        self.config.max_configure
                    );
                    self.terminate(now, DownReason::NegotiationFailed(layer.name()), out);
                    return;
                }
                _ => {}
            }
        }
    }

    /// Ends the link: LCP Terminate-Request, [`Event::Down`] with [`DownReason::Closed`] on the acknowledgement or
    /// when the requests run out.
    pub fn close(&mut self, now: Duration, out: &mut Vec<Event>) {
        if !matches!(self.phase, Phase::Terminate | Phase::Dead) {
            self.terminate(now, DownReason::Closed, out);
        }
    }

    fn fsm(&mut self, layer: Layer) -> &mut Fsm {
        match layer {
            Layer::Lcp => &mut self.lcp,
            Layer::Ipcp => &mut self.ipcp,
        }
    }

    fn send(&mut self, out: &mut Vec<Event>, protocol: u16, packet: Vec<u8>) {
        out.push(Event::Send { protocol, packet });
    }

    fn terminate(&mut self, now: Duration, reason: DownReason, out: &mut Vec<Event>) {
        if self.lcp.state == State::Stopped || self.lcp.state == State::Initial {
            // Nothing was negotiated: no need to tell the device.
            self.down(reason, out);
            return;
        }
        self.phase = Phase::Terminate;
        self.ipcp.deadline = None;
        self.establish_by = None;
        self.terminating = Some((self.config.max_terminate, reason));
        self.term_id = self.id();
        self.send_terminate(now, out);
    }

    fn send_terminate(&mut self, now: Duration, out: &mut Vec<Event>) {
        match self.terminating {
            Some((0, reason)) => self.down(reason, out),
            Some((left, reason)) => {
                self.terminating = Some((left - 1, reason));
                self.lcp.deadline = Some(now + self.config.restart);
                let id = self.term_id;
                self.send(out, protocol::LCP, packet(TERM_REQ, id, b"carrier lost"));
            }
            None => {}
        }
    }

    fn down(&mut self, reason: DownReason, out: &mut Vec<Event>) {
        self.phase = Phase::Dead;
        self.lcp.deadline = None;
        self.ipcp.deadline = None;
        self.establish_by = None;
        out.push(Event::Down(reason));
    }

    fn lcp_input(&mut self, now: Duration, info: &[u8], out: &mut Vec<Event>) {
        let Some(p) = parse_packet(info) else {
            tracing::debug!("PPP: malformed LCP packet discarded");
            return;
        };
        if self.phase == Phase::Terminate {
            match p.code {
                TERM_ACK if p.id == self.term_id => {
                    let reason = self.terminating.map_or(DownReason::Closed, |(_, r)| r);
                    self.down(reason, out);
                }
                TERM_REQ => {
                    self.send(out, protocol::LCP, packet(TERM_ACK, p.id, &[]));
                    let reason = self.terminating.map_or(DownReason::Closed, |(_, r)| r);
                    self.down(reason, out);
                }
                _ => {}
            }
            return;
        }
        match p.code {
            TERM_REQ => {
                tracing::info!("PPP: the device terminated the link");
                self.send(out, protocol::LCP, packet(TERM_ACK, p.id, &[]));
                self.down(DownReason::PeerTerminated, out);
            }
            ECHO_REQ if self.lcp.state == State::Opened => {
                // Magic-Number is never negotiated: ours is zero.
                if let Some(rest) = p.data.get(4..) {
                    let mut data = vec![0; 4];
                    data.extend_from_slice(rest);
                    self.send(out, protocol::LCP, packet(ECHO_REPLY, p.id, &data));
                }
            }
            ECHO_REQ | ECHO_REPLY | DISCARD_REQ => {}
            CODE_REJ | PROTO_REJ => {
                tracing::debug!("PPP: device sent LCP {} (reject), ignored", p.code);
            }
            _ => self.ncp_input(now, Layer::Lcp, info, out),
        }
    }

    /// Configure-Request/Ack/Nak/Reject handling for LCP and IPCP (plus IPCP's Terminate and Code-Reject).
    fn ncp_input(&mut self, now: Duration, layer: Layer, info: &[u8], out: &mut Vec<Event>) {
        let Some(p) = parse_packet(info) else {
            tracing::debug!("PPP: malformed {} packet discarded", layer.name());
            return;
        };
        match p.code {
            CONF_REQ => {
                let Some(options) = parse_options(p.data) else {
                    tracing::debug!(
                        "PPP: {} Configure-Request with a malformed option list discarded",
                        layer.name()
                    );
                    return;
                };
                let reply = match layer {
                    Layer::Lcp => self.lcp_check(&options),
                    Layer::Ipcp => self.ipcp_check(&options),
                };
                self.receive_request(now, layer, p.id, p.data, reply, out);
            }
            CONF_ACK | CONF_NAK | CONF_REJ => {
                if p.id != self.fsm(layer).id
                    || !matches!(
                        self.fsm(layer).state,
                        State::ReqSent | State::AckSent | State::AckRcvd | State::Opened
                    )
                {
                    return;
                }
                if p.code != CONF_ACK {
                    let Some(options) = parse_options(p.data) else { return };
                    if !self.apply_nak(now, layer, p.code == CONF_REJ, &options, out) {
                        return;
                    }
                }
                self.receive_answer(now, layer, p.code == CONF_ACK, out);
            }
            TERM_REQ => {
                // Only IPCP gets here: IPv4 stops, LCP stays up; the device may reopen IPCP.
                self.send(out, layer.protocol(), packet(TERM_ACK, p.id, &[]));
                self.ipcp = Fsm::new(State::Stopped);
            }
            TERM_ACK | CODE_REJ | PROTO_REJ => {}
            code => {
                let id = self.id();
                let rejected = info.get(..1400).unwrap_or(info).to_vec();
                tracing::debug!("PPP: {} code {code} rejected", layer.name());
                self.send(out, layer.protocol(), packet(CODE_REJ, id, &rejected));
            }
        }
    }

    /// RFC 1661 events RCR+ / RCR-.
    fn receive_request(
        &mut self,
        now: Duration,
        layer: Layer,
        id: u8,
        data: &[u8],
        reply: Reply,
        out: &mut Vec<Event>,
    ) {
        let good = reply == Reply::Ack;
        let state = self.fsm(layer).state;
        if matches!(state, State::Initial) {
            return;
        }
        // Stopped and Opened first (re)start our own request.
        if matches!(state, State::Stopped | State::Opened) {
            if state == State::Opened {
                self.layer_down(layer);
            }
            self.fsm(layer).left = self.config.max_configure;
            self.send_request(now, layer, out);
            self.fsm(layer).state = State::ReqSent;
        }
        let (code, body) = match reply {
            Reply::Ack => (CONF_ACK, data.to_vec()),
            Reply::Nak(b) => (CONF_NAK, b),
            Reply::Rej(b) => (CONF_REJ, b),
        };
        self.send(out, layer.protocol(), packet(code, id, &body));
        let fsm = self.fsm(layer);
        fsm.state = match (fsm.state, good) {
            (State::AckRcvd, true) => State::Opened,
            (State::AckRcvd, false) => State::AckRcvd,
            (_, true) => State::AckSent,
            (_, false) => State::ReqSent,
        };
        if fsm.state == State::Opened {
            self.layer_up(now, layer, out);
        }
    }

    /// RFC 1661 events RCA / RCN (a nak or reject already applied to our options).
    fn receive_answer(&mut self, now: Duration, layer: Layer, ack: bool, out: &mut Vec<Event>) {
        let state = self.fsm(layer).state;
        match (state, ack) {
            (State::ReqSent, true) => {
                let max = self.config.max_configure;
                let fsm = self.fsm(layer);
                fsm.state = State::AckRcvd;
                fsm.left = max;
            }
            (State::AckSent, true) => {
                self.fsm(layer).state = State::Opened;
                self.fsm(layer).deadline = None;
                self.layer_up(now, layer, out);
            }
            (State::AckRcvd, true) | (State::Opened, _) => {
                if state == State::Opened {
                    self.layer_down(layer);
                }
                self.fsm(layer).state = State::ReqSent;
                self.send_request(now, layer, out);
            }
            (State::AckRcvd, false) => {
                self.fsm(layer).state = State::ReqSent;
                self.send_request(now, layer, out);
            }
            (_, false) if self.fsm(layer).left == 0 => {
                tracing::warn!(
                    "PPP: {} still refused after {} requests",
                    layer.name(),
                    self.config.max_configure
                );
                self.terminate(now, DownReason::NegotiationFailed(layer.name()), out);
            }
            (_, false) => self.send_request(now, layer, out),
            _ => {}
        }
    }

    fn send_request(&mut self, now: Duration, layer: Layer, out: &mut Vec<Event>) {
        let mut options = Vec::new();
        match layer {
            Layer::Lcp => {
                if let Some(accm) = self.lcp_options.ours_accm {
                    push_option(&mut options, LCP_ACCM, &accm.to_be_bytes());
                }
                if self.lcp_options.ours_pap {
                    push_option(&mut options, LCP_AUTH, &protocol::PAP.to_be_bytes());
                }
            }
            Layer::Ipcp => {
                if self.ours_address {
                    push_option(&mut options, IPCP_ADDRESS, &self.config.local.octets());
                }
            }
        }
        let id = self.id();
        let restart = self.config.restart;
        let fsm = self.fsm(layer);
        fsm.id = id;
        fsm.left = fsm.left.saturating_sub(1);
        fsm.deadline = Some(now + restart);
        self.send(out, layer.protocol(), packet(CONF_REQ, id, &options));
    }

    /// Applies the device's Nak/Reject of our options; `false` when the link cannot go on (it was terminated).
    fn apply_nak(
        &mut self,
        now: Duration,
        layer: Layer,
        reject: bool,
        options: &[(u8, &[u8])],
        out: &mut Vec<Event>,
    ) -> bool {
        for &(kind, data) in options {
            match (layer, kind) {
                (Layer::Lcp, LCP_ACCM) => {
                    self.lcp_options.ours_accm = match (reject, <[u8; 4]>::try_from(data)) {
                        (false, Ok(v)) => Some(u32::from_be_bytes(v)),
                        _ => None,
                    };
                }
                (Layer::Lcp, LCP_AUTH) if self.config.auth != Auth::None => {
                    tracing::warn!("PPP: the device refuses PAP");
                    self.terminate(now, DownReason::AuthFailed, out);
                    return false;
                }
                (Layer::Ipcp, IPCP_ADDRESS) if reject => self.ours_address = false,
                // Our own address is not negotiable; any other option was not ours.
                _ => {}
            }
        }
        true
    }

    fn layer_up(&mut self, now: Duration, layer: Layer, out: &mut Vec<Event>) {
        match layer {
            Layer::Lcp => {
                self.lcp.deadline = None;
                tracing::debug!("PPP: LCP open (device ACCM {:#010x})", self.lcp_options.their_accm);
                if self.lcp_options.ours_pap {
                    self.phase = Phase::Authenticate;
                } else {
                    self.open_network(now, out);
                }
            }
            Layer::Ipcp => {
                self.establish_by = None;
                self.ipcp.deadline = None;
                tracing::info!("PPP: IPCP open, device {}", self.config.device);
                out.push(Event::Up {
                    device: self.config.device,
                });
            }
        }
    }

    fn layer_down(&mut self, layer: Layer) {
        if layer == Layer::Lcp {
            // LCP renegotiates: everything above it starts over.
            self.phase = Phase::Establish;
            self.ipcp = Fsm::new(State::Initial);
            self.lcp_options.their_accm = crate::hdlc::ACCM_ALL;
        }
    }

    fn open_network(&mut self, now: Duration, out: &mut Vec<Event>) {
        self.phase = Phase::Network;
        self.ipcp = Fsm::new(State::ReqSent);
        self.ipcp.left = self.config.max_configure;
        self.send_request(now, Layer::Ipcp, out);
    }

    fn lcp_check(&mut self, options: &[(u8, &[u8])]) -> Reply {
        let mut v = Verdicts::default();
        let mut accm = crate::hdlc::ACCM_ALL;
        for &(kind, data) in options {
            match (kind, data) {
                (LCP_MRU, &[hi, lo]) => {
                    if u16::from_be_bytes([hi, lo]) < 128 {
                        push_option(&mut v.nak, LCP_MRU, &1500u16.to_be_bytes());
                    }
                }
                (LCP_ACCM, &[a, b, c, d]) => accm = u32::from_be_bytes([a, b, c, d]),
                (LCP_MAGIC, &[_, _, _, _]) => {}
                // Authenticating ourselves to the device, protocol/address compression and anything else: no.
                _ => push_option(&mut v.rej, kind, data),
            }
        }
        let reply = v.reply();
        if reply == Reply::Ack {
            self.lcp_options.their_accm = accm;
        }
        reply
    }

    fn ipcp_check(&self, options: &[(u8, &[u8])]) -> Reply {
        let mut v = Verdicts::default();
        let mut asked_address = false;
        for &(kind, data) in options {
            let want = match kind {
                IPCP_ADDRESS => {
                    asked_address = true;
                    Some(self.config.device)
                }
                IPCP_DNS1 => Some(self.config.dns[0]),
                IPCP_DNS2 => Some(self.config.dns[1]),
                _ => None,
            };
            match (want, <[u8; 4]>::try_from(data)) {
                (Some(want), _) if want.is_unspecified() => push_option(&mut v.rej, kind, data),
                (Some(want), Ok(got)) if Ipv4Addr::from(got) == want => {}
                (Some(want), Ok(_)) => push_option(&mut v.nak, kind, &want.octets()),
                _ => push_option(&mut v.rej, kind, data),
            }
        }
        // A device that asks for no address is told which one to use.
        if !asked_address {
            push_option(&mut v.nak, IPCP_ADDRESS, &self.config.device.octets());
        }
        v.reply()
    }

    fn pap_input(&mut self, now: Duration, info: &[u8], out: &mut Vec<Event>) {
        let Some(p) = parse_packet(info) else { return };
        if p.code != PAP_AUTH_REQ || !matches!(self.phase, Phase::Authenticate | Phase::Network) {
            return;
        }
        let credentials = (|| {
            let (&user_len, rest) = p.data.split_first()?;
            let user = rest.get(..usize::from(user_len))?;
            let rest = rest.get(usize::from(user_len)..)?;
            let (&pass_len, rest) = rest.split_first()?;
            Some((user, rest.get(..usize::from(pass_len))?))
        })();
        let ok = match (&self.config.auth, credentials) {
            (Auth::Pap { user, password }, Some((u, pw))) => u == user.as_bytes() && pw == password.as_bytes(),
            (Auth::None, Some(_)) => true,
            _ => false,
        };
        if ok {
            let msg = b"welcome";
            let mut data = vec![msg.len() as u8];
            data.extend_from_slice(msg);
            self.send(out, protocol::PAP, packet(PAP_AUTH_ACK, p.id, &data));
            if self.phase == Phase::Authenticate {
                tracing::debug!("PPP: PAP ok");
                self.open_network(now, out);
            }
        } else {
            let msg = b"bad credentials";
            let mut data = vec![msg.len() as u8];
            data.extend_from_slice(msg);
            self.send(out, protocol::PAP, packet(PAP_AUTH_NAK, p.id, &data));
            self.pap_failures += 1;
            tracing::warn!("PPP: PAP refused ({} of 3)", self.pap_failures);
            if self.pap_failures >= 3 {
                self.terminate(now, DownReason::AuthFailed, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hdlc::{self, Decoder};
    use ppproto::pppos::{PPPoS, PPPoSAction};
    use proptest::prelude::*;

    const LOCAL: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 2);
    const DEVICE: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 15);
    const MS: Duration = Duration::from_millis(1);

    /// Our peer and ppproto's PPP-over-serial (what embassy-net-ppp runs on the device), wired in memory.
    struct Link<'a> {
        peer: Peer,
        device: PPPoS<'a>,
        decoder: Decoder,
        now: Duration,
        events: Vec<Event>,
        /// Bytes in flight to the device.
        to_device: Vec<u8>,
        rx: Vec<u8>,
        tx: Vec<u8>,
        /// IPv4 packets the device received.
        device_ip: Vec<Vec<u8>>,
    }

    impl<'a> Link<'a> {
        fn new(config: Config, user: &'a [u8], password: &'a [u8]) -> Self {
            let mut device = PPPoS::new(ppproto::Config {
                username: user,
                password,
            });
            device.open().unwrap();
            Link {
                peer: Peer::new(config, Duration::ZERO),
                device,
                decoder: Decoder::new(),
                now: Duration::ZERO,
                events: Vec::new(),
                to_device: Vec::new(),
                rx: vec![0; 2048],
                tx: vec![0; 2048],
                device_ip: Vec::new(),
            }
        }

        /// Moves bytes both ways until both sides are quiet; returns the peer's non-Send events.
        fn run(&mut self) -> Vec<Event> {
            let mut seen = Vec::new();
            for _ in 0..100 {
                let mut moved = false;
                // Device → peer.
                if let PPPoSAction::Transmit(n) = self.device.poll(&mut self.tx, &mut self.rx) {
                    moved = true;
                    let line = self.tx[..n].to_vec();
                    self.receive_from_device(&line);
                } else if let PPPoSAction::Received(range) = self.device.poll(&mut self.tx, &mut self.rx) {
                    self.device_ip.push(self.rx[range].to_vec());
                    moved = true;
                }
                // Peer → device.
                for event in std::mem::take(&mut self.events) {
                    match event {
                        Event::Send { protocol, packet } => {
                            hdlc::encode(protocol, &packet, self.peer.tx_accm(protocol), &mut self.to_device);
                        }
                        other => seen.push(other),
                    }
                }
                if !self.to_device.is_empty() {
                    moved = true;
                    let line = std::mem::take(&mut self.to_device);
                    let mut rest = &line[..];
                    while !rest.is_empty() {
                        let n = self.device.consume(rest, &mut self.rx);
                        rest = &rest[n..];
                        match self.device.poll(&mut self.tx, &mut self.rx) {
                            PPPoSAction::Transmit(n) => {
                                let out = self.tx[..n].to_vec();
                                self.receive_from_device(&out);
                            }
                            PPPoSAction::Received(range) => self.device_ip.push(self.rx[range].to_vec()),
                            PPPoSAction::None => {}
                        }
                    }
                }
                if !moved && self.events.is_empty() {
                    break;
                }
            }
            seen
        }

        fn receive_from_device(&mut self, line: &[u8]) {
            for &b in line {
                if let Some(Ok(frame)) = self.decoder.push(b) {
                    let (protocol, info) = (frame.protocol, frame.info.to_vec());
                    self.peer.input(self.now, protocol, &info, &mut self.events);
                }
            }
        }

        fn advance(&mut self, by: Duration) -> Vec<Event> {
            self.now += by;
            self.peer.poll(self.now, &mut self.events);
            self.run()
        }
    }

    fn ipv4_packet(src: Ipv4Addr, dst: Ipv4Addr, payload: &[u8]) -> Vec<u8> {
        let len = (20 + payload.len()) as u16;
        let mut p = vec![0x45, 0, (len >> 8) as u8, len as u8, 0, 0, 0, 0, 64, 17, 0, 0];
        p.extend_from_slice(&src.octets());
        p.extend_from_slice(&dst.octets());
        p.extend_from_slice(payload);
        p
    }

    #[test]
    fn test_ppproto_device_gets_address_and_dns_without_auth() {
        let mut link = Link::new(Config::new(LOCAL, DEVICE), b"", b"");
        let events = link.run();
        assert_eq!(events, vec![Event::Up { device: DEVICE }]);
        assert!(link.peer.is_up());
        let status = link.device.status();
        assert_eq!(status.phase, ppproto::Phase::Open);
        let ipv4 = status.ipv4.expect("IPCP open on the device");
        assert_eq!(ipv4.address, Some(DEVICE));
        assert_eq!(ipv4.peer_address, Some(LOCAL));
        // The secondary DNS is unset, so it was rejected.
        assert_eq!(ipv4.dns_servers, [Some(LOCAL), None]);
        // LCP is open: non-LCP frames use the ACCM the device asked for (ppproto asks for 0).
        assert_eq!(link.peer.tx_accm(protocol::IPV4), 0);
        assert_eq!(link.peer.tx_accm(protocol::LCP), hdlc::ACCM_ALL);
    }

    #[test]
    fn test_ip_packets_flow_both_ways_once_up() {
        let mut link = Link::new(Config::new(LOCAL, DEVICE), b"", b"");
        link.run();
        let up = ipv4_packet(DEVICE, LOCAL, b"from the device");
        let n = link.device.send(&up, &mut link.tx).unwrap();
        let line = link.tx[..n].to_vec();
        link.receive_from_device(&line);
        assert_eq!(link.events, vec![Event::Ip(up)]);
        link.events.clear();
        let down = ipv4_packet(LOCAL, DEVICE, b"\r\nNO CARRIER\r\n from the network");
        hdlc::encode(
            protocol::IPV4,
            &down,
            link.peer.tx_accm(protocol::IPV4) | 1 << 0x0d,
            &mut link.to_device,
        );
        assert!(!link.to_device.contains(&b'\r'), "carriage returns are escaped");
        link.run();
        assert_eq!(link.device_ip, vec![down]);
    }

    #[test]
    fn test_pap_right_and_wrong_credentials() {
        let auth = Auth::Pap {
            user: "qod".into(),
            password: "secret".into(),
        };
        let config = Config {
            auth: auth.clone(),
            ..Config::new(LOCAL, DEVICE)
        };
        let mut link = Link::new(config.clone(), b"qod", b"secret");
        assert_eq!(link.run(), vec![Event::Up { device: DEVICE }]);

        // ppproto resends its request at once on every Nak: after three the peer ends the link.
        let mut link = Link::new(config, b"qod", b"wrong");
        let mut events = link.run();
        events.extend(link.advance(Duration::from_secs(5)));
        assert!(events.contains(&Event::Down(DownReason::AuthFailed)), "{events:?}");
        assert!(!link.peer.is_up());
        assert_eq!(link.peer.phase(), Phase::Dead);
    }

    #[test]
    fn test_close_is_acknowledged_by_the_device() {
        let mut link = Link::new(Config::new(LOCAL, DEVICE), b"", b"");
        link.run();
        link.peer.close(link.now, &mut link.events);
        assert_eq!(link.run(), vec![Event::Down(DownReason::Closed)]);
        assert_eq!(link.device.status().phase, ppproto::Phase::Dead);
        // Nothing more is sent or accepted.
        link.peer
            .input(link.now, protocol::LCP, &[1, 1, 0, 4], &mut link.events);
        assert!(link.events.is_empty());
    }

    #[test]
    fn test_close_without_answer_gives_up_after_max_terminate() {
        let mut peer = up_peer();
        let mut out = Vec::new();
        peer.close(Duration::ZERO, &mut out);
        peer.poll(Duration::from_millis(1000), &mut out);
        peer.poll(Duration::from_millis(2000), &mut out);
        let term_reqs = out
            .iter()
            .filter(|e| matches!(e, Event::Send { packet, .. } if packet[0] == TERM_REQ))
            .count();
        assert_eq!(term_reqs, 2);
        assert_eq!(out.last(), Some(&Event::Down(DownReason::Closed)));
    }

    #[test]
    fn test_passive_start_sends_nothing_until_the_device_speaks_and_times_out() {
        let mut peer = Peer::new(Config::new(LOCAL, DEVICE), Duration::ZERO);
        let mut out = Vec::new();
        peer.poll(Duration::from_secs(19), &mut out);
        assert!(out.is_empty());
        peer.poll(Duration::from_secs(20), &mut out);
        assert_eq!(out, vec![Event::Down(DownReason::NegotiationFailed("LCP"))]);
    }

    #[test]
    fn test_unanswered_requests_are_resent_then_the_link_fails() {
        let mut peer = Peer::new(Config::new(LOCAL, DEVICE), Duration::ZERO);
        let mut out = Vec::new();
        // The device's request (ACCM 0) arrives; ours is never answered.
        peer.input(
            Duration::ZERO,
            protocol::LCP,
            &[1, 7, 0, 10, 2, 6, 0, 0, 0, 0],
            &mut out,
        );
        let requests = |out: &[Event]| {
            out.iter()
                .filter(|e| matches!(e, Event::Send { protocol: protocol::LCP, packet } if packet[0] == CONF_REQ))
                .count()
        };
        assert_eq!(requests(&out), 1);
        assert!(matches!(&out[1], Event::Send { packet, .. } if packet[..2] == [CONF_ACK, 7]));
        for s in 1..=10 {
            peer.poll(Duration::from_secs(s), &mut out);
        }
        assert_eq!(requests(&out), 10);
        assert!(matches!(out.last(), Some(Event::Send { packet, .. }) if packet[0] == TERM_REQ));
        peer.poll(Duration::from_secs(12), &mut out);
        peer.poll(Duration::from_secs(13), &mut out);
        assert_eq!(out.last(), Some(&Event::Down(DownReason::NegotiationFailed("LCP"))));
    }

    /// A peer whose LCP is open (device ACCM 0) and whose IPCP is negotiating.
    fn lcp_open_peer() -> Peer {
        let mut peer = Peer::new(Config::new(LOCAL, DEVICE), Duration::ZERO);
        let mut out = Vec::new();
        peer.input(
            Duration::ZERO,
            protocol::LCP,
            &[1, 1, 0, 10, 2, 6, 0, 0, 0, 0],
            &mut out,
        );
        let id = peer.lcp.id;
        peer.input(
            Duration::ZERO,
            protocol::LCP,
            &[2, id, 0, 10, 2, 6, 0, 0, 0, 0],
            &mut out,
        );
        assert_eq!(peer.phase(), Phase::Network);
        peer
    }

    fn up_peer() -> Peer {
        let mut peer = lcp_open_peer();
        let mut out = Vec::new();
        let id = peer.ipcp.id;
        peer.input(
            Duration::ZERO,
            protocol::IPCP,
            &[2, id, 0, 10, 3, 6, 10, 0, 2, 2],
            &mut out,
        );
        peer.input(
            Duration::ZERO,
            protocol::IPCP,
            &[1, 9, 0, 10, 3, 6, 10, 0, 2, 15],
            &mut out,
        );
        assert!(peer.is_up(), "{out:?}");
        assert_eq!(out.last(), Some(&Event::Up { device: DEVICE }));
        peer
    }

    fn replies(out: &[Event], proto: u16) -> Vec<Vec<u8>> {
        out.iter()
            .filter_map(|e| match e {
                Event::Send { protocol, packet } if *protocol == proto => Some(packet.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn test_ipcp_naks_rejects_and_suggests() {
        let mut peer = lcp_open_peer();
        let mut out = Vec::new();
        // Address 0.0.0.0 and DNS 0.0.0.0 are naked with ours; VJ compression (2) and NBNS (130) are rejected, and
        // a reject outranks the naks.
        let req = [
            1, 5, 0, 26, 3, 6, 0, 0, 0, 0, 129, 6, 0, 0, 0, 0, 2, 6, 0, 0x2d, 0x0f, 1, 130, 4, 1, 2,
        ];
        peer.input(MS, protocol::IPCP, &req, &mut out);
        assert_eq!(
            replies(&out, protocol::IPCP),
            vec![vec![CONF_REJ, 5, 0, 14, 2, 6, 0, 0x2d, 0x0f, 1, 130, 4, 1, 2]]
        );
        out.clear();
        peer.input(
            MS,
            protocol::IPCP,
            &[1, 6, 0, 16, 3, 6, 0, 0, 0, 0, 129, 6, 0, 0, 0, 0],
            &mut out,
        );
        assert_eq!(
            replies(&out, protocol::IPCP),
            vec![vec![CONF_NAK, 6, 0, 16, 3, 6, 10, 0, 2, 15, 129, 6, 10, 0, 2, 2]]
        );
        out.clear();
        // No address at all: the peer suggests one.
        peer.input(MS, protocol::IPCP, &[1, 7, 0, 4], &mut out);
        assert_eq!(
            replies(&out, protocol::IPCP),
            vec![vec![CONF_NAK, 7, 0, 10, 3, 6, 10, 0, 2, 15]]
        );
    }

    #[test]
    fn test_lcp_rejects_compression_and_auth_and_naks_tiny_mru() {
        let mut peer = Peer::new(Config::new(LOCAL, DEVICE), Duration::ZERO);
        let mut out = Vec::new();
        // MRU 64, PFC (7), ACFC (8), Auth CHAP (3): rejects first.
        peer.input(
            MS,
            protocol::LCP,
            &[1, 1, 0, 17, 1, 4, 0, 64, 7, 2, 8, 2, 3, 5, 0xc2, 0x23, 5],
            &mut out,
        );
        let sent = replies(&out, protocol::LCP);
        assert_eq!(sent[0][0], CONF_REQ);
        assert_eq!(sent[1], vec![CONF_REJ, 1, 0, 13, 7, 2, 8, 2, 3, 5, 0xc2, 0x23, 5]);
        out.clear();
        peer.input(MS, protocol::LCP, &[1, 2, 0, 8, 1, 4, 0, 64], &mut out);
        assert_eq!(
            replies(&out, protocol::LCP),
            vec![vec![CONF_NAK, 2, 0, 8, 1, 4, 0x05, 0xdc]]
        );
    }

    #[test]
    fn test_echo_protocol_reject_and_code_reject() {
        let mut peer = up_peer();
        let mut out = Vec::new();
        peer.input(
            MS,
            protocol::LCP,
            &[ECHO_REQ, 3, 0, 10, 1, 2, 3, 4, b'h', b'i'],
            &mut out,
        );
        assert_eq!(
            replies(&out, protocol::LCP),
            vec![vec![ECHO_REPLY, 3, 0, 10, 0, 0, 0, 0, b'h', b'i']]
        );
        out.clear();
        // IPv6CP is not spoken here.
        peer.input(MS, 0x8057, &[1, 1, 0, 4], &mut out);
        let sent = replies(&out, protocol::LCP);
        assert_eq!(sent[0][0], PROTO_REJ);
        assert_eq!(&sent[0][4..], &[0x80, 0x57, 1, 1, 0, 4]);
        out.clear();
        peer.input(MS, protocol::IPCP, &[42, 1, 0, 4], &mut out);
        assert_eq!(replies(&out, protocol::IPCP)[0][0], CODE_REJ);
    }

    #[test]
    fn test_malformed_packets_are_discarded() {
        let mut peer = lcp_open_peer();
        let mut out = Vec::new();
        for bad in [
            &[1u8, 1, 0][..],
            &[1, 1, 0, 20, 3, 6],
            &[1, 1, 0, 8, 3, 1, 0, 0],
            &[1, 1, 0, 7, 3, 6, 10],
        ] {
            peer.input(MS, protocol::IPCP, bad, &mut out);
            peer.input(MS, protocol::LCP, bad, &mut out);
        }
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn test_device_terminate_and_ip_before_ipcp() {
        let mut peer = lcp_open_peer();
        let mut out = Vec::new();
        peer.input(MS, protocol::IPV4, &ipv4_packet(DEVICE, LOCAL, b"early"), &mut out);
        assert!(out.is_empty());
        peer.input(MS, protocol::LCP, &[TERM_REQ, 4, 0, 4], &mut out);
        assert_eq!(
            out,
            vec![
                Event::Send {
                    protocol: protocol::LCP,
                    packet: vec![TERM_ACK, 4, 0, 4]
                },
                Event::Down(DownReason::PeerTerminated)
            ]
        );
    }

    proptest! {
        #[test]
        fn prop_arbitrary_packets_never_panic(
            packets in proptest::collection::vec(
                (prop_oneof![Just(protocol::LCP), Just(protocol::IPCP), Just(protocol::PAP), Just(protocol::IPV4), any::<u16>()],
                 proptest::collection::vec(any::<u8>(), 0..64)),
                0..40),
            pap in any::<bool>(),
        ) {
            let mut config = Config::new(LOCAL, DEVICE);
            if pap {
                config.auth = Auth::Pap { user: "u".into(), password: "p".into() };
            }
            let mut peer = Peer::new(config, Duration::ZERO);
            let mut out = Vec::new();
            for (i, (protocol, info)) in packets.iter().enumerate() {
                let now = Duration::from_millis(300 * i as u64);
                peer.input(now, *protocol, info, &mut out);
                peer.poll(now, &mut out);
            }
            for e in out {
                if let Event::Send { packet, .. } = e {
                    prop_assert!(packet.len() >= 4 && packet.len() <= 1500);
                    prop_assert_eq!(usize::from(u16::from_be_bytes([packet[2], packet[3]])), packet.len());
                }
            }
        }
    }
}
