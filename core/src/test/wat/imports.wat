;; Needs host functions (and a global) the default policy does not grant.
(module
  (import "env" "log" (func $log (param i32 i32)))
  (import "env" "now" (func $now (result i64)))
  (import "env" "limit" (global i32))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello")
  (func (export "hello") (call $log (i32.const 16) (i32.const 5)))
  (func (export "time") (result i64) (call $now))
)
