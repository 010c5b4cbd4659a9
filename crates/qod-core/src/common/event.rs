use super::SessionId;
use crate::json::Reader;
use crate::schema::{fixed_string, model, some, wire_enum, R};
use crate::DecodeErrorKind;

fixed_string! {
    /// CloudEvent `specversion`: always `1.0` (checked on decode, written on encode).
    SpecVersion = "1.0"
}

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
    StatusInfo, "statusInfo" {
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

/// `datacontenttype`: a value other than `application/json` is refused ([`DecodeErrorKind::UnexpectedValue`]).
pub(crate) fn known_content_type(v: &mut Option<DataContentType>, r: &mut Reader<'_>) -> R {
    let at = r.offset();
    let t = some(v);
    crate::Decode::decode_from(t, r)?;
    if *t == DataContentType::Unknown {
        return Err(r.fail(DecodeErrorKind::UnexpectedValue, at));
    }
    Ok(())
}

model! {
    /// `data` of a `qos-status-changed` event.
    pub struct QosStatusChangedData {
        /// `sessionId`.
        req session_id: SessionId = "sessionId";
        /// `qosStatus`.
        req qos_status: EventQosStatus = "qosStatus";
        /// `statusInfo` (only with `UNAVAILABLE`).
        opt status_info: Option<StatusInfo> = "statusInfo";
    }
}
