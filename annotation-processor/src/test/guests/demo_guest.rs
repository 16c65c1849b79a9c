// Uses the Rust module generated from Demo (@HostModule "demo"); built and run by GeneratedDeclarationsTest.
mod demo;
use std::alloc::{alloc, dealloc, realloc, Layout};

#[no_mangle]
pub extern "C" fn corral_abi_v1() {}

#[no_mangle]
pub unsafe extern "C" fn cabi_realloc(old: *mut u8, old_size: usize, align: usize, new_size: usize) -> *mut u8 {
    if new_size == 0 {
        if old_size != 0 { dealloc(old, Layout::from_size_align_unchecked(old_size, align)); }
        return std::ptr::null_mut();
    }
    if old.is_null() || old_size == 0 { alloc(Layout::from_size_align_unchecked(new_size, align)) }
    else { realloc(old, Layout::from_size_align_unchecked(old_size, align), new_size) }
}

#[no_mangle]
pub extern "C" fn run() -> i32 {
    if demo::greet("Corral") != "Hello, Corral!" { return -1000; }
    let r = demo::reverse(b"abc");
    if r != b"cba" { return -2000; }
    demo::log(&(demo::greet("x") + &demo::plugin_name()));
    demo::sum(&r) + demo::add(1, 2) + demo::scale(1.0, 2.0) as i32 + if demo::not(true) { 1 } else { 0 } + demo::big(3) as i32
}
