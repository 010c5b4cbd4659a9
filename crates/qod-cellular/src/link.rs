//! The link supervisor: bring-up, dial, PPP, and redial after a lost carrier, with its state shared through
//! [`Link`].

use crate::carrier::CarrierWatch;
use crate::modem::{connect, Config, Error};
use core::cell::Cell;
use embassy_futures::select::{select, Either};
use embassy_net::{ConfigV4, Ipv4Address, Ipv4Cidr, Stack, StaticConfigV4};
use embassy_net_ppp::{RunError, Runner};
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::signal::Signal;
use embassy_time::{with_timeout, Duration, Instant, Timer};
use embedded_io_async::{Read, Write};

/// The link's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Status {
    /// The first bring-up is under way.
    Starting,
    /// PPP is up (IPCP open) with this address.
    Up(Ipv4Address),
    /// The carrier was lost; redialling.
    Redialing,
    /// The link could not be (re)established and [`run`] returned this error.
    Failed(Error),
}

/// State shared between [`run`] and the application: status, carrier losses, and a wake-up on every change.
pub struct Link {
    state: Mutex<CriticalSectionRawMutex, Cell<(Status, u16)>>,
    changed: Signal<CriticalSectionRawMutex, ()>,
}

impl Default for Link {
    fn default() -> Self {
        Self::new()
    }
}

impl Link {
    /// A link that is [`Status::Starting`].
    pub const fn new() -> Self {
        Link {
            state: Mutex::new(Cell::new((Status::Starting, 0))),
            changed: Signal::new(),
        }
    }

    /// The current status.
    pub fn status(&self) -> Status {
        self.state.lock(|s| s.get().0)
    }

    /// How many times the carrier was lost so far.
    pub fn carrier_losses(&self) -> u16 {
        self.state.lock(|s| s.get().1)
    }

    fn set(&self, status: Status) {
        self.state.lock(|s| s.set((status, s.get().1)));
        self.changed.signal(());
    }

    fn lost(&self) {
        self.state
            .lock(|s| s.set((Status::Redialing, s.get().1.saturating_add(1))));
        self.changed.signal(());
    }

    /// Waits until the link is up (its address) or has failed (the error).
    ///
    /// # Errors
    /// The error [`run`] gave up with.
    pub async fn wait_up(&self) -> Result<Ipv4Address, Error> {
        loop {
            match self.status() {
                Status::Up(address) => return Ok(address),
                Status::Failed(e) => return Err(e),
                Status::Starting | Status::Redialing => self.changed.wait().await,
            }
        }
    }
}

/// Runs the link until it cannot be (re)established: brings the modem up and dials ([`connect`]), runs PPP
/// (`embassy-net-ppp`) over the port wrapped in a [`CarrierWatch`], sets `stack`'s IPv4 configuration from IPCP,
/// and after a lost carrier (LCP terminated by the network, or `NO CARRIER`) dials again. The address stays
/// configured while redialling, so TCP connections survive a short loss when the network gives the same address
/// back.
///
/// Gives up on the first bring-up's error, or after [`Config::redials`] consecutive failed redials; the error is
/// returned and published as [`Status::Failed`].
pub async fn run<S: Read + Write>(
    serial: &mut S,
    runner: &mut Runner<'_>,
    stack: Stack<'_>,
    config: &Config<'_>,
    link: &Link,
) -> Error {
    let mut failures = 0u8;
    let mut ever_up = false;
    loop {
        let result = match connect(serial, config).await {
            Ok(_) => session(serial, runner, stack, config, link).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(reason) => {
                ever_up = true;
                failures = 0;
                link.lost();
                warn!("link: carrier lost ({}); redialling", reason);
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                if !ever_up || failures >= config.redials {
                    error!("link: {}: giving up", e);
                    link.set(Status::Failed(e));
                    return e;
                }
                warn!("link: redial {} of {} failed: {}", failures, config.redials, e);
                Timer::after(Duration::from_secs(1)).await;
            }
        }
    }
}

/// One PPP session after `CONNECT`. `Ok(reason)` when it came up and then ended; `Err(PppFailed)` when it never
/// came up in time.
async fn session<S: Read + Write>(
    serial: &mut S,
    runner: &mut Runner<'_>,
    stack: Stack<'_>,
    config: &Config<'_>,
    link: &Link,
) -> Result<&'static str, Error> {
    let up = Cell::new(false);
    let mut watch = CarrierWatch::new(serial);
    let (user, password) = config.pap;
    let ppp = embassy_net_ppp::Config {
        username: user.as_bytes(),
        password: password.as_bytes(),
    };
    let started = Instant::now();
    let on_up = |ipv4: embassy_net_ppp::Ipv4Status| {
        let Some(address) = ipv4.address else {
            warn!("link: IPCP gave no address");
            return;
        };
        let mut dns_servers = heapless::Vec::new();
        for server in ipv4.dns_servers.iter().flatten() {
            let _ = dns_servers.push(*server);
        }
        // Prefix 0: every destination is on the point-to-point link.
        stack.set_config_v4(ConfigV4::Static(StaticConfigV4 {
            address: Ipv4Cidr::new(address, 0),
            gateway: None,
            dns_servers,
        }));
        info!(
            "link: PPP up in {} ms: {} (peer {:?})",
            started.elapsed().as_millis(),
            address,
            ipv4.peer_address
        );
        up.set(true);
        link.set(Status::Up(address));
    };
    let deadline = async {
        Timer::after(config.ppp_timeout).await;
        if !up.get() {
            return;
        }
        core::future::pending::<()>().await
    };
    let ended = match select(runner.run(&mut watch, ppp, on_up), deadline).await {
        Either::First(Err(RunError::Terminated)) => "LCP terminated by the network",
        Either::First(Err(RunError::Eof)) if watch.carrier_lost() => "NO CARRIER",
        Either::First(Err(RunError::Eof)) => "serial port closed",
        Either::First(Err(RunError::Read(_) | RunError::Write(_))) => "serial port error",
        Either::First(Ok(never)) => match never {},
        Either::Second(()) => {
            warn!("link: PPP not up {} ms after CONNECT", config.ppp_timeout.as_millis());
            return Err(Error::PppFailed);
        }
    };
    if !up.get() {
        return Err(Error::PppFailed);
    }
    // After an LCP terminate the modem says NO CARRIER: consume it before the next command.
    if with_timeout(Duration::from_secs(2), watch.wait_carrier_lost())
        .await
        .is_err()
    {
        debug!("link: no NO CARRIER after the session ended");
    }
    Ok(ended)
}
