//! Fuzzes the 1.1.0 CloudEvent and `ErrorInfo` decoders.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| qod_core::fuzzing::decode_v1_notification(data));
