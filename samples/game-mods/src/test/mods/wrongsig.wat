;; on_tick with the wrong signature.
(module
  (func (export "on_tick") (param $t i32)))
