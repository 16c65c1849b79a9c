;; Acts on the world, then traps: every tick faults, and none of its changes may survive.
(module
  (import "game" "spawn" (func $spawn (param i32 i32) (result i32)))
  (import "game" "plant" (func $plant (param i32 i32 i32) (result i32)))
  (func (export "on_tick") (param $t i64)
    (drop (call $spawn (i32.const 0) (i32.const 0)))
    (drop (call $plant (i32.const 1) (i32.const 1) (i32.const 3)))
    unreachable))
