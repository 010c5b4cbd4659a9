use crate::common::{Device, Duration, QosProfileName, QosProfileStatus, Rate};
use crate::schema::{model, wire_enum};
use crate::{limits, CapacityError};
use heapless::{String, Vec};

wire_enum! {
    /// `l4sQueueType` (experimental in 1.1.0).
    L4sQueueType, "l4sQueueType" {
        /// `non-l4s-queue`.
        NonL4sQueue = "non-l4s-queue",
        /// `l4s-queue`.
        L4sQueue = "l4s-queue",
        /// `mixed-queue`.
        MixedQueue = "mixed-queue",
    }
}

wire_enum! {
    /// `serviceClass` (experimental in 1.1.0).
    ServiceClass, "serviceClass" {
        /// `microsoft_voice` (CS7).
        MicrosoftVoice = "microsoft_voice",
        /// `microsoft_audio_video` (CS5).
        MicrosoftAudioVideo = "microsoft_audio_video",
        /// `real_time_interactive` (CS4).
        RealTimeInteractive = "real_time_interactive",
        /// `multimedia_streaming` (AF31).
        MultimediaStreaming = "multimedia_streaming",
        /// `broadcast_video` (CS3).
        BroadcastVideo = "broadcast_video",
        /// `low_latency_data` (AF21).
        LowLatencyData = "low_latency_data",
        /// `high_throughput_data` (AF11).
        HighThroughputData = "high_throughput_data",
        /// `low_priority_data` (CS1).
        LowPriorityData = "low_priority_data",
        /// `standard` (DF).
        Standard = "standard",
    }
}

model! {
    /// One entry of `countryAvailability`.
    pub struct Availability {
        /// `countryName`: an ISO 3166 two-letter code.
        req country_name: String<2> = "countryName";
        /// `networks`: PLMN ids (MCC + MNC, 5 or 6 digits); absent when the provider's own network.
        list networks: Vec<String<6>, { limits::NETWORKS }> = "networks";
    }
}

model! {
    /// `QosProfile` (qos-profiles 1.1.0): one of the operator's QoS profiles.
    pub struct QosProfile {
        /// `name`.
        req name: QosProfileName = "name";
        /// `description`.
        opt description: Option<String<{ limits::PROFILE_DESCRIPTION }>> = "description";
        /// `status`.
        req status: QosProfileStatus = "status";
        /// `countryAvailability`: where the profile is offered (absent: nothing can be assumed).
        opt country_availability: Option<Vec<Availability, { limits::COUNTRIES }>> = "countryAvailability";
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
        /// `maxDuration`: the longest overall session, extensions included.
        opt max_duration: Option<Duration> = "maxDuration";
        /// `priority` (1–100, lower is higher priority).
        opt priority: Option<u32> = "priority";
        /// `packetDelayBudget`.
        opt packet_delay_budget: Option<Duration> = "packetDelayBudget";
        /// `jitter`.
        opt jitter: Option<Duration> = "jitter";
        /// `packetErrorLossRate`: N in 10^-N (1–10).
        opt packet_error_loss_rate: Option<u32> = "packetErrorLossRate";
        /// `l4sQueueType`.
        opt l4s_queue_type: Option<L4sQueueType> = "l4sQueueType";
        /// `serviceClass`.
        opt service_class: Option<ServiceClass> = "serviceClass";
    }
}

/// The body of a `retrieve-qos-profiles` answer.
pub type QosProfileList = Vec<QosProfile, { limits::PROFILES }>;

model! {
    /// `QosProfileDeviceRequest`: the body of `POST /retrieve-qos-profiles` (every member is a filter).
    pub struct QosProfileDeviceRequest {
        /// `device`: only profiles available to it (refused with a device-bound token).
        opt device: Option<Device> = "device";
        /// `name`: only the profile of this name.
        opt name: Option<QosProfileName> = "name";
        /// `status`: only profiles in this status.
        opt status: Option<QosProfileStatus> = "status";
    }
}

impl QosProfileDeviceRequest {
    /// Only profiles available to `device` (with a two-legged token).
    pub fn with_device(mut self, device: Device) -> Self {
        self.device = Some(device);
        self
    }

    /// Only the profile named `name`.
    ///
    /// # Errors
    /// [`CapacityError`] when it is longer than [`limits::QOS_PROFILE`].
    pub fn with_name(mut self, name: &str) -> Result<Self, CapacityError> {
        self.name = Some(crate::error::fit("name", name)?);
        Ok(self)
    }

    /// Only profiles in `status`.
    pub fn with_status(mut self, status: QosProfileStatus) -> Self {
        self.status = Some(status);
        self
    }
}
