use crate::common::{known_content_type, DataContentType, QosStatusChangedData, SpecVersion};
use crate::limits;
use crate::schema::{fixed_string, model};
use crate::time::DateTime;
use heapless::String;

/// The CloudEvent `type` of a 1.1.0 QoS status change.
pub const QOS_STATUS_CHANGED_TYPE: &str = QosStatusChangedType::VALUE;

fixed_string! {
    /// The CloudEvent `type` of a 1.1.0 QoS status change,
    /// `org.camaraproject.quality-on-demand.v1.qos-status-changed`: checked on decode, written on encode.
    QosStatusChangedType = "org.camaraproject.quality-on-demand.v1.qos-status-changed"
}

model! {
    /// `EventQosStatusChanged`: the CloudEvents 1.0 notification of type
    /// `org.camaraproject.quality-on-demand.v1.qos-status-changed`, POSTed to the session's `sink` with its
    /// `sinkCredential`'s access token.
    ///
    /// `type` and `specversion` are fixed by the spec; decoding refuses any other value
    /// ([`DecodeErrorKind::UnexpectedValue`](crate::DecodeErrorKind::UnexpectedValue)).
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
        /// `time`: when it happened.
        req time: DateTime = "time";
    }
}
