;; A function reference handed in by the host: an indirect call may then reach anything, the host
;; included, so it is interrupted, never stopped through the stop word (InterruptOnly).
(module
  (import "env" "nap" (func $nap))
  (type $v (func))
  (memory 1)
  (table 1 funcref)
  (func $pure)
  (elem declare func $pure)
  (func (export "call_given") (param funcref)
    (table.set 0 (i32.const 0) (local.get 0))
    (call_indirect (type $v) (i32.const 0)))
  (func (export "spin") (loop $l (br $l)))
)
