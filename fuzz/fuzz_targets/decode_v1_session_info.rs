//! Fuzzes the 1.1.0 `SessionInfo` and session-list decoders: whatever decodes must re-encode and decode to the same value.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| qod_core::fuzzing::decode_v1_session_info(data));
