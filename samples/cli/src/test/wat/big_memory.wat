;; Needs 4 pages (256 KiB) at start, declares a max of 8.
(module
  (memory (export "memory") 4 8)
  (func (export "pages") (result i32) (memory.size)))
