;; memory.atomic.wait on a plugin that runs on one thread could only block: refused at load.
(module
  (memory 1 1 shared)
  (func (export "run") (result i32) (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1))))
