;; Counts its ticks in a global and in memory; odd ticks change both (and the world) and then
;; trap. If rollback restores the instance, only even ticks' increments survive, so on tick t
;; (even) both counters hold t/2; otherwise it traps again.
(module
  (import "game" "plant" (func $plant (param i32 i32 i32) (result i32)))
  (memory 1)
  (global $n (mut i64) (i64.const 0))
  (func (export "on_tick") (param $t i64)
    (global.set $n (i64.add (global.get $n) (i64.const 1)))
    (i64.store (i32.const 64) (i64.add (i64.load (i32.const 64)) (i64.const 1)))
    (if (i64.eq (i64.rem_u (local.get $t) (i64.const 2)) (i64.const 1))
      (then
        (drop (call $plant (i32.const 2) (i32.const 2) (i32.const 1)))
        unreachable))
    (if (i64.ne (global.get $n) (i64.div_u (local.get $t) (i64.const 2))) (then unreachable))
    (if (i64.ne (i64.load (i32.const 64)) (i64.div_u (local.get $t) (i64.const 2))) (then unreachable))))
