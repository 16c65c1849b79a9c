;; Table growth under the policy's bound: t0 has no declared maximum, t1 declares max 8,
;; big_table.wat starts over the bound.
(module
  (table $t0 (export "t0") 1 funcref)
  (table $t1 (export "t1") 2 8 funcref)
  (func (export "grow") (param i32) (result i32) (table.grow $t0 (ref.null func) (local.get 0)))
  (func (export "grow_capped") (param i32) (result i32) (table.grow $t1 (ref.null func) (local.get 0)))
  (func (export "size") (result i32) (table.size $t0))
  ;; grows one element at a time until refused: returns the final size
  (func (export "bomb") (result i32)
    (block $done
      (loop $again
        (br_if $done (i32.eq (table.grow $t0 (ref.null func) (i32.const 1)) (i32.const -1)))
        (br $again)))
    (table.size $t0)))
