;; A start function that never returns: metered instantiation must stop it.
(module
  (func $start (loop $l (br $l)))
  (start $start)
  (func (export "f") (result i32) (i32.const 1))
)
