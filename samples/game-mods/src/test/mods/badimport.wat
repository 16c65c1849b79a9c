;; Imports something a mod may not have.
(module
  (import "env" "system" (func $system (param i32) (result i32)))
  (func (export "on_tick") (param $t i64)))
