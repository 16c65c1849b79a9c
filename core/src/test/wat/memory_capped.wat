;; Declares its own maximum of 2 pages: no policy may raise it.
(module
  (memory (export "memory") 1 2)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
