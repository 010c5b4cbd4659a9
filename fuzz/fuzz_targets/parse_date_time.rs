//! Fuzzes the RFC 3339 parser: whatever parses writes canonically and parses back to the same value.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| qod_core::fuzzing::parse_date_time(data));
