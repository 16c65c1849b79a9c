//! once_cell::sync::Lazy, the one item the WASI test suite uses, on std::sync::Once.
pub mod sync {
    use std::cell::UnsafeCell;
    use std::sync::Once;

    pub struct Lazy<T> {
        once: Once,
        value: UnsafeCell<Option<T>>,
        init: fn() -> T,
    }

    // the value is written once, inside call_once, before any reader can see it
    unsafe impl<T: Sync + Send> Sync for Lazy<T> {}

    impl<T> Lazy<T> {
        pub const fn new(init: fn() -> T) -> Self {
            Lazy { once: Once::new(), value: UnsafeCell::new(None), init }
        }
    }

    impl<T> std::ops::Deref for Lazy<T> {
        type Target = T;

        fn deref(&self) -> &T {
            self.once.call_once(|| unsafe { *self.value.get() = Some((self.init)()) });
            unsafe { (*self.value.get()).as_ref().unwrap() }
        }
    }
}
