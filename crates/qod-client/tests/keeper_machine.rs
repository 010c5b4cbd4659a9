//! The sans-IO session keeper against a model of the network: every decision of `SessionKeeper` driven by time and
//! answers alone, no I/O. The model behaves as v0.10.1 (and the simulator) do: one session per device (409),
//! `UNAVAILABLE` sessions hold the device until deleted, expiry deletes, extensions add to the remaining time.

use qod_client::keeper::{
    Action, ApiVersion, Event, Failure, KeeperConfig, Loss, Notice, Record, Replace, Reply, Request, RequestKind,
    SessionKeeper, SessionView,
};
use qod_client::qod_core::common::{QosStatus, SessionId, StatusInfo};

/// What the network does with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// Answer normally.
    None,
    /// 429/503 with this `Retry-After`.
    Busy(Option<u32>),
    /// The request never reaches the server.
    NotSent,
    /// The request is acted on, the answer is lost.
    LostAnswer,
    /// The request is lost on the way (not acted on), and the client cannot tell.
    LostRequest,
    /// An `ErrorInfo` with this status, not acted on.
    Status(u16),
}

type FaultFn = Box<dyn FnMut(u64, &Request) -> Fault>;

#[derive(Debug, Clone)]
struct S {
    id: SessionId,
    status: QosStatus,
    reason: Option<StatusInfo>,
    started_ms: u64,
    expires_ms: u64,
}

struct Net {
    sessions: Vec<S>,
    next: u32,
    /// Send the HTTP `Date`.
    date: bool,
    /// Every request: (time, kind).
    log: Vec<(u64, RequestKind)>,
    fault: FaultFn,
    /// Terminate each session this long after its creation.
    terminate_after_ms: Option<u64>,
    /// Ids the network ever created.
    created: Vec<SessionId>,
    /// Creates that made a session whose answer was lost.
    lost_creates: u32,
}

impl Net {
    fn new() -> Self {
        Net {
            sessions: Vec::new(),
            next: 0,
            date: true,
            log: Vec::new(),
            fault: Box::new(|_, _| Fault::None),
            terminate_after_ms: None,
            created: Vec::new(),
            lost_creates: 0,
        }
    }

    fn advance(&mut self, now: u64) {
        self.sessions.retain(|s| s.expires_ms > now);
        if let Some(after) = self.terminate_after_ms {
            for s in &mut self.sessions {
                if s.status == QosStatus::Available && now >= s.started_ms + after {
                    s.status = QosStatus::Unavailable;
                    s.reason = Some(StatusInfo::NetworkTerminated);
                }
            }
        }
    }

    fn alive(&mut self, now: u64) -> Vec<S> {
        self.advance(now);
        self.sessions.clone()
    }

    fn terminate(&mut self, id: &SessionId) {
        if let Some(s) = self.sessions.iter_mut().find(|s| s.id == *id) {
            s.status = QosStatus::Unavailable;
            s.reason = Some(StatusInfo::NetworkTerminated);
        }
    }

    fn view(&self, s: &S, now: u64) -> SessionView {
        qod_core::fill!(SessionView {
            id: s.id.clone(),
            status: s.status,
            reason: s.reason,
            started_at: Some((s.started_ms / 1000) as i64),
            expires_at: Some((s.expires_ms / 1000) as i64),
            duration_s: Some(((s.expires_ms - s.started_ms) / 1000) as u32),
            server_time: self.date.then_some((now / 1000) as i64),
            matches: true,
        })
    }

    /// The network's answer to `req` at `now`.
    fn handle(&mut self, now: u64, req: &Request) -> Reply<'static> {
        self.log.push((now, req.kind()));
        self.advance(now);
        let fault = (self.fault)(now, req);
        match fault {
            Fault::Busy(r) => return Reply::Busy { retry_after_s: r },
            Fault::NotSent => return Reply::NotSent,
            Fault::LostRequest => return Reply::Ambiguous,
            Fault::Status(status) => return Reply::Refused { status },
            Fault::None | Fault::LostAnswer => {}
        }
        let reply = self.act(now, req);
        if fault == Fault::LostAnswer {
            if matches!((req, &reply), (Request::Create { .. }, Reply::Session(_))) {
                self.lost_creates += 1;
            }
            return Reply::Ambiguous;
        }
        reply
    }

    fn act(&mut self, now: u64, req: &Request) -> Reply<'static> {
        match req {
            Request::Create { duration_s } => {
                if !self.sessions.is_empty() {
                    return Reply::Conflict;
                }
                self.next += 1;
                let id: SessionId = format!("00000000-0000-4000-8000-{:012}", self.next)
                    .as_str()
                    .try_into()
                    .unwrap();
                // The server's clock reads whole seconds.
                let started_ms = now / 1000 * 1000;
                let s = S {
                    id: id.clone(),
                    status: QosStatus::Available,
                    reason: None,
                    started_ms,
                    expires_ms: started_ms + u64::from(*duration_s) * 1000,
                };
                self.created.push(id);
                let v = self.view(&s, now);
                self.sessions.push(s);
                Reply::Session(v)
            }
            Request::Get { id } => match self.sessions.iter().find(|s| s.id == *id) {
                Some(s) => Reply::Session(self.view(s, now)),
                None => Reply::NotFound,
            },
            Request::Extend { id, additional_s } => {
                let Some(i) = self.sessions.iter().position(|s| s.id == *id) else {
                    return Reply::NotFound;
                };
                if self.sessions[i].status != QosStatus::Available {
                    return Reply::Refused { status: 400 };
                }
                let now_s = now / 1000 * 1000;
                let s = &mut self.sessions[i];
                let remaining = s.expires_ms.saturating_sub(now_s);
                let new_remaining = (remaining + u64::from(*additional_s) * 1000).min(86_400_000);
                s.expires_ms = (now_s + new_remaining).max(s.expires_ms);
                let s = s.clone();
                Reply::Session(self.view(&s, now))
            }
            Request::Delete { id } => match self.sessions.iter().position(|s| s.id == *id) {
                Some(i) => {
                    self.sessions.remove(i);
                    Reply::Deleted
                }
                None => Reply::NotFound,
            },
            Request::List => Reply::NotSent,
            other => panic!("a request this test does not know: {other:?}"),
        }
    }
}

/// The keeper, a store and the network, stepped in simulated time.
struct World {
    k: SessionKeeper,
    net: Net,
    store: Option<Record>,
    now: u64,
    /// Answer latency.
    rtt: u64,
    events: Vec<(u64, Event)>,
    /// At each create sent: what the store held.
    record_at_create: Vec<Option<Record>>,
    /// (time, notice) handed to the keeper when the time comes.
    notices: Vec<(u64, Notice)>,
    stop_at: Option<u64>,
    /// Longest time a session the keeper does not know of stayed alive.
    max_orphan_ms: u64,
    orphan_since: Vec<(SessionId, u64)>,
    done: Option<bool>,
}

impl World {
    fn new(version: ApiVersion, cfg: KeeperConfig, net: Net, store: Option<Record>) -> Self {
        let mut k = SessionKeeper::new(version, cfg);
        k.start(0, store.clone());
        World {
            k,
            net,
            store,
            now: 0,
            rtt: 20,
            events: Vec::new(),
            record_at_create: Vec::new(),
            notices: Vec::new(),
            stop_at: None,
            max_orphan_ms: 0,
            orphan_since: Vec::new(),
            done: None,
        }
    }

    fn check_orphans(&mut self) {
        let known: Vec<SessionId> = self.k.known().cloned().collect();
        let stored: Vec<SessionId> = self
            .store
            .iter()
            .flat_map(|r| r.session.iter().chain(r.retiring.iter()).cloned())
            .collect();
        let alive = self.net.alive(self.now);
        let now = self.now;
        self.orphan_since.retain(|(id, _)| alive.iter().any(|s| s.id == *id));
        for s in alive {
            if s.status == QosStatus::Unavailable || known.contains(&s.id) || stored.contains(&s.id) {
                self.orphan_since.retain(|(id, _)| *id != s.id);
                continue;
            }
            match self.orphan_since.iter().find(|(id, _)| *id == s.id) {
                Some((_, since)) => self.max_orphan_ms = self.max_orphan_ms.max(now - since),
                None => self.orphan_since.push((s.id.clone(), now)),
            }
        }
    }

    /// Runs until `end` (or the keeper is done).
    fn run_until(&mut self, end: u64) {
        let mut steps = 0;
        while self.now < end && self.done.is_none() {
            steps += 1;
            assert!(steps < 1_000_000, "the keeper does not settle");
            if self.stop_at.is_some_and(|t| self.now >= t) {
                self.stop_at = None;
                self.k.stop(self.now);
            }
            while let Some(i) = self.notices.iter().position(|(t, _)| *t <= self.now) {
                let (_, n) = self.notices.remove(i);
                self.k.notify(self.now, n);
            }
            self.check_orphans();
            match self.k.poll(self.now) {
                Action::Save(r) => {
                    self.store = Some(r);
                    self.k.saved(self.now);
                }
                Action::Clear => {
                    self.store = None;
                    self.k.saved(self.now);
                }
                Action::Send(req) => {
                    if let Request::Create { .. } = req {
                        self.record_at_create.push(self.store.clone());
                    }
                    let reply = self.net.handle(self.now, &req);
                    self.now += self.rtt;
                    self.k.on_reply(self.now, reply);
                }
                Action::Wait { until_ms } => {
                    assert!(until_ms > self.now, "a wait must end in the future");
                    let mut next = until_ms.min(end);
                    if let Some(t) = self.stop_at {
                        next = next.min(t.max(self.now + 1));
                    }
                    for (t, _) in &self.notices {
                        next = next.min((*t).max(self.now + 1));
                    }
                    // Look at the network at least every second (orphan accounting).
                    self.now = next.min(self.now + 1000);
                }
                Action::Done { clean } => self.done = Some(clean),
                other => panic!("an action this test does not know: {other:?}"),
            }
            while let Some(e) = self.k.next_event() {
                self.events.push((self.now, e));
            }
        }
    }

    fn count(&self, f: impl Fn(&Event) -> bool) -> usize {
        self.events.iter().filter(|(_, e)| f(e)).count()
    }

    fn requests(&self, kind: RequestKind) -> usize {
        self.net.log.iter().filter(|(_, k)| *k == kind).count()
    }
}

fn cfg(lease_s: u32) -> KeeperConfig {
    let mut c = KeeperConfig::new(lease_s);
    c.poll_ms = 10_000;
    c
}

const HOUR: u64 = 3_600_000;

#[test]
fn test_keeps_one_session_for_an_hour_by_extending() {
    let mut w = World::new(ApiVersion::V0_10_1, cfg(60), Net::new(), None);
    w.run_until(HOUR);
    assert_eq!(w.net.created.len(), 1, "one session for the whole hour");
    assert_eq!(w.net.alive(w.now).len(), 1);
    // Extended a lease each time 15 s were left: about every 60 s.
    let ext = w.count(|e| matches!(e, Event::Extended { .. }));
    assert!((55..=62).contains(&ext), "{ext} extensions");
    assert_eq!(w.count(|e| matches!(e, Event::Lost { .. })), 0);
    // The session never came within 5 s of its end: the extensions are never late.
    for (t, k) in &w.net.log {
        if *k == RequestKind::Extend {
            let s = &w.net.sessions[0];
            assert!(s.expires_ms > *t, "extension at {t} after expiry");
        }
    }
    // Polls every 10 s plus the extensions: bounded request rate.
    let total = w.net.log.len();
    assert!(total < 3600 / 10 + 70, "{total} requests");
    assert!(matches!(w.events[0].1, Event::Requested { .. }));
    assert!(matches!(w.events[1].1, Event::Available { .. }));
}

#[test]
fn test_stop_deletes_and_confirms_gone() {
    let mut w = World::new(ApiVersion::V0_10_1, cfg(60), Net::new(), None);
    w.stop_at = Some(100_000);
    w.run_until(HOUR);
    assert_eq!(w.done, Some(true));
    assert!(w.net.alive(w.now).is_empty());
    assert_eq!(w.store, None, "the record is cleared");
    let n = w.net.log.len();
    assert_eq!(w.net.log[n - 2].1, RequestKind::Delete);
    assert_eq!(w.net.log[n - 1].1, RequestKind::Get, "a GET confirms the 404");
    assert!(matches!(w.events.last().unwrap().1, Event::Stopped { clean: true }));
    assert!(w.now < 101_000, "the stop takes two round trips, not a lease");
}

#[test]
fn test_network_termination_is_noticed_by_polling_and_recovered() {
    let mut net = Net::new();
    net.terminate_after_ms = Some(95_000);
    let mut w = World::new(ApiVersion::V0_10_1, cfg(60), net, None);
    w.run_until(200_000);
    let lost: Vec<_> = w
        .events
        .iter()
        .filter_map(|(t, e)| match e {
            Event::Lost { why, .. } => Some((*t, *why)),
            _ => None,
        })
        .collect();
    assert_eq!(lost[0].1, Loss::NetworkTerminated);
    // Noticed within one poll interval (10 s) of the termination at 95 s.
    assert!(lost[0].0 >= 95_000 && lost[0].0 <= 105_100, "{lost:?}");
    // The terminated session was deleted (it held the device) and a new one became available.
    assert!(w.count(|e| matches!(e, Event::Recovered { .. })) >= 1);
    assert!(w.net.created.len() >= 2);
    assert!(w.net.alive(w.now).iter().all(|s| Some(&s.id) == w.k.session()));
}

#[test]
fn test_notification_is_acted_on_at_once() {
    let mut w = World::new(ApiVersion::V0_10_1, cfg(60), Net::new(), None);
    w.run_until(30_000);
    let id = w.k.session().unwrap().clone();
    w.net.terminate(&id);
    w.notices.push((
        31_000,
        Notice::new(id.clone(), QosStatus::Unavailable, Some(StatusInfo::NetworkTerminated)),
    ));
    w.run_until(32_000);
    let lost_at = w
        .events
        .iter()
        .find_map(|(t, e)| matches!(e, Event::Lost { .. }).then_some(*t))
        .unwrap();
    assert!(
        lost_at <= 31_100,
        "noticed at {lost_at}, the poll would have been at 40 s"
    );
    let recovered = w
        .events
        .iter()
        .find_map(|(t, e)| matches!(e, Event::Recovered { .. }).then_some(*t))
        .unwrap();
    assert!(recovered <= 31_200, "recovered at {recovered}");
}

#[test]
fn test_retry_after_is_honoured() {
    let mut net = Net::new();
    let mut first = true;
    net.fault = Box::new(move |_, req| match req {
        Request::Create { .. } if first => {
            first = false;
            Fault::Busy(Some(7))
        }
        _ => Fault::None,
    });
    let mut w = World::new(ApiVersion::V0_10_1, cfg(60), net, None);
    w.run_until(20_000);
    let creates: Vec<u64> = w
        .net
        .log
        .iter()
        .filter(|(_, k)| *k == RequestKind::Create)
        .map(|(t, _)| *t)
        .collect();
    assert_eq!(creates.len(), 2);
    assert!(creates[1] - creates[0] >= 7_000, "{creates:?}");
    assert!(
        w.count(|e| matches!(
            e,
            Event::Retrying {
                why: Failure::Busy { retry_after_s: Some(7) },
                ..
            }
        )) == 1
    );
}

/// An unreachable server for an hour: exponential backoff to the maximum, never a request without a wait, and
/// jitter (two seeds, two schedules).
#[test]
fn test_backoff_never_loops_hot() {
    let run = |seed: u64| {
        let mut net = Net::new();
        net.fault = Box::new(|_, _| Fault::NotSent);
        let mut c = cfg(60);
        c.seed = seed;
        let mut w = World::new(ApiVersion::V0_10_1, c, net, None);
        w.rtt = 0;
        w.run_until(HOUR);
        w.net.log.iter().map(|(t, _)| *t).collect::<Vec<_>>()
    };
    let a = run(1);
    let b = run(2);
    // 0.5 s doubling to 60 s: about 8 to reach the cap, then one a minute (at least 30 s apart).
    assert!(a.len() < 8 + 3600 / 30, "{} requests in an hour", a.len());
    assert!(a.len() > 50, "{} requests: gave up?", a.len());
    for w in a.windows(2) {
        assert!(w[1] - w[0] >= 250, "requests {} ms apart", w[1] - w[0]);
    }
    assert_ne!(a, b, "jitter differs per seed");
}

/// A network that terminates every session a second after it starts: the keeper re-creates, but with a growing
/// backoff, not in a loop.
#[test]
fn test_a_network_that_ends_every_session_is_not_hammered() {
    let mut net = Net::new();
    net.terminate_after_ms = Some(1_000);
    let mut c = cfg(60);
    c.poll_ms = 1_000;
    let mut w = World::new(ApiVersion::V0_10_1, c, net, None);
    w.run_until(HOUR);
    let creates = w.requests(RequestKind::Create);
    assert!(creates < 120, "{creates} creates in an hour");
    assert!(w.net.log.len() < 1000, "{} requests", w.net.log.len());
}

/// v0.10.1: a create acted on whose answer was lost. The keeper cannot name the session; it is recorded as "in
/// flight", the retried create meets 409 until the lease of the unnamed session ends, and no session outlives its
/// lease unowned.
#[test]
fn test_ambiguous_create_on_v0_is_bounded_by_the_lease() {
    let mut net = Net::new();
    let mut first = true;
    net.fault = Box::new(move |_, req| match req {
        Request::Create { .. } if first => {
            first = false;
            Fault::LostAnswer
        }
        _ => Fault::None,
    });
    let mut w = World::new(ApiVersion::V0_10_1, cfg(60), net, None);
    w.run_until(10_000);
    assert_eq!(w.net.lost_creates, 1);
    assert!(w.store.as_ref().unwrap().create_in_flight, "recorded while unresolved");
    assert!(w.count(|e| matches!(e, Event::Unresolved { .. })) == 1);
    w.run_until(200_000);
    assert_eq!(w.net.created.len(), 2);
    assert!(
        w.count(|e| matches!(
            e,
            Event::Retrying {
                why: Failure::Conflict,
                ..
            }
        )) >= 1
    );
    assert!(w.max_orphan_ms <= 61_000, "orphan lived {} ms", w.max_orphan_ms);
    assert!(
        w.max_orphan_ms >= 55_000,
        "orphan lived {} ms: it is the lease that bounds it",
        w.max_orphan_ms
    );
    // Resolved: the keeper owns the one session alive.
    assert!(!w.store.as_ref().unwrap().create_in_flight);
    assert_eq!(w.net.alive(w.now).len(), 1);
}

/// v0.10.1: a notification naming the unnamed session gets it adopted at once.
#[test]
fn test_ambiguous_create_adopted_from_a_notification() {
    let mut net = Net::new();
    let mut first = true;
    net.fault = Box::new(move |_, req| match req {
        Request::Create { .. } if first => {
            first = false;
            Fault::LostAnswer
        }
        _ => Fault::None,
    });
    let mut w = World::new(ApiVersion::V0_10_1, cfg(60), net, None);
    w.run_until(100);
    let id = w.net.created[0].clone();
    w.notices
        .push((2_000, Notice::new(id.clone(), QosStatus::Available, None)));
    w.run_until(300_000);
    assert_eq!(
        w.net.created.len(),
        1,
        "the unnamed session was adopted, not waited out"
    );
    assert_eq!(w.k.session(), Some(&id));
    assert!(w.count(|e| matches!(e, Event::Adopted { .. })) == 1);
    assert!(w.max_orphan_ms <= 2_100, "{}", w.max_orphan_ms);
}

/// The record is written ahead: every create is sent with "in flight" already stored.
#[test]
fn test_every_create_is_recorded_in_flight_first() {
    let mut net = Net::new();
    net.terminate_after_ms = Some(30_000);
    net.fault = Box::new(|t, req| match req {
        Request::Create { .. } if t % 3 == 0 => Fault::LostAnswer,
        _ => Fault::None,
    });
    let mut w = World::new(ApiVersion::V0_10_1, cfg(60), net, None);
    w.run_until(HOUR);
    assert!(w.record_at_create.len() > 10);
    for r in &w.record_at_create {
        assert!(r.as_ref().is_some_and(|r| r.create_in_flight), "{r:?}");
    }
    assert!(w.max_orphan_ms <= 61_000, "{}", w.max_orphan_ms);
}

/// A restart with a stored session: read, adopted (the server's `Date` places its expiry), extended, kept.
#[test]
fn test_restart_adopts_the_stored_session() {
    let mut w = World::new(ApiVersion::V0_10_1, cfg(60), Net::new(), None);
    w.run_until(50_000);
    let id = w.k.session().unwrap().clone();
    // Reboot: a new keeper on the same store and network, at a later time.
    let (net, store, now) = (w.net, w.store, w.now + 5_000);
    assert_eq!(store.as_ref().unwrap().session.as_ref(), Some(&id));
    let mut w = World::new(ApiVersion::V0_10_1, cfg(60), net, store);
    w.now = now;
    w.k = SessionKeeper::new(ApiVersion::V0_10_1, cfg(60));
    w.k.start(now, w.store.clone());
    w.run_until(now + 600_000);
    assert_eq!(w.net.created.len(), 1, "no second session");
    assert_eq!(w.k.session(), Some(&id));
    assert!(w.count(|e| matches!(e, Event::Adopted { .. })) == 1);
    assert!(w.count(|e| matches!(e, Event::Extended { .. })) >= 9);
    assert_eq!(w.count(|e| matches!(e, Event::Lost { .. })), 0);
}

/// Without the server's `Date` an adopted session's expiry cannot be placed: it is replaced (deleted first: one
/// session per device).
#[test]
fn test_restart_without_date_replaces_the_stored_session() {
    let mut net = Net::new();
    net.date = false;
    let mut w = World::new(ApiVersion::V0_10_1, cfg(60), net, None);
    w.run_until(50_000);
    let old = w.k.session().unwrap().clone();
    let (net, store, now) = (w.net, w.store, w.now + 5_000);
    let mut w = World::new(ApiVersion::V0_10_1, cfg(60), net, store);
    w.now = now;
    w.k = SessionKeeper::new(ApiVersion::V0_10_1, cfg(60));
    w.k.start(now, w.store.clone());
    w.run_until(now + 300_000);
    assert_eq!(w.net.created.len(), 2);
    let alive = w.net.alive(w.now);
    assert_eq!(alive.len(), 1);
    assert_ne!(alive[0].id, old);
    assert_eq!(w.count(|e| matches!(e, Event::Lost { .. })), 0);
}

/// A restart with "create in flight" and nothing else: the create may have made a session; the keeper waits it out
/// (409s) and never leaves two.
#[test]
fn test_restart_with_create_in_flight() {
    let mut net = Net::new();
    net.fault = Box::new(|_, req| match req {
        Request::Create { .. } => Fault::LostAnswer,
        _ => Fault::None,
    });
    let mut w = World::new(ApiVersion::V0_10_1, cfg(60), net, None);
    w.run_until(50);
    let (mut net, store, now) = (w.net, w.store, w.now + 1_000);
    assert!(store.as_ref().unwrap().create_in_flight);
    net.fault = Box::new(|_, _| Fault::None);
    let mut w = World::new(ApiVersion::V0_10_1, cfg(60), net, store);
    w.now = now;
    w.k = SessionKeeper::new(ApiVersion::V0_10_1, cfg(60));
    w.k.start(now, w.store.clone());
    w.run_until(now + 300_000);
    assert_eq!(w.net.created.len(), 2);
    assert_eq!(w.net.alive(w.now).len(), 1);
    assert!(w.max_orphan_ms <= 61_000);
}

/// Stop while an unnamed session may exist (v0.10.1): the keeper does not claim a clean stop until it has proved
/// the device has no session (a create that succeeds, deleted at once) or the lease has run out.
#[test]
fn test_stop_with_an_unnamed_session_waits_it_out() {
    let mut net = Net::new();
    net.fault = Box::new(|_, req| match req {
        Request::Create { .. } => Fault::LostAnswer,
        _ => Fault::None,
    });
    let mut w = World::new(ApiVersion::V0_10_1, cfg(60), net, None);
    w.run_until(50);
    w.net.fault = Box::new(|_, _| Fault::None);
    w.stop_at = Some(1_000);
    w.run_until(HOUR);
    assert_eq!(w.done, Some(true));
    assert!(w.net.alive(w.now).is_empty(), "nothing left");
    assert!(w.now >= 55_000 && w.now < 70_000, "stopped at {}", w.now);
    assert_eq!(w.store, None);
}

/// The same, when the lost create never reached the server: the first probe succeeds and the stop is quick.
#[test]
fn test_stop_with_an_unnamed_session_that_does_not_exist() {
    let mut net = Net::new();
    net.fault = Box::new(|_, req| match req {
        Request::Create { .. } => Fault::LostRequest,
        _ => Fault::None,
    });
    let mut w = World::new(ApiVersion::V0_10_1, cfg(60), net, None);
    w.run_until(50);
    w.net.fault = Box::new(|_, _| Fault::None);
    w.stop_at = Some(1_000);
    w.run_until(HOUR);
    assert_eq!(w.done, Some(true));
    assert!(w.net.alive(w.now).is_empty());
    assert!(w.now < 5_000, "stopped at {}", w.now);
}

/// A refused extension of a live session: replaced break-before-make on v0.10.1.
#[test]
fn test_refused_extension_replaces_break_before_make() {
    let mut net = Net::new();
    let mut refused = false;
    net.fault = Box::new(move |_, req| match req {
        Request::Extend { .. } if !refused => {
            refused = true;
            Fault::Status(409)
        }
        _ => Fault::None,
    });
    let mut w = World::new(ApiVersion::V0_10_1, cfg(60), net, None);
    w.run_until(120_000);
    assert_eq!(w.net.created.len(), 2);
    let kinds: Vec<RequestKind> = w.net.log.iter().map(|(_, k)| *k).collect();
    let refused_at = kinds.iter().position(|k| *k == RequestKind::Extend).unwrap();
    let delete = kinds[refused_at..]
        .iter()
        .position(|k| *k == RequestKind::Delete)
        .unwrap();
    let create = kinds[refused_at..]
        .iter()
        .position(|k| *k == RequestKind::Create)
        .unwrap();
    assert!(delete < create, "break before make: {kinds:?}");
    assert_eq!(w.net.alive(w.now).len(), 1);
}

/// Make-before-break where the network allows two sessions; a 409 turns it into break-before-make.
#[test]
fn test_make_before_break_falls_back_after_a_409() {
    let mut net = Net::new();
    let mut refused = false;
    net.fault = Box::new(move |_, req| match req {
        Request::Extend { .. } if !refused => {
            refused = true;
            Fault::Status(400)
        }
        _ => Fault::None,
    });
    let mut c = cfg(60);
    c.replace = Some(Replace::MakeBeforeBreak);
    let mut w = World::new(ApiVersion::V0_10_1, c, net, None);
    w.run_until(120_000);
    let kinds: Vec<RequestKind> = w.net.log.iter().map(|(_, k)| *k).collect();
    let at = kinds.iter().position(|k| *k == RequestKind::Extend).unwrap();
    // GET (still AVAILABLE), create (409: one per device), delete, create.
    assert_eq!(
        &kinds[at + 1..at + 5],
        &[
            RequestKind::Get,
            RequestKind::Create,
            RequestKind::Delete,
            RequestKind::Create
        ],
        "{kinds:?}"
    );
    assert_eq!(w.net.alive(w.now).len(), 1);
}

/// 1.1.0: an ambiguous create is reconciled by listing the device's sessions: the match adopted, others deleted.
#[test]
fn test_v1_reconciles_by_listing() {
    let mut k = SessionKeeper::new(ApiVersion::V1_1_0, cfg(60));
    k.start(0, None);
    let mut store = None;
    let mut now = 0;
    let mut step = |k: &mut SessionKeeper, now: u64| loop {
        match k.poll(now) {
            Action::Save(r) => {
                store = Some(r);
                k.saved(now);
            }
            Action::Clear => {
                store = None;
                k.saved(now);
            }
            a => return (a, store.clone()),
        }
    };
    let (a, rec) = step(&mut k, now);
    assert_eq!(a, Action::Send(Request::Create { duration_s: 60 }));
    assert!(rec.unwrap().create_in_flight);
    now += 100;
    k.on_reply(now, Reply::Ambiguous);
    now += 1_000;
    assert_eq!(step(&mut k, now).0, Action::Send(Request::List));
    let id = |n: u32| -> SessionId { format!("00000000-0000-4000-8000-{n:012}").as_str().try_into().unwrap() };
    let view = |n: u32, matches: bool| {
        qod_core::fill!(SessionView {
            id: id(n),
            status: QosStatus::Available,
            expires_at: Some(1_000),
            server_time: Some(950),
            matches,
            ..SessionView::default()
        })
    };
    let list = [view(1, false), view(2, true), view(3, true)];
    now += 50;
    k.on_reply(now, Reply::Sessions(&list));
    assert_eq!(k.session(), Some(&id(2)));
    // The others are deleted.
    let (a, rec) = step(&mut k, now);
    assert_eq!(a, Action::Send(Request::Delete { id: id(1) }));
    let rec = rec.unwrap();
    assert_eq!(rec.session, Some(id(2)));
    assert!(!rec.create_in_flight || rec.retiring.is_some());
    k.on_reply(now + 10, Reply::Deleted);
    assert_eq!(step(&mut k, now + 10).0, Action::Send(Request::Delete { id: id(3) }));
    k.on_reply(now + 20, Reply::NotFound);
    // Then it keeps the adopted one: its expiry is placed by the list's `Date` (50 s left): extend at 15 s left.
    let (a, _) = step(&mut k, now + 20);
    assert!(matches!(a, Action::Wait { .. }), "{a:?}");
}

/// Untrusted answers never break it: absurd times and ids out of nowhere.
#[test]
fn test_absurd_answers() {
    let mut k = SessionKeeper::new(ApiVersion::V0_10_1, cfg(60));
    k.start(0, None);
    for t in 0..2_000u64 {
        let now = t * 997;
        match k.poll(now) {
            Action::Save(_) | Action::Clear => k.saved(now),
            Action::Send(_) => {
                let v = qod_core::fill!(SessionView {
                    id: "x".try_into().unwrap(),
                    status: [QosStatus::Available, QosStatus::Unknown, QosStatus::Unavailable][t as usize % 3],
                    started_at: Some([i64::MIN, 0, i64::MAX][t as usize % 3]),
                    expires_at: Some([i64::MAX, i64::MIN, -5][t as usize % 3]),
                    duration_s: Some(u32::MAX),
                    server_time: Some([i64::MIN, i64::MAX, 0][(t as usize / 3) % 3]),
                    ..SessionView::default()
                });
                k.on_reply(now, Reply::Session(v));
            }
            Action::Wait { until_ms } => assert!(until_ms > now),
            Action::Done { .. } => break,
            other => panic!("an action this test does not know: {other:?}"),
        }
        while k.next_event().is_some() {}
    }
}
