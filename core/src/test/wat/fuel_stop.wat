;; Metered calls stopped at their deadline by fuel (no interrupt) or, once they called the host,
;; by interrupt: runaway loops of several shapes, a host call that blocks, and bounded work.
(module
  (import "env" "block" (func $block))
  (import "env" "tick" (func $tick))
  (global $counter (mut i64) (i64.const 0))
  ;; a loop in one function: its fuel stays in the clone's local between refills
  (func (export "spin")
    (loop $l (global.set $counter (i64.add (global.get $counter) (i64.const 1))) (br $l)))
  ;; clone-to-clone calls in a loop
  (func (export "spin_calls")
    (loop $l (drop (call $work (i32.const 3))) (br $l)))
  ;; tail calls: no clone, the function charges the fuel global directly
  (func $forever (export "tail_forever") (param $n i32)
    (return_call $forever (i32.add (local.get $n) (i32.const 1))))
  ;; runs guest code after a host call: interrupt mode from then on
  (func (export "tick_then_spin") (call $tick) (loop $l (br $l)))
  (func (export "wait") (call $block))
  ;; bounded work, optionally after a host call
  (func $work (export "work") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 31)) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_s (local.get $i) (local.get $n))))
    (local.get $acc))
  (func (export "tick_work") (param $n i32) (result i32) (call $tick) (call $work (local.get $n)))
  ;; an indirect call, here to pure work: it could reach an import, so it counts as reaching the host
  (type $w (func (param i32) (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) $work)
  (func (export "indirect_work") (param $n i32) (result i32)
    (call_indirect (type $w) (local.get $n) (i32.const 0)))
)
