;; Two memories: both bounded by the policy's maxMemory, which bounds their sum.
(module
  (memory $a 1)
  (memory $b 1)
  (func (export "grow_a") (param i32) (result i32) (memory.grow $a (local.get 0)))
  (func (export "grow_b") (param i32) (result i32) (memory.grow $b (local.get 0)))
  (func (export "size_b") (result i32) (memory.size $b))
  (func (export "store_b") (param i32 i32) (i32.store $b (local.get 0) (local.get 1)))
  (func (export "load_b") (param i32) (result i32) (i32.load $b (local.get 0)))
  ;; grows memory b a page at a time until refused; returns the number of pages it got
  (func (export "bomb_b") (result i32) (local $n i32)
    (block $done
      (loop $again
        (br_if $done (i32.eq (memory.grow $b (i32.const 1)) (i32.const -1)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $again)))
    (local.get $n)))
