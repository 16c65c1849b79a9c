;; A switch whose nest of blocks sits inside an if (no else): the splitter wraps the group of
;; arms it moves in a dispatch block, which must never wrap the if (its condition is already on
;; the stack outside). Ruby 3.4 has such a function (func 6920); it came out invalid.
(module
  (func $vm_if (export "vm_if") (param $op i32) (param $flag i32) (result i32) (local $acc i32)
    (local.set $acc (i32.const 100))
    (if (i32.eqz (local.get $flag))
      (then
        (block $o17 (block $o16 (block $o15 (block $o14 (block $o13 (block $o12 (block $o11 (block $o10 (block $o9 (block $o8 (block $o7 (block $o6 (block $o5 (block $o4 (block $o3 (block $o2 (block $o1 (block $o0 
          (br_table $o0 $o1 $o2 $o3 $o4 $o5 $o6 $o7 $o8 $o9 $o10 $o11 $o12 $o13 $o14 $o15 $o16 $o17 (local.get $op)))
        ;; arm 0
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 2)) (i32.const 0)))
        (local.set $acc (i32.xor (local.get $acc) (i32.shl (local.get $op) (i32.const 0))))
        (local.set $acc (i32.rotl (local.get $acc) (i32.add (local.get $flag) (i32.const 0)))))
        ;; arm 1
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 3)) (i32.const 1)))
        (local.set $acc (i32.xor (local.get $acc) (i32.shl (local.get $op) (i32.const 1))))
        (local.set $acc (i32.rotl (local.get $acc) (i32.add (local.get $flag) (i32.const 1)))))
        ;; arm 2
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 4)) (i32.const 2)))
        (local.set $acc (i32.xor (local.get $acc) (i32.shl (local.get $op) (i32.const 2))))
        (local.set $acc (i32.rotl (local.get $acc) (i32.add (local.get $flag) (i32.const 2)))))
        ;; arm 3
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 5)) (i32.const 3)))
        (local.set $acc (i32.xor (local.get $acc) (i32.shl (local.get $op) (i32.const 3))))
        (local.set $acc (i32.rotl (local.get $acc) (i32.add (local.get $flag) (i32.const 3)))))
        ;; arm 4
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 6)) (i32.const 4)))
        (local.set $acc (i32.xor (local.get $acc) (i32.shl (local.get $op) (i32.const 4))))
        (local.set $acc (i32.rotl (local.get $acc) (i32.add (local.get $flag) (i32.const 4)))))
        ;; arm 5
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 7)) (i32.const 5)))
        (local.set $acc (i32.xor (local.get $acc) (i32.shl (local.get $op) (i32.const 0))))
        (local.set $acc (i32.rotl (local.get $acc) (i32.add (local.get $flag) (i32.const 5)))))
        ;; arm 6
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 8)) (i32.const 6)))
        (local.set $acc (i32.xor (local.get $acc) (i32.shl (local.get $op) (i32.const 1))))
        (local.set $acc (i32.rotl (local.get $acc) (i32.add (local.get $flag) (i32.const 6)))))
        ;; arm 7
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 9)) (i32.const 7)))
        (local.set $acc (i32.xor (local.get $acc) (i32.shl (local.get $op) (i32.const 2))))
        (local.set $acc (i32.rotl (local.get $acc) (i32.add (local.get $flag) (i32.const 7)))))
        ;; arm 8
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 10)) (i32.const 8)))
        (local.set $acc (i32.xor (local.get $acc) (i32.shl (local.get $op) (i32.const 3))))
        (local.set $acc (i32.rotl (local.get $acc) (i32.add (local.get $flag) (i32.const 8)))))
        ;; arm 9
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 11)) (i32.const 9)))
        (local.set $acc (i32.xor (local.get $acc) (i32.shl (local.get $op) (i32.const 4))))
        (local.set $acc (i32.rotl (local.get $acc) (i32.add (local.get $flag) (i32.const 9)))))
        ;; arm 10
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 12)) (i32.const 10)))
        (local.set $acc (i32.xor (local.get $acc) (i32.shl (local.get $op) (i32.const 0))))
        (local.set $acc (i32.rotl (local.get $acc) (i32.add (local.get $flag) (i32.const 10)))))
        ;; arm 11
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 13)) (i32.const 11)))
        (local.set $acc (i32.xor (local.get $acc) (i32.shl (local.get $op) (i32.const 1))))
        (local.set $acc (i32.rotl (local.get $acc) (i32.add (local.get $flag) (i32.const 11)))))
        ;; arm 12
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 14)) (i32.const 12)))
        (local.set $acc (i32.xor (local.get $acc) (i32.shl (local.get $op) (i32.const 2))))
        (local.set $acc (i32.rotl (local.get $acc) (i32.add (local.get $flag) (i32.const 12)))))
        ;; arm 13
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 15)) (i32.const 13)))
        (local.set $acc (i32.xor (local.get $acc) (i32.shl (local.get $op) (i32.const 3))))
        (local.set $acc (i32.rotl (local.get $acc) (i32.add (local.get $flag) (i32.const 13)))))
        ;; arm 14
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 16)) (i32.const 14)))
        (local.set $acc (i32.xor (local.get $acc) (i32.shl (local.get $op) (i32.const 4))))
        (local.set $acc (i32.rotl (local.get $acc) (i32.add (local.get $flag) (i32.const 14)))))
        ;; arm 15
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 17)) (i32.const 15)))
        (local.set $acc (i32.xor (local.get $acc) (i32.shl (local.get $op) (i32.const 0))))
        (local.set $acc (i32.rotl (local.get $acc) (i32.add (local.get $flag) (i32.const 15)))))
        ;; arm 16
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 18)) (i32.const 16)))
        (local.set $acc (i32.xor (local.get $acc) (i32.shl (local.get $op) (i32.const 1))))
        (local.set $acc (i32.rotl (local.get $acc) (i32.add (local.get $flag) (i32.const 16)))))
        ;; arm 17
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const 19)) (i32.const 17)))
        (local.set $acc (i32.xor (local.get $acc) (i32.shl (local.get $op) (i32.const 2))))
        (local.set $acc (i32.rotl (local.get $acc) (i32.add (local.get $flag) (i32.const 17))))
    ))
    (local.get $acc))
  (func (export "run_0_0") (result i32) (call $vm_if (i32.const 0) (i32.const 0)))
  (func (export "run_3_0") (result i32) (call $vm_if (i32.const 3) (i32.const 0)))
  (func (export "run_17_0") (result i32) (call $vm_if (i32.const 17) (i32.const 0)))
  (func (export "run_40_0") (result i32) (call $vm_if (i32.const 40) (i32.const 0)))
  (func (export "run_5_1") (result i32) (call $vm_if (i32.const 5) (i32.const 1)))
)
