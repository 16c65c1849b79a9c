;; Declares ABI 0.2.1 but exports proxy_on_request_headers with 0.1.0's arity. Refused at load.
(module
  (memory (export "memory") 1)
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "proxy_on_memory_allocate") (param i32) (result i32) (i32.const 1024))
  (func (export "proxy_on_context_create") (param i32 i32))
  (func (export "proxy_on_request_headers") (param i32 i32) (result i32) (i32.const 0)))
