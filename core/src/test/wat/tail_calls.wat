;; Tail calls of every kind, for TailCallTest: both execution modes must end every call the same way.
(module
  (type $ii (func (param i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $even $odd)
  ;; self tail recursion a million deep: constant stack once it runs as a loop
  (func $down (export "down") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 42))
      (else (return_call $down (i32.sub (local.get $n) (i32.const 1))))))
  ;; a local of its own: Chicory's interpreter failed on this one (index out of bounds);
  ;; each call (and each tail call) must start with the local at 0
  (func $fresh (export "fresh") (param $n i32) (result i32) (local $x i32)
    (local.set $x (i32.add (local.get $x) (i32.const 1)))
    (if (result i32) (i32.eqz (local.get $n))
      (then (local.get $x))
      (else (return_call $fresh (i32.sub (local.get $n) (i32.const 1))))))
;; branches to the function's own label from a nested block, next to a self tail call
  ;; (one kind per function: Chicory's compiler fails on a br_if and a br_table out of the same
  ;; value block, tail calls or not)
  (func $brif (export "brif") (param $n i32) (result i32)
    (drop (block $b (result i32)
      (br_if 1 (i32.const 1000) (i32.gt_u (local.get $n) (i32.const 1000)))))
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 5))
      (else (return_call $brif (i32.sub (local.get $n) (i32.const 1))))))
  (func $brtable (export "brtable") (param $n i32) (result i32)
    (drop (block $b (result i32)
      (br_table $b 1 (local.get $n) (i32.eq (local.get $n) (i32.const 7)))))
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 5))
      (else (return_call $brtable (i32.sub (local.get $n) (i32.const 1))))))
  ;; mutual tail recursion: each call uses a frame in both modes
  (func $even (export "even") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n)) (then (i32.const 1))
      (else (return_call $odd (i32.sub (local.get $n) (i32.const 1))))))
  (func $odd (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n)) (then (i32.const 0))
      (else (return_call_indirect (type $ii) (i32.sub (local.get $n) (i32.const 1)) (i32.const 0)))))
  ;; runaway recursion through tail calls to another function
  (func $ping (param i32) (result i32) (return_call $pong (i32.add (local.get 0) (i32.const 1))))
  (func $pong (param i32) (result i32) (return_call $ping (local.get 0)))
  (func (export "rec_forever") (result i32) (call $ping (i32.const 0)))
)
