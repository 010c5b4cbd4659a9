use crate::schema::{model, wire_enum};

wire_enum! {
    /// `QosProfileStatusEnum`.
    QosProfileStatus, "status" {
        /// `ACTIVE`: can be used for new sessions.
        Active = "ACTIVE",
        /// `INACTIVE`: not currently available.
        Inactive = "INACTIVE",
        /// `DEPRECATED`: in use, but refused for new sessions.
        Deprecated = "DEPRECATED",
    }
}

wire_enum! {
    /// `RateUnitEnum`.
    RateUnit, "unit" {
        /// bits per second.
        Bps = "bps",
        /// kilobits per second.
        Kbps = "kbps",
        /// megabits per second.
        Mbps = "Mbps",
        /// gigabits per second.
        Gbps = "Gbps",
        /// terabits per second.
        Tbps = "Tbps",
    }
}

wire_enum! {
    /// `TimeUnitEnum`.
    TimeUnit, "unit" {
        /// days.
        Days = "Days",
        /// hours.
        Hours = "Hours",
        /// minutes.
        Minutes = "Minutes",
        /// seconds.
        Seconds = "Seconds",
        /// milliseconds.
        Milliseconds = "Milliseconds",
        /// microseconds.
        Microseconds = "Microseconds",
        /// nanoseconds.
        Nanoseconds = "Nanoseconds",
    }
}

model! {
    /// `Rate`: a bit rate.
    pub struct Rate {
        /// `value` (0–1024 in the spec).
        opt value: Option<u32> = "value";
        /// `unit`.
        opt unit: Option<RateUnit> = "unit";
    }
}

impl Copy for Rate {}

model! {
    /// `Duration`: an amount of time with its unit.
    pub struct Duration {
        /// `value` (≥ 1 in the spec).
        opt value: Option<u32> = "value";
        /// `unit`.
        opt unit: Option<TimeUnit> = "unit";
    }
}

impl Copy for Duration {}

impl Duration {
    /// The duration in whole seconds (fractions round down); `None` without a value or with an unknown unit.
    pub fn seconds(&self) -> Option<u64> {
        let v = self.value?;
        // 32-bit divisions only (no 64-bit division routine on a 32-bit MCU).
        let (mul, div) = match self.unit? {
            TimeUnit::Days => (86_400, 1),
            TimeUnit::Hours => (3_600, 1),
            TimeUnit::Minutes => (60, 1),
            TimeUnit::Seconds => (1, 1),
            TimeUnit::Milliseconds => (1, 1_000),
            TimeUnit::Microseconds => (1, 1_000_000),
            TimeUnit::Nanoseconds => (1, 1_000_000_000),
            TimeUnit::Unknown => return None,
        };
        Some(u64::from(v / div) * mul)
    }
}

impl Rate {
    /// `value` `unit`.
    pub const fn new(value: u32, unit: RateUnit) -> Self {
        Rate {
            value: Some(value),
            unit: Some(unit),
        }
    }
}

impl Duration {
    /// `value` `unit`.
    pub const fn new(value: u32, unit: TimeUnit) -> Self {
        Duration {
            value: Some(value),
            unit: Some(unit),
        }
    }
}
