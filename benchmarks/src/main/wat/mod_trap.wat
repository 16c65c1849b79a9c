;; A game mod whose every tick faults: measures the rollback (ModTickBenchmark).
(module
  (memory 1)
  (func (export "on_tick") (param $t i64)
    (i64.store (i32.const 0) (local.get $t))
    unreachable))
