//! Fuzzes every 1.1.0 decoder and the RFC 3339 parser: whatever decodes must re-encode and decode to the same value.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| qod_core::fuzzing::decode_v1_all(data));
