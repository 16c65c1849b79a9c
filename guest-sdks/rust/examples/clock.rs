// A WASI capability: the clock (wasm32-wasi). stamp("x") -> "<seconds since the epoch> x".
// Without a clock grant Corral's WASI answers 0 (corral-capabilities) or the host's time (plain core).
use std::time::{SystemTime, UNIX_EPOCH};

corral::export! {
    fn stamp(message: &str) -> String {
        // a clock before 1970 reads as 0 rather than failing: no logging grant needed
        let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        format!("{} {}", secs, message)
    }
}
