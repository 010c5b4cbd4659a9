use crate::common::{Duration, QosProfileName, QosProfileStatus, Rate};
use crate::limits;
use crate::schema::model;
use heapless::{String, Vec};

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
