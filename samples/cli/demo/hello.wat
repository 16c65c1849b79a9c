;; Corral's demo plugin: a WASI command that greets, and an export `add` for --invoke.
;; Built by run-demo.sh with wabt's wat2wasm; no binary is committed.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "Hello from a WebAssembly plugin, running in Corral's sandbox!\n")

  (func (export "_start")
    ;; one iovec at address 0: { buf = 64, len = 62 }; bytes written land at 8
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 62))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1))))
