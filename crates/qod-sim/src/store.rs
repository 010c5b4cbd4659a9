//! The session store and its state machine. Pure logic: every operation takes the current time (`now_ms`, from the
//! configured clock) and emits status-change [`Event`]s into the notification queue; nothing here sleeps or does I/O.
//!
//! ```text
//!            create                 requested delay             expiresAt
//!   ────────────────▶ REQUESTED ──────────────────▶ AVAILABLE ────────────▶ UNAVAILABLE (DURATION_EXPIRED)
//!                         │                            │  │  DELETE           v0: deleted at once
//!                         │ network fails              │  └─────────────▶ deleted   (DELETE_REQUESTED)
//!                         ▼                            ▼ network terminates
//!                    UNAVAILABLE (NETWORK_TERMINATED) ───── retention (≥ 360 s) ──▶ deleted (no event)
//! ```
//!
//! One store holds the sessions of both API versions (one network: a device in a v0.10.1 session conflicts with a
//! 1.1.0 create), each answered only through the API that created it. They differ where the specs do: a v0.10.1
//! session starts (`startedAt`) when it is created and is deleted at its expiry; a 1.1.0 session starts when it
//! becomes AVAILABLE, its extensions are capped by the profile's `maxDuration`, and once UNAVAILABLE it stays
//! readable with its `statusInfo` for the retention time (after an expiry its device is free at once; after a
//! network termination only when it is deleted, as the spec requires an explicit delete).
//!
//! With a zero requested delay a session is AVAILABLE in the create response. Each session has one next deadline,
//! kept in an ordered set, which [`run_timers`] (and every API call) processes with [`Store::advance`].
use crate::clock::Clock;
use crate::config::TerminationConfig;
use crate::error::ApiError;
use crate::faults::SplitMix64;
use crate::notify::{self, Event, Target};
use qod_core::common::{ApplicationServer, Device, EventQosStatus, PortsSpec, QosProfileName, QosStatus, StatusInfo};
use std::collections::{BTreeSet, HashMap};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{watch, Notify};
use uuid::Uuid;

/// The longest remaining duration a v0.10.1 session may have (the spec's fixed limit for extensions).
pub const MAX_REMAINING_S: i64 = 86_400;

/// The API version a session was created through (and is answered through).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    V0,
    V1,
}

/// One identifier of a device; two sessions conflict when they share any.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum DeviceKey {
    Phone(String),
    Nai(String),
    Ipv6(Ipv6Addr),
    Ipv4Private(Ipv4Addr, Ipv4Addr),
    Ipv4Port(Ipv4Addr, u16),
}

pub(crate) fn device_keys(d: &Device) -> Vec<DeviceKey> {
    let mut keys = Vec::new();
    if let Some(p) = &d.phone_number {
        keys.push(DeviceKey::Phone(p.trim_start_matches('+').to_owned()));
    }
    if let Some(n) = &d.network_access_identifier {
        keys.push(DeviceKey::Nai(n.to_ascii_lowercase()));
    }
    if let Some(a) = d.ipv6_address.as_deref().and_then(|a| a.parse().ok()) {
        keys.push(DeviceKey::Ipv6(a));
    }
    if let Some(v4) = &d.ipv4_address {
        if let Some(public) = v4.public_address.as_deref().and_then(|a| a.parse().ok()) {
            if let Some(private) = v4.private_address.as_deref().and_then(|a| a.parse().ok()) {
                keys.push(DeviceKey::Ipv4Private(public, private));
            }
            if let Some(port) = v4.public_port {
                keys.push(DeviceKey::Ipv4Port(public, port));
            }
        }
    }
    keys
}

/// A session as the store keeps it, whichever API created it; the routes render it as that API's `SessionInfo`.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub api: Api,
    pub session_id: Uuid,
    /// The `device` of the request (none for a 1.1.0 session of a device-bound token).
    pub device: Option<Device>,
    pub application_server: ApplicationServer,
    pub device_ports: Option<PortsSpec>,
    pub application_server_ports: Option<PortsSpec>,
    pub qos_profile: QosProfileName,
    /// Where notifications go (a v0.10.1 `webhook` or a 1.1.0 `sink`).
    pub target: Option<Target>,
    /// Seconds: granted (REQUESTED), overall since `started_at` (AVAILABLE), effective (UNAVAILABLE).
    pub duration: u32,
    /// Unix seconds: v0.10.1 the creation, 1.1.0 when it became AVAILABLE (`None` before).
    pub started_at: Option<i64>,
    /// Unix seconds: when it ends (or ended).
    pub expires_at: i64,
    pub qos_status: QosStatus,
    pub status_info: Option<StatusInfo>,
}

#[derive(Debug)]
struct Session {
    rec: Record,
    owner: Arc<str>,
    keys: Vec<DeviceKey>,
    /// 1.1.0: the profile's `maxDuration` in seconds (the cap of extensions).
    max_duration_s: u32,
    /// While REQUESTED: when the network answers.
    available_at: Option<i64>,
    /// The network will fail to provide the session (at `available_at`).
    fail_on_available: bool,
    /// The network terminates the session at this time.
    terminate_at: Option<i64>,
    /// Set once the session is UNAVAILABLE and kept: it is deleted then.
    delete_at: Option<i64>,
    /// The entry of this session in `Inner::deadlines`.
    deadline: i64,
}

/// What a due transition asks of the store besides the session itself.
#[derive(Debug, PartialEq, Eq)]
enum After {
    Keep,
    /// Free the device identifiers (a 1.1.0 session kept readable after it expired).
    Release,
    Delete,
}

impl Session {
    fn expires_ms(&self) -> i64 {
        self.rec.expires_at.saturating_mul(1000)
    }

    fn next_deadline(&self) -> i64 {
        if let Some(d) = self.delete_at {
            return d;
        }
        [self.available_at, self.terminate_at, Some(self.expires_ms())]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(i64::MAX)
    }

    fn event(&self, status: EventQosStatus, info: Option<StatusInfo>, at_ms: i64) -> Event {
        Event {
            session_id: self.rec.session_id.to_string(),
            status,
            info,
            target: self.rec.target.clone(),
            at_ms,
        }
    }

    /// Applies every transition due at `now` in time order.
    fn step(&mut self, now: i64, retention_ms: i64, events: &mut Vec<Event>) -> After {
        let mut after = After::Keep;
        loop {
            if let Some(d) = self.delete_at {
                return if d <= now { After::Delete } else { after };
            }
            let t = self.next_deadline();
            if t > now {
                return after;
            }
            if self.available_at == Some(t) {
                self.available_at = None;
                if self.fail_on_available {
                    self.terminate(t, retention_ms, events);
                } else {
                    self.rec.qos_status = QosStatus::Available;
                    if self.rec.api == Api::V1 {
                        // 1.1.0: the session starts when it becomes available.
                        let start = t.div_euclid(1000);
                        self.rec.started_at = Some(start);
                        self.rec.expires_at = start.saturating_add(i64::from(self.rec.duration));
                    }
                    events.push(self.event(EventQosStatus::Available, None, t));
                }
            } else if self.terminate_at == Some(t) {
                self.terminate_at = None;
                self.terminate(t, retention_ms, events);
            } else {
                if self.rec.qos_status != QosStatus::Unavailable {
                    self.rec.qos_status = QosStatus::Unavailable;
                    self.rec.status_info = Some(StatusInfo::DurationExpired);
                    events.push(self.event(EventQosStatus::Unavailable, Some(StatusInfo::DurationExpired), t));
                }
                if self.rec.api == Api::V0 {
                    return After::Delete;
                }
                // 1.1.0: readable with its statusInfo for the retention time; its device is free now.
                self.delete_at = Some(t.saturating_add(retention_ms));
                after = After::Release;
            }
        }
    }

    fn terminate(&mut self, t: i64, retention_ms: i64, events: &mut Vec<Event>) {
        if self.rec.qos_status != QosStatus::Unavailable {
            self.rec.qos_status = QosStatus::Unavailable;
            self.rec.status_info = Some(StatusInfo::NetworkTerminated);
            if self.rec.api == Api::V1 {
                // 1.1.0: `expiresAt` is when it was terminated, `duration` the effective one.
                let end = t.div_euclid(1000);
                self.rec.expires_at = end;
                if let Some(start) = self.rec.started_at {
                    self.rec.duration = u32::try_from(end - start).unwrap_or(u32::MAX).max(1);
                }
            }
            events.push(self.event(EventQosStatus::Unavailable, Some(StatusInfo::NetworkTerminated), t));
        }
        self.available_at = None;
        self.terminate_at = None;
        self.delete_at = Some(t.saturating_add(retention_ms));
    }
}

#[derive(Debug)]
struct Inner {
    sessions: HashMap<Uuid, Session>,
    devices: HashMap<DeviceKey, Uuid>,
    deadlines: BTreeSet<(i64, Uuid)>,
    rng: SplitMix64,
}

impl Inner {
    fn release(&mut self, id: &Uuid) {
        if let Some(s) = self.sessions.get(id) {
            for k in &s.keys {
                if self.devices.get(k) == Some(id) {
                    self.devices.remove(k);
                }
            }
        }
    }

    fn remove(&mut self, id: &Uuid) -> Option<Session> {
        self.release(id);
        let s = self.sessions.remove(id)?;
        self.deadlines.remove(&(s.deadline, *id));
        Some(s)
    }

    fn reschedule(&mut self, id: Uuid) {
        if let Some(s) = self.sessions.get_mut(&id) {
            let d = s.next_deadline();
            if d != s.deadline {
                self.deadlines.remove(&(s.deadline, id));
                s.deadline = d;
                self.deadlines.insert((d, id));
            }
        }
    }
}

/// A session to create: what the routes validated and resolved for it.
pub(crate) struct NewSession {
    pub api: Api,
    pub device: Option<Device>,
    /// The identifiers the session holds (the request's device, or a device-bound token's).
    pub keys: Vec<DeviceKey>,
    pub application_server: ApplicationServer,
    pub device_ports: Option<PortsSpec>,
    pub application_server_ports: Option<PortsSpec>,
    pub qos_profile: QosProfileName,
    pub target: Option<Target>,
    pub duration: u32,
    /// The profile's `maxDuration` in seconds.
    pub max_duration_s: u32,
    pub owner: Arc<str>,
}

/// All sessions, behind one lock (operations are short; the lock is never held across an await).
pub(crate) struct Store {
    inner: Mutex<Inner>,
    /// Woken when a new deadline is earlier than the one the timer task sleeps towards.
    changed: Notify,
    /// The time the timer task will next wake up at by itself (`i64::MAX` while it is awake).
    timer_wakes_at: AtomicI64,
    events: notify::Sender,
    requested_delay_ms: i64,
    termination: TerminationConfig,
    retention_ms: i64,
    terminate_after_ms: Option<i64>,
    terminate_after_max_ms: Option<i64>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("sessions", &self.len())
            .finish_non_exhaustive()
    }
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Store {
    pub(crate) fn new(requested_delay: Duration, termination: TerminationConfig, events: notify::Sender) -> Self {
        Self {
            inner: Mutex::new(Inner {
                sessions: HashMap::new(),
                devices: HashMap::new(),
                deadlines: BTreeSet::new(),
                rng: SplitMix64::new(termination.seed),
            }),
            changed: Notify::new(),
            timer_wakes_at: AtomicI64::new(i64::MAX),
            events,
            requested_delay_ms: ms(requested_delay),
            retention_ms: ms(termination.retention),
            terminate_after_ms: termination.after.map(ms),
            terminate_after_max_ms: termination.after_max.map(ms),
            termination,
        }
    }

    fn lock(&self) -> Result<MutexGuard<'_, Inner>, ApiError> {
        self.inner
            .lock()
            .map_err(|_| ApiError::for_status(axum::http::StatusCode::INTERNAL_SERVER_ERROR))
    }

    /// Logs each event and queues those with a notification target for delivery (the others never wake the
    /// notifier).
    fn emit(&self, events: Vec<Event>) {
        for e in events {
            tracing::info!(
                session_id = %e.session_id,
                qos_status = %e.status,
                status_info = %e.info.map_or("-", |i| i.as_str().unwrap_or("-")),
                "event: QOS_STATUS_CHANGED"
            );
            if e.target.is_some() {
                // The receiver lives as long as the server; a send error only happens during shutdown.
                let _ = self.events.send(e);
            }
        }
    }

    /// Runs `op` under the lock (taken once) after applying every transition due at `now`; emits the events of both
    /// once the lock is released, whether `op` succeeded or not.
    fn with<T>(
        &self,
        now: i64,
        op: impl FnOnce(&mut Inner, &mut Vec<Event>) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut events = Vec::new();
        let result = {
            let mut inner = self.lock()?;
            self.advance_locked(&mut inner, now, &mut events);
            op(&mut inner, &mut events)
        };
        self.emit(events);
        result
    }

    fn advance_locked(&self, inner: &mut Inner, now: i64, events: &mut Vec<Event>) {
        while let Some(&(d, id)) = inner.deadlines.first() {
            if d > now {
                break;
            }
            let after = match inner.sessions.get_mut(&id) {
                Some(s) => s.step(now, self.retention_ms, events),
                None => {
                    inner.deadlines.remove(&(d, id));
                    continue;
                }
            };
            match after {
                After::Delete => {
                    if let Some(s) = inner.remove(&id) {
                        tracing::info!(session_id = %id, status = %s.rec.qos_status, "session deleted by the network");
                    }
                }
                After::Release => {
                    inner.release(&id);
                    inner.reschedule(id);
                }
                After::Keep => inner.reschedule(id),
            }
        }
    }

    /// Applies every transition due at `now`.
    pub(crate) fn advance(&self, now: i64) {
        let mut events = Vec::new();
        if let Ok(mut inner) = self.inner.lock() {
            self.advance_locked(&mut inner, now, &mut events);
        }
        self.emit(events);
    }

    /// The earliest pending deadline.
    pub(crate) fn next_deadline(&self) -> Option<i64> {
        self.inner.lock().ok()?.deadlines.first().map(|(d, _)| *d)
    }

    /// Creates a session; 409 when another session holds any of the device's identifiers.
    pub(crate) fn create(&self, new: NewSession, now: i64) -> Result<Record, ApiError> {
        let (out, wake_timer) = self.with(now, |inner, events| self.insert(inner, events, new, now))?;
        if wake_timer {
            self.changed.notify_one();
        }
        Ok(out)
    }

    fn insert(
        &self,
        inner: &mut Inner,
        events: &mut Vec<Event>,
        new: NewSession,
        now: i64,
    ) -> Result<(Record, bool), ApiError> {
        if new.keys.iter().any(|k| inner.devices.contains_key(k)) {
            return Err(ApiError::conflict());
        }
        let by_profile = self.termination.profile.as_deref() == Some(new.qos_profile.as_str());
        let by_chance = self.termination.probability > 0.0 && inner.rng.chance(self.termination.probability);
        let doomed = by_profile || by_chance;
        let id = Uuid::new_v4();
        let now_s = now.div_euclid(1000);
        let fail_on_available = doomed && self.terminate_after_ms.is_none();
        let available_now = self.requested_delay_ms == 0 && !fail_on_available;
        // v0.10.1 starts at creation; 1.1.0 when available (until then `expiresAt` is the planned end).
        let start = match new.api {
            Api::V0 => now_s,
            Api::V1 => now.saturating_add(self.requested_delay_ms).div_euclid(1000),
        };
        let rec = Record {
            api: new.api,
            session_id: id,
            device: new.device,
            application_server: new.application_server,
            device_ports: new.device_ports,
            application_server_ports: new.application_server_ports,
            qos_profile: new.qos_profile,
            target: new.target,
            duration: new.duration,
            started_at: (new.api == Api::V0 || available_now).then_some(now_s),
            expires_at: (if available_now { now_s } else { start }).saturating_add(i64::from(new.duration)),
            qos_status: if available_now {
                QosStatus::Available
            } else {
                QosStatus::Requested
            },
            status_info: None,
        };
        let mut session = Session {
            rec,
            owner: new.owner,
            keys: new.keys,
            max_duration_s: new.max_duration_s,
            available_at: (!available_now).then(|| now.saturating_add(self.requested_delay_ms)),
            fail_on_available,
            terminate_at: match (doomed, self.terminate_after_ms) {
                (true, Some(a)) => {
                    let spread = self.terminate_after_max_ms.map_or(0, |m| m.saturating_sub(a).max(0));
                    // Uniform in a..=a+spread, from the seeded RNG.
                    let extra = if spread > 0 {
                        i64::try_from(inner.rng.next_u64() % (spread.unsigned_abs() + 1)).unwrap_or(0)
                    } else {
                        0
                    };
                    Some(now.saturating_add(a).saturating_add(extra))
                }
                _ => None,
            },
            delete_at: None,
            deadline: 0,
        };
        session.deadline = session.next_deadline();
        let wake_timer = session.deadline < self.timer_wakes_at.load(Ordering::SeqCst);
        if available_now {
            events.push(session.event(EventQosStatus::Available, None, now));
        }
        let out = session.rec.clone();
        for k in &session.keys {
            inner.devices.insert(k.clone(), id);
        }
        inner.deadlines.insert((session.deadline, id));
        inner.sessions.insert(id, session);
        tracing::info!(session_id = %id, api = ?out.api, profile = %out.qos_profile, status = %out.qos_status, doomed, "session created");
        Ok((out, wake_timer))
    }

    /// The session `id` if `owner` created it through `api`. Another client's session, or one of the other API
    /// version, is answered exactly as one that does not exist (404 "Session Id does not exist"), so a client cannot
    /// learn which session ids exist.
    fn owned<'a>(inner: &'a mut Inner, id: &Uuid, owner: &str, api: Api) -> Result<&'a mut Session, ApiError> {
        match inner.sessions.get_mut(id) {
            Some(s) if &*s.owner == owner && s.rec.api == api => Ok(s),
            _ => Err(ApiError::session_not_found()),
        }
    }

    /// Every stored session with its owner and deadlines, oldest first (the admin view).
    pub(crate) fn admin_list(&self, now: i64) -> Result<Vec<serde_json::Value>, ApiError> {
        self.with(now, |inner, _| {
            let mut list: Vec<&Session> = inner.sessions.values().collect();
            list.sort_by(|a, b| {
                (a.rec.started_at.unwrap_or(a.rec.expires_at), a.rec.session_id)
                    .cmp(&(b.rec.started_at.unwrap_or(b.rec.expires_at), b.rec.session_id))
            });
            Ok(list
                .into_iter()
                .map(|s| {
                    serde_json::json!({
                        "sessionId": s.rec.session_id.to_string(),
                        "api": match s.rec.api { Api::V0 => "v0", Api::V1 => "v1" },
                        "owner": &*s.owner,
                        "qosProfile": s.rec.qos_profile.as_str(),
                        "qosStatus": s.rec.qos_status,
                        "statusInfo": s.rec.status_info,
                        "device": s.rec.device,
                        "startedAt": s.rec.started_at,
                        "expiresAt": s.rec.expires_at,
                        "duration": s.rec.duration,
                        "terminateAtMs": s.terminate_at,
                        "deleteAtMs": s.delete_at,
                    })
                })
                .collect())
        })
    }

    /// The network terminates session `id` now (admin): UNAVAILABLE / NETWORK_TERMINATED, readable for the retention
    /// time. `false` when there is no such session.
    pub(crate) fn force_terminate(&self, id: &Uuid, now: i64) -> Result<bool, ApiError> {
        self.with(now, |inner, events| {
            let Some(s) = inner.sessions.get_mut(id) else {
                return Ok(false);
            };
            if s.delete_at.is_none() {
                s.terminate(now, self.retention_ms, events);
                tracing::info!(session_id = %id, "session terminated by the network (admin)");
            }
            inner.reschedule(*id);
            Ok(true)
        })
    }

    /// A session's current information.
    pub(crate) fn get(&self, id: &Uuid, owner: &str, api: Api, now: i64) -> Result<Record, ApiError> {
        self.with(now, |inner, _| Ok(Self::owned(inner, id, owner, api)?.rec.clone()))
    }

    /// The 1.1.0 sessions of `owner` for any of the device identifiers `keys`, oldest first.
    pub(crate) fn retrieve(&self, owner: &str, keys: &[DeviceKey], now: i64) -> Result<Vec<Record>, ApiError> {
        self.with(now, |inner, _| {
            let mut found: Vec<Record> = inner
                .sessions
                .values()
                .filter(|s| &*s.owner == owner && s.rec.api == Api::V1 && s.keys.iter().any(|k| keys.contains(k)))
                .map(|s| s.rec.clone())
                .collect();
            found.sort_by_key(|r| (r.started_at.unwrap_or(r.expires_at), r.session_id));
            Ok(found)
        })
    }

    /// Deletes a session; an AVAILABLE one gets an UNAVAILABLE / DELETE_REQUESTED event.
    pub(crate) fn delete(&self, id: &Uuid, owner: &str, api: Api, now: i64) -> Result<(), ApiError> {
        self.with(now, |inner, events| {
            Self::owned(inner, id, owner, api)?;
            let s = inner.remove(id).ok_or_else(ApiError::session_not_found)?;
            tracing::info!(session_id = %id, status = %s.rec.qos_status, "session deleted on request");
            if s.rec.qos_status == QosStatus::Available {
                events.push(s.event(EventQosStatus::Unavailable, Some(StatusInfo::DeleteRequested), now));
            }
            Ok(())
        })
    }

    /// Extends an AVAILABLE session. v0.10.1: the remaining time grows by `additional` seconds, capped at
    /// [`MAX_REMAINING_S`]. 1.1.0: the overall duration grows by `additional`, capped by the profile's
    /// `maxDuration` (409 `QUALITY_ON_DEMAND.SESSION_EXTENSION_NOT_ALLOWED` unless AVAILABLE). `duration` and
    /// `expiresAt` follow.
    pub(crate) fn extend(
        &self,
        id: &Uuid,
        owner: &str,
        api: Api,
        additional: u32,
        now: i64,
    ) -> Result<Record, ApiError> {
        self.with(now, |inner, _| {
            let s = Self::owned(inner, id, owner, api)?;
            if s.rec.qos_status != QosStatus::Available {
                return Err(match api {
                    Api::V0 => ApiError::invalid("The target session is inactive"),
                    Api::V1 => ApiError::extension_not_allowed(s.rec.qos_status),
                });
            }
            match api {
                Api::V0 => {
                    let now_s = now.div_euclid(1000);
                    let started = s.rec.started_at.unwrap_or(now_s);
                    let remaining = (s.rec.expires_at - now_s).max(0);
                    let new_remaining = remaining.saturating_add(i64::from(additional)).min(MAX_REMAINING_S);
                    let expires_at = now_s.saturating_add(new_remaining).max(s.rec.expires_at);
                    s.rec.expires_at = expires_at;
                    s.rec.duration = u32::try_from(expires_at - started).unwrap_or(u32::MAX);
                }
                Api::V1 => {
                    let duration = s
                        .rec
                        .duration
                        .saturating_add(additional)
                        .min(s.max_duration_s.max(s.rec.duration));
                    s.rec.duration = duration;
                    s.rec.expires_at = s.rec.started_at.unwrap_or(0).saturating_add(i64::from(duration));
                }
            }
            let out = s.rec.clone();
            inner.reschedule(*id);
            tracing::info!(session_id = %id, duration = out.duration, expires_at = out.expires_at, "session extended");
            Ok(out)
        })
    }

    /// Number of stored sessions.
    pub(crate) fn len(&self) -> usize {
        self.inner.lock().map(|i| i.sessions.len()).unwrap_or(0)
    }
}

/// Processes deadlines as they fall due: sleeps until the next one, and wakes early when a session gets an earlier
/// deadline or a manual clock is advanced.
pub(crate) async fn run_timers(store: Arc<Store>, clock: Arc<dyn Clock>, mut shutdown: watch::Receiver<bool>) {
    let mut clock_rx = clock.subscribe();
    loop {
        // While awake, every new session wakes the task again (a stored `Notify` permit), so none is missed.
        store.timer_wakes_at.store(i64::MAX, Ordering::SeqCst);
        let now = clock.now_ms();
        store.advance(now);
        let wait = store
            .next_deadline()
            .map_or(60_000, |d| d.saturating_sub(now).clamp(1, 60_000));
        // From here on only a session due before this wake-up needs to wake the task.
        store.timer_wakes_at.store(now.saturating_add(wait), Ordering::SeqCst);
        // A scaled clock covers `wait` simulated milliseconds in `wait / rate` real ones.
        let real_wait = Duration::from_secs_f64((wait as f64 / clock.rate().max(1e-6) / 1000.0).max(0.0005));
        let clock_moved = async {
            let moved = match clock_rx.as_mut() {
                Some(rx) => rx.changed().await.is_ok(),
                None => false,
            };
            if !moved {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(real_wait) => {}
            _ = store.changed.notified() => {}
            _ = clock_moved => {}
            _ = shutdown.changed() => return,
        }
    }
}
