;; Does nothing, successfully: the trivial mod.
(module
  (func (export "on_tick") (param $t i64)))
