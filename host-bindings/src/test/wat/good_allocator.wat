;; A fixed-address allocator: enough for one small result.
(module
  (import "t" "hello" (func $hello (result i64)))
  (memory (export "memory") 1)
  (func (export "corral_abi_v1"))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 64))
  (func (export "run") (result i64) (call $hello))
)
