;; A trivial game mod: on_tick does nothing (ModTickBenchmark).
(module
  (func (export "on_tick") (param $t i64)))
