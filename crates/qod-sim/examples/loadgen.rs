//! Load generator (placeholder; replaced below).
fn main() {}
