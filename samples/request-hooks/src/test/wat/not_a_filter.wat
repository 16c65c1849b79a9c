;; A module that is not a proxy-wasm filter: no proxy_abi_version_* export. Refused at load.
(module
  (memory (export "memory") 1)
  (func (export "proxy_on_memory_allocate") (param i32) (result i32) (i32.const 1024))
  (func (export "proxy_on_context_create") (param i32 i32)))
