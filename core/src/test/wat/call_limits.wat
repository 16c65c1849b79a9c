;; Per-call and initialization limits (CallLimitsTest): a start function that takes wall-clock
;; time (a host sleep) and fuel (a counted loop), a runaway export, and a way back into the plugin
;; from the host for nested calls.
(module
  (import "env" "sleep" (func $sleep))
  (import "env" "reenter" (func $reenter (param i32) (result i32)))
  (global $ready (mut i32) (i32.const 0))
  (func $start
    (call $sleep)
    (drop (call $count (i32.const 20000)))
    (global.set $ready (i32.const 1)))
  (start $start)
  (func (export "ready") (result i32) (global.get $ready))
  (func (export "spin") (loop $l (br $l)))
  (func $count (export "count") (param $n i32) (result i32) (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_s (local.get $i) (local.get $n))))
    (local.get $i))
  (func (export "sleep") (call $sleep))
  (func (export "via_host") (param i32) (result i32) (call $reenter (local.get 0)))
)
