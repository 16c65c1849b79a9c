;; Two tables: the policy's maxTableElements bounds their sum.
(module
  (table $a 1 funcref)
  (table $b 1 funcref)
  (func (export "grow_a") (param i32) (result i32) (table.grow $a (ref.null func) (local.get 0)))
  (func (export "grow_b") (param i32) (result i32) (table.grow $b (ref.null func) (local.get 0)))
  (func (export "size_b") (result i32) (table.size $b))
  ;; grows table b one element at a time until refused: returns its final size
  (func (export "bomb_b") (result i32)
    (block $done
      (loop $again
        (br_if $done (i32.eq (table.grow $b (ref.null func) (i32.const 1)) (i32.const -1)))
        (br $again)))
    (table.size $b)))
