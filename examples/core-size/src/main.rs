//! A firmware-shaped stub that links every v0.10.1 operation's encode and decode plus the HTTP reader, so that
//! `scripts/size-report.sh` can measure the flash the whole codec + HTTP layer costs on a microcontroller.
//! It is built, never run. Features select parts, to see what each costs (all on by default).
#![no_std]
#![no_main]

use core::hint::black_box;
#[cfg(not(feature = "baseline"))]
use qod_core::api;
use qod_core::api::Endpoint;

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
    #[cfg(feature = "requests")]
    {
        use qod_core::model::{CreateSession, ExtendSessionDuration};
        let create: CreateSession = black_box(CreateSession::default());
        sum += api::encode_create_session(&ep, &create, &mut tx).unwrap_or(0);
        sum += api::encode_get_session(&ep, id, &mut tx).unwrap_or(0);
        sum += api::encode_delete_session(&ep, id, &mut tx).unwrap_or(0);
        let ext = ExtendSessionDuration {
            requested_additional_duration: black_box(60),
        };
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
    let wire: &[u8] = black_box(&[]);
    if let Some((status, start, end)) = exchange(&mut rx, wire) {
        let body = rx.get(start..end).unwrap_or(&[]);
        #[cfg(feature = "sessions")]
        {
            let mut info = qod_core::model::SessionInfo::default();
            sum += api::decode_create_session(status, body, &mut info).is_ok() as usize;
            sum += api::decode_get_session(status, body, &mut info).is_ok() as usize;
            sum += api::decode_extend_session(status, body, &mut info).is_ok() as usize;
            sum += api::decode_delete_session(status, body).is_ok() as usize;
            black_box(&info);
        }
        #[cfg(feature = "profiles")]
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
