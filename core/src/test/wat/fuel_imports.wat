;; Imported globals and functions shift the index spaces: the fuel global goes after the imported
;; and defined globals, the charge helpers after the imported and defined functions.
(module
  (import "env" "g" (global $ig i32))
  (import "env" "h" (func $h (param i32) (result i32)))
  (global $own (mut i32) (i32.const 3))
  (table 2 funcref)
  (elem (i32.const 0) func $twice $h)
  (memory 1)
  (func $twice (export "twice") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
  (func (export "use") (param i32) (result i32)
    (memory.fill (i32.const 0) (i32.const 1) (local.get 0))
    (global.set $own (i32.add (global.get $own) (global.get $ig)))
    (i32.add (global.get $own) (call_indirect (param i32) (result i32) (local.get 0) (i32.const 0))))
)
