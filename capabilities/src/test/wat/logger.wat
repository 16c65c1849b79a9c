;; Logs through the corral_log host module.
(module
  (import "corral_log" "log" (func $log (param i32 i32 i32)))
  (import "corral_log" "enabled" (func $enabled (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "hello log")
  (data (i32.const 64) "caf\c3\a9 and more text after the cut")
  ;; a record forger: a newline and a fake prefix, a carriage return, an ANSI colour sequence
  (data (i32.const 128) "ok\0a[other] ERROR forged\0dback\1b[31mred")
  (func (export "say_evil") (param $level i32) (call $log (local.get $level) (i32.const 128) (i32.const 36)))
  (func (export "say") (param $level i32) (call $log (local.get $level) (i32.const 0) (i32.const 9)))
  (func (export "say_long") (param $level i32) (call $log (local.get $level) (i32.const 64) (i32.const 36)))
  (func (export "enabled") (param i32) (result i32) (call $enabled (local.get 0))))
