//! [`SessionKeeper`]: the sans-IO state machine. It holds no connection, clock or store: the caller feeds it the
//! time, the answers to the requests it asked for, the application's notifications and stop, and it says what to do
//! next ([`Action`]) and what happened ([`Event`]).
use super::store::Record;
use heapless::{Deque, Vec};
use qod_core::common::{QosStatus, SessionId, StatusInfo};

/// The CAMARA QoD API version a keeper (and its stored [`Record`]) speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ApiVersion {
    /// QoD v0.10.1 (`/qod/v0`): no way to list a device's sessions; one session per device (409 for a second).
    #[default]
    V0_10_1,
    /// quality-on-demand 1.1.0: `retrieve-sessions` lists a device's sessions.
    V1_1_0,
}

impl ApiVersion {
    /// The version as written in the record (`0.10.1`, `1.1.0`).
    pub const fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V0_10_1 => "0.10.1",
            ApiVersion::V1_1_0 => "1.1.0",
        }
    }

    /// Parses [`as_str`](Self::as_str)'s spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "0.10.1" => Some(ApiVersion::V0_10_1),
            "1.1.0" => Some(ApiVersion::V1_1_0),
            _ => None,
        }
    }

    /// Whether the API lists a device's sessions (so that an ambiguous create is reconciled by listing).
    pub const fn can_list(self) -> bool {
        matches!(self, ApiVersion::V1_1_0)
    }

    /// How a live session is replaced on this version by default (see [`Replace`]).
    pub const fn default_replace(self) -> Replace {
        match self {
            // v0.10.1: a second session for the device is a 409 (the simulator and the spec's CONFLICT), and an
            // extension has no overall cap, so a live session is replaced only after a refused extension.
            ApiVersion::V0_10_1 => Replace::BreakBeforeMake,
            // 1.1.0: "a device may have multiple sessions"; extensions stop at the profile's maxDuration. The keeper
            // tries make-before-break and falls back to break-before-make after the first 409.
            ApiVersion::V1_1_0 => Replace::MakeBeforeBreak,
        }
    }
}

/// How a session that can no longer be extended is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Replace {
    /// Create the next session while the old one still runs, then delete the old one (no gap). A 409 for the
    /// create means the network allows one session per device: the keeper falls back to break-before-make for good.
    MakeBeforeBreak,
    /// Delete the old session, then create the next one (a gap of one round trip or so).
    BreakBeforeMake,
}

/// What the keeper is told to do. Times are milliseconds on the caller's monotonic clock; durations on the wire are
/// seconds of the server's clock (so the caller's clock must run at the server's pace: see
/// [`ScaledClock`](super::ScaledClock) and [`ScaledDelay`](super::ScaledDelay) for an accelerated simulator).
///
/// Start from [`KeeperConfig::new`] and assign the fields to change (the struct is `#[non_exhaustive]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct KeeperConfig {
    /// Duration asked for at each create, and added by each extension (seconds). A session nobody knows about (an
    /// ambiguous create) lives at most this long.
    pub lease_s: u32,
    /// Extend when this little of the lease is left (seconds); at most half the lease.
    pub margin_s: u32,
    /// The profile's maximum overall duration (seconds), if the API caps extensions by it (1.1.0): the keeper never
    /// asks past it and replaces the session when it is reached.
    pub max_duration_s: Option<u32>,
    /// Status poll of an `AVAILABLE` session (ms): how soon a loss is noticed without a notification.
    pub poll_ms: u32,
    /// Status poll of a `REQUESTED` session (ms).
    pub requested_poll_ms: u32,
    /// First backoff after a failure (ms); doubled per consecutive failure, with jitter.
    pub backoff_min_ms: u32,
    /// Longest backoff (ms).
    pub backoff_max_ms: u32,
    /// How long a stop may take (deleting, confirming, waiting out an unnamed session) before the keeper gives up
    /// (ms).
    pub stop_timeout_ms: u32,
    /// How to replace a live session; `None`: the version's default ([`ApiVersion::default_replace`]).
    pub replace: Option<Replace>,
    /// Seed of the backoff jitter (give each device its own, e.g. from its RNG or its address).
    pub seed: u64,
}

impl KeeperConfig {
    /// Defaults for a lease of `lease_s` seconds: margin a quarter of it (at least 1 s), a poll every 30 s
    /// (every second while `REQUESTED`), backoff 0.5–60 s, a stop bounded by one lease plus a minute.
    pub const fn new(lease_s: u32) -> Self {
        let margin = if lease_s / 4 == 0 { 1 } else { lease_s / 4 };
        KeeperConfig {
            lease_s,
            margin_s: margin,
            max_duration_s: None,
            poll_ms: 30_000,
            requested_poll_ms: 1_000,
            backoff_min_ms: 500,
            backoff_max_ms: 60_000,
            stop_timeout_ms: lease_s.saturating_add(margin).saturating_add(60).saturating_mul(1000),
            replace: None,
            seed: 0x9E37_79B9_7F4A_7C15,
        }
    }

    /// The settings with every value in its sane range: lease ≥ 2 s, margin 1 s … lease/2, polls ≥ 100 ms,
    /// backoff ≥ 10 ms and max ≥ min.
    fn normalized(mut self) -> Self {
        self.lease_s = self.lease_s.clamp(2, 86_400);
        self.margin_s = self.margin_s.clamp(1, self.lease_s / 2);
        self.poll_ms = self.poll_ms.max(100);
        self.requested_poll_ms = self.requested_poll_ms.max(100);
        self.backoff_min_ms = self.backoff_min_ms.max(10);
        self.backoff_max_ms = self.backoff_max_ms.max(self.backoff_min_ms);
        self
    }
}

/// The requests the keeper asks its driver to send.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Request {
    /// `createSession` with the application's request and this `duration`.
    Create {
        /// Seconds.
        duration_s: u32,
    },
    /// `getSession`.
    Get {
        /// The session.
        id: SessionId,
    },
    /// `extendQosSessionDuration`.
    Extend {
        /// The session.
        id: SessionId,
        /// `requestedAdditionalDuration`, seconds.
        additional_s: u32,
    },
    /// `deleteSession`.
    Delete {
        /// The session.
        id: SessionId,
    },
    /// `retrieve-sessions` for the device (1.1.0).
    List,
}

impl Request {
    /// Which operation.
    pub fn kind(&self) -> RequestKind {
        match self {
            Request::Create { .. } => RequestKind::Create,
            Request::Get { .. } => RequestKind::Get,
            Request::Extend { .. } => RequestKind::Extend,
            Request::Delete { .. } => RequestKind::Delete,
            Request::List => RequestKind::List,
        }
    }
}

/// A [`Request`]'s operation, without its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum RequestKind {
    /// `createSession`.
    Create,
    /// `getSession`.
    Get,
    /// `extendQosSessionDuration`.
    Extend,
    /// `deleteSession`.
    Delete,
    /// `retrieve-sessions`.
    List,
}

impl RequestKind {
    /// A lower-case name (`create`, `get`, `extend`, `delete`, `list`).
    pub const fn as_str(self) -> &'static str {
        match self {
            RequestKind::Create => "create",
            RequestKind::Get => "get",
            RequestKind::Extend => "extend",
            RequestKind::Delete => "delete",
            RequestKind::List => "list",
        }
    }
}

/// A session as an answer showed it, whatever the API version.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct SessionView {
    /// `sessionId`.
    pub id: SessionId,
    /// `qosStatus`.
    pub status: QosStatus,
    /// `statusInfo` (1.1.0 `SessionInfo`; v0.10.1 only in notifications).
    pub reason: Option<StatusInfo>,
    /// `startedAt`, Unix seconds of the server's clock.
    pub started_at: Option<i64>,
    /// `expiresAt`, Unix seconds of the server's clock.
    pub expires_at: Option<i64>,
    /// `duration`, seconds (overall, extensions included).
    pub duration_s: Option<u32>,
    /// The server's clock when it answered (the HTTP `Date`), Unix seconds.
    pub server_time: Option<i64>,
    /// In a list: whether the session is the one the application wants (same application server and profile).
    pub matches: bool,
}

/// How a request ended, as the keeper needs to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Reply<'a> {
    /// A session (201 to a create, 200 to a get or an extend).
    Session(SessionView),
    /// 204 to a delete.
    Deleted,
    /// 200 to a list: the device's sessions.
    Sessions(&'a [SessionView]),
    /// 404.
    NotFound,
    /// 409.
    Conflict,
    /// 429 or 503: not acted on; `Retry-After` when given.
    Busy {
        /// Seconds to wait.
        retry_after_s: Option<u32>,
    },
    /// Another `ErrorInfo` answer (400, 401, 403, 422, 5xx …).
    Refused {
        /// The HTTP status.
        status: u16,
    },
    /// The request certainly did not reach the server (connection refused, no token, invalid input).
    NotSent,
    /// The request may have reached the server and been acted on, but no usable answer came (timeout, connection
    /// reset or closed, a response cut short or unreadable).
    Ambiguous,
}

/// A status change the application learnt from a notification (a CloudEvent it received and authenticated).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct Notice {
    /// `data.sessionId`.
    pub id: SessionId,
    /// `data.qosStatus` (`AVAILABLE` or `UNAVAILABLE`).
    pub status: QosStatus,
    /// `data.statusInfo`.
    pub reason: Option<StatusInfo>,
}

impl Notice {
    /// Session `id` is now `status`, for `reason`.
    pub fn new(id: SessionId, status: QosStatus, reason: Option<StatusInfo>) -> Self {
        Notice { id, status, reason }
    }
}

/// Why the keeper lost its session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Loss {
    /// `UNAVAILABLE` / `NETWORK_TERMINATED`.
    NetworkTerminated,
    /// `UNAVAILABLE` / `DURATION_EXPIRED`.
    DurationExpired,
    /// `UNAVAILABLE` / `DELETE_REQUESTED` (someone else deleted it).
    DeleteRequested,
    /// `UNAVAILABLE` without a reason.
    Unavailable,
    /// 404: the session is gone.
    Gone,
    /// Its expiry passed before an extension got through.
    Expired,
}

impl Loss {
    fn from_reason(r: Option<StatusInfo>) -> Self {
        match r {
            Some(StatusInfo::NetworkTerminated) => Loss::NetworkTerminated,
            Some(StatusInfo::DurationExpired) => Loss::DurationExpired,
            Some(StatusInfo::DeleteRequested) => Loss::DeleteRequested,
            _ => Loss::Unavailable,
        }
    }

    /// `NETWORK_TERMINATED`, `DURATION_EXPIRED`, `DELETE_REQUESTED`, `UNAVAILABLE`, `GONE`, `EXPIRED`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Loss::NetworkTerminated => "NETWORK_TERMINATED",
            Loss::DurationExpired => "DURATION_EXPIRED",
            Loss::DeleteRequested => "DELETE_REQUESTED",
            Loss::Unavailable => "UNAVAILABLE",
            Loss::Gone => "GONE",
            Loss::Expired => "EXPIRED",
        }
    }
}

/// Why a request did not get the keeper what it wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Failure {
    /// 429/503, with the server's `Retry-After`.
    Busy {
        /// Seconds.
        retry_after_s: Option<u32>,
    },
    /// An `ErrorInfo` answer with this status.
    Refused {
        /// The HTTP status.
        status: u16,
    },
    /// 409: another session holds the device.
    Conflict,
    /// Not sent (connection refused, no token …).
    NotSent,
    /// No usable answer; the request may have been acted on.
    Ambiguous,
    /// The store could not save or clear the record.
    Store,
}

/// What happened, for the application (one [`SessionKeeper::next_event`] each).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Event {
    /// A session was created (`REQUESTED` or already `AVAILABLE`).
    Requested {
        /// The session.
        id: SessionId,
    },
    /// The session is `AVAILABLE` (the first time in this run).
    Available {
        /// The session.
        id: SessionId,
        /// Seconds until it expires, as far as the keeper can tell.
        expires_in_s: Option<u32>,
    },
    /// An extension went through.
    Extended {
        /// The session.
        id: SessionId,
        /// Seconds until it expires now.
        expires_in_s: Option<u32>,
    },
    /// The session was lost while wanted.
    Lost {
        /// The session.
        id: SessionId,
        /// Why.
        why: Loss,
    },
    /// QoS is back after a loss: a session is `AVAILABLE` again.
    Recovered {
        /// The new session.
        id: SessionId,
        /// How long there was none (ms).
        after_ms: u64,
    },
    /// A session the keeper did not create in this run was taken over (from the store, a list or a notification).
    Adopted {
        /// The session.
        id: SessionId,
    },
    /// A session was deleted (an old, lost or replaced one, or the last one on stop), or was found gone.
    Deleted {
        /// The session.
        id: SessionId,
    },
    /// A create got no usable answer: a session the keeper cannot name may exist until `until_ms` (its lease).
    Unresolved {
        /// The keeper's clock.
        until_ms: u64,
    },
    /// A request failed; the keeper tries again in `in_ms`.
    Retrying {
        /// Which request.
        request: RequestKind,
        /// Why.
        why: Failure,
        /// Milliseconds.
        in_ms: u64,
    },
    /// The keeper is done: `clean` when every session it knew of is deleted and confirmed gone, and no session it
    /// could not name can still be alive.
    Stopped {
        /// See above.
        clean: bool,
    },
}

/// Counters over a keeper's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct KeeperStats {
    /// Requests asked for.
    pub requests: u32,
    /// Creates asked for.
    pub creates: u32,
    /// Creates that got no usable answer.
    pub ambiguous_creates: u32,
    /// Extensions that went through.
    pub extensions: u32,
    /// Sessions lost while wanted.
    pub losses: u32,
    /// Sessions deleted (204 or found gone).
    pub deletes: u32,
}

/// What the caller must do next ([`SessionKeeper::poll`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Action {
    /// Store this record (then [`SessionKeeper::saved`], or [`SessionKeeper::store_failed`]).
    Save(Record),
    /// Clear the stored record (then [`SessionKeeper::saved`] or [`SessionKeeper::store_failed`]).
    Clear,
    /// Send this request and hand its outcome to [`SessionKeeper::on_reply`] (before the next `poll`).
    Send(Request),
    /// Nothing to do before this time (or before a notification or a stop).
    Wait {
        /// The caller's clock, ms.
        until_ms: u64,
    },
    /// The keeper is done (see [`Event::Stopped`]).
    Done {
        /// See [`Event::Stopped`].
        clean: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    New,
    Running,
    Stopping { since: u64 },
    Done { clean: bool },
}

/// The keeper's current session.
#[derive(Debug, Clone)]
struct Tracked {
    id: SessionId,
    status: QosStatus,
    /// Local ms = server Unix seconds × 1000 + offset, a lower bound (see [`Tracked::observe`]).
    offset_ms: Option<i64>,
    expires_at: Option<i64>,
    duration_s: Option<u32>,
    next_poll: u64,
    /// Taken over and not yet confirmed by an answer.
    adopted: bool,
    /// It can no longer be extended: replace it.
    replace: bool,
}

impl Tracked {
    fn new(id: SessionId, now: u64) -> Self {
        Tracked {
            id,
            status: QosStatus::Unknown,
            offset_ms: None,
            expires_at: None,
            duration_s: None,
            next_poll: now,
            adopted: false,
            replace: false,
        }
    }

    /// Takes what an answer to a request sent at `sent_at` says. The server's clock is placed on ours from the
    /// answer's `Date` (or, for a create, `startedAt`): the server read its clock after the request left, so
    /// `server second s + 1` is no earlier than `sent_at` on ours, and an expiry computed so is never late.
    fn observe(&mut self, v: &SessionView, sent_at: u64, create: bool) {
        self.status = v.status;
        if v.expires_at.is_some() {
            self.expires_at = v.expires_at;
        }
        if v.duration_s.is_some() {
            self.duration_s = v.duration_s;
        }
        let anchor = v.server_time.or(if create { v.started_at } else { None });
        if let Some(s) = anchor {
            let sent = i64::try_from(sent_at).unwrap_or(i64::MAX);
            self.offset_ms = Some(sent.saturating_sub(s.saturating_add(1).saturating_mul(1000)));
        }
        self.adopted = false;
    }

    /// When the session expires on our clock (never later than it really does), if known.
    fn expiry(&self) -> Option<u64> {
        let ms = self.expires_at?.saturating_mul(1000).saturating_add(self.offset_ms?);
        Some(u64::try_from(ms.max(0)).unwrap_or(0))
    }

    fn expires_in_s(&self, now: u64) -> Option<u32> {
        let e = self.expiry()?;
        Some(u32::try_from(e.saturating_sub(now) / 1000).unwrap_or(u32::MAX))
    }
}

#[derive(Debug, Clone)]
struct Pending {
    req: Request,
    sent_at: u64,
}

/// The session keeper: QoS for as long as the application wants it, and no session left behind.
///
/// Feed it with [`start`](Self::start) (the stored record, if any), then loop: [`poll`](Self::poll) says what to
/// do; a [`Action::Send`] is answered with [`on_reply`](Self::on_reply), a [`Action::Save`]/[`Action::Clear`] with
/// [`saved`](Self::saved) or [`store_failed`](Self::store_failed); while it says [`Action::Wait`], hand it the
/// application's [`notify`](Self::notify) and [`stop`](Self::stop). Drain [`next_event`](Self::next_event) after
/// each step. The async driver [`Keeper`](super::Keeper) does exactly this over a [`Client`](crate::Client).
///
/// The rules it follows:
/// - **Write-ahead record.** Before a create is sent the store says "create in flight"; once a session is known its
///   id is stored before anything else is sent; a session to delete stays in the record until it is gone.
/// - **Lease.** Sessions are created for [`KeeperConfig::lease_s`] and extended by a lease when
///   [`KeeperConfig::margin_s`] is left; expiries are placed on the local clock through the server's `Date`, so
///   they are never late. A session whose expiry cannot be placed (adopted from a server without `Date`) is
///   replaced.
/// - **Losses** (`UNAVAILABLE` from a poll or a notification, 404, the expiry passing) are reported; the lost
///   session is deleted (a terminated session still holds its device) and a new one created while wanted. A second
///   loss in a row waits a backoff before the next create, so a network that ends every session is not hammered.
/// - **Failures** back off exponentially (from [`KeeperConfig::backoff_min_ms`] to
///   [`KeeperConfig::backoff_max_ms`]) with jitter from [`KeeperConfig::seed`]; 429/503 wait at least their
///   `Retry-After`. Nothing is ever retried without a wait.
/// - **Ambiguous create** (sent, no usable answer): 1.1.0 lists the device's sessions, adopts the one that matches and
///   deletes the others. v0.10.1 cannot list: the unnamed session lives at most one lease; the keeper tries to
///   create again (a 409 means it exists: wait, at most until its lease ends) and adopts it at once if a
///   notification names it.
/// - **Stop**: delete every known session and confirm with a `GET` that answers 404; on v0.10.1 an unnamed session
///   is waited out (or found by a create that succeeds, which is then deleted), bounded by
///   [`KeeperConfig::stop_timeout_ms`].
#[derive(Debug)]
pub struct SessionKeeper {
    version: ApiVersion,
    cfg: KeeperConfig,
    replace: Replace,
    rng: u64,
    phase: Phase,
    until: Option<u64>,
    cur: Option<Tracked>,
    retiring: Vec<SessionId, 4>,
    confirm: Option<SessionId>,
    unknown_until: Option<u64>,
    list: bool,
    creating: bool,
    pending: Option<Pending>,
    retry_at: u64,
    create_at: u64,
    failures: u32,
    losses: u32,
    lost_at: Option<u64>,
    announced: bool,
    saved: Record,
    store_retry_at: u64,
    store_failures: u32,
    events: Deque<Event, 8>,
    stats: KeeperStats,
}

impl SessionKeeper {
    /// A keeper for `version` with `config` (values out of range are brought into range).
    pub fn new(version: ApiVersion, config: KeeperConfig) -> Self {
        let cfg = config.normalized();
        SessionKeeper {
            version,
            replace: cfg.replace.unwrap_or(version.default_replace()),
            rng: cfg.seed,
            cfg,
            phase: Phase::New,
            until: None,
            cur: None,
            retiring: Vec::new(),
            confirm: None,
            unknown_until: None,
            list: false,
            creating: false,
            pending: None,
            retry_at: 0,
            create_at: 0,
            failures: 0,
            losses: 0,
            lost_at: None,
            announced: false,
            saved: Record::empty(version),
            store_retry_at: 0,
            store_failures: 0,
            events: Deque::new(),
            stats: KeeperStats::default(),
        }
    }

    /// The settings in force.
    pub fn config(&self) -> &KeeperConfig {
        &self.cfg
    }

    /// The API version.
    pub fn version(&self) -> ApiVersion {
        self.version
    }

    /// Counters so far.
    pub fn stats(&self) -> KeeperStats {
        self.stats
    }

    /// Starts at `now` with the record the store held (`None`: nothing stored). A stored session is read first and
    /// adopted or deleted; a stored "create in flight" is reconciled (see the type's docs) before any new create. A
    /// record of another API version is ignored (this keeper cannot reach its sessions).
    pub fn start(&mut self, now: u64, stored: Option<Record>) {
        if self.phase != Phase::New {
            return;
        }
        self.phase = Phase::Running;
        let Some(r) = stored.filter(|r| r.version == self.version) else {
            return;
        };
        // What the store holds now, so that nothing is written until something changes.
        self.saved = r.clone();
        if let Some(id) = r.session {
            let mut t = Tracked::new(id, now);
            t.adopted = true;
            t.expires_at = r.expires_at;
            self.cur = Some(t);
        }
        if let Some(id) = r.retiring {
            let _ = self.retiring.push(id);
        }
        if r.create_in_flight {
            // The create was sent at the latest now: a session it made ends within one lease from now.
            self.unknown_until = Some(now.saturating_add(self.lease_ms()));
            self.list = self.version.can_list();
        }
    }

    /// Keep the session until `at_ms` on the caller's clock, then stop as [`stop`](Self::stop) does.
    pub fn keep_until(&mut self, at_ms: u64) {
        self.until = Some(at_ms);
    }

    /// The application no longer wants QoS: delete, confirm, done.
    pub fn stop(&mut self, now: u64) {
        match self.phase {
            Phase::New | Phase::Running => self.phase = Phase::Stopping { since: now },
            Phase::Stopping { .. } | Phase::Done { .. } => {}
        }
    }

    /// Whether the keeper is stopping or done.
    pub fn is_stopping(&self) -> bool {
        matches!(self.phase, Phase::Stopping { .. } | Phase::Done { .. })
    }

    /// The session the keeper holds now, if any.
    pub fn session(&self) -> Option<&SessionId> {
        self.cur.as_ref().map(|t| &t.id)
    }

    /// Every session id the keeper knows of and will either keep or delete.
    pub fn known(&self) -> impl Iterator<Item = &SessionId> {
        self.cur
            .as_ref()
            .map(|t| &t.id)
            .into_iter()
            .chain(self.retiring.iter())
            .chain(self.confirm.iter())
    }

    /// The next event, if any (at most 8 are held: drain after each step).
    pub fn next_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// A notification the application received (and authenticated) for one of its sessions.
    pub fn notify(&mut self, now: u64, n: Notice) {
        let running = self.phase == Phase::Running;
        if let Some(t) = self.cur.as_mut().filter(|t| t.id == n.id) {
            match n.status {
                QosStatus::Unavailable => self.lose(now, Loss::from_reason(n.reason)),
                QosStatus::Available if t.status != QosStatus::Available => {
                    t.status = QosStatus::Available;
                    // The event has no expiry: read it.
                    t.next_poll = now;
                    self.became_available(now);
                }
                _ => {}
            }
            return;
        }
        if self.known().any(|id| *id == n.id) || self.unknown_until.is_none() {
            return;
        }
        // A create got no answer and now a notification names a session: that is the one it made.
        self.unknown_until = None;
        self.list = false;
        if running && self.cur.is_none() && n.status == QosStatus::Available {
            // Read it first (its expiry); the answer reports the adoption.
            let mut t = Tracked::new(n.id, now);
            t.adopted = true;
            self.cur = Some(t);
        } else {
            let _ = self.retiring.push(n.id);
        }
    }

    /// What to do at `now`.
    pub fn poll(&mut self, now: u64) -> Action {
        for _ in 0..8 {
            if let Some(a) = self.step(now) {
                return a;
            }
        }
        // Every transition above makes progress; this is unreachable in practice and merely bounds the loop.
        Action::Wait {
            until_ms: now.saturating_add(u64::from(self.cfg.backoff_min_ms)),
        }
    }

    /// The store saved (or cleared) what [`Action::Save`] (or [`Action::Clear`]) asked for.
    pub fn saved(&mut self, _now: u64) {
        self.saved = self.desired_record();
        self.store_failures = 0;
    }

    /// The store failed: try again after a backoff (nothing that needs the record is sent meanwhile).
    pub fn store_failed(&mut self, now: u64) {
        self.store_failures = self.store_failures.saturating_add(1);
        let wait = self.jittered(self.store_failures);
        self.store_retry_at = now.saturating_add(wait);
        self.emit(Event::Retrying {
            request: RequestKind::Create,
            why: Failure::Store,
            in_ms: wait,
        });
    }

    fn lease_ms(&self) -> u64 {
        // One lease, plus a second for the server's rounding to whole seconds.
        u64::from(self.cfg.lease_s).saturating_add(1).saturating_mul(1000)
    }

    fn emit(&mut self, e: Event) {
        if self.events.is_full() {
            let _ = self.events.pop_front();
        }
        let _ = self.events.push_back(e);
    }

    fn random(&mut self) -> u64 {
        // SplitMix64.
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// The `n`th backoff (n ≥ 1): min × 2^(n-1), capped, then drawn uniformly from its upper half.
    fn jittered(&mut self, n: u32) -> u64 {
        let min = u64::from(self.cfg.backoff_min_ms);
        let max = u64::from(self.cfg.backoff_max_ms);
        let exp = min.saturating_mul(1u64 << n.saturating_sub(1).min(20)).min(max);
        let half = exp / 2;
        half + self.random() % (exp - half + 1)
    }

    /// A failed request: wait a backoff (at least `floor_ms`) before the next one.
    fn fail(&mut self, now: u64, request: RequestKind, why: Failure, floor_ms: u64) {
        self.failures = self.failures.saturating_add(1);
        let wait = self.jittered(self.failures).max(floor_ms);
        self.retry_at = now.saturating_add(wait);
        self.emit(Event::Retrying {
            request,
            why,
            in_ms: wait,
        });
    }

    fn busy(&mut self, now: u64, request: RequestKind, retry_after_s: Option<u32>) {
        let floor = retry_after_s.map_or(0, |s| u64::from(s).saturating_mul(1000));
        self.fail(now, request, Failure::Busy { retry_after_s }, floor);
    }

    /// What the store should hold now.
    fn desired_record(&self) -> Record {
        let mut r = Record::empty(self.version);
        if let Some(t) = &self.cur {
            r.session = Some(t.id.clone());
            r.expires_at = t.expires_at;
        }
        r.retiring = self.retiring.first().cloned();
        r.create_in_flight =
            self.creating || self.unknown_until.is_some() || (self.version.can_list() && self.retiring.len() > 1);
        r
    }

    fn send(&mut self, now: u64, req: Request) -> Option<Action> {
        self.stats.requests = self.stats.requests.saturating_add(1);
        if let Request::Create { .. } = req {
            self.stats.creates = self.stats.creates.saturating_add(1);
        }
        self.pending = Some(Pending {
            req: req.clone(),
            sent_at: now,
        });
        Some(Action::Send(req))
    }

    fn finish(&mut self, clean: bool) -> Option<Action> {
        self.phase = Phase::Done { clean };
        self.emit(Event::Stopped { clean });
        Some(Action::Done { clean })
    }

    fn retire(&mut self, id: SessionId) {
        if !self.retiring.contains(&id) && self.retiring.push(id).is_err() {
            // Full (only a list can fill it): the next list finds the rest.
            self.list = self.version.can_list();
        }
    }

    /// The current session is lost.
    fn lose(&mut self, now: u64, why: Loss) {
        let Some(t) = self.cur.take() else { return };
        self.stats.losses = self.stats.losses.saturating_add(1);
        if self.phase == Phase::Running {
            self.emit(Event::Lost { id: t.id.clone(), why });
            if self.lost_at.is_none() {
                self.lost_at = Some(now);
            }
        }
        // An UNAVAILABLE session may still hold the device until it is deleted; a 404 is gone already.
        if why != Loss::Gone {
            self.retire(t.id);
        }
        self.churn(now);
    }

    /// A session ended or is being replaced: the second time in a row (without an extension in between) the next
    /// create waits a backoff.
    fn churn(&mut self, now: u64) {
        self.losses = self.losses.saturating_add(1);
        if self.losses > 1 {
            let wait = self.jittered(self.losses - 1);
            self.create_at = now.saturating_add(wait);
        }
    }

    fn became_available(&mut self, now: u64) {
        let Some(id) = self.cur.as_ref().map(|t| t.id.clone()) else {
            return;
        };
        if let Some(at) = self.lost_at.take() {
            self.emit(Event::Recovered {
                id,
                after_ms: now.saturating_sub(at),
            });
        } else if !self.announced {
            let expires_in_s = self.cur.as_ref().and_then(|t| t.expires_in_s(now));
            self.emit(Event::Available { id, expires_in_s });
        }
        self.announced = true;
    }

    fn wait(&self, now: u64, mut until: u64) -> Option<Action> {
        if let Some(u) = self.until {
            until = until.min(u);
        }
        if let Phase::Stopping { since } = self.phase {
            until = until.min(since.saturating_add(u64::from(self.cfg.stop_timeout_ms)));
        }
        Some(Action::Wait {
            until_ms: until.max(now.saturating_add(1)),
        })
    }

    /// One decision; `None` when the state changed and the next decision should be taken at once.
    fn step(&mut self, now: u64) -> Option<Action> {
        match self.phase {
            Phase::New => {
                self.start(now, None);
                return None;
            }
            Phase::Done { clean } => return Some(Action::Done { clean }),
            Phase::Running => {
                if self.until.is_some_and(|u| now >= u) {
                    self.phase = Phase::Stopping { since: now };
                    return None;
                }
            }
            Phase::Stopping { since } => {
                if now >= since.saturating_add(u64::from(self.cfg.stop_timeout_ms)) {
                    return self.finish(false);
                }
            }
        }
        if self.pending.is_some() {
            // `poll` before the reply: the caller must answer each `Send` first.
            return self.wait(now, now.saturating_add(u64::from(self.cfg.backoff_min_ms)));
        }
        let want = self.desired_record();
        if want != self.saved {
            if now < self.store_retry_at {
                return self.wait(now, self.store_retry_at);
            }
            return Some(if want.is_empty() {
                Action::Clear
            } else {
                Action::Save(want)
            });
        }
        if now < self.retry_at {
            return self.wait(now, self.retry_at);
        }
        if let Some(id) = self.retiring.first().cloned() {
            return self.send(now, Request::Delete { id });
        }
        if let Some(id) = self.confirm.clone() {
            return self.send(now, Request::Get { id });
        }
        if self.list {
            return self.send(now, Request::List);
        }
        if let Phase::Stopping { .. } = self.phase {
            return self.step_stopping(now);
        }
        self.step_running(now)
    }

    fn step_stopping(&mut self, now: u64) -> Option<Action> {
        if let Some(t) = self.cur.take() {
            self.retire(t.id);
            return None;
        }
        let Some(until) = self.unknown_until else {
            return self.finish(true);
        };
        if now >= until {
            // Whatever the unanswered create made has expired by now.
            self.unknown_until = None;
            return None;
        }
        if self.version.can_list() {
            self.list = true;
            return None;
        }
        // v0.10.1: a create that succeeds proves the device has no other session (it is deleted at once); a 409
        // means the unnamed one still runs.
        if now < self.create_at {
            return self.wait(now, self.create_at.min(until));
        }
        self.send(
            now,
            Request::Create {
                duration_s: self.cfg.lease_s,
            },
        )
    }

    fn step_running(&mut self, now: u64) -> Option<Action> {
        let margin = u64::from(self.cfg.margin_s).saturating_mul(1000);
        let Some(t) = self.cur.as_mut() else {
            if now < self.create_at {
                return self.wait(now, self.create_at);
            }
            if !self.creating {
                // Recorded as in flight before it is sent.
                self.creating = true;
                return None;
            }
            return self.send(
                now,
                Request::Create {
                    duration_s: self.create_duration(),
                },
            );
        };
        if t.adopted || now >= t.next_poll {
            let id = t.id.clone();
            return self.send(now, Request::Get { id });
        }
        let expiry = t.expiry();
        match expiry {
            None if t.status == QosStatus::Available => {
                // Its expiry cannot be placed on our clock: it cannot be kept safely, so it is replaced.
                t.replace = true;
            }
            Some(e) if now >= e => {
                self.lose(now, Loss::Expired);
                return None;
            }
            _ => {}
        }
        let t = self.cur.as_mut()?;
        if t.replace {
            if self.replace == Replace::MakeBeforeBreak && t.status == QosStatus::Available {
                if !self.creating {
                    self.creating = true;
                    return None;
                }
                return self.send(
                    now,
                    Request::Create {
                        duration_s: self.create_duration(),
                    },
                );
            }
            if let Some(t) = self.cur.take() {
                self.retire(t.id);
            }
            self.churn(now);
            return None;
        }
        let mut until = t.next_poll;
        if let Some(e) = expiry {
            until = until.min(e);
            if t.status == QosStatus::Available {
                let extend_at = e.saturating_sub(margin);
                if now >= extend_at {
                    let additional = extension(&self.cfg, t.duration_s);
                    if additional == 0 {
                        t.replace = true;
                        return None;
                    }
                    let id = t.id.clone();
                    return self.send(
                        now,
                        Request::Extend {
                            id,
                            additional_s: additional,
                        },
                    );
                }
                until = until.min(extend_at);
            }
        }
        self.wait(now, until)
    }

    fn create_duration(&self) -> u32 {
        match self.cfg.max_duration_s {
            Some(max) => self.cfg.lease_s.min(max.max(1)),
            None => self.cfg.lease_s,
        }
    }

    /// The outcome of the request [`Action::Send`] asked for, at `now`.
    pub fn on_reply(&mut self, now: u64, reply: Reply<'_>) {
        let Some(p) = self.pending.take() else { return };
        match p.req {
            Request::Create { .. } => self.on_create(now, p.sent_at, reply),
            Request::Get { id } => self.on_get(now, p.sent_at, id, reply),
            Request::Extend { id, .. } => self.on_extend(now, p.sent_at, id, reply),
            Request::Delete { id } => self.on_delete(now, id, reply),
            Request::List => self.on_list(now, p.sent_at, reply),
        }
    }

    fn on_create(&mut self, now: u64, sent_at: u64, reply: Reply<'_>) {
        const K: RequestKind = RequestKind::Create;
        match reply {
            Reply::Session(v) => {
                self.creating = false;
                self.failures = 0;
                if !self.version.can_list() {
                    // v0.10.1 answers 409 while the device has a session: a 201 proves the unnamed one is gone.
                    self.unknown_until = None;
                }
                if self.phase != Phase::Running {
                    // A probe while stopping: it goes at once.
                    self.retire(v.id);
                    return;
                }
                if let Some(old) = self.cur.take() {
                    // Make-before-break: the new one runs, the old one goes.
                    self.retire(old.id);
                }
                let mut t = Tracked::new(v.id.clone(), now);
                t.observe(&v, sent_at, true);
                t.next_poll = now.saturating_add(u64::from(if v.status == QosStatus::Available {
                    self.cfg.poll_ms
                } else {
                    self.cfg.requested_poll_ms
                }));
                self.emit(Event::Requested { id: v.id });
                let status = t.status;
                self.cur = Some(t);
                match status {
                    QosStatus::Available => self.became_available(now),
                    QosStatus::Unavailable => self.lose(now, Loss::from_reason(v.reason)),
                    _ => {}
                }
            }
            Reply::Conflict => {
                self.creating = false;
                if self.cur.as_ref().is_some_and(|t| t.replace) {
                    // Make-before-break refused: one session per device here. Break-before-make from now on.
                    self.replace = Replace::BreakBeforeMake;
                    return;
                }
                if self.version.can_list() {
                    self.list = true;
                    return;
                }
                // Some session holds the device: the unnamed one (it ends by `unknown_until`), or someone else's.
                self.failures = self.failures.saturating_add(1);
                let mut wait = self.jittered(self.failures);
                if let Some(u) = self.unknown_until.filter(|u| *u > now) {
                    wait = wait.min(u - now);
                }
                let wait = wait.max(u64::from(self.cfg.backoff_min_ms));
                self.retry_at = now.saturating_add(wait);
                self.emit(Event::Retrying {
                    request: K,
                    why: Failure::Conflict,
                    in_ms: wait,
                });
            }
            Reply::Busy { retry_after_s } => {
                self.creating = false;
                self.busy(now, K, retry_after_s);
            }
            Reply::Refused { status } if status < 500 || status == 503 => {
                self.creating = false;
                self.fail(now, K, Failure::Refused { status }, 0);
            }
            Reply::NotSent => {
                self.creating = false;
                self.fail(now, K, Failure::NotSent, 0);
            }
            // No usable answer, or a 5xx, or an answer that makes no sense for a create: it may have created one.
            _ => {
                self.creating = false;
                self.stats.ambiguous_creates = self.stats.ambiguous_creates.saturating_add(1);
                let until = now.saturating_add(self.lease_ms());
                self.unknown_until = Some(self.unknown_until.map_or(until, |u| u.max(until)));
                self.list = self.version.can_list();
                self.emit(Event::Unresolved { until_ms: until });
                self.fail(now, K, Failure::Ambiguous, 0);
            }
        }
    }

    fn on_get(&mut self, now: u64, sent_at: u64, id: SessionId, reply: Reply<'_>) {
        const K: RequestKind = RequestKind::Get;
        if self.confirm.as_ref() == Some(&id) {
            match reply {
                Reply::NotFound => {
                    self.confirm = None;
                    self.failures = 0;
                }
                Reply::Session(_) => {
                    // Still there after a 204: delete again.
                    self.confirm = None;
                    self.retire(id);
                    self.fail(now, K, Failure::Refused { status: 200 }, 0);
                }
                Reply::Busy { retry_after_s } => self.busy(now, K, retry_after_s),
                _ => self.fail(now, K, failure(&reply), 0),
            }
            return;
        }
        let running = self.phase == Phase::Running;
        let Some(t) = self.cur.as_mut().filter(|t| t.id == id) else {
            return;
        };
        match reply {
            Reply::Session(v) => {
                self.failures = 0;
                let was = t.status;
                let adopted = t.adopted;
                t.observe(&v, sent_at, false);
                t.next_poll = now.saturating_add(u64::from(if v.status == QosStatus::Available {
                    self.cfg.poll_ms
                } else {
                    self.cfg.requested_poll_ms
                }));
                if adopted && running && v.status != QosStatus::Unavailable {
                    self.emit(Event::Adopted { id: id.clone() });
                }
                match v.status {
                    QosStatus::Unavailable => self.lose(now, Loss::from_reason(v.reason)),
                    QosStatus::Available if was != QosStatus::Available => self.became_available(now),
                    _ => {}
                }
            }
            Reply::NotFound => self.lose(now, Loss::Gone),
            Reply::Busy { retry_after_s } => self.busy(now, K, retry_after_s),
            _ => self.fail(now, K, failure(&reply), 0),
        }
    }

    fn on_extend(&mut self, now: u64, sent_at: u64, id: SessionId, reply: Reply<'_>) {
        const K: RequestKind = RequestKind::Extend;
        let lease = u64::from(self.cfg.lease_s).saturating_mul(1000);
        let margin = u64::from(self.cfg.margin_s).saturating_mul(1000);
        let Some(t) = self.cur.as_mut().filter(|t| t.id == id) else {
            return;
        };
        match reply {
            Reply::Session(v) => {
                self.failures = 0;
                self.losses = 0;
                self.stats.extensions = self.stats.extensions.saturating_add(1);
                t.observe(&v, sent_at, false);
                // Less than half a lease beyond the margin: the extension was capped (the profile's maximum), so
                // the session cannot be kept by extending.
                if t.expiry().is_some_and(|e| e.saturating_sub(now) < margin + lease / 2) {
                    t.replace = true;
                }
                let expires_in_s = t.expires_in_s(now);
                self.emit(Event::Extended { id, expires_in_s });
                if v.status == QosStatus::Unavailable {
                    self.lose(now, Loss::from_reason(v.reason));
                }
            }
            Reply::NotFound => self.lose(now, Loss::Gone),
            Reply::Busy { retry_after_s } => self.busy(now, K, retry_after_s),
            Reply::Refused { status } if status == 400 || status == 409 => {
                // Not extendable (not AVAILABLE, or the network says no): read it, and replace it if it still runs.
                t.replace = true;
                t.next_poll = now;
                self.fail(now, K, Failure::Refused { status }, 0);
            }
            Reply::NotSent => self.fail(now, K, Failure::NotSent, 0),
            _ => {
                // It may have been extended: read the truth before anything else.
                t.next_poll = now;
                self.fail(now, K, failure(&reply), 0);
            }
        }
    }

    fn on_delete(&mut self, now: u64, id: SessionId, reply: Reply<'_>) {
        const K: RequestKind = RequestKind::Delete;
        match reply {
            Reply::Deleted | Reply::NotFound => {
                self.failures = 0;
                self.retiring.retain(|r| *r != id);
                self.stats.deletes = self.stats.deletes.saturating_add(1);
                if reply == Reply::Deleted && self.phase != Phase::Running {
                    self.confirm = Some(id.clone());
                }
                self.emit(Event::Deleted { id });
            }
            Reply::Busy { retry_after_s } => self.busy(now, K, retry_after_s),
            _ => self.fail(now, K, failure(&reply), 0),
        }
    }

    fn on_list(&mut self, now: u64, sent_at: u64, reply: Reply<'_>) {
        const K: RequestKind = RequestKind::List;
        match reply {
            Reply::Sessions(list) => {
                self.failures = 0;
                self.list = false;
                self.unknown_until = None;
                let running = self.phase == Phase::Running;
                for v in list {
                    if let Some(t) = self.cur.as_mut().filter(|t| t.id == v.id) {
                        t.observe(v, sent_at, false);
                        continue;
                    }
                    if self.retiring.contains(&v.id) || self.confirm.as_ref() == Some(&v.id) {
                        continue;
                    }
                    let usable = matches!(v.status, QosStatus::Available | QosStatus::Requested);
                    if running && self.cur.is_none() && v.matches && usable {
                        let mut t = Tracked::new(v.id.clone(), now);
                        t.observe(v, sent_at, false);
                        t.next_poll = now.saturating_add(u64::from(self.cfg.poll_ms));
                        self.cur = Some(t);
                        self.emit(Event::Adopted { id: v.id.clone() });
                        if v.status == QosStatus::Available {
                            self.became_available(now);
                        }
                    } else {
                        self.retire(v.id.clone());
                    }
                }
            }
            Reply::Busy { retry_after_s } => self.busy(now, K, retry_after_s),
            _ => self.fail(now, K, failure(&reply), 0),
        }
    }
}

/// Seconds to ask for: a lease, but not past the profile's maximum; 0 when that is reached.
fn extension(cfg: &KeeperConfig, duration_s: Option<u32>) -> u32 {
    match (cfg.max_duration_s, duration_s) {
        (Some(max), Some(d)) => cfg.lease_s.min(max.saturating_sub(d)),
        _ => cfg.lease_s,
    }
}

fn failure(reply: &Reply<'_>) -> Failure {
    match reply {
        Reply::Busy { retry_after_s } => Failure::Busy {
            retry_after_s: *retry_after_s,
        },
        Reply::Refused { status } => Failure::Refused { status: *status },
        Reply::Conflict => Failure::Conflict,
        Reply::NotSent => Failure::NotSent,
        Reply::NotFound => Failure::Refused { status: 404 },
        _ => Failure::Ambiguous,
    }
}
