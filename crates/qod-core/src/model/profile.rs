use super::QosProfileName;
use crate::limits;
use crate::schema::{model, wire_enum};
use heapless::{String, Vec};

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

model! {
    /// `QosProfile`: one of the operator's QoS profiles.
    pub struct QosProfile {
        /// `name`.
        req name: QosProfileName = "name";
        /// `description`.
        opt description: Option<String<{ limits::PROFILE_DESCRIPTION }>> = "description";
        /// `status`.
        req status: QosProfileStatus = "status";
        /// `targetMinUpstreamRate`.
        opt target_min_upstream_rate: Option<Rate> = "targetMinUpstreamRate";
        /// `maxUpstreamRate`.
        opt max_upstream_rate: Option<Rate> = "maxUpstreamRate";
        /// `maxUpstreamBurstRate`.
        opt max_upstream_burst_rate: Option<Rate> = "maxUpstreamBurstRate";
        /// `targetMinDownstreamRate`.
        opt target_min_downstream_rate: Option<Rate> = "targetMinDownstreamRate";
        /// `maxDownstreamRate`.
        opt max_downstream_rate: Option<Rate> = "maxDownstreamRate";
        /// `maxDownstreamBurstRate`.
        opt max_downstream_burst_rate: Option<Rate> = "maxDownstreamBurstRate";
        /// `minDuration`.
        opt min_duration: Option<Duration> = "minDuration";
        /// `maxDuration`.
        opt max_duration: Option<Duration> = "maxDuration";
        /// `priority` (1–100, lower is higher priority).
        opt priority: Option<u32> = "priority";
        /// `packetDelayBudget`.
        opt packet_delay_budget: Option<Duration> = "packetDelayBudget";
        /// `jitter`.
        opt jitter: Option<Duration> = "jitter";
        /// `packetErrorLossRate`: N in 10^-N (1–10).
        opt packet_error_loss_rate: Option<u32> = "packetErrorLossRate";
    }
}

/// The body of `GET /qos-profiles`.
pub type QosProfileList = Vec<QosProfile, { limits::PROFILES }>;
