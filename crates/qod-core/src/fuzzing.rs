//! Entry points for the fuzz targets and the corpus-replay test. Each must never panic.
use crate::http::{ResponseReader, Status};
use crate::v0::model::{CreateSession, ErrorInfo, QosProfile, QosProfileList, QosStatusChanged, SessionInfo};
use crate::{json, v0::api, Decode, Encode};

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

/// `SessionInfo`: whatever decodes must re-encode and decode to the same value.
pub fn decode_session_info(data: &[u8]) {
    roundtrip::<SessionInfo>(data);
}

/// `CreateSession`, as [`decode_session_info`].
pub fn decode_create_session(data: &[u8]) {
    roundtrip::<CreateSession>(data);
}

/// `ErrorInfo`, as [`decode_session_info`].
pub fn decode_error_info(data: &[u8]) {
    roundtrip::<ErrorInfo>(data);
}

/// `QosProfile` and lists of them, as [`decode_session_info`].
pub fn decode_qos_profiles(data: &[u8]) {
    roundtrip::<QosProfile>(data);
    roundtrip::<QosProfileList>(data);
}

/// The `qos-status-changed` CloudEvent, as [`decode_session_info`].
pub fn decode_notification(data: &[u8]) {
    roundtrip::<QosStatusChanged>(data);
}

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
        let mut s = SessionInfo::default();
        let _ = api::decode_get_session(h.status, r.body(), &mut s);
        let mut l = QosProfileList::default();
        let _ = api::decode_get_qos_profiles(h.status, r.body(), &mut l);
        let _ = api::decode_delete_session(h.status, r.body());
    }
}
