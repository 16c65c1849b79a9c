// Request hook (the rules and the header encoding: guest-sdks/README.md, "The filter example").
use corral::Level;

fn deny(status: u32, method: &str, path: &str) -> String {
    corral::log(Level::Info, &format!("deny {} {} {}", status, method, path));
    format!("deny {}\n", status)
}

corral::export! {
    fn filter(method: &str, path: &str, headers: &str) -> String {
        if method.is_empty() {
            corral::fail("filter: empty method");
        }
        let mut parsed = Vec::new();
        for line in headers.split('\n').filter(|l| !l.is_empty()) {
            match line.find(": ") {
                Some(i) if i > 0 => parsed.push((line[..i].to_ascii_lowercase(), &line[i + 2..])),
                _ => return deny(400, method, path),
            }
        }
        if !matches!(method, "GET" | "HEAD" | "POST") {
            return deny(405, method, path);
        }
        if path.starts_with("/admin") && !parsed.iter().any(|(n, _)| n == "authorization") {
            return deny(401, method, path);
        }
        let mut out = String::from("allow\n");
        for (name, value) in parsed.iter().filter(|(n, _)| n != "cookie") {
            out.push_str(name);
            out.push_str(": ");
            out.push_str(value);
            out.push('\n');
        }
        out.push_str("x-filtered-by: corral\n");
        out
    }
}
