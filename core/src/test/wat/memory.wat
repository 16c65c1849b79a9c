;; Memory growth against limits. grow returns the old size or -1, as the spec says.
(module
  (memory (export "memory") 1)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  (func (export "bomb") (result i32) (local $n i32)
    (block $done (loop $l
      (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $l)))
    (local.get $n))
)
