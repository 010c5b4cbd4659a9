use crate::common::{known_content_type, DataContentType, QosStatusChangedData, SpecVersion};
use crate::limits;
use crate::schema::{fixed_string, model};
use heapless::String;

/// The CloudEvent `type` of a QoS status change.
pub const QOS_STATUS_CHANGED_TYPE: &str = QosStatusChangedType::VALUE;

fixed_string! {
    /// The CloudEvent `type` of a v0.10.1 QoS status change, `org.camaraproject.qod.v0.qos-status-changed`:
    /// checked on decode, written on encode.
    QosStatusChangedType = "org.camaraproject.qod.v0.qos-status-changed"
}

model! {
    /// `EventQosStatusChanged`: the CloudEvents 1.0 notification of type
    /// `org.camaraproject.qod.v0.qos-status-changed`.
    ///
    /// `type` and `specversion` are fixed by the spec; decoding refuses any other value
    /// ([`DecodeErrorKind::UnexpectedValue`](crate::DecodeErrorKind::UnexpectedValue)) because it would be a
    /// different event.
    pub struct QosStatusChanged {
        /// `id`: unique within `source`.
        req id: String<{ limits::EVENT_ID }> = "id";
        /// `source`: a URI reference.
        req source: String<{ limits::EVENT_SOURCE }> = "source";
        /// `type`: always [`QOS_STATUS_CHANGED_TYPE`].
        req event_type: QosStatusChangedType = "type";
        /// `specversion`: always `1.0`.
        req specversion: SpecVersion = "specversion";
        /// `datacontenttype`.
        opt datacontenttype: Option<DataContentType> = "datacontenttype" => known_content_type;
        /// `data`.
        req data: QosStatusChangedData = "data";
        /// `time`: RFC 3339 date-time.
        req time: String<{ limits::EVENT_TIME }> = "time";
    }
}
