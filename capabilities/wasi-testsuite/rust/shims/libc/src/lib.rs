//! What the WASI test suite uses of the libc crate; wasi-libc (linked by Rust's wasm32-wasi std) defines isatty.
pub const STDERR_FILENO: i32 = 2;

extern "C" {
    pub fn isatty(fd: i32) -> i32;
}
