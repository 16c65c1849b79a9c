;; Logs one line through corral_log (granted by --log) from its export `hello`.
(module
  (import "corral_log" "log" (func $log (param i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello from the plugin")
  (func (export "hello") (call $log (i32.const 2) (i32.const 16) (i32.const 21)))
  (func (export "quiet") (call $log (i32.const 1) (i32.const 16) (i32.const 21)))
)
