//! The AT commands of the bring-up (3GPP TS 27.007 and V.250), as `atat` commands.

use atat::atat_derive::{AtatCmd, AtatResp};
use heapless::String;

/// An empty response: the command only answers `OK` (or `CONNECT`).
#[derive(Debug, Clone, AtatResp)]
pub struct NoResponse;

/// `AT`: is the modem there?
#[derive(Debug, Clone, AtatCmd)]
#[at_cmd("", NoResponse)]
pub struct At;

/// `ATE0`: no command echo.
#[derive(Debug, Clone, AtatCmd)]
#[at_cmd("E0", NoResponse)]
pub struct EchoOff;

/// `AT+CPIN?`: SIM state.
#[derive(Debug, Clone, AtatCmd)]
#[at_cmd("+CPIN?", PinStatus)]
pub struct GetPinStatus;

/// `+CPIN: <code>`; `READY` when no PIN is needed.
#[derive(Debug, Clone, AtatResp)]
pub struct PinStatus {
    /// `READY`, `SIM PIN`, `SIM PUK`, …
    #[at_arg(position = 0)]
    pub code: String<16>,
}

/// `AT+CGDCONT=<cid>,"<type>","<apn>"`: define the PDP context to dial.
#[derive(Debug, Clone, AtatCmd)]
#[at_cmd("+CGDCONT", NoResponse)]
pub struct DefineContext<'a> {
    /// Context id (1 is what `ATD*99#` dials).
    #[at_arg(position = 0)]
    pub cid: u8,
    /// `IP` for IPv4.
    #[at_arg(position = 1)]
    pub pdp_type: &'a str,
    /// Access point name.
    #[at_arg(position = 2)]
    pub apn: &'a str,
}

/// `AT+CEREG?`: EPS (LTE-M / NB-IoT) registration state.
#[derive(Debug, Clone, AtatCmd)]
#[at_cmd("+CEREG?", Registration)]
pub struct GetRegistration;

/// `+CEREG: <n>,<stat>[,…]`.
#[derive(Debug, Clone, AtatResp)]
pub struct Registration {
    /// Unsolicited result mode.
    #[at_arg(position = 0)]
    pub n: u8,
    /// 0 not searching, 1 home, 2 searching, 3 denied, 4 unknown, 5 roaming.
    #[at_arg(position = 1)]
    pub stat: u8,
}

impl Registration {
    /// Registered on the home network or roaming.
    pub fn registered(&self) -> bool {
        matches!(self.stat, 1 | 5)
    }
}

/// `AT+CSQ`: signal quality.
#[derive(Debug, Clone, AtatCmd)]
#[at_cmd("+CSQ", SignalQuality)]
pub struct GetSignalQuality;

/// `+CSQ: <rssi>,<ber>`.
#[derive(Debug, Clone, AtatResp)]
pub struct SignalQuality {
    /// 0 (-113 dBm or less) to 31 (-51 dBm or more), 99 unknown.
    #[at_arg(position = 0)]
    pub rssi: u8,
    /// Bit error rate class, 99 unknown.
    #[at_arg(position = 1)]
    pub ber: u8,
}

/// `ATD*99#`: dial the packet-data service on context 1; `CONNECT` switches the line to PPP.
#[derive(Debug, Clone, AtatCmd)]
#[at_cmd("D*99#", NoResponse, timeout_ms = 10000)]
pub struct Dial;
