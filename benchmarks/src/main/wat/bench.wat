;; The module every benchmark runs, in Corral and in raw Chicory alike.
(module
  ;; a bounded memory with a data segment, as real plugins have; the declared max keeps raw
  ;; Chicory's page table as small as Corral's bounded one, so instantiate compares like for like
  (memory (export "memory") 1 16)
  (data (i32.const 0) "corral benchmark data segment")
  (global $sp (mut i32) (i32.const 65536)) ;; as compilers emit for the shadow stack

  (func (export "noop"))

  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))

  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add
        (call $fib (i32.sub (local.get $n) (i32.const 1)))
        (call $fib (i32.sub (local.get $n) (i32.const 2)))))))

  ;; a tight loop closed by br_if: an LCG-style mix so the JIT cannot fold it away
  (func (export "loop") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 1664525)) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc))

  ;; memory traffic: writes $n words (up to 4 pages, so across Chicory's 64 KiB page arrays), then
  ;; reads them back as words and as bytes; grows to 4 pages on the first call
  (func (export "memory_traffic") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (if (i32.lt_u (memory.size) (i32.const 4)) (then (drop (memory.grow (i32.const 3)))))
    (loop $w
      (i32.store (i32.shl (local.get $i) (i32.const 2)) (i32.mul (local.get $i) (i32.const -1640531535)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $w (i32.lt_u (local.get $i) (local.get $n))))
    (local.set $i (i32.const 0))
    (loop $r
      (local.set $acc (i32.add (i32.xor (local.get $acc) (i32.load (i32.shl (local.get $i) (i32.const 2))))
                               (i32.load8_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $r (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc)))
