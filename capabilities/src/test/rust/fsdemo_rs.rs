// A WASI command in Rust (std only), built by the Maven build with Debian's rustc for wasm32-wasi:
// std::fs, std::env and SystemTime run on our WASI exactly as on a real system.
use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    println!("args: {:?}", &args[1..]);
    match std::env::var("GREETING") {
        Ok(v) => println!("env GREETING: {}", v),
        Err(_) => println!("env GREETING: (unset)"),
    }
    let t = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    println!("realtime secs: {}", t);
    match std::fs::read_to_string("/data/input.txt") {
        Ok(s) => println!("read: {}", s),
        Err(e) => println!("read: {}", e),
    }
    match std::fs::write("/data/output.txt", "from rust\n") {
        Ok(()) => println!("write: ok"),
        Err(e) => println!("write: {}", e),
    }
    match std::fs::read_dir("/data") {
        Ok(rd) => {
            let mut names: Vec<String> = rd.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect();
            names.sort();
            println!("list: {}", names.join(" "));
        }
        Err(e) => println!("list: {}", e),
    }
    match std::fs::read_to_string("/data/../outside.txt") {
        Ok(s) => println!("escape: {}", s),
        Err(e) => println!("escape: {}", e),
    }
    if args.iter().any(|a| a == "hashmap") {
        // std's HashMap seeds itself from random_get: without a random grant this panics
        let mut m = HashMap::new();
        m.insert("k", 1);
        println!("hashmap: {}", m["k"]);
    }
}
