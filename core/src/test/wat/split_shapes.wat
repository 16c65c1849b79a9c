;; Shapes the function splitter must cut without changing behaviour (FunctionSplitterTest splits
;; every function here with tiny budgets, so nearly every run and switch arm moves to a helper).
(module
  (type $binop (func (param i32 i32) (result i32)))
  (type $two (func (result i32 i64)))
  (type $pair (func (param i32 i32) (result i32 i32)))
  (memory (export "memory") 1)
  (global $counter (mut i32) (i32.const 0))
  (global $acc (mut i64) (i64.const 7))
  (table 4 funcref)
  (elem (i32.const 0) $add $sub $mul $fib)

  ;; a bytecode program for $vm: (opcode, operand) pairs
  (data (i32.const 0) "\01\05\01\07\02\00\03\00\01\03\04\00\05\00\01\02\06\00\07\00\08\00\09\00\0a\00\0b\00\0c\00\0d\03\0e\00\0f\00\10\00\11\00\12\00\13\00\00\00")
  ;; a looping program: counts down from 30, accumulating
  (data (i32.const 100) "\01\1e\0d\00\00\00")
  ;; a trapping program: divides by zero
  (data (i32.const 200) "\01\05\01\00\15\00\00\00")

  (func $add (type $binop) (i32.add (local.get 0) (local.get 1)))
  (func $sub (type $binop) (i32.sub (local.get 0) (local.get 1)))
  (func $mul (type $binop) (i32.mul (local.get 0) (local.get 1)))
  (func $fib (type $binop)
    (if (result i32) (i32.lt_s (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)) (i32.const 0))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)) (i32.const 0))))))

  ;; A switch interpreter: a loop around a nest of blocks with a br_table innermost (what C
  ;; compilers make of `for (;;) switch (op) {...}`). Arms fall through, jump forward to other
  ;; arms, leave the loop, return from inside, carry an i64 and an f64 across iterations.
  (func $vm (export "vm") (param $pc i32) (result i64)
    (local $op i32) (local $arg i32) (local $sp i32) (local $a i32) (local $b i32)
    (local $wide i64) (local $f f64) (local $steps i32)
    (local.set $sp (i32.const 1024))
    (local.set $wide (i64.const 1))
    (local.set $f (f64.const 0.5))
    (block $done
      (loop $next
        (local.set $steps (i32.add (local.get $steps) (i32.const 1)))
        (if (i32.gt_u (local.get $steps) (i32.const 10000)) (then (br $done)))
        (local.set $op (i32.load8_u (local.get $pc)))
        (local.set $arg (i32.load8_u offset=1 (local.get $pc)))
        (local.set $pc (i32.add (local.get $pc) (i32.const 2)))
        (block $exit
        (block $o21 (block $o20 (block $o19 (block $o18 (block $o17 (block $o16 (block $o15 (block $o14
        (block $o13 (block $o12 (block $o11 (block $o10 (block $o9 (block $o8 (block $o7 (block $o6
        (block $o5 (block $o4 (block $o3 (block $o2 (block $o1 (block $o0
          (br_table $o0 $o1 $o2 $o3 $o4 $o5 $o6 $o7 $o8 $o9 $o10 $o11 $o12 $o13 $o14 $o15 $o16 $o17
                    $o18 $o19 $o20 $o21 $exit (local.get $op)))
          ;; 0: halt
          (br $done))
          ;; 1: push arg
          (i32.store (local.get $sp) (local.get $arg))
          (local.set $sp (i32.add (local.get $sp) (i32.const 4)))
          (br $next))
          ;; 2: add
          (local.set $sp (i32.sub (local.get $sp) (i32.const 4)))
          (local.set $a (i32.load (local.get $sp)))
          (local.set $b (i32.load (i32.sub (local.get $sp) (i32.const 4))))
          (i32.store (i32.sub (local.get $sp) (i32.const 4)) (i32.add (local.get $a) (local.get $b)))
          (br $next))
          ;; 3: dup, then falls through into 4
          (i32.store (local.get $sp) (i32.load (i32.sub (local.get $sp) (i32.const 4))))
          (local.set $sp (i32.add (local.get $sp) (i32.const 4))))
          ;; 4: mul
          (local.set $sp (i32.sub (local.get $sp) (i32.const 4)))
          (i32.store (i32.sub (local.get $sp) (i32.const 4))
            (call_indirect (type $binop) (i32.load (i32.sub (local.get $sp) (i32.const 4))) (i32.load (local.get $sp)) (i32.const 2)))
          (br $next))
          ;; 5: wide *= top, jumps forward to 9's code
          (local.set $wide (i64.mul (local.get $wide) (i64.extend_i32_s (i32.load (i32.sub (local.get $sp) (i32.const 4))))))
          (br $o9))
          ;; 6: float work
          (local.set $f (f64.add (f64.mul (local.get $f) (f64.const 3.0)) (f64.convert_i32_s (local.get $steps))))
          (br $next))
          ;; 7: select and globals
          (global.set $counter (select (local.get $steps) (global.get $counter) (i32.and (local.get $steps) (i32.const 1))))
          (br $next))
          ;; 8: a block with a result and a br_if carrying it
          (local.set $a (block $v (result i32)
            (drop (br_if $v (i32.const 11) (i32.eqz (i32.and (local.get $steps) (i32.const 2)))))
            (i32.const 22)))
          (i32.store (local.get $sp) (local.get $a))
          (local.set $sp (i32.add (local.get $sp) (i32.const 4)))
          (br $next))
          ;; 9: fold wide into the accumulator
          (global.set $acc (i64.add (global.get $acc) (local.get $wide)))
          (br $next))
          ;; 10: a nested loop with a parameter
          (local.set $a (i32.const 0))
          (i32.const 0)
          (loop $count (param i32) (result i32)
            (local.set $a (i32.add (local.get $a) (i32.const 1)))
            (i32.add (i32.const 3))
            (br_if $count (i32.lt_u (local.get $a) (i32.const 5))))
          (local.set $b)
          (drop (local.get $b))
          (br $next))
          ;; 11: multi-value through a block and a call
          (call $pairs (local.get $steps) (i32.const 3))
          (local.set $b)
          (local.set $a)
          (global.set $counter (i32.add (global.get $counter) (i32.sub (local.get $a) (local.get $b))))
          (br $next))
          ;; 12: recursion through the table
          (i32.store (local.get $sp) (call_indirect (type $binop) (i32.const 12) (i32.const 0) (i32.const 3)))
          (local.set $sp (i32.add (local.get $sp) (i32.const 4)))
          (br $next))
          ;; 13: decrement-and-branch: loop back while the top is positive
          (local.set $a (i32.sub (i32.load (i32.sub (local.get $sp) (i32.const 4))) (i32.const 1)))
          (i32.store (i32.sub (local.get $sp) (i32.const 4)) (local.get $a))
          (local.set $wide (i64.add (local.get $wide) (i64.extend_i32_u (local.get $a))))
          (if (i32.gt_s (local.get $a) (i32.const 0))
            (then (local.set $pc (i32.sub (local.get $pc) (i32.const 2))) (br $next)))
          (br $next))
          ;; 14: early return from deep inside
          (if (i32.gt_u (local.get $steps) (i32.const 1000))
            (then (return (i64.const -1))))
          (br $next))
          ;; 15: f64 into the wide accumulator
          (local.set $wide (i64.add (local.get $wide) (i64.trunc_f64_s (local.get $f))))
          (br $next))
          ;; 16: memory.fill and memory.copy
          (memory.fill (i32.const 2048) (i32.const 7) (i32.const 16))
          (memory.copy (i32.const 2100) (i32.const 2048) (i32.const 16))
          (global.set $counter (i32.add (global.get $counter) (i32.load8_u (i32.const 2105))))
          (br $next))
          ;; 17: a br_table inside an arm, with a default
          (block $x (block $y (block $z
            (br_table $z $y $x (i32.and (local.get $steps) (i32.const 3))))
            (global.set $counter (i32.add (global.get $counter) (i32.const 1))))
            (global.set $counter (i32.add (global.get $counter) (i32.const 10))))
          (br $next))
          ;; 18: leave the switch to the common exit code
          (br $exit))
          ;; 19: i64 rotations
          (local.set $wide (i64.rotl (local.get $wide) (i64.const 3)))
          (br $next))
          ;; 20: an unknown opcode: trap
          (unreachable))
          ;; 21: divide the top two: traps on zero
          (local.set $sp (i32.sub (local.get $sp) (i32.const 4)))
          (i32.store (i32.sub (local.get $sp) (i32.const 4))
            (i32.div_u (i32.load (i32.sub (local.get $sp) (i32.const 4))) (i32.load (local.get $sp))))
          (br $next))
        ;; the common exit of the switch: count, then carry on
        (global.set $counter (i32.add (global.get $counter) (i32.const 100)))
        (br $next)))
    (i64.add
      (i64.add (local.get $wide) (global.get $acc))
      (i64.add (i64.extend_i32_u (i32.add (global.get $counter) (i32.load (i32.const 1024))))
               (i64.trunc_f64_s (local.get $f)))))

  (func $pairs (type $pair)
    (local.get 0) (i32.mul (local.get 1) (local.get 0)))

  ;; straight-line code with values kept on the stack across statements
  (func $stack (export "stack") (param $x i32) (result i32)
    (local $t i32)
    (i32.add
      (i32.mul (local.get $x) (i32.const 3))
      (block (result i32)
        (local.set $t (i32.add (local.get $x) (i32.const 1)))
        (local.set $t (i32.mul (local.get $t) (local.get $t)))
        (if (result i32) (i32.gt_s (local.get $t) (i32.const 50))
          (then (i32.sub (local.get $t) (i32.const 50)))
          (else (i32.add (local.get $t) (call $fib (local.get $x) (i32.const 0))))))))

  ;; results of several types through blocks, returns from nested constructs
  (func $mixed (export "mixed") (param $x i32) (result i64)
    (local $d f64) (local $s f32) (local $w i64)
    (local.set $d (f64.const 1.25))
    (local.set $s (f32.const 2.5))
    (block $out (result i64)
      (local.set $w (i64.extend_i32_s (local.get $x)))
      (if (i32.eqz (local.get $x)) (then (return (i64.const 42))))
      (loop $l
        (local.set $d (f64.mul (local.get $d) (f64.const 1.5)))
        (local.set $s (f32.add (local.get $s) (f32.const 1)))
        (local.set $x (i32.sub (local.get $x) (i32.const 1)))
        (drop (br_if $out (i64.const 99) (i32.eq (local.get $x) (i32.const -5))))
        (br_if $l (i32.gt_s (local.get $x) (i32.const 0))))
      (i64.add (local.get $w)
        (i64.add (i64.trunc_f64_s (local.get $d)) (i64.trunc_f32_s (local.get $s))))))

  ;; a multi-value block and a function returning two values
  (func $multi (export "multi") (param $x i32) (result i32)
    (local $p i32) (local $q i64)
    (block (type $two)
      (i32.const 5)
      (i64.extend_i32_u (local.get $x)))
    (local.set $q)
    (local.set $p)
    (i32.add (local.get $p) (i32.wrap_i64 (local.get $q))))

  (func (export "fib") (param i32) (result i32) (call $fib (local.get 0) (i32.const 0)))
  (func (export "vm_main") (result i64) (call $vm (i32.const 0)))
  (func (export "vm_loop") (result i64) (call $vm (i32.const 100)))
  (func (export "vm_trap") (result i64) (call $vm (i32.const 200)))
)
