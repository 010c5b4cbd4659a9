//! Entry points for the fuzz targets and the corpus-replay test. Each must never panic.
use crate::http::{ResponseReader, Status};
#[cfg(feature = "v0")]
use crate::v0::model::{CreateSession, ErrorInfo, QosProfile, QosProfileList, QosStatusChanged, SessionInfo};
use crate::{json, Decode, Encode};

fn roundtrip<T: Decode + Encode + Default + PartialEq + core::fmt::Debug>(data: &[u8]) {
    let mut v = T::default();
    if json::decode_into(data, &mut v).is_ok() {
        let mut buf = [0u8; 8192];
        if let Ok(n) = json::encode(&v, &mut buf) {
            let again: T = json::decode(buf.get(..n).unwrap_or(&[])).unwrap_or_default();
            assert_eq!(v, again, "decode(encode(x)) != x");
        }
    }
}

#[cfg(feature = "v0")]
/// `SessionInfo`: whatever decodes must re-encode and decode to the same value.
pub fn decode_session_info(data: &[u8]) {
    roundtrip::<SessionInfo>(data);
}

#[cfg(feature = "v0")]
/// `CreateSession`, as [`decode_session_info`].
pub fn decode_create_session(data: &[u8]) {
    roundtrip::<CreateSession>(data);
}

#[cfg(feature = "v0")]
/// `ErrorInfo`, as [`decode_session_info`].
pub fn decode_error_info(data: &[u8]) {
    roundtrip::<ErrorInfo>(data);
}

#[cfg(feature = "v0")]
/// `QosProfile` and lists of them, as [`decode_session_info`].
pub fn decode_qos_profiles(data: &[u8]) {
    roundtrip::<QosProfile>(data);
    roundtrip::<QosProfileList>(data);
}

#[cfg(feature = "v0")]
/// The `qos-status-changed` CloudEvent, as [`decode_session_info`].
pub fn decode_notification(data: &[u8]) {
    roundtrip::<QosStatusChanged>(data);
}

#[cfg(feature = "v0")]
/// Decodes `data` as every schema; whatever decodes must re-encode and decode to the same value.
pub fn decode_all(data: &[u8]) {
    decode_session_info(data);
    decode_create_session(data);
    decode_error_info(data);
    decode_qos_profiles(data);
    decode_notification(data);
}

/// Feeds `data` to the response reader in pieces whose sizes come from the first byte, then runs the operation
/// decoders on the result.
pub fn read_response(data: &[u8]) {
    let (step, data) = match data.split_first() {
        Some((s, rest)) => (usize::from(*s % 17) + 1, rest),
        None => return,
    };
    let mut buf = [0u8; 2048];
    let mut r = ResponseReader::new(&mut buf);
    let mut chunks = data.chunks(step);
    let head = loop {
        match r.poll() {
            Ok(Status::Complete(h)) => break Some(h),
            Ok(Status::Partial) => {}
            Err(_) => break None,
        }
        match chunks.next() {
            Some(c) => {
                let dst = r.receive_buffer();
                let n = c.len().min(dst.len());
                if let (Some(d), Some(s)) = (dst.get_mut(..n), c.get(..n)) {
                    d.copy_from_slice(s);
                }
                r.commit(n);
            }
            None => break r.finish_eof().ok(),
        }
    };
    if let Some(h) = head {
        #[cfg(feature = "v0")]
        {
            use crate::v0::api;
            let mut s = SessionInfo::default();
            let _ = api::decode_get_session(h.status, r.body(), &mut s);
            let mut l = QosProfileList::default();
            let _ = api::decode_get_qos_profiles(h.status, r.body(), &mut l);
            let _ = api::decode_delete_session(h.status, r.body());
        }
        #[cfg(feature = "v1")]
        {
            use crate::v1::model as m;
            let res = r.response();
            let _ = res.map(|res| (res.correlator(), res.header("content-type")));
            let mut s = m::SessionInfo::default();
            let _ = crate::v1::api::decode_get_session(h.status, r.body(), &mut s);
            let mut l = m::QosProfileList::default();
            let _ = crate::v1::api::decode_retrieve_qos_profiles(h.status, r.body(), &mut l);
            let _ = crate::v1::api::decode_retrieve_sessions_each(h.status, r.body(), &mut s, &mut |_| {});
        }
        let _ = h;
    }
}

/// 1.1.0 `SessionInfo` and session lists, as [`roundtrip`].
#[cfg(feature = "v1")]
pub fn decode_v1_session_info(data: &[u8]) {
    roundtrip::<crate::v1::model::SessionInfo>(data);
    roundtrip::<crate::v1::model::SessionList>(data);
}

/// 1.1.0 request bodies: `CreateSession`, `ExtendSessionDuration`, `RetrieveSessionsInput`,
/// `QosProfileDeviceRequest`.
#[cfg(feature = "v1")]
pub fn decode_v1_requests(data: &[u8]) {
    use crate::v1::model as m;
    roundtrip::<m::CreateSession>(data);
    roundtrip::<m::ExtendSessionDuration>(data);
    roundtrip::<m::RetrieveSessionsInput>(data);
    roundtrip::<m::QosProfileDeviceRequest>(data);
}

/// 1.1.0 `QosProfile` and lists of them.
#[cfg(feature = "v1")]
pub fn decode_v1_qos_profiles(data: &[u8]) {
    roundtrip::<crate::v1::model::QosProfile>(data);
    roundtrip::<crate::v1::model::QosProfileList>(data);
}

/// The 1.1.0 CloudEvent and `ErrorInfo`.
#[cfg(feature = "v1")]
pub fn decode_v1_notification(data: &[u8]) {
    roundtrip::<crate::v1::model::QosStatusChanged>(data);
    roundtrip::<crate::common::ErrorInfo>(data);
}

/// RFC 3339: whatever parses writes canonically and parses back to the same value.
pub fn parse_date_time(data: &[u8]) {
    if let Some(v) = crate::time::DateTime::parse(data) {
        let mut buf = [0u8; crate::time::DATE_TIME_MAX_LEN];
        let text = v.write(&mut buf);
        assert_eq!(
            crate::time::DateTime::parse(text.as_bytes()),
            Some(v),
            "parse(write(x)) != x"
        );
    }
}

/// Every 1.1.0 schema, and the date-time parser.
#[cfg(feature = "v1")]
pub fn decode_v1_all(data: &[u8]) {
    decode_v1_session_info(data);
    decode_v1_requests(data);
    decode_v1_qos_profiles(data);
    decode_v1_notification(data);
    parse_date_time(data);
}
