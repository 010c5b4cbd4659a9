//! The session store and its state machine. Pure logic: every operation takes the current time (`now_ms`, from the
//! configured clock) and emits status-change [`Event`]s into the notification queue; nothing here sleeps or does I/O.
//!
//! ```text
//!            create                 requested delay             expiresAt
//!   ────────────────▶ REQUESTED ──────────────────▶ AVAILABLE ────────────▶ deleted   (DURATION_EXPIRED)
//!                         │                            │  │  DELETE
//!                         │ network fails              │  └─────────────▶ deleted   (DELETE_REQUESTED)
//!                         ▼                            ▼ network terminates
//!                    UNAVAILABLE (NETWORK_TERMINATED) ───── retention (≥ 360 s) ──▶ deleted (no event)
//! ```
//!
//! With a zero requested delay a session is AVAILABLE in the create response. Each session has one next deadline,
//! kept in an ordered set, which [`run_timers`] (and every API call) processes with [`Store::advance`].
use crate::clock::Clock;
use crate::config::TerminationConfig;
use crate::error::ApiError;
use crate::faults::SplitMix64;
use crate::notify::{self, Event};
use qod_core::model::{CreateSession, Device, EventQosStatus, QosStatus, SessionInfo, StatusInfo};
use std::collections::{BTreeSet, HashMap};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{watch, Notify};
use uuid::Uuid;

/// The longest remaining duration a session may have (the spec's fixed limit for extensions).
pub const MAX_REMAINING_S: i64 = 86_400;

/// One identifier of a device; two sessions conflict when they share any.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum DeviceKey {
    Phone(String),
    Nai(String),
    Ipv6(Ipv6Addr),
    Ipv4Private(Ipv4Addr, Ipv4Addr),
    Ipv4Port(Ipv4Addr, u16),
}

fn device_keys(d: &Device) -> Vec<DeviceKey> {
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

#[derive(Debug)]
struct Session {
    info: SessionInfo,
    owner: Arc<str>,
    keys: Vec<DeviceKey>,
    /// While REQUESTED: when the network answers.
    available_at: Option<i64>,
    /// The network will fail to provide the session (at `available_at`).
    fail_on_available: bool,
    /// The network terminates the session at this time.
    terminate_at: Option<i64>,
    /// Set after a network termination: the session is deleted then.
    delete_at: Option<i64>,
    /// The entry of this session in `Inner::deadlines`.
    deadline: i64,
}

impl Session {
    fn expires_ms(&self) -> i64 {
        self.info.expires_at.saturating_mul(1000)
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
            session_id: self.info.session_id.to_string(),
            status,
            info,
            webhook: self.info.webhook.clone(),
            at_ms,
        }
    }

    /// Applies every transition due at `now` in time order; `true` when the session is to be deleted.
    fn step(&mut self, now: i64, retention_ms: i64, events: &mut Vec<Event>) -> bool {
        loop {
            if let Some(d) = self.delete_at {
                return d <= now;
            }
            let t = self.next_deadline();
            if t > now {
                return false;
            }
            if self.available_at == Some(t) {
                self.available_at = None;
                if self.fail_on_available {
                    self.terminate(t, retention_ms, events);
                } else {
                    self.info.qos_status = QosStatus::Available;
                    events.push(self.event(EventQosStatus::Available, None, t));
                }
            } else if self.terminate_at == Some(t) {
                self.terminate_at = None;
                self.terminate(t, retention_ms, events);
            } else {
                if self.info.qos_status != QosStatus::Unavailable {
                    self.info.qos_status = QosStatus::Unavailable;
                    events.push(self.event(EventQosStatus::Unavailable, Some(StatusInfo::DurationExpired), t));
                }
                return true;
            }
        }
    }

    fn terminate(&mut self, t: i64, retention_ms: i64, events: &mut Vec<Event>) {
        if self.info.qos_status != QosStatus::Unavailable {
            self.info.qos_status = QosStatus::Unavailable;
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
    fn remove(&mut self, id: &Uuid) -> Option<Session> {
        let s = self.sessions.remove(id)?;
        self.deadlines.remove(&(s.deadline, *id));
        for k in &s.keys {
            if self.devices.get(k) == Some(id) {
                self.devices.remove(k);
            }
        }
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

/// A session to create: the validated request and what the routes resolved for it.
pub(crate) struct NewSession {
    pub request: CreateSession,
    pub duration: u32,
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

    /// Logs each event and queues those with a webhook for delivery (the others never wake the notifier).
    fn emit(&self, events: Vec<Event>) {
        for e in events {
            tracing::info!(
                session_id = %e.session_id,
                qos_status = %e.status,
                status_info = %e.info.map_or("-", |i| i.as_str().unwrap_or("-")),
                "event: QOS_STATUS_CHANGED"
            );
            if e.webhook.is_some() {
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
            let delete = match inner.sessions.get_mut(&id) {
                Some(s) => s.step(now, self.retention_ms, events),
                None => {
                    inner.deadlines.remove(&(d, id));
                    continue;
                }
            };
            if delete {
                if let Some(s) = inner.remove(&id) {
                    tracing::info!(session_id = %id, status = %s.info.qos_status, "session deleted by the network");
                }
            } else {
                inner.reschedule(id);
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
    pub(crate) fn create(&self, new: NewSession, now: i64) -> Result<SessionInfo, ApiError> {
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
    ) -> Result<(SessionInfo, bool), ApiError> {
        let keys = device_keys(&new.request.device);
        if keys.iter().any(|k| inner.devices.contains_key(k)) {
            return Err(ApiError::conflict());
        }
        let by_profile = self.termination.profile.as_deref() == Some(new.request.qos_profile.as_str());
        let by_chance = self.termination.probability > 0.0 && inner.rng.chance(self.termination.probability);
        let doomed = by_profile || by_chance;
        let id = Uuid::new_v4();
        let started_at = now.div_euclid(1000);
        let r = new.request;
        let fail_on_available = doomed && self.terminate_after_ms.is_none();
        let available_now = self.requested_delay_ms == 0 && !fail_on_available;
        let info = SessionInfo {
            device: r.device,
            application_server: r.application_server,
            device_ports: r.device_ports,
            application_server_ports: r.application_server_ports,
            qos_profile: r.qos_profile,
            webhook: r.webhook,
            session_id: crate::error::truncated(&id.to_string()),
            duration: new.duration,
            started_at,
            expires_at: started_at.saturating_add(i64::from(new.duration)),
            qos_status: if available_now {
                QosStatus::Available
            } else {
                QosStatus::Requested
            },
            messages: heapless::Vec::new(),
        };
        let mut session = Session {
            info,
            owner: new.owner,
            keys,
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
        let out = session.info.clone();
        for k in &session.keys {
            inner.devices.insert(k.clone(), id);
        }
        inner.deadlines.insert((session.deadline, id));
        inner.sessions.insert(id, session);
        tracing::info!(session_id = %id, profile = %out.qos_profile, status = %out.qos_status, doomed, "session created");
        Ok((out, wake_timer))
    }

    /// The session `id` if `owner` owns it. Another client's session is answered exactly as one that does not exist
    /// (404 "Session Id does not exist"), so a client cannot learn which session ids exist.
    fn owned<'a>(inner: &'a mut Inner, id: &Uuid, owner: &str) -> Result<&'a mut Session, ApiError> {
        match inner.sessions.get_mut(id) {
            Some(s) if &*s.owner == owner => Ok(s),
            _ => Err(ApiError::session_not_found()),
        }
    }

    /// Every stored session with its owner and deadlines, oldest first (the admin view).
    pub(crate) fn admin_list(&self, now: i64) -> Result<Vec<serde_json::Value>, ApiError> {
        self.with(now, |inner, _| {
            let mut list: Vec<&Session> = inner.sessions.values().collect();
            list.sort_by(|a, b| {
                (a.info.started_at, a.info.session_id.as_str()).cmp(&(b.info.started_at, b.info.session_id.as_str()))
            });
            Ok(list
                .into_iter()
                .map(|s| {
                    serde_json::json!({
                        "sessionId": s.info.session_id.as_str(),
                        "owner": &*s.owner,
                        "qosProfile": s.info.qos_profile.as_str(),
                        "qosStatus": s.info.qos_status,
                        "device": s.info.device,
                        "startedAt": s.info.started_at,
                        "expiresAt": s.info.expires_at,
                        "duration": s.info.duration,
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
    pub(crate) fn get(&self, id: &Uuid, owner: &str, now: i64) -> Result<SessionInfo, ApiError> {
        self.with(now, |inner, _| Ok(Self::owned(inner, id, owner)?.info.clone()))
    }

    /// Deletes a session; an AVAILABLE one gets an UNAVAILABLE / DELETE_REQUESTED event.
    pub(crate) fn delete(&self, id: &Uuid, owner: &str, now: i64) -> Result<(), ApiError> {
        self.with(now, |inner, events| {
            Self::owned(inner, id, owner)?;
            let s = inner.remove(id).ok_or_else(ApiError::session_not_found)?;
            tracing::info!(session_id = %id, status = %s.info.qos_status, "session deleted on request");
            if s.info.qos_status == QosStatus::Available {
                events.push(s.event(EventQosStatus::Unavailable, Some(StatusInfo::DeleteRequested), now));
            }
            Ok(())
        })
    }

    /// Extends an AVAILABLE session: the remaining time grows by `additional` seconds, capped at
    /// [`MAX_REMAINING_S`]; `duration` and `expiresAt` follow.
    pub(crate) fn extend(&self, id: &Uuid, owner: &str, additional: u32, now: i64) -> Result<SessionInfo, ApiError> {
        self.with(now, |inner, _| Self::extend_locked(inner, id, owner, additional, now))
    }

    fn extend_locked(
        inner: &mut Inner,
        id: &Uuid,
        owner: &str,
        additional: u32,
        now: i64,
    ) -> Result<SessionInfo, ApiError> {
        let s = Self::owned(inner, id, owner)?;
        if s.info.qos_status != QosStatus::Available {
            return Err(ApiError::invalid("The target session is inactive"));
        }
        let now_s = now.div_euclid(1000);
        let remaining = (s.info.expires_at - now_s).max(0);
        let new_remaining = remaining.saturating_add(i64::from(additional)).min(MAX_REMAINING_S);
        let expires_at = now_s.saturating_add(new_remaining).max(s.info.expires_at);
        let duration = u32::try_from(expires_at - s.info.started_at).unwrap_or(u32::MAX);
        s.info.expires_at = expires_at;
        s.info.duration = duration;
        let out = s.info.clone();
        inner.reschedule(*id);
        tracing::info!(session_id = %id, duration, expires_at, "session extended");
        Ok(out)
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
