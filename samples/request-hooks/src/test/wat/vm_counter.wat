;; Counts requests in VM memory (not shared data): x-vm-count is 1, 2, 3 ... on one VM kept
;; between streams, and always 1 when the VM is restored to its started snapshot after each stream.
(module
  (import "env" "proxy_add_header_map_value" (func $add (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "x-vm-count")
  (func (export "proxy_on_memory_allocate") (param i32) (result i32) (i32.const 4096))
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "proxy_on_context_create") (param i32 i32))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    ;; the count lives at address 32, as one ASCII digit ('0' + n)
    (i32.store8 (i32.const 32) (i32.add (select (i32.load8_u (i32.const 32)) (i32.const 48) (i32.load8_u (i32.const 32))) (i32.const 1)))
    (drop (call $add (i32.const 0) (i32.const 16) (i32.const 10) (i32.const 32) (i32.const 1)))
    (i32.const 0)))
