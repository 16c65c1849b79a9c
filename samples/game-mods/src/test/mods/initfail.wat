;; Traps in on_load: refused at load.
(module
  (func (export "on_load") unreachable)
  (func (export "on_tick") (param $t i64)))
