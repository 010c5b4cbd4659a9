//! Fuzzes the 1.1.0 `QosProfile` and profile-list decoders.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| qod_core::fuzzing::decode_v1_qos_profiles(data));
