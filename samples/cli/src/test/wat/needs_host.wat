;; Imports something nothing grants: unlinkable.
(module
  (import "env" "get_secret" (func (param i32) (result i32)))
  (func (export "run")))
