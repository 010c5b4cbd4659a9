//! A firmware-shaped stub that links every operation's encode and decode of one API version (feature `v0`, the
//! default, or `v1`) plus the HTTP reader, so that `scripts/size-report.sh` can measure the flash the whole codec +
//! HTTP layer costs on a microcontroller. It is built, never run. Features select parts, to see what each costs (all
//! on by default). Features `json-own` and `json-sjc` instead link the JSON of `SessionInfo` and `CreateSession`
//! alone (decode and encode of each), through qod-core's own codec or through serde-json-core over the models' serde
//! derives, so that `scripts/size-report.sh --serde-json-core` can compare the two paths.
#![no_std]
#![no_main]

use core::hint::black_box;
#[cfg(all(
    feature = "v0",
    any(feature = "requests", feature = "sessions", feature = "profiles")
))]
use qod_core::api;
use qod_core::api::Endpoint;
#[cfg(all(
    feature = "v1",
    any(feature = "requests", feature = "sessions", feature = "profiles")
))]
use qod_core::v1::{api, model as v1};

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

/// Reads one response from `wire` into `rx`; returns the status and the body's range.
#[cfg(feature = "http")]
fn exchange(rx: &mut [u8], wire: &[u8]) -> Option<(u16, usize, usize)> {
    use qod_core::http::{ResponseReader, Status};
    let mut r = ResponseReader::new(rx);
    let dst = r.receive_buffer();
    let n = wire.len().min(dst.len());
    dst.get_mut(..n)?.copy_from_slice(wire.get(..n)?);
    r.commit(n);
    let head = match r.poll() {
        Ok(Status::Complete(h)) => h,
        _ => r.finish_eof().ok()?,
    };
    Some((head.status, head.head_len, head.head_len + r.body().len()))
}

#[cfg(not(feature = "http"))]
fn exchange(_: &mut [u8], wire: &[u8]) -> Option<(u16, usize, usize)> {
    Some((200, 0, wire.len()))
}

#[no_mangle]
pub extern "C" fn _start() -> ! {
    let ep = Endpoint::new(black_box("10.0.2.2:9091"), black_box("/qod/v0")).with_token(black_box("token"));
    let id = black_box("3fa85f64-5717-4562-b3fc-2c963f66afa6");
    let mut tx = [0u8; 1024];
    let mut rx = [0u8; 2048];
    let mut sum = 0usize;
    #[cfg(all(feature = "requests", feature = "v1"))]
    {
        let mut ep = ep;
        ep.correlator = Some(black_box("b4333c46-49c0-4f62-80d7-f0ef930f1c46"));
        let create: v1::CreateSession = black_box(v1::CreateSession::default());
        sum += api::encode_create_session(&ep, &create, &mut tx).unwrap_or(0);
        sum += api::encode_get_session(&ep, id, &mut tx).unwrap_or(0);
        sum += api::encode_delete_session(&ep, id, &mut tx).unwrap_or(0);
        let ext = v1::ExtendSessionDuration::new(black_box(60));
        sum += api::encode_extend_session(&ep, id, &ext, &mut tx).unwrap_or(0);
        let input: v1::RetrieveSessionsInput = black_box(v1::RetrieveSessionsInput::default());
        sum += api::encode_retrieve_sessions(&ep, &input, &mut tx).unwrap_or(0);
        sum += api::encode_get_qos_profile(&ep, black_box("QOS_E"), &mut tx).unwrap_or(0);
        let filter: v1::QosProfileDeviceRequest = black_box(v1::QosProfileDeviceRequest::default());
        sum += api::encode_retrieve_qos_profiles(&ep, &filter, &mut tx).unwrap_or(0);
    }
    #[cfg(all(feature = "requests", feature = "v0"))]
    {
        use qod_core::model::{CreateSession, ExtendSessionDuration};
        let create: CreateSession = black_box(CreateSession::default());
        sum += api::encode_create_session(&ep, &create, &mut tx).unwrap_or(0);
        sum += api::encode_get_session(&ep, id, &mut tx).unwrap_or(0);
        sum += api::encode_delete_session(&ep, id, &mut tx).unwrap_or(0);
        let ext = ExtendSessionDuration::new(black_box(60));
        sum += api::encode_extend_session(&ep, id, &ext, &mut tx).unwrap_or(0);
        sum += api::encode_get_qos_profiles(&ep, black_box(Some("QOS_E")), None, &mut tx).unwrap_or(0);
        sum += api::encode_get_qos_profile(&ep, black_box("QOS_E"), &mut tx).unwrap_or(0);
    }
    let _ = (&ep, id, &mut tx);
    #[cfg(feature = "baseline")]
    {
        // What every firmware links whatever it does: the compiler's memcpy, memset and memcmp (the same routines the
        // full build links). The size report subtracts this build to give the codec + HTTP layer's own cost.
        let (x, y) = black_box(&mut tx[..]).split_at_mut(512);
        x.copy_from_slice(black_box(&y[..512]));
        sum += usize::from(black_box(&x[..]) == black_box(&y[..512]));
    }
    #[cfg(any(feature = "json-own", feature = "json-sjc"))]
    {
        sum += json_paths(black_box(&rx[..]), &mut tx);
    }
    let wire: &[u8] = black_box(&[]);
    if let Some((status, start, end)) = exchange(&mut rx, wire) {
        let body = rx.get(start..end).unwrap_or(&[]);
        #[cfg(all(feature = "sessions", feature = "v1"))]
        {
            let mut info = v1::SessionInfo::default();
            sum += api::decode_create_session(status, body, &mut info).is_ok() as usize;
            sum += api::decode_get_session(status, body, &mut info).is_ok() as usize;
            sum += api::decode_extend_session(status, body, &mut info).is_ok() as usize;
            sum += api::decode_delete_session(status, body).is_ok() as usize;
            sum += api::decode_retrieve_sessions_each(status, body, &mut info, &mut |s| {
                black_box(s);
            })
            .unwrap_or(0);
            black_box(&info);
        }
        #[cfg(all(feature = "profiles", feature = "v1"))]
        {
            let mut profile = v1::QosProfile::default();
            sum += api::decode_get_qos_profile(status, body, &mut profile).is_ok() as usize;
            sum += api::decode_retrieve_qos_profiles_each(status, body, &mut profile, &mut |p| {
                black_box(p);
            })
            .unwrap_or(0);
            black_box(&profile);
        }
        #[cfg(all(feature = "sessions", feature = "v0"))]
        {
            let mut info = qod_core::model::SessionInfo::default();
            sum += api::decode_create_session(status, body, &mut info).is_ok() as usize;
            sum += api::decode_get_session(status, body, &mut info).is_ok() as usize;
            sum += api::decode_extend_session(status, body, &mut info).is_ok() as usize;
            sum += api::decode_delete_session(status, body).is_ok() as usize;
            black_box(&info);
        }
        #[cfg(all(feature = "profiles", feature = "v0"))]
        {
            let mut list = qod_core::model::QosProfileList::default();
            sum += api::decode_get_qos_profiles(status, body, &mut list).is_ok() as usize;
            let mut profile = qod_core::model::QosProfile::default();
            sum += api::decode_get_qos_profile(status, body, &mut profile).is_ok() as usize;
            black_box(&list);
        }
        let _ = (status, body);
    }
    black_box(sum);
    loop {}
}

/// Decodes `doc` as a `SessionInfo` and as a `CreateSession` and encodes each back into `out`: the same operations
/// through qod-core's own codec (`json-own`) or serde-json-core (`json-sjc`, its unescape buffer on the stack).
#[cfg(any(feature = "json-own", feature = "json-sjc"))]
#[inline(never)]
fn json_paths(doc: &[u8], out: &mut [u8]) -> usize {
    #[cfg(feature = "v0")]
    use qod_core::model::{CreateSession, SessionInfo};
    #[cfg(feature = "v1")]
    use qod_core::v1::model::{CreateSession, SessionInfo};
    let mut sum = 0usize;
    #[cfg(feature = "json-own")]
    {
        let mut info = SessionInfo::default();
        if qod_core::decode_into(doc, &mut info).is_ok() {
            sum += qod_core::encode(black_box(&info), out).unwrap_or(0);
        }
        let mut create = CreateSession::default();
        if qod_core::decode_into(doc, &mut create).is_ok() {
            sum += qod_core::encode(black_box(&create), out).unwrap_or(0);
        }
    }
    #[cfg(feature = "json-sjc")]
    {
        let mut scratch = [0u8; 256];
        if let Ok((info, _)) = serde_json_core::from_slice_escaped::<SessionInfo>(doc, &mut scratch) {
            sum += serde_json_core::to_slice(black_box(&info), out).unwrap_or(0);
        }
        if let Ok((create, _)) = serde_json_core::from_slice_escaped::<CreateSession>(doc, &mut scratch) {
            sum += serde_json_core::to_slice(black_box(&create), out).unwrap_or(0);
        }
    }
    sum
}
