;; Acts on the world, then loops forever: stopped by the tick's fuel.
(module
  (import "game" "plant" (func $plant (param i32 i32 i32) (result i32)))
  (func (export "on_tick") (param $t i64)
    (drop (call $plant (i32.const 1) (i32.const 1) (i32.const 3)))
    (loop $forever (br $forever))))
