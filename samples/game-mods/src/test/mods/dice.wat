;; Draws WASI randomness every tick and plants where it says; odd ticks trap after drawing. If a
;; rolled-back tick rewinds the stream, its world ends like dice_calm's, which never draws on odd ticks.
(module
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (import "game" "plant" (func $plant (param i32 i32 i32) (result i32)))
  (memory 1)
  (func (export "on_tick") (param $t i64)
    (local $r i32)
    (drop (call $random (i32.const 0) (i32.const 4)))
    (local.set $r (i32.load (i32.const 0)))
    (if (i64.eq (i64.rem_u (local.get $t) (i64.const 2)) (i64.const 1)) (then unreachable))
    (drop (call $plant (i32.rem_u (local.get $r) (i32.const 48))
                       (i32.rem_u (i32.shr_u (local.get $r) (i32.const 8)) (i32.const 20))
                       (i32.const 2)))))
