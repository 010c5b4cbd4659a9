use super::{object, opt, some, wire_enum, FieldFn, Schema, SessionId, R};
use crate::json::{Decode, Encode, Failed, Reader, Writer};
use crate::{limits, DecodeErrorKind};
use heapless::String;

/// The CloudEvent `type` of a QoS status change.
pub const QOS_STATUS_CHANGED_TYPE: &str = "org.camaraproject.qod.v0.qos-status-changed";

wire_enum! {
    /// `EventQosStatus`: the status a notification reports.
    EventQosStatus, "data.qosStatus" {
        /// `AVAILABLE`.
        Available = "AVAILABLE",
        /// `UNAVAILABLE`.
        Unavailable = "UNAVAILABLE",
    }
}

wire_enum! {
    /// `StatusInfo`: why a session became `UNAVAILABLE`.
    StatusInfo, "data.statusInfo" {
        /// `DURATION_EXPIRED`: the session's duration ran out.
        DurationExpired = "DURATION_EXPIRED",
        /// `NETWORK_TERMINATED`: the network ended it early.
        NetworkTerminated = "NETWORK_TERMINATED",
        /// `DELETE_REQUESTED`: the client deleted it.
        DeleteRequested = "DELETE_REQUESTED",
    }
}

wire_enum! {
    /// CloudEvent `datacontenttype` (CAMARA allows only `application/json`).
    DataContentType, "datacontenttype" {
        /// `application/json`.
        ApplicationJson = "application/json",
    }
}

/// `data` of a `qos-status-changed` event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase")
)]
pub struct QosStatusChangedData {
    /// `sessionId`.
    pub session_id: SessionId,
    /// `qosStatus`.
    pub qos_status: EventQosStatus,
    /// `statusInfo` (only with `UNAVAILABLE`).
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub status_info: Option<StatusInfo>,
}

/// `EventQosStatusChanged`: the CloudEvents 1.0 notification of type `org.camaraproject.qod.v0.qos-status-changed`.
///
/// `type` and `specversion` are fixed by the spec; decoding refuses any other value
/// ([`DecodeErrorKind::UnexpectedValue`]) because it would be a different event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct QosStatusChanged {
    /// `id`: unique within `source`.
    pub id: String<{ limits::EVENT_ID }>,
    /// `source`: a URI reference.
    pub source: String<{ limits::EVENT_SOURCE }>,
    /// `type`: always [`QOS_STATUS_CHANGED_TYPE`] (checked on decode, written on encode).
    #[cfg_attr(feature = "serde", serde(rename = "type", with = "event_type"))]
    pub event_type: (),
    /// `specversion`: always `1.0` (checked on decode, written on encode).
    #[cfg_attr(feature = "serde", serde(with = "spec_version"))]
    pub specversion: (),
    /// `datacontenttype`.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub datacontenttype: Option<DataContentType>,
    /// `data`.
    pub data: QosStatusChangedData,
    /// `time`: RFC 3339 date-time.
    pub time: String<{ limits::EVENT_TIME }>,
}

#[cfg(feature = "serde")]
macro_rules! fixed_string_serde {
    ($module:ident, $value:expr) => {
        mod $module {
            pub fn serialize<S: serde::Serializer>(_: &(), s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($value)
            }
            pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<(), D::Error> {
                let v: heapless::String<64> = serde::Deserialize::deserialize(d)?;
                if v.as_str() == $value {
                    Ok(())
                } else {
                    Err(serde::de::Error::custom(concat!("expected ", $value)))
                }
            }
        }
    };
}
#[cfg(feature = "serde")]
fixed_string_serde!(event_type, "org.camaraproject.qod.v0.qos-status-changed");
#[cfg(feature = "serde")]
fixed_string_serde!(spec_version, "1.0");

impl Decode for QosStatusChangedData {
    #[inline(never)]
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        const SCHEMA: Schema = Schema {
            names: &["sessionId", "qosStatus", "statusInfo"],
            required: 0b11,
        };
        const FIELDS: &[FieldFn<QosStatusChangedData>] = &[
            |v, r| v.session_id.decode_from(r),
            |v, r| v.qos_status.decode_from(r),
            |v, r| opt(&mut v.status_info, r),
        ];
        self.status_info = None;
        object(r, self, &SCHEMA, FIELDS)
    }
}

impl Encode for QosStatusChangedData {
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Failed> {
        let mut o = w.object()?;
        o.str("sessionId", &self.session_id)?;
        o.value("qosStatus", &self.qos_status)?;
        o.opt("statusInfo", self.status_info.as_ref())?;
        o.end()
    }
}

impl Decode for QosStatusChanged {
    #[inline(never)]
    fn decode_from(&mut self, r: &mut Reader<'_>) -> R {
        const NAMES: &[&str] = &["id", "source", "type", "specversion", "datacontenttype", "data", "time"];
        const SCHEMA: Schema = Schema {
            names: NAMES,
            required: 0b110_1111,
        };
        const FIELDS: &[FieldFn<QosStatusChanged>] = &[
            |v, r| v.id.decode_from(r),
            |v, r| v.source.decode_from(r),
            |_, r| r.expect_string(QOS_STATUS_CHANGED_TYPE),
            |_, r| r.expect_string("1.0"),
            |v, r| {
                let at = r.offset();
                let t = some(&mut v.datacontenttype);
                t.decode_from(r)?;
                if *t == DataContentType::Unknown {
                    return Err(r.fail(DecodeErrorKind::UnexpectedValue, at));
                }
                Ok(())
            },
            |v, r| v.data.decode_from(r),
            |v, r| v.time.decode_from(r),
        ];
        self.datacontenttype = None;
        object(r, self, &SCHEMA, FIELDS)
    }
}

impl Encode for QosStatusChanged {
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), Failed> {
        let mut o = w.object()?;
        o.str("id", &self.id)?;
        o.str("source", &self.source)?;
        o.str("type", QOS_STATUS_CHANGED_TYPE)?;
        o.str("specversion", "1.0")?;
        o.opt("datacontenttype", self.datacontenttype.as_ref())?;
        o.value("data", &self.data)?;
        o.str("time", &self.time)?;
        o.end()
    }
}
