;; Which fuel wrappers can run (WrapperUse): a function only ever called directly runs as its
;; clone, so its wrapper is dead; one reached from an export, a table, ref.func (kept even if only dropped), the start
;; function or a function that charges the fuel global itself (here: one with a tail call, when
;; instrumented as written) keeps it. Every export must give the same results metered or not.
(module
  (type $ii (func (param i32) (result i32)))
  (table 4 funcref)
  (elem (i32.const 0) $viaTable $viaTable2)
  (elem declare func $refInCode)
  (global $started (mut i32) (i32.const 0))
  (func $onlyDirect (param i32) (result i32) (i32.mul (local.get 0) (i32.const 5)))
  (func $internal (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func $viaTable (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
  (func $viaTable2 (param i32) (result i32) (i32.sub (local.get 0) (i32.const 3)))
  (func $refInCode (param i32) (result i32) (local.get 0))
  (func $fromTailer (param i32) (result i32) (i32.add (local.get 0) (i32.const 10)))
  (func $init (global.set $started (i32.const 100)))
  (start $init)
  ;; charges the fuel global directly when instrumented with its tail call: calls wrappers
  (func $tailer (param i32) (result i32)
    (if (result i32) (i32.le_s (local.get 0) (i32.const 0))
      (then (call $fromTailer (local.get 0)))
      (else (return_call $internal (local.get 0)))))
  (func $exported (export "exported") (param i32) (result i32)
    (i32.add (call $onlyDirect (call $internal (local.get 0))) (global.get $started)))
  (func (export "run") (param i32) (result i32)
    (drop (ref.func $refInCode))
    (i32.add
      (i32.add (call $exported (local.get 0)) (call_indirect (type $ii) (local.get 0) (i32.const 0)))
      (i32.add (call_indirect (type $ii) (local.get 0) (i32.const 1)) (call $tailer (local.get 0))))))
