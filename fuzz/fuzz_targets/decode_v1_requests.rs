//! Fuzzes the 1.1.0 request-body decoders (create, extend, retrieve-sessions, retrieve-qos-profiles).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| qod_core::fuzzing::decode_v1_requests(data));
