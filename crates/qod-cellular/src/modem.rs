//! Bringing the modem up with AT commands (`atat`) and dialling.

use crate::commands::{self, Dial, Quick};
use atat::asynch::{AtatClient, SimpleClient};
use atat::digest::{AtDigester, ParseError, Parser};
use embassy_time::{Duration, Instant, Timer};
use embedded_io_async::{Read, Write};

/// How the modem is brought up, dialled and supervised. Start from [`Config::new`] and assign the fields to change
/// (the struct is `#[non_exhaustive]`).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Config<'a> {
    /// Access point name for PDP context 1 (at most 63 characters, no `"`).
    pub apn: &'a str,
    /// PAP user name and password, if the network asks for them (empty: none).
    pub pap: (&'a str, &'a str),
    /// `AT` attempts (one second each) before the modem counts as absent.
    pub at_attempts: u8,
    /// How long to wait for `+CEREG: n,1` (or `,5`).
    pub registration_timeout: Duration,
    /// Interval between `AT+CEREG?` polls.
    pub registration_poll: Duration,
    /// `ATD*99#` attempts (ten seconds each at most, one second apart).
    pub dial_attempts: u8,
    /// How long LCP, PAP and IPCP may take after `CONNECT`.
    pub ppp_timeout: Duration,
    /// Consecutive failed redials (each a whole bring-up, one second apart) after a lost carrier before the link
    /// gives up; at least one is tried.
    pub redials: u8,
}

impl<'a> Config<'a> {
    /// Defaults for `apn`: 5 `AT` attempts, 20 s to register (polled every 500 ms), 3 dial attempts, 10 s for PPP,
    /// 3 redials.
    pub const fn new(apn: &'a str) -> Self {
        Config {
            apn,
            pap: ("", ""),
            at_attempts: 5,
            registration_timeout: Duration::from_secs(20),
            registration_poll: Duration::from_millis(500),
            dial_attempts: 3,
            ppp_timeout: Duration::from_secs(10),
            redials: 3,
        }
    }
}

/// A bring-up step, named in errors and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Step {
    /// `AT`
    At,
    /// `ATE0`
    EchoOff,
    /// `AT+CPIN?`
    Pin,
    /// `AT+CGDCONT=1,"IP",…`
    DefineContext,
    /// `AT+CEREG?`
    Registration,
    /// `AT+CSQ`
    SignalQuality,
    /// `ATD*99#`
    Dial,
}

impl Step {
    /// The command as sent.
    pub fn command(self) -> &'static str {
        match self {
            Step::At => "AT",
            Step::EchoOff => "ATE0",
            Step::Pin => "AT+CPIN?",
            Step::DefineContext => "AT+CGDCONT",
            Step::Registration => "AT+CEREG?",
            Step::SignalQuality => "AT+CSQ",
            Step::Dial => "ATD*99#",
        }
    }
}

/// Why the link could not be (re)established. `Display` and `defmt::Format` print the same sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The modem answered nothing to `AT`.
    NoAnswer,
    /// The modem answered `ERROR` (or `+CME ERROR`, or an answer that does not parse) to a command.
    Refused(Step),
    /// The modem had answered `AT` but then stayed silent on a command.
    Timeout(Step),
    /// The SIM is not ready (`+CPIN:` other than `READY`).
    SimNotReady,
    /// Not registered within the registration timeout; `stat` is the last `+CEREG` state.
    NotRegistered {
        /// 0 not searching, 2 searching, 3 denied, 4 unknown.
        stat: u8,
    },
    /// `ATD*99#` got `NO CARRIER` (or `ERROR`, or nothing) on every attempt.
    DialFailed,
    /// PPP did not come up after `CONNECT`: LCP, PAP or IPCP refused, or not done within the PPP timeout.
    PppFailed,
    /// The serial port failed.
    Serial,
    /// The APN is longer than 63 characters or contains `"`.
    BadApn,
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Error::NoAnswer => f.write_str("the modem does not answer AT"),
            Error::Refused(step) => write!(f, "the modem answered ERROR to {}", step.command()),
            Error::Timeout(step) => write!(f, "the modem did not answer {}", step.command()),
            Error::SimNotReady => f.write_str("the SIM is not ready"),
            Error::NotRegistered { stat } => write!(f, "not registered (+CEREG stat {stat})"),
            Error::DialFailed => f.write_str("ATD*99# failed on every attempt"),
            Error::PppFailed => f.write_str("PPP did not come up after CONNECT (refused or timed out)"),
            Error::Serial => f.write_str("serial port error"),
            Error::BadApn => f.write_str("unusable APN"),
        }
    }
}

impl core::error::Error for Error {}

#[cfg(feature = "defmt")]
impl defmt::Format for Error {
    fn format(&self, f: defmt::Formatter<'_>) {
        match self {
            Error::NoAnswer => defmt::write!(f, "the modem does not answer AT"),
            Error::Refused(step) => defmt::write!(f, "the modem answered ERROR to {=str}", step.command()),
            Error::Timeout(step) => defmt::write!(f, "the modem did not answer {=str}", step.command()),
            Error::SimNotReady => defmt::write!(f, "the SIM is not ready"),
            Error::NotRegistered { stat } => defmt::write!(f, "not registered (+CEREG stat {=u8})", stat),
            Error::DialFailed => defmt::write!(f, "ATD*99# failed on every attempt"),
            Error::PppFailed => defmt::write!(f, "PPP did not come up after CONNECT (refused or timed out)"),
            Error::Serial => defmt::write!(f, "serial port error"),
            Error::BadApn => defmt::write!(f, "unusable APN"),
        }
    }
}

/// No unsolicited result codes are expected during the bring-up (`+CEREG` reporting stays off).
enum NoUrc {}

impl Parser for NoUrc {
    fn parse(_: &[u8]) -> Result<(&[u8], usize), ParseError> {
        Err(ParseError::NoMatch)
    }
}

fn classify(step: Step, e: atat::Error) -> Error {
    match e {
        atat::Error::Timeout => Error::Timeout(step),
        atat::Error::Read | atat::Error::Write => Error::Serial,
        _ => Error::Refused(step),
    }
}

/// Result of a successful bring-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct Registered {
    /// `+CEREG` state: 1 home, 5 roaming.
    pub stat: u8,
    /// `+CSQ` signal quality (0-31, 99 unknown).
    pub rssi: u8,
}

/// Brings the modem up and dials: `AT` (until it answers), `ATE0`, `AT+CPIN?`, `AT+CGDCONT=1,"IP","<apn>"`,
/// `AT+CEREG?` until registered, `AT+CSQ`, then `ATD*99#` until `CONNECT`. On success the line is in PPP mode.
///
/// # Errors
/// The first step that failed, as an [`Error`]; every wait is bounded by the [`Config`].
pub async fn connect<S: Read + Write>(serial: &mut S, config: &Config<'_>) -> Result<Registered, Error> {
    let Some(define_context) = commands::define_context(config.apn) else {
        return Err(Error::BadApn);
    };
    let mut buf = [0u8; 128];
    let mut client = SimpleClient::new(serial, AtDigester::<NoUrc>::new(), &mut buf, atat::Config::new());

    // Until OK: `Some(error)` once the modem answered anything else (ERROR, or leftovers of an earlier call such
    // as NO CARRIER, which is why it asks again).
    let mut last = Some(Error::NoAnswer);
    for attempt in 1..=config.at_attempts.max(1) {
        match client.send(&Quick { text: "" }).await {
            Ok(_) => {
                last = None;
                break;
            }
            Err(atat::Error::Timeout) => warn!("modem: no answer to AT (attempt {})", attempt),
            Err(e) => {
                warn!("modem: AT attempt {} failed: {:?}", attempt, e);
                last = Some(classify(Step::At, e));
            }
        }
    }
    if let Some(e) = last {
        return Err(e);
    }
    let mut send = async |step: Step, text: &str| client.send(&Quick { text }).await.map_err(|e| classify(step, e));
    send(Step::EchoOff, "E0").await?;
    let pin = send(Step::Pin, "+CPIN?").await?;
    if commands::pin_code(&pin) != Some("READY") {
        return Err(Error::SimNotReady);
    }
    send(Step::DefineContext, &define_context).await?;

    let start = Instant::now();
    let stat = loop {
        let reg = send(Step::Registration, "+CEREG?").await?;
        let stat = commands::registration_stat(&reg).ok_or(Error::Refused(Step::Registration))?;
        if matches!(stat, 1 | 5) {
            info!(
                "modem: registered ({}) after {} ms",
                if stat == 1 { "home" } else { "roaming" },
                start.elapsed().as_millis()
            );
            break stat;
        }
        if start.elapsed() >= config.registration_timeout {
            return Err(Error::NotRegistered { stat });
        }
        Timer::after(config.registration_poll).await;
    };
    let csq = send(Step::SignalQuality, "+CSQ").await?;
    let (rssi, ber) = commands::signal_quality(&csq).ok_or(Error::Refused(Step::SignalQuality))?;
    info!("modem: signal quality +CSQ {},{}", rssi, ber);

    for attempt in 1..=config.dial_attempts.max(1) {
        match client.send(&Dial { text: "D*99#" }).await {
            Ok(_) => {
                info!("modem: CONNECT (APN {})", config.apn);
                return Ok(Registered { stat, rssi });
            }
            Err(e) => {
                // atat's error: NO CARRIER, ERROR, a timeout.
                warn!("modem: ATD*99# attempt {} failed: {:?}", attempt, e);
                Timer::after(Duration::from_secs(1)).await;
            }
        }
    }
    Err(Error::DialFailed)
}
