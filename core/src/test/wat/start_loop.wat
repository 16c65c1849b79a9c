;; A start function that never returns: instantiation itself must obey the timeout.
(module
  (func $start (loop $l (br_if $l (i32.const 1))))
  (start $start)
  (func (export "f")))
