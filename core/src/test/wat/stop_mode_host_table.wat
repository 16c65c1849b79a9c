;; A table that holds a function reaching the host: every indirect call may reach it, so every
;; export making one is interrupted, never stopped through the stop word (HostReach).
(module
  (import "env" "nap" (func $nap))
  (type $v (func))
  (memory 1)
  (table 2 funcref)
  (elem (i32.const 0) $pure $napper)
  (func $pure)
  (func $napper (call $nap))
  (func (export "indirect") (param i32) (call_indirect (type $v) (local.get 0)))
  (func (export "direct_pure") (call $pure))
  (func (export "spin") (loop $l (br $l)))
)
