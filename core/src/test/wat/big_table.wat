;; A table that starts with 20000 elements: over the default policy bound of 10000.
(module
  (table (export "t") 20000 funcref)
  (func (export "size") (result i32) (table.size 0)))
