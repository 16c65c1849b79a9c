;; A WASI-style reactor: _initialize must run once, before any other export.
(module
  (global $ready (mut i32) (i32.const 0))
  (func (export "_initialize") (global.set $ready (i32.add (global.get $ready) (i32.const 1))))
  (func (export "ready") (result i32) (global.get $ready)))
