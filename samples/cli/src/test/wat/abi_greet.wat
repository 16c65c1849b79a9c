;; A (string) -> string plugin speaking Corral guest ABI v1, for --input / --input-bytes.
(module
  (memory (export "memory") 1 64)
  (global $heap (mut i32) (i32.const 4096))
  (data (i32.const 16) "Hello, ")
  (data (i32.const 32) "\ff\fe")
  (func (export "corral_abi_v1"))
  (func $alloc (export "cabi_realloc") (param i32 i32 i32) (param $size i32) (result i32)
    (local $p i32)
    (if (i32.eqz (local.get $size)) (then (return (i32.const 0))))
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (local.get $p) (local.get $size)))
    (block $ok
      (loop $grow
        (br_if $ok (i32.le_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536))))
        (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then (return (i32.const 0))))
        (br $grow)))
    (local.get $p))
  ;; "Hello, " + input + "!"
  (func (export "greet") (param $p i32) (param $n i32) (result i64)
    (local $out i32) (local $len i32)
    (local.set $len (i32.add (local.get $n) (i32.const 8)))
    (local.set $out (call $alloc (i32.const 0) (i32.const 0) (i32.const 1) (local.get $len)))
    (memory.copy (local.get $out) (i32.const 16) (i32.const 7))
    (memory.copy (i32.add (local.get $out) (i32.const 7)) (local.get $p) (local.get $n))
    (i32.store8 (i32.add (local.get $out) (i32.add (local.get $n) (i32.const 7))) (i32.const 33))
    (i64.or (i64.shl (i64.extend_i32_u (local.get $out)) (i64.const 32)) (i64.extend_i32_u (local.get $len))))
  ;; the input's bytes in reverse order
  (func (export "reverse") (param $p i32) (param $n i32) (result i64)
    (local $out i32) (local $i i32)
    (local.set $out (call $alloc (i32.const 0) (i32.const 0) (i32.const 1) (local.get $n)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store8 (i32.add (local.get $out) (local.get $i))
          (i32.load8_u (i32.sub (i32.add (local.get $p) (local.get $n)) (i32.add (local.get $i) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (i64.or (i64.shl (i64.extend_i32_u (local.get $out)) (i64.const 32)) (i64.extend_i32_u (local.get $n))))
  ;; returns 2 bytes that are not UTF-8
  (func (export "garbage") (param i32 i32) (result i64) (i64.const 0x0000002000000002))
  ;; returns a range past the end of memory
  (func (export "wild") (param i32 i32) (result i64) (i64.const 0xfffffff000000100))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
)
