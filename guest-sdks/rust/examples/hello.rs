// greet: any UTF-8 string in, "Hello, <input>!" out.
corral::export! {
    fn greet(name: &str) -> String {
        let mut out = String::with_capacity(name.len() + 8);
        out.push_str("Hello, ");
        out.push_str(name);
        out.push('!');
        out
    }
}
