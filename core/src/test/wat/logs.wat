;; A plugin that logs through corral_log (the logging capability) and asks the host for a value.
(module
  (import "corral_log" "log" (func $log (param i32 i32 i32)))
  (import "host" "value" (func $value (result i32)))
  (memory (export "memory") 1)
  (func (export "run") (result i32) (call $log (i32.const 2) (i32.const 0) (i32.const 0)) (call $value))
)
