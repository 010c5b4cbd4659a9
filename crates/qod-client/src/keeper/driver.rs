//! [`Keeper`]: the async driver that runs a [`SessionKeeper`] over a [`Client`], a [`SessionStore`], a clock and a
//! timer.
use super::machine::{ApiVersion, Event, KeeperConfig, Notice, Reply, Request, SessionKeeper};
use super::store::SessionStore;
use crate::auth::Clock;
use crate::{Client, ClientError, Connect, TokenSource};
use embassy_futures::select::{select, Either};
use embedded_hal_async::delay::DelayNs;
#[cfg(any(feature = "v0", feature = "v1"))]
use qod_core::api::{Endpoint, Operation, ResponseError};
#[cfg(any(feature = "v0", feature = "v1"))]
use qod_core::http::Response;

/// An operation whose output comes with the response's `Date`.
#[cfg(any(feature = "v0", feature = "v1"))]
pub(super) struct Dated<O>(pub(super) O);

#[cfg(any(feature = "v0", feature = "v1"))]
impl<O: Operation> Operation for Dated<O> {
    type Output = (O::Output, Option<u32>);
    const IDEMPOTENT: bool = O::IDEMPOTENT;

    fn encode(&self, ep: &Endpoint<'_>, buf: &mut [u8]) -> Result<usize, qod_core::Error> {
        self.0.encode(ep, buf)
    }

    fn decode(&mut self, res: &Response<'_>) -> Result<Self::Output, ResponseError> {
        Ok((self.0.decode(res)?, res.head.date))
    }
}

/// One API version's operations, as the keeper needs them: send a [`Request`] with a client and say how it went.
#[allow(async_fn_in_trait)]
pub trait SessionApi {
    /// The version (written into the record).
    const VERSION: ApiVersion;

    /// Sends `req` with `client` and maps the outcome to a [`Reply`] (see [`classify`] for errors).
    async fn send<C: Connect, D: DelayNs, T: TokenSource>(
        &mut self,
        client: &mut Client<'_, C, D, T>,
        req: &Request,
    ) -> Reply<'_>;
}

/// Maps a failed request to what the keeper needs to know: was it refused (with what status), or may it have been
/// acted on?
///
/// An `ErrorInfo` answer is [`Reply::NotFound`] (404), [`Reply::Conflict`] (409), [`Reply::Busy`] (429, 503, with
/// `Retry-After`) or [`Reply::Refused`]. A request refused before sending (invalid input, a token that could not be
/// had) or a connection that could not be opened (`ConnectionRefused`, `NotConnected`, `AddrNotAvailable`) is
/// [`Reply::NotSent`]. Everything else (timeout, a connection closed or reset, an unreadable response, other transport
/// errors) is [`Reply::Ambiguous`]: the server may have acted on it.
pub fn classify<E: embedded_io::Error>(e: &ClientError<E>) -> Reply<'static> {
    use embedded_io::ErrorKind as K;
    use qod_core::Error as Codec;
    match e {
        ClientError::Api(a) => match a.status {
            404 => Reply::NotFound,
            409 => Reply::Conflict,
            429 | 503 => Reply::Busy {
                retry_after_s: a.retry_after,
            },
            status => Reply::Refused { status },
        },
        ClientError::Codec(Codec::Invalid(_) | Codec::BufferTooSmall) | ClientError::Token(_) => Reply::NotSent,
        ClientError::Codec(Codec::UnexpectedStatus(s)) => match *s {
            429 | 503 => Reply::Busy { retry_after_s: None },
            status => Reply::Refused { status },
        },
        ClientError::Transport(t) => match t.kind() {
            K::ConnectionRefused | K::NotConnected | K::AddrNotAvailable => Reply::NotSent,
            _ => Reply::Ambiguous,
        },
        _ => Reply::Ambiguous,
    }
}

/// What the application tells a running [`Keeper`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Signal {
    /// Stop: delete the session, confirm, return.
    Stop,
    /// A notification for one of the keeper's sessions.
    Notice(Notice),
}

/// Where a [`Keeper`] gets the application's [`Signal`]s from while it waits.
///
/// `next` must be cancel-safe (it is raced against the keeper's timer and dropped when the timer wins) and must
/// return each signal once.
#[allow(async_fn_in_trait)]
pub trait Signals {
    /// The next signal.
    async fn next(&mut self) -> Signal;
}

/// No signals: the keeper runs until its deadline ([`SessionKeeper::keep_until`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoSignals;

impl Signals for NoSignals {
    async fn next(&mut self) -> Signal {
        core::future::pending().await
    }
}

/// The session keeper over a client: a [`SessionKeeper`] driven with version `A`'s operations, store `S`, clock `K`
/// and timer `W`.
///
/// ```rust,ignore
/// let api = V0Api::new(create_request);                       // the session the application wants
/// let mut keeper = Keeper::new(api, store, clock, timer, KeeperConfig::new(300));
/// keeper.machine_mut().keep_until(clock.now_ms() + 3_600_000); // or a `Signal::Stop`
/// let clean = keeper.run(&mut client, &mut signals, |e| log(e)).await?;
/// ```
#[derive(Debug)]
pub struct Keeper<A, S, K, W> {
    machine: SessionKeeper,
    api: A,
    store: S,
    clock: K,
    timer: W,
}

impl<A: SessionApi, S: SessionStore, K: Clock, W: DelayNs> Keeper<A, S, K, W> {
    /// A keeper for `api`'s session, remembering it in `store`, timed by `clock` and `timer`.
    pub fn new(api: A, store: S, clock: K, timer: W, config: KeeperConfig) -> Self {
        Keeper {
            machine: SessionKeeper::new(A::VERSION, config),
            api,
            store,
            clock,
            timer,
        }
    }

    /// The state machine (its stats, the session it holds).
    pub fn machine(&self) -> &SessionKeeper {
        &self.machine
    }

    /// The state machine, e.g. to set [`SessionKeeper::keep_until`] before [`run`](Self::run).
    pub fn machine_mut(&mut self) -> &mut SessionKeeper {
        &mut self.machine
    }

    /// The API adapter.
    pub fn api(&self) -> &A {
        &self.api
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The clock.
    pub fn clock(&self) -> &K {
        &self.clock
    }

    /// Gives the parts back.
    pub fn into_parts(self) -> (A, S, K, W) {
        (self.api, self.store, self.clock, self.timer)
    }

    /// Loads the record, then keeps the session until a [`Signal::Stop`] or the deadline, and stops: returns
    /// whether the stop was clean (see [`Event::Stopped`]). Each [`Event`] goes to `on_event` as it happens.
    ///
    /// The client should not retry 429/503 itself ([`RetryPolicy::NONE`](crate::RetryPolicy::NONE)): the keeper
    /// honours `Retry-After` between its own steps. Dropping this future (a crash) loses nothing the store does not
    /// hold: a new keeper started on the same store cleans up.
    ///
    /// # Errors
    /// The store's error when the record cannot be loaded (failed saves are retried after a backoff and reported as
    /// [`Failure::Store`](super::Failure::Store)).
    pub async fn run<C: Connect, D: DelayNs, T: TokenSource, G: Signals>(
        &mut self,
        client: &mut Client<'_, C, D, T>,
        signals: &mut G,
        mut on_event: impl FnMut(&Event),
    ) -> Result<bool, S::Error> {
        let stored = self.store.load().await?;
        self.machine.start(self.clock.now_ms(), stored);
        let mut listening = true;
        loop {
            while let Some(e) = self.machine.next_event() {
                on_event(&e);
            }
            let now = self.clock.now_ms();
            match self.machine.poll(now) {
                super::Action::Save(r) => match self.store.save(&r).await {
                    Ok(()) => self.machine.saved(now),
                    Err(_) => self.machine.store_failed(now),
                },
                super::Action::Clear => match self.store.clear().await {
                    Ok(()) => self.machine.saved(now),
                    Err(_) => self.machine.store_failed(now),
                },
                super::Action::Send(req) => {
                    let reply = self.api.send(client, &req).await;
                    self.machine.on_reply(self.clock.now_ms(), reply);
                }
                super::Action::Wait { until_ms } => {
                    let ms = u32::try_from(until_ms.saturating_sub(now)).unwrap_or(u32::MAX);
                    if !listening {
                        self.timer.delay_ms(ms).await;
                        continue;
                    }
                    if let Either::Second(signal) = select(self.timer.delay_ms(ms), signals.next()).await {
                        let now = self.clock.now_ms();
                        match signal {
                            Signal::Stop => {
                                // A source that keeps saying "stop" must not keep the loop awake.
                                listening = !self.machine.is_stopping();
                                self.machine.stop(now);
                            }
                            Signal::Notice(n) => self.machine.notify(now, n),
                        }
                    }
                }
                super::Action::Done { clean } => {
                    while let Some(e) = self.machine.next_event() {
                        on_event(&e);
                    }
                    return Ok(clean);
                }
            }
        }
    }
}

/// A clock running `scale` times faster than `K`: the keeper's clock against a simulator whose clock is sped up
/// (`qod sim --time-scale N`), so that leases and polls are in the simulator's seconds.
#[derive(Debug, Clone, Copy)]
pub struct ScaledClock<K> {
    clock: K,
    scale: u32,
}

impl<K: Clock> ScaledClock<K> {
    /// `clock`'s time × `scale` (at least 1).
    pub fn new(clock: K, scale: u32) -> Self {
        ScaledClock {
            clock,
            scale: scale.max(1),
        }
    }
}

impl<K: Clock> Clock for ScaledClock<K> {
    fn now_ms(&self) -> u64 {
        self.clock.now_ms().saturating_mul(u64::from(self.scale))
    }
}

/// A timer whose waits are `scale` times shorter than asked (the partner of [`ScaledClock`]).
#[derive(Debug, Clone, Copy)]
pub struct ScaledDelay<W> {
    delay: W,
    scale: u32,
}

impl<W: DelayNs> ScaledDelay<W> {
    /// Waits of `delay` divided by `scale` (at least 1).
    pub fn new(delay: W, scale: u32) -> Self {
        ScaledDelay {
            delay,
            scale: scale.max(1),
        }
    }
}

impl<W: DelayNs> DelayNs for ScaledDelay<W> {
    async fn delay_ns(&mut self, ns: u32) {
        self.delay.delay_ns(ns / self.scale).await;
    }

    async fn delay_us(&mut self, us: u32) {
        self.delay.delay_us(us / self.scale).await;
    }

    async fn delay_ms(&mut self, ms: u32) {
        let us = u64::from(ms).saturating_mul(1000) / u64::from(self.scale);
        match u32::try_from(us) {
            Ok(us) => self.delay.delay_us(us).await,
            Err(_) => self.delay.delay_ms(ms / self.scale).await,
        }
    }
}
