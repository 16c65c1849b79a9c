;; Plain numbers only: no ABI marker needed for host modules or guest interfaces.
(module
  (import "demo" "add" (func $add (param i32 i32) (result i32)))
  (func (export "call_add") (param i32 i32) (result i32) (call $add (local.get 0) (local.get 1)))
)
