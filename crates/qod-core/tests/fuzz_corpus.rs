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

#[test]
fn test_replay_decode_json_corpus() {
    assert!(replay("decode_json", qod_core::fuzzing::decode_all) >= 10);
}

#[test]
fn test_replay_read_response_corpus() {
    assert!(replay("read_response", qod_core::fuzzing::read_response) >= 6);
}
