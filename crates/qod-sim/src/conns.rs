//! Open connections: a cap on how many, and timeouts, so that idle or slow sockets cannot starve other clients.
//!
//! Each connection is *idle* while no request of it is being handled (before its first request, while a request
//! head or a TLS handshake is still arriving, between keep-alive requests) and *busy* while a handler runs (which
//! includes reading the request body). A sweeper closes connections idle longer than
//! [`ConnLimits::idle_timeout`] (this is also the header-read and handshake timeout) and busy longer than
//! [`ConnLimits::request_timeout`]. At [`ConnLimits::max_connections`] the accept loop closes the connection that
//! has been idle the longest to make room, and only waits (leaving new clients in the kernel's backlog) when every
//! connection is busy. So a normal request is answered promptly however many idle sockets are open, and the
//! simulator never runs out of file descriptors because of them. Per request the cost is two atomic stores.
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// Connection and request bounds ([`Config::limits`](crate::Config::limits)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnLimits {
    /// Most connections open at once (at least 1).
    pub max_connections: usize,
    /// A connection with no request in progress for this long is closed (also bounds a request head's and a TLS
    /// handshake's arrival).
    pub idle_timeout: Duration,
    /// A request whose handling (body upload included) takes longer is cut off by closing its connection.
    pub request_timeout: Duration,
    /// Largest request body; a larger one is refused with 413 before it is read whole.
    pub max_body_bytes: usize,
    /// Largest request head (request line and headers); hyper's minimum is 8 KiB.
    pub max_head_bytes: usize,
}

impl Default for ConnLimits {
    fn default() -> Self {
        Self {
            max_connections: 512,
            idle_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(30),
            max_body_bytes: 64 * 1024,
            max_head_bytes: 16 * 1024,
        }
    }
}

/// What the registry and a connection share.
#[derive(Debug)]
pub(crate) struct ConnState {
    busy: AtomicBool,
    /// Milliseconds since the registry's epoch when the state last changed.
    since: AtomicU64,
    /// Notified to make the connection task drop the connection.
    pub(crate) close: Notify,
}

/// The open connections.
#[derive(Debug)]
pub(crate) struct Registry {
    limits: ConnLimits,
    epoch: Instant,
    next_id: AtomicU64,
    conns: Mutex<HashMap<u64, Arc<ConnState>>>,
    /// Notified when a connection goes away or becomes idle while the accept loop waits for room.
    room: Notify,
    /// The accept loop waits for room (so finished requests must wake it; otherwise they skip the notification).
    waiting: AtomicBool,
}

impl Registry {
    pub(crate) fn new(limits: ConnLimits) -> Arc<Self> {
        Arc::new(Self {
            limits,
            epoch: Instant::now(),
            next_id: AtomicU64::new(0),
            conns: Mutex::new(HashMap::new()),
            room: Notify::new(),
            waiting: AtomicBool::new(false),
        })
    }

    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    pub(crate) fn len(&self) -> usize {
        self.conns.lock().map(|c| c.len()).unwrap_or(0)
    }

    /// Removes the connection idle the longest and tells it to close; `false` when every connection is busy.
    pub(crate) fn evict_oldest_idle(&self) -> bool {
        let Ok(mut conns) = self.conns.lock() else { return false };
        let oldest = conns
            .iter()
            .filter(|(_, s)| !s.busy.load(Ordering::SeqCst))
            .min_by_key(|(_, s)| s.since.load(Ordering::SeqCst))
            .map(|(id, _)| *id);
        match oldest.and_then(|id| conns.remove(&id)) {
            Some(s) => {
                s.close.notify_one();
                true
            }
            None => false,
        }
    }

    /// Waits until another connection may be accepted: at the cap, closes the connection idle the longest, or waits
    /// until one goes away or becomes idle.
    pub(crate) async fn wait_for_room(&self) {
        loop {
            let notified = self.room.notified();
            self.waiting.store(true, Ordering::SeqCst);
            if self.len() < self.limits.max_connections.max(1) || self.evict_oldest_idle() {
                self.waiting.store(false, Ordering::SeqCst);
                return;
            }
            notified.await;
        }
    }

    /// Registers a new (idle) connection.
    pub(crate) fn register(self: &Arc<Self>) -> ConnGuard {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        let state = Arc::new(ConnState {
            busy: AtomicBool::new(false),
            since: AtomicU64::new(self.now()),
            close: Notify::new(),
        });
        if let Ok(mut conns) = self.conns.lock() {
            conns.insert(id, state.clone());
        }
        ConnGuard {
            registry: self.clone(),
            id,
            state,
        }
    }

    /// Closes connections past their idle or request timeout; runs until the registry is dropped by everyone else.
    pub(crate) async fn sweep(self: Arc<Self>) {
        let idle = self.limits.idle_timeout;
        let busy = self.limits.request_timeout;
        let every = (idle.min(busy) / 4).clamp(Duration::from_millis(10), Duration::from_secs(1));
        let (idle_ms, busy_ms) = (
            u64::try_from(idle.as_millis()).unwrap_or(u64::MAX),
            u64::try_from(busy.as_millis()).unwrap_or(u64::MAX),
        );
        loop {
            tokio::time::sleep(every).await;
            let now = self.now();
            let Ok(mut conns) = self.conns.lock() else { return };
            let before = conns.len();
            conns.retain(|_, s| {
                let age = now.saturating_sub(s.since.load(Ordering::SeqCst));
                let limit = if s.busy.load(Ordering::SeqCst) {
                    busy_ms
                } else {
                    idle_ms
                };
                let keep = age < limit;
                if !keep {
                    s.close.notify_one();
                }
                keep
            });
            let closed = before - conns.len();
            drop(conns);
            if closed > 0 {
                tracing::debug!(closed, "closed connections past their idle or request timeout");
                self.room.notify_waiters();
            }
        }
    }
}

/// A registered connection; dropping it unregisters it.
#[derive(Debug)]
pub(crate) struct ConnGuard {
    registry: Arc<Registry>,
    id: u64,
    pub(crate) state: Arc<ConnState>,
}

impl ConnGuard {
    /// Marks the connection busy until the returned guard is dropped.
    pub(crate) fn busy(registry: &Arc<Registry>, state: &Arc<ConnState>) -> BusyGuard {
        state.since.store(registry.now(), Ordering::SeqCst);
        state.busy.store(true, Ordering::SeqCst);
        BusyGuard {
            registry: registry.clone(),
            state: state.clone(),
        }
    }

    pub(crate) fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }
}

impl Drop for ConnGuard {
    fn drop(&mut self) {
        if let Ok(mut conns) = self.registry.conns.lock() {
            conns.remove(&self.id);
        }
        self.registry.room.notify_waiters();
    }
}

/// A request in progress on a connection.
pub(crate) struct BusyGuard {
    registry: Arc<Registry>,
    state: Arc<ConnState>,
}

impl Drop for BusyGuard {
    fn drop(&mut self) {
        self.state.since.store(self.registry.now(), Ordering::SeqCst);
        self.state.busy.store(false, Ordering::SeqCst);
        if self.registry.waiting.load(Ordering::SeqCst) {
            self.registry.room.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn test_eviction_picks_the_oldest_idle_and_spares_busy_ones() {
        let r = Registry::new(ConnLimits {
            max_connections: 2,
            ..ConnLimits::default()
        });
        let a = r.register();
        tokio::time::sleep(Duration::from_millis(5)).await;
        let b = r.register();
        let busy_a = ConnGuard::busy(&r, &a.state);
        // a is busy, so b (idle) goes.
        r.wait_for_room().await;
        assert_eq!(r.len(), 1);
        assert!(
            tokio::time::timeout(Duration::from_millis(50), b.state.close.notified())
                .await
                .is_ok()
        );
        let c = r.register();
        let busy_c = ConnGuard::busy(&r, &c.state);
        // Both busy: no room until one is idle again.
        let wait = tokio::spawn({
            let r = r.clone();
            async move { r.wait_for_room().await }
        });
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert!(!wait.is_finished());
        drop(busy_a);
        tokio::time::timeout(Duration::from_secs(1), wait)
            .await
            .unwrap()
            .unwrap();
        drop(busy_c);
        drop((a, b, c));
        assert_eq!(r.len(), 0);
    }
}
