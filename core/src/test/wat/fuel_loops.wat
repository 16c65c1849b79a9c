;; Runaway shapes and small metered workloads for the fuel tests (FuelTest).
(module
  (memory 1)
  (table $t 1 funcref)
  (func (export "spin_br") (loop $l (br $l)))
  (func (export "spin_br_if") (loop $l (br_if $l (i32.const 1))))
  (func (export "spin_br_table") (loop $l (br_table $l $l (i32.const 0))))
  ;; a loop whose back-edge is a `br` out of a nested block at the loop head
  (func (export "spin_nested")
    (loop $l (block $b (br_if $b (i32.const 0)) (br $l))))
  (func $recurse (export "recurse") (call $recurse))
  (func $ping (call $pong))
  (func $pong (call $ping))
  (func (export "mutual") (call $ping))
  (func $tail (export "tail") (return_call $tail))
  ;; sum 0..n-1 with a loop closed by br_if
  (func (export "count") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $l
        (local.set $s (i32.add (local.get $s) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (local.get $n)))))
    (local.get $s))
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_s (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  ;; cost by the model: 1 (end)
  (func (export "nop"))
  ;; cost by the model: local.get local.get i32.add end = 4
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  ;; memory bomb: grows by a page per iteration forever, ignoring failures
  (func (export "grow_forever") (loop $l (drop (memory.grow (i32.const 1))) (br $l)))
  ;; table bomb: grows the table by 1000 slots per iteration forever
  (func (export "table_bomb") (loop $l (drop (table.grow $t (ref.null func) (i32.const 1000))) (br $l)))
  ;; grows once by $n pages: fuel proportional to $n
  (func (export "grow") (param $n i32) (result i32) (memory.grow (local.get $n)))
  ;; traps on 0 after a metered loop
  (func (export "count_then_div") (param $n i32) (result i32) (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.div_u (i32.const 100) (i32.sub (local.get $n) (i32.const 5))))
  ;; a trap inside a function other functions call (so the metered variant runs it as a clone)
  (func $divider (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
  (func (export "divide") (param i32) (result i32) (call $divider (local.get 0)))
  ;; fills $n bytes: fuel proportional to $n / 64
  (func (export "fill") (param $n i32) (memory.fill (i32.const 0) (i32.const 7) (local.get $n)))
)
