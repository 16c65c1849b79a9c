;; Loops around host calls (FuelInstrumenter meters a straight-line loop body that calls the host
;; on the fuel global): HostCallLoopTest runs every export with host functions that do nothing,
;; re-enter the guest, read, charge or add fuel, or swallow a nested failure, and compares fuel
;; to the unit with the same module metered without host-call loops.
(module
  (import "env" "h" (func $h (param i32) (result i32)))
  (type $t (func (param i32) (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) $twice)
  (memory 1)
  (func $twice (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
  ;; what the host's re-entries run: a loop of n iterations, then a host call of its own (nested
  ;; host-call loop through the wrapper)
  (func (export "burn") (param $n i32) (result i32) (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i))
  ;; the benchmark's shape
  (func (export "calls") (param $n i32) (result i32) (local $acc i32)
    (loop $l
      (local.set $acc (call $h (local.get $acc)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc))
  ;; a compute loop after the host-call loop: the local must be reloaded (and capped) at its exit
  (func (export "calls_then_work") (param $n i32) (result i32) (local $acc i32) (local $i i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (call $h (local.get $n))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (loop $w
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $w (i32.lt_u (local.get $i) (i32.const 40))))
    (i32.add (local.get $acc) (local.get $i)))
  ;; two host calls, a table call (a wrapper, which takes fuel from the global) and a helper
  ;; (memory.fill, charged on the global) in one body, after work before the loop
  (func (export "mixed") (param $n i32) (result i32) (local $acc i32) (local $i i32)
    (loop $w
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $w (i32.lt_u (local.get $i) (i32.const 7))))
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (call $h (local.get $i))))
      (local.set $acc (i32.add (local.get $acc) (call_indirect (type $t) (local.get $acc) (i32.const 0))))
      (memory.fill (i32.const 0) (i32.const 7) (local.get $n))
      (local.set $acc (i32.xor (local.get $acc) (call $h (local.get $n))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc))
  ;; a loop with a parameter and a result on its label's stack, called from a clone (fuel passed in)
  (func $inner (param $n i32) (result i32)
    (local.get $n)
    (loop $l (param i32) (result i32)
      (drop)
      (drop (call $h (local.get $n)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (local.get $n)
      (br_if $l (i32.gt_s (local.get $n) (i32.const 0)))))
  (func (export "nested") (param $n i32) (result i32)
    (i32.add (call $inner (local.get $n)) (call $inner (i32.const 2))))
  ;; not host-call loops (a clone call in the body; a branch inside): metered as before
  (func (export "not_straight") (param $n i32) (result i32) (local $acc i32)
    (loop $l
      (if (i32.and (local.get $n) (i32.const 1))
        (then (local.set $acc (call $h (local.get $acc)))))
      (local.set $acc (i32.add (local.get $acc) (call $twice (local.get $n))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc))
)
