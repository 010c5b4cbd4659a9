//! Fuzzes one JSON decoder: whatever decodes must re-encode and decode to the same value.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| qod_core::fuzzing::decode_qos_profiles(data));
