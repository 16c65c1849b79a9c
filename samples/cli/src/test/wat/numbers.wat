;; Exports of every numeric type, for argument parsing and result printing.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "add64") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1)))
  (func (export "mulf") (param f32 f32) (result f32) (f32.mul (local.get 0) (local.get 1)))
  (func (export "divd") (param f64 f64) (result f64) (f64.div (local.get 0) (local.get 1)))
  ;; several results of mixed types on one line
  (func (export "split") (param f64) (result i32 f64)
    (i32.trunc_sat_f64_s (local.get 0))
    (f64.sub (local.get 0) (f64.trunc (local.get 0))))
  (func (export "nothing"))
  (func (export "exit_with") (param i32) (call $proc_exit (local.get 0))))
