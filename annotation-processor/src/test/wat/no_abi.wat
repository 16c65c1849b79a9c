;; Passes strings but declares no ABI version; only primitive functions may be used with it.
(module
  (import "demo" "greet" (func (param i32 i32) (result i64)))
  (import "demo" "add" (func $add (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 8))
  (func (export "greet") (param i32 i32) (result i64) (i64.const 0))
)
