use super::{list, object, opt, wire_enum, FieldFn, QosProfileName, Schema, R};
use crate::json::{Decode, Encode, Failed, Reader, Writer};
use crate::limits;
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

/// `Rate`: a bit rate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Rate {
    /// `value` (0–1024 in the spec).
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub value: Option<u32>,
    /// `unit`.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub unit: Option<RateUnit>,
}

/// `Duration`: an amount of time with its unit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Duration {
    /// `value` (≥ 1 in the spec).
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub value: Option<u32>,
    /// `unit`.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub unit: Option<TimeUnit>,
}

/// `QosProfile`: one of the operator's QoS profiles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase")
)]
pub struct QosProfile {
    /// `name`.
    pub name: QosProfileName,
    /// `description`.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub description: Option<String<{ limits::PROFILE_DESCRIPTION }>>,
    /// `status`.
    pub status: QosProfileStatus,
    /// `targetMinUpstreamRate`.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub target_min_upstream_rate: Option<Rate>,
    /// `maxUpstreamRate`.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub max_upstream_rate: Option<Rate>,
    /// `maxUpstreamBurstRate`.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub max_upstream_burst_rate: Option<Rate>,
    /// `targetMinDownstreamRate`.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub target_min_downstream_rate: Option<Rate>,
    /// `maxDownstreamRate`.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub max_downstream_rate: Option<Rate>,
    /// `maxDownstreamBurstRate`.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub max_downstream_burst_rate: Option<Rate>,
    /// `minDuration`.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub min_duration: Option<Duration>,
    /// `maxDuration`.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub max_duration: Option<Duration>,
    /// `priority` (1–100, lower is higher priority).
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub priority: Option<u32>,
    /// `packetDelayBudget`.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub packet_delay_budget: Option<Duration>,
    /// `jitter`.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub jitter: Option<Duration>,
    /// `packetErrorLossRate`: N in 10^-N (1–10).
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub packet_error_loss_rate: Option<u32>,
}

/// The body of `GET /qos-profiles`.
pub type QosProfileList = Vec<QosProfile, { limits::PROFILES }>;

/// `value`/`unit` report errors under the enclosing member's path (e.g. `maxUpstreamRate`).
const VALUE_UNIT: Schema = Schema {
    names: &["value", "unit"],
    required: 0,
};

impl Decode for Rate {
    #[inline(never)]
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        const FIELDS: &[FieldFn<Rate>] = &[|v, r| opt(&mut v.value, r), |v, r| opt(&mut v.unit, r)];
        *self = Rate::default();
        object(r, self, &VALUE_UNIT, FIELDS)
    }
}

impl Encode for Rate {
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Failed> {
        let mut o = w.object()?;
        o.opt_u32("value", self.value)?;
        o.opt("unit", self.unit.as_ref())?;
        o.end()
    }
}

impl Decode for Duration {
    #[inline(never)]
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        const FIELDS: &[FieldFn<Duration>] = &[|v, r| opt(&mut v.value, r), |v, r| opt(&mut v.unit, r)];
        *self = Duration::default();
        object(r, self, &VALUE_UNIT, FIELDS)
    }
}

impl Encode for Duration {
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Failed> {
        let mut o = w.object()?;
        o.opt_u32("value", self.value)?;
        o.opt("unit", self.unit.as_ref())?;
        o.end()
    }
}

impl Decode for QosProfile {
    #[inline(never)]
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        const NAMES: &[&str] = &[
            "name",
            "description",
            "status",
            "targetMinUpstreamRate",
            "maxUpstreamRate",
            "maxUpstreamBurstRate",
            "targetMinDownstreamRate",
            "maxDownstreamRate",
            "maxDownstreamBurstRate",
            "minDuration",
            "maxDuration",
            "priority",
            "packetDelayBudget",
            "jitter",
            "packetErrorLossRate",
        ];
        const SCHEMA: Schema = Schema {
            names: NAMES,
            required: 0b101,
        };
        const FIELDS: &[FieldFn<QosProfile>] = &[
            |v, r| v.name.decode_from(r),
            |v, r| opt(&mut v.description, r),
            |v, r| v.status.decode_from(r),
            |v, r| opt(&mut v.target_min_upstream_rate, r),
            |v, r| opt(&mut v.max_upstream_rate, r),
            |v, r| opt(&mut v.max_upstream_burst_rate, r),
            |v, r| opt(&mut v.target_min_downstream_rate, r),
            |v, r| opt(&mut v.max_downstream_rate, r),
            |v, r| opt(&mut v.max_downstream_burst_rate, r),
            |v, r| opt(&mut v.min_duration, r),
            |v, r| opt(&mut v.max_duration, r),
            |v, r| opt(&mut v.priority, r),
            |v, r| opt(&mut v.packet_delay_budget, r),
            |v, r| opt(&mut v.jitter, r),
            |v, r| opt(&mut v.packet_error_loss_rate, r),
        ];
        *self = QosProfile::default();
        object(r, self, &SCHEMA, FIELDS)
    }
}

impl Encode for QosProfile {
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Failed> {
        let mut o = w.object()?;
        o.str("name", &self.name)?;
        o.opt_str("description", self.description.as_deref())?;
        o.value("status", &self.status)?;
        o.opt("targetMinUpstreamRate", self.target_min_upstream_rate.as_ref())?;
        o.opt("maxUpstreamRate", self.max_upstream_rate.as_ref())?;
        o.opt("maxUpstreamBurstRate", self.max_upstream_burst_rate.as_ref())?;
        o.opt("targetMinDownstreamRate", self.target_min_downstream_rate.as_ref())?;
        o.opt("maxDownstreamRate", self.max_downstream_rate.as_ref())?;
        o.opt("maxDownstreamBurstRate", self.max_downstream_burst_rate.as_ref())?;
        o.opt("minDuration", self.min_duration.as_ref())?;
        o.opt("maxDuration", self.max_duration.as_ref())?;
        o.opt_u32("priority", self.priority)?;
        o.opt("packetDelayBudget", self.packet_delay_budget.as_ref())?;
        o.opt("jitter", self.jitter.as_ref())?;
        o.opt_u32("packetErrorLossRate", self.packet_error_loss_rate)?;
        o.end()
    }
}

impl Decode for QosProfileList {
    #[inline(never)]
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        list(r, self.as_mut_view(), &mut |r, p| p.decode_from(r))
    }
}

impl Encode for QosProfileList {
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Failed> {
        w.array(self, |w, p| p.encode_to(w))
    }
}
