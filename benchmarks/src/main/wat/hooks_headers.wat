;; The header work of the request-hooks load test, as a proxy-wasm filter (ABI 0.2.1): on the
;; request add x-added, replace x-replace, remove x-remove; on the response add x-response.
;; HooksLoadTest's native Java filter does exactly the same.
(module
  (import "env" "proxy_add_header_map_value" (func $add (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_replace_header_map_value" (func $replace (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_remove_header_map_value" (func $remove (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 4096))
  (data (i32.const 16) "x-added")     ;; 7
  (data (i32.const 24) "yes")         ;; 3
  (data (i32.const 32) "x-replace")   ;; 9
  (data (i32.const 48) "replaced")    ;; 8
  (data (i32.const 64) "x-remove")    ;; 8
  (data (i32.const 80) "x-response")  ;; 10
  (func (export "proxy_on_memory_allocate") (param $n i32) (result i32)
    (local $p i32)
    ;; nothing is handed to this filter: a fixed scratch area is enough
    (i32.const 8192))
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "proxy_on_context_create") (param i32 i32))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (drop (call $add (i32.const 0) (i32.const 16) (i32.const 7) (i32.const 24) (i32.const 3)))
    (drop (call $replace (i32.const 0) (i32.const 32) (i32.const 9) (i32.const 48) (i32.const 8)))
    (drop (call $remove (i32.const 0) (i32.const 64) (i32.const 8)))
    (i32.const 0))
  (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32)
    (drop (call $add (i32.const 2) (i32.const 80) (i32.const 10) (i32.const 24) (i32.const 3)))
    (i32.const 0)))
