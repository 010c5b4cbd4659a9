//! Every JSON decoder on arbitrary bytes; whatever decodes must round-trip.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| qod_core::fuzzing::decode_all(data));
