;; For PoolBenchmark's reset-cost rows: 16 MiB + 64 KiB of memory, and exports that dirty N whole
;; 64 KiB pages (memory.fill) or one byte in each of N pages.
(module
  (memory (export "memory") 257 257)
  (global $g (mut i32) (i32.const 0))
  (func (export "noop") (result i32) (global.get $g))
  (func (export "dirty_pages") (param $n i32)
    (global.set $g (i32.add (global.get $g) (i32.const 1)))
    (memory.fill (i32.const 0) (global.get $g) (i32.mul (local.get $n) (i32.const 65536))))
  (func (export "dirty_bytes") (param $n i32)
    (local $i i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store8 (i32.mul (local.get $i) (i32.const 65536)) (i32.add (local.get $i) (i32.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))))
