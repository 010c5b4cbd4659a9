//! Time, injectable: the simulator never reads the system clock directly.
//!
//! Every deadline (REQUESTED→AVAILABLE, `expiresAt`, network termination, deletion after termination, token expiry)
//! is judged against a [`Clock`]. [`SystemClock`] follows the wall clock; [`ManualClock`] only moves when a test calls
//! [`ManualClock::advance`] or [`ManualClock::set`], and wakes the simulator's timer task when it does, so expiry and
//! extension can be tested without sleeping.
use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::watch;

/// A source of the current time.
pub trait Clock: Send + Sync + fmt::Debug + 'static {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> i64;

    /// A channel that changes whenever the time jumps (a manual clock being advanced); `None` for a clock that simply
    /// runs, whose deadlines the timer task reaches by sleeping.
    fn subscribe(&self) -> Option<watch::Receiver<i64>> {
        None
    }

    /// Simulated milliseconds per real millisecond (1 for the wall clock; N for a [`ScaledClock`]): the timer task
    /// sleeps `simulated / rate` real time towards a deadline.
    fn rate(&self) -> f64 {
        1.0
    }
}

/// The wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }
}

/// Simulated time that starts at the wall-clock time and runs `scale` times faster (`qod sim --time-scale N`), so a
/// test can go through many session lifetimes quickly. Everything the simulator judges follows it: `requested_delay`,
/// `expiresAt`, network termination and retention, access-token lifetimes; `startedAt`/`expiresAt` and CloudEvent
/// times are simulated timestamps. Real-time things stay real: fault latency, `Retry-After`, webhook retries, the
/// connection timeouts and the check of a client assertion's `exp`.
#[derive(Debug)]
pub struct ScaledClock {
    origin_ms: i64,
    started: std::time::Instant,
    scale: f64,
}

impl ScaledClock {
    /// Simulated time starting now, running `scale` (> 0, finite) times as fast as real time.
    ///
    /// # Panics
    /// Never: a `scale` that is not a positive finite number is taken as 1.
    pub fn new(scale: f64) -> Arc<Self> {
        let scale = if scale.is_finite() && scale > 0.0 { scale } else { 1.0 };
        Arc::new(Self {
            origin_ms: SystemClock.now_ms(),
            started: std::time::Instant::now(),
            scale,
        })
    }

    /// The scale factor.
    pub fn scale(&self) -> f64 {
        self.scale
    }
}

impl Clock for ScaledClock {
    fn now_ms(&self) -> i64 {
        let real = self.started.elapsed().as_secs_f64() * 1000.0;
        self.origin_ms.saturating_add((real * self.scale) as i64)
    }

    fn rate(&self) -> f64 {
        self.scale
    }
}

/// A clock that stands still until told to move; for tests.
#[derive(Debug)]
pub struct ManualClock {
    now: AtomicI64,
    tx: watch::Sender<i64>,
}

impl ManualClock {
    /// A clock showing `start_ms` (milliseconds since the Unix epoch).
    pub fn new(start_ms: i64) -> Arc<Self> {
        let (tx, _) = watch::channel(start_ms);
        Arc::new(Self {
            now: AtomicI64::new(start_ms),
            tx,
        })
    }

    /// A clock showing the current wall-clock time.
    pub fn starting_now() -> Arc<Self> {
        Self::new(SystemClock.now_ms())
    }

    /// Moves the clock forward by `by` and wakes the simulator's timers.
    pub fn advance(&self, by: Duration) {
        let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        let now = self.now.fetch_add(by, Ordering::SeqCst).saturating_add(by);
        self.tx.send_replace(now);
    }

    /// Sets the clock to `ms` (milliseconds since the Unix epoch) and wakes the simulator's timers.
    pub fn set(&self, ms: i64) {
        self.now.store(ms, Ordering::SeqCst);
        self.tx.send_replace(ms);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.now.load(Ordering::SeqCst)
    }

    fn subscribe(&self) -> Option<watch::Receiver<i64>> {
        Some(self.tx.subscribe())
    }
}

/// Formats `ms` since the Unix epoch as an RFC 3339 UTC timestamp with millisecond precision
/// (`2021-12-12T00:00:00.000Z`).
pub fn rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        sod / 3600,
        (sod % 3600) / 60,
        sod % 60
    )
}

/// Formats `ms` since the Unix epoch as an HTTP date (IMF-fixdate, RFC 9110 §5.6.7: `Sun, 06 Nov 1994 08:49:37
/// GMT`). Under a time scale the simulator sends this of its clock as every answer's `Date`.
pub fn http_date(ms: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let t = rfc3339(ms);
    let days = ms.div_euclid(1000).div_euclid(86_400);
    // rfc3339 is `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    let (year, month, day, time) = (&t[0..4], &t[5..7], &t[8..10], &t[11..19]);
    let month = month
        .parse::<usize>()
        .ok()
        .and_then(|m| MONTHS.get(m.wrapping_sub(1)))
        .copied()
        .unwrap_or("Jan");
    let weekday = DAYS[usize::try_from(days.rem_euclid(7)).unwrap_or(0)];
    format!("{weekday}, {day} {month} {year} {time} GMT")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_http_date() {
        assert_eq!(http_date(784_111_777_000), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(http_date(1_796_123_490_999), "Tue, 01 Dec 2026 11:11:30 GMT");
    }

    #[test]
    fn test_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_639_267_200_000), "2021-12-12T00:00:00.000Z");
        assert_eq!(rfc3339(1_709_210_096_789), "2024-02-29T12:34:56.789Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn test_scaled_clock_runs_faster() {
        let c = ScaledClock::new(1000.0);
        let t0 = c.now_ms();
        std::thread::sleep(Duration::from_millis(20));
        let moved = c.now_ms() - t0;
        assert!(moved >= 20_000, "{moved} ms simulated in 20 ms real");
        assert_eq!(c.rate(), 1000.0);
        assert_eq!(ScaledClock::new(f64::NAN).scale(), 1.0);
        assert_eq!(ScaledClock::new(-2.0).scale(), 1.0);
    }

    #[tokio::test]
    async fn test_manual_clock_advance_notifies() {
        let c = ManualClock::new(1_000);
        let mut rx = c.subscribe().unwrap();
        c.advance(Duration::from_secs(2));
        assert_eq!(c.now_ms(), 3_000);
        rx.changed().await.unwrap();
        assert_eq!(*rx.borrow(), 3_000);
        c.set(10);
        assert_eq!(c.now_ms(), 10);
    }
}
