;; Exports the name Corral reserves for its fuel global: metering it must fail with a clear error.
(module
  (global (export "__corral_fuel") (mut i64) (i64.const 0))
  (func (export "f") (result i32) (i32.const 1))
)
