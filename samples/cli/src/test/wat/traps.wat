;; Each failure the CLI maps to its own exit code.
(module
  (memory 1)
  (func (export "unreachable") unreachable)
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "oob") (result i32) (i32.load (i32.const 70000)))
  ;; closed by br_if: the shape Chicory's interpreter does not interrupt by itself
  (func (export "spin") (loop (br_if 0 (i32.const 1))))
  (func $down (export "recurse") (param i32) (result i32)
    (i32.add (i32.const 1) (call $down (i32.add (local.get 0) (i32.const 1)))))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
