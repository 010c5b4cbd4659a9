//! The HTTP response reader fed in arbitrary pieces, then the operation decoders on its result.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| qod_core::fuzzing::read_response(data));
