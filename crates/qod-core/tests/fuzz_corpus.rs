//! Replays the fuzz corpus through the fuzz entry points on stable, so every CI run covers them.
use std::path::Path;

fn replay(target: &str, f: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        f(&data);
        // Every prefix too: truncation is the most common hostile input.
        for cut in (0..data.len()).step_by(7) {
            f(&data[..cut]);
        }
        n += 1;
    }
    n
}

#[cfg(feature = "v0")]
#[test]
fn test_replay_decode_json_corpus() {
    assert!(replay("decode_json", qod_core::fuzzing::decode_all) >= 10);
}

#[test]
fn test_replay_read_response_corpus() {
    assert!(replay("read_response", qod_core::fuzzing::read_response) >= 6);
}

#[cfg(feature = "v1")]
#[test]
fn test_replay_decode_v1_json_corpus() {
    assert!(replay("decode_v1_json", qod_core::fuzzing::decode_v1_all) >= 15);
    // The v0 documents are hostile input for the v1 decoders too.
    assert!(replay("decode_json", qod_core::fuzzing::decode_v1_all) >= 10);
}

#[test]
fn test_replay_parse_date_time_corpus() {
    assert!(replay("parse_date_time", qod_core::fuzzing::parse_date_time) >= 8);
}
