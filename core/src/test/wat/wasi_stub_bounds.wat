;; The no-grant WASI stub's bounds: one fd_write of 1024 iovecs of 64 KiB each (64 MiB claimed),
;; and sockets on stdio and on a descriptor that does not exist.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_shutdown" (func $sock_shutdown (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; iovecs at 0..8192: each (ptr 0, len 65536); nwritten at 8192
  (func (export "huge_write") (result i32)
    (local $i i32)
    (loop $l
      (i32.store (i32.mul (local.get $i) (i32.const 8)) (i32.const 0))
      (i32.store (i32.add (i32.mul (local.get $i) (i32.const 8)) (i32.const 4)) (i32.const 65536))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 1024))))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1024) (i32.const 8192)))
    (i32.load (i32.const 8192)))
  (func (export "sock") (param i32) (result i32) (call $sock_shutdown (local.get 0) (i32.const 0)))
)
