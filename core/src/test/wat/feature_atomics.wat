;; Atomics on one thread: ordinary bounded accesses. An unaligned atomic access traps (spec).
(module
  (memory 1 1 shared)
  (func (export "add") (param i32) (result i32)
    (drop (i32.atomic.rmw.add (i32.const 0) (local.get 0)))
    (i32.atomic.load (i32.const 0)))
  (func (export "unaligned") (result i32) (i32.atomic.load (i32.const 1))))
