;; A small proxy-wasm filter (ABI 0.2.1) for `corral serve` tests: logs each request, adds
;; x-added, removes x-remove, copies its plugin configuration into x-config, answers 403 when the
;; request has an x-deny header, and adds x-response to responses.
(module
  (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_buffer_bytes" (func $get_buffer (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_get_header_map_value" (func $get (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_add_header_map_value" (func $add (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_remove_header_map_value" (func $remove (param i32 i32 i32) (result i32)))
  (import "env" "proxy_send_local_response" (func $reply (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (global $heap (mut i32) (i32.const 8192))
  (global $conf_ptr (mut i32) (i32.const 0))
  (global $conf_len (mut i32) (i32.const 0))
  (data (i32.const 16) "x-added")      ;; 7
  (data (i32.const 24) "yes")          ;; 3
  (data (i32.const 32) "x-remove")     ;; 8
  (data (i32.const 48) "x-config")     ;; 8
  (data (i32.const 64) "x-deny")       ;; 6
  (data (i32.const 80) "denied\n")     ;; 7
  (data (i32.const 96) "x-response")   ;; 10
  (data (i32.const 112) "request headers") ;; 15
  (func (export "proxy_on_memory_allocate") (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (i32.and (i32.add (local.get $n) (i32.const 7)) (i32.const -8))))
    (if (i32.gt_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536)))
      (then (drop (memory.grow (i32.const 1)))))
    (local.get $p))
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "proxy_on_context_create") (param i32 i32))
  (func (export "proxy_on_configure") (param $root i32) (param $size i32) (result i32)
    (if (local.get $size)
      (then
        (drop (call $get_buffer (i32.const 7) (i32.const 0) (local.get $size) (i32.const 200) (i32.const 204)))
        (global.set $conf_ptr (i32.load (i32.const 200)))
        (global.set $conf_len (i32.load (i32.const 204)))))
    (i32.const 1))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (drop (call $log (i32.const 2) (i32.const 112) (i32.const 15)))
    (if (i32.eqz (call $get (i32.const 0) (i32.const 64) (i32.const 6) (i32.const 208) (i32.const 212)))
      (then
        (drop (call $reply (i32.const 403) (i32.const 0) (i32.const 0) (i32.const 80) (i32.const 7)
                (i32.const 0) (i32.const 0) (i32.const -1)))
        (return (i32.const 1))))
    (drop (call $add (i32.const 0) (i32.const 16) (i32.const 7) (i32.const 24) (i32.const 3)))
    (drop (call $remove (i32.const 0) (i32.const 32) (i32.const 8)))
    (if (global.get $conf_len)
      (then (drop (call $add (i32.const 0) (i32.const 48) (i32.const 8) (global.get $conf_ptr) (global.get $conf_len)))))
    (i32.const 0))
  (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32)
    (drop (call $add (i32.const 2) (i32.const 96) (i32.const 10) (i32.const 24) (i32.const 3)))
    (i32.const 0)))
