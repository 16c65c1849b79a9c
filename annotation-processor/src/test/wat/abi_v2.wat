;; Built for a future ABI: must be refused by a v1 host, at instantiation and at plugin.as(...).
(module
  (import "demo" "greet" (func (param i32 i32) (result i64)))
  (memory (export "memory") 1)
  (func (export "corral_abi_v2"))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 8))
  (func (export "greet") (param i32 i32) (result i64) (i64.const 0))
)
