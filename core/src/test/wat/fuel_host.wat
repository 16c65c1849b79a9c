;; Guest -> host -> guest chains for the fuel tests: "outer" calls the host, whose implementation
;; calls back into "inner" (see FuelTest).
(module
  (import "test" "callback" (func $callback (param i32) (result i32)))
  (func (export "outer") (param $n i32) (result i32) (call $callback (local.get $n)))
  (func (export "inner") (param $n i32) (result i32) (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i))
  (func (export "calls") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (call $callback (i32.const 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $s))
)
