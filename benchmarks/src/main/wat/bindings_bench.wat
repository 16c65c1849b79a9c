;; Guest side of BindingsBenchmark: loops of host calls, and a string export, speaking ABI v1.
(module
  (import "bench" "add" (func $add (param i32 i32) (result i32)))
  (import "bench" "consume" (func $consume (param i32 i32) (result i32)))
  (import "bench" "peek" (func $peek (param i32 i32) (result i32)))
  (import "bench" "peek_bytes" (func $peek_bytes (param i32 i32) (result i32)))
  (memory (export "memory") 2)
  (data (i32.const 1024) "0123456789abcdef0123456789abcdef")
  (data (i32.const 16) "Hello, ")
  (global $heap (mut i32) (i32.const 4096))
  (func (export "corral_abi_v1"))
  ;; bump allocator that wraps around: the benchmark frees everything it allocates before the next call
  (func $alloc (export "cabi_realloc") (param i32 i32 i32) (param $size i32) (result i32)
    (local $p i32)
    (if (i32.eqz (local.get $size)) (then (return (i32.const 0))))
    (if (i32.gt_u (i32.add (global.get $heap) (local.get $size)) (i32.const 131072))
      (then (global.set $heap (i32.const 4096))))
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (local.get $p) (local.get $size)))
    (local.get $p))
;; host calls in a loop: in compiled mode Corral's loop rewrite (a forward `br` out of an empty
;; block) costs nothing, and a small loop body compiles the same way every time, unlike 100
;; straight-line call sites whose inlining varies from one JIT run to the next
  (func (export "add_loop") (param $n i32) (result i32)
    (local $acc i32)
    (loop $l
      (local.set $acc (call $add (local.get $acc) (i32.const 1)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc))
;; the same host call in loops with branches, which keep their fuel in the function's local (the
;; fuel global form measured slower or no faster for them: benchmarks/README.md, fourth pass):
;; an exit test at the top and a plain br back (CallCost --case "hostwhile ..."), the same with an
;; if inside (--case "hostif ..."), and ten segments per iteration (--case "hostbranchy ...")
  (func (export "add_loop_while") (param $n i32) (result i32)
    (local $acc i32)
    (block $exit
      (loop $l
        (br_if $exit (i32.eqz (local.get $n)))
        (local.set $acc (call $add (local.get $acc) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $acc))
  (func (export "add_loop_if") (param $n i32) (result i32)
    (local $acc i32)
    (block $exit
      (loop $l
        (br_if $exit (i32.eqz (local.get $n)))
        (if (i32.and (local.get $n) (i32.const 1))
          (then (local.set $acc (i32.add (local.get $acc) (i32.const 3)))))
        (local.set $acc (call $add (local.get $acc) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $acc))
  (func (export "add_loop_branchy") (param $n i32) (result i32)
    (local $acc i32)
    (block $exit
      (loop $l
        (br_if $exit (i32.eqz (local.get $n)))
        (if (i32.and (local.get $n) (i32.const 1))
          (then (local.set $acc (i32.add (local.get $acc) (i32.const 3))))
          (else (local.set $acc (i32.sub (local.get $acc) (i32.const 1)))))
        (block $skip
          (br_if $skip (i32.lt_u (local.get $n) (i32.const 4)))
          (local.set $acc (i32.xor (local.get $acc) (local.get $n))))
        (if (i32.eq (local.get $n) (i32.const -12345)) (then unreachable))
        (local.set $acc (call $add (local.get $acc) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $acc))
  (func (export "consume_loop") (param $n i32) (result i32)
    (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (call $consume (i32.const 1024) (i32.const 32))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc))
  ;; a 16 KiB range handed to the host, as a ByteBuffer view and as a byte[] copy
  (func (export "peek_loop") (param $n i32) (result i32)
    (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (call $peek (i32.const 4096) (i32.const 16384))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc))
  (func (export "peek_bytes_loop") (param $n i32) (result i32)
    (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (call $peek_bytes (i32.const 4096) (i32.const 16384))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc))
  (func (export "greet") (param $p i32) (param $n i32) (result i64)
    (local $out i32) (local $len i32)
    (local.set $len (i32.add (local.get $n) (i32.const 8)))
    (local.set $out (call $alloc (i32.const 0) (i32.const 0) (i32.const 1) (local.get $len)))
    (memory.copy (local.get $out) (i32.const 16) (i32.const 7))
    (memory.copy (i32.add (local.get $out) (i32.const 7)) (local.get $p) (local.get $n))
    (i32.store8 (i32.add (local.get $out) (i32.add (local.get $n) (i32.const 7))) (i32.const 33))
    (i64.or (i64.shl (i64.extend_i32_u (local.get $out)) (i64.const 32)) (i64.extend_i32_u (local.get $len))))
)
