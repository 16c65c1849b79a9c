;; No on_tick.
(module
  (func (export "update") (param $t i64)))
