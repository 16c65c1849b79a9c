;; Declares ABI v1 and asks the host for a string, but exports no allocator to receive it in.
(module
  (import "t" "hello" (func $hello (result i64)))
  (memory (export "memory") 1)
  (func (export "corral_abi_v1"))
  (func (export "run") (result i64) (call $hello))
)
