;; A plugin speaking Corral guest ABI v1 by hand: a bump allocator whose behaviour tests can turn
;; hostile, exports that forward (ptr, len) pairs to the host module "demo", and string/bytes exports.
(module
  (import "demo" "greet" (func $greet (param i32 i32) (result i64)))
  (import "demo" "reverse" (func $reverse (param i32 i32) (result i64)))
  (import "demo" "sum" (func $sum (param i32 i32) (result i32)))
  (import "demo" "add" (func $add (param i32 i32) (result i32)))
  (import "demo" "scale" (func $scale (param f64 f32) (result f64)))
  (import "demo" "not" (func $not (param i32) (result i32)))
  (import "demo" "big" (func $big (param i64) (result i64)))
  (import "demo" "plugin_name" (func $plugin_name (result i64)))
  (import "demo" "log" (func $log (param i32 i32)))
  (memory (export "memory") 1 128)
  (global $heap (mut i32) (i32.const 4096))
  ;; 0 bump; 1 return 0; 2 return a pointer past the end of memory; 3 return the last byte of memory
  (global $mode (mut i32) (i32.const 0))
  (global $allocs (mut i32) (i32.const 0))
  (global $frees (mut i32) (i32.const 0))
  (data (i32.const 16) "Hello, ")

  (func (export "corral_abi_v1"))

  (func $alloc (export "cabi_realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $size i32) (result i32)
    (local $p i32)
    (if (i32.eqz (local.get $size))
      (then (global.set $frees (i32.add (global.get $frees) (i32.const 1))) (return (i32.const 0))))
    (global.set $allocs (i32.add (global.get $allocs) (i32.const 1)))
    (if (i32.eq (global.get $mode) (i32.const 1)) (then (return (i32.const 0))))
    (if (i32.eq (global.get $mode) (i32.const 2)) (then (return (i32.const -16))))
    (if (i32.eq (global.get $mode) (i32.const 3))
      (then (return (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 1)))))
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (local.get $p) (local.get $size)))
    (block $ok
      (loop $grow
        (br_if $ok (i32.le_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536))))
        (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then (return (i32.const 0))))
        (br $grow)))
    (local.get $p))

  (func (export "set_alloc_mode") (param i32) (global.set $mode (local.get 0)))
  (func (export "allocs") (result i32) (global.get $allocs))
  (func (export "frees") (result i32) (global.get $frees))

  ;; forwarders: whatever (ptr, len) the host passes goes to the host function unchanged
  (func (export "call_greet") (param i32 i32) (result i64) (call $greet (local.get 0) (local.get 1)))
  (func (export "call_reverse") (param i32 i32) (result i64) (call $reverse (local.get 0) (local.get 1)))
  (func (export "call_sum") (param i32 i32) (result i32) (call $sum (local.get 0) (local.get 1)))
  (func (export "call_add") (param i32 i32) (result i32) (call $add (local.get 0) (local.get 1)))
  (func (export "call_scale") (param f64 f32) (result f64) (call $scale (local.get 0) (local.get 1)))
  (func (export "call_not") (param i32) (result i32) (call $not (local.get 0)))
  (func (export "call_big") (param i64) (result i64) (call $big (local.get 0)))
  (func (export "call_plugin_name") (result i64) (call $plugin_name))
  (func (export "call_log") (param i32 i32) (call $log (local.get 0) (local.get 1)))

  ;; "Hello, " + input + "!" computed by the guest, in memory from its own allocator
  (func (export "greet") (param $p i32) (param $n i32) (result i64)
    (local $out i32) (local $len i32)
    (local.set $len (i32.add (local.get $n) (i32.const 8)))
    (local.set $out (call $alloc (i32.const 0) (i32.const 0) (i32.const 1) (local.get $len)))
    (memory.copy (local.get $out) (i32.const 16) (i32.const 7))
    (memory.copy (i32.add (local.get $out) (i32.const 7)) (local.get $p) (local.get $n))
    (i32.store8 (i32.add (local.get $out) (i32.add (local.get $n) (i32.const 7))) (i32.const 33))
    (i64.or (i64.shl (i64.extend_i32_u (local.get $out)) (i64.const 32)) (i64.extend_i32_u (local.get $len))))

  ;; a packed (ptr, len) straight from the caller: lets tests hand the host hostile results
  (func (export "raw_result") (param i64) (result i64) (local.get 0))
  (func (export "raw_result_bytes") (param i64) (result i64) (local.get 0))
)
