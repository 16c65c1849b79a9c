# Generates the three *_sdk_shape.wat fixtures (committed; rerun after changing an import list): python3 gen-sdk-shapes.py .
I = 'i32'; L = 'i64'
proxy = {  # name: params (all return i32 status) -- from the SDKs' extern declarations
 'proxy_log':[I]*3,'proxy_get_log_level':[I],'proxy_get_current_time_nanoseconds':[I],'proxy_set_tick_period_milliseconds':[I],
 'proxy_get_buffer_bytes':[I]*5,'proxy_set_buffer_bytes':[I]*5,'proxy_get_buffer_status':[I]*3,
 'proxy_get_header_map_pairs':[I]*3,'proxy_set_header_map_pairs':[I]*3,'proxy_get_header_map_value':[I]*5,
 'proxy_remove_header_map_value':[I]*3,'proxy_replace_header_map_value':[I]*5,'proxy_add_header_map_value':[I]*5,
 'proxy_get_header_map_size':[I]*2,'proxy_get_property':[I]*4,'proxy_set_property':[I]*4,'proxy_get_shared_data':[I]*5,
 'proxy_set_shared_data':[I]*5,'proxy_register_shared_queue':[I]*3,'proxy_resolve_shared_queue':[I]*5,
 'proxy_dequeue_shared_queue':[I]*3,'proxy_enqueue_shared_queue':[I]*3,'proxy_continue_stream':[I],'proxy_close_stream':[I],
 'proxy_send_local_response':[I]*8,'proxy_http_call':[I]*10,'proxy_grpc_call':[I]*12,'proxy_grpc_stream':[I]*9,
 'proxy_grpc_send':[I]*4,'proxy_grpc_cancel':[I],'proxy_grpc_close':[I],'proxy_get_status':[I]*3,
 'proxy_set_effective_context':[I],'proxy_done':[],'proxy_call_foreign_function':[I]*6,
 'proxy_define_metric':[I]*4,'proxy_increment_metric':[I,L],'proxy_record_metric':[I,L],'proxy_get_metric':[I]*2,
 'proxy_get_configuration':[I]*2,'proxy_clear_route_cache':[],
}
wasi = {
 'args_get':[I]*2,'args_sizes_get':[I]*2,'environ_get':[I]*2,'environ_sizes_get':[I]*2,'clock_res_get':[I]*2,
 'clock_time_get':[I,L,I],'fd_advise':[I,L,L,I],'fd_allocate':[I,L,L],'fd_close':[I],'fd_datasync':[I],
 'fd_fdstat_get':[I]*2,'fd_fdstat_set_flags':[I]*2,'fd_fdstat_set_rights':[I,L,L],'fd_filestat_get':[I]*2,
 'fd_filestat_set_size':[I,L],'fd_filestat_set_times':[I,L,L,I],'fd_pread':[I,I,I,L,I],'fd_prestat_get':[I]*2,
 'fd_prestat_dir_name':[I]*3,'fd_pwrite':[I,I,I,L,I],'fd_read':[I]*4,'fd_readdir':[I,I,I,L,I],'fd_renumber':[I]*2,
 'fd_seek':[I,L,I,I],'fd_sync':[I],'fd_tell':[I]*2,'fd_write':[I]*4,'path_create_directory':[I]*3,
 'path_filestat_get':[I]*5,'path_filestat_set_times':[I,I,I,I,L,L,I],'path_link':[I]*7,
 'path_open':[I,I,I,I,I,L,L,I,I],'path_readlink':[I]*6,'path_remove_directory':[I]*3,'path_rename':[I]*6,
 'path_symlink':[I]*5,'path_unlink_file':[I]*3,'poll_oneoff':[I]*4,'random_get':[I]*2,'sched_yield':[],
 'sock_accept':[I]*3,'sock_recv':[I]*6,'sock_send':[I]*5,'sock_shutdown':[I]*2,
}
def imp(mod, name, params, result=True):
    ps = (' (param ' + ' '.join(params) + ')') if params else ''
    rs = ' (result i32)' if result else ''
    return f'  (import "{mod}" "{name}" (func ${name}{ps}{rs}))'

def alloc_fn(export, notify=False):
    n = '\n      (call $emscripten_notify_memory_growth (i32.const 0))' if notify else ''
    return f'''  ;; a bump allocator, as the SDKs' allocators are to the host: it asks, it gets a pointer
  (func $alloc (export "{export}") (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.and (i32.add (i32.add (global.get $heap) (local.get $n)) (i32.const 7)) (i32.const -8)))
    (if (i32.gt_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536)))
      (then
        (if (i32.lt_s (memory.grow (i32.add (i32.div_u (i32.sub (global.get $heap) (i32.mul (memory.size) (i32.const 65536)))
                                                           (i32.const 65536)) (i32.const 1))) (i32.const 0))
          (then (return (i32.const 0)))){n}))
    (local.get $p))'''

def common(shape, headers_params=3):
    hp = ' '.join(['i32'] * headers_params)
    s = shape.encode()
    return f'''  (memory (export "memory") 2)
  (global $heap (mut i32) (i32.const 8192))
  (data (i32.const 16) "x-sdk-shape")
  (data (i32.const 32) "{shape}")
  (data (i32.const 64) "x-config")
  (func (export "proxy_on_context_create") (param i32 i32))
  (func (export "proxy_on_vm_start") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_request_headers") (param {hp}) (result i32)
    (drop (call $proxy_add_header_map_value (i32.const 0) (i32.const 16) (i32.const 11) (i32.const 32) (i32.const {len(s)})))
    (call $config_header)
    (i32.const 0))
  (func (export "proxy_on_response_headers") (param {hp}) (result i32)
    (drop (call $proxy_add_header_map_value (i32.const 2) (i32.const 16) (i32.const 11) (i32.const 32) (i32.const {len(s)})))
    (i32.const 0))
  (func (export "proxy_on_done") (param i32) (result i32) (i32.const 1))
  (func (export "proxy_on_log") (param i32))
  (func (export "proxy_on_delete") (param i32))'''

# plugin configuration -> request header x-config, read with get_buffer_bytes (0.2.x)
config_buffer = '''  ;; the plugin configuration, read in proxy_on_configure and echoed in a request header
  (global $conf_ptr (mut i32) (i32.const 0))
  (global $conf_len (mut i32) (i32.const 0))
  (func (export "proxy_on_configure") (param $root i32) (param $size i32) (result i32)
    (if (i32.gt_u (local.get $size) (i32.const 0))
      (then
        (drop (call $proxy_get_buffer_bytes (i32.const 7) (i32.const 0) (local.get $size) (i32.const 96) (i32.const 100)))
        (global.set $conf_ptr (i32.load (i32.const 96)))
        (global.set $conf_len (i32.load (i32.const 100)))))
    (i32.const 1))
  (func $config_header
    (if (global.get $conf_len)
      (then (drop (call $proxy_add_header_map_value (i32.const 0) (i32.const 64) (i32.const 8)
                    (global.get $conf_ptr) (global.get $conf_len))))))'''

def write(path, header, imports, body):
    with open(path, 'w') as f:
        f.write(header + '(module\n' + '\n'.join(imports) + '\n' + body + '\n)\n')

import sys
out = sys.argv[1]
# --- Go SDK (github.com/proxy-wasm/proxy-wasm-go-sdk, Go 1.24 wasip1 reactor, -buildmode=c-shared)
go_names = ['proxy_log','proxy_send_local_response','proxy_get_shared_data','proxy_set_shared_data',
 'proxy_register_shared_queue','proxy_resolve_shared_queue','proxy_dequeue_shared_queue','proxy_enqueue_shared_queue',
 'proxy_get_header_map_value','proxy_add_header_map_value','proxy_replace_header_map_value','proxy_remove_header_map_value',
 'proxy_get_header_map_pairs','proxy_set_header_map_pairs','proxy_get_buffer_bytes','proxy_set_buffer_bytes',
 'proxy_continue_stream','proxy_close_stream','proxy_http_call','proxy_call_foreign_function',
 'proxy_set_tick_period_milliseconds','proxy_set_effective_context','proxy_done','proxy_define_metric',
 'proxy_increment_metric','proxy_record_metric','proxy_get_metric','proxy_get_property','proxy_set_property']
go_imports = [imp('env', n, proxy[n]) for n in go_names]
go_imports += [imp('wasi_snapshot_preview1', n, p) for n, p in wasi.items()]
go_imports.append('  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))')
write(f'{out}/go_sdk_shape.wat', ''';; The import/export shape of a filter built with the Go SDK (github.com/proxy-wasm/proxy-wasm-go-sdk,
;; proxywasm/internal/abi_hostcalls.go and abi_callback_*.go) by Go 1.24 as a wasip1 reactor: every
;; env.proxy_* function the SDK declares with //go:wasmimport (all i32 but the metric values, i64), the
;; WASI preview1 functions the Go runtime and syscall package import (the set proxy-wasm-cpp-host added
;; for Go, PR #427 and #533), and the SDK's exports: _initialize, proxy_on_memory_allocate and the
;; ABI 0.2.0 marker. Go cannot be built here (no Go module proxy); this module stands in for one.
''', go_imports, common('go-0.2.0') + '\n' + config_buffer + '\n' + alloc_fn('proxy_on_memory_allocate') + '''
  (data (i32.const 200) "go runtime initialised\\n")
  ;; what the Go runtime does first: args, environment, both clocks, randomness (it panics if that fails), a write.
  ;; A second call is fatal, as in Go's runtime ("fatal error: randinit twice"): a host must call it once.
  (global $initialised (mut i32) (i32.const 0))
  (func (export "_initialize")
    (if (global.get $initialised) (then (unreachable)))
    (global.set $initialised (i32.const 1))
    (drop (call $args_sizes_get (i32.const 120) (i32.const 124)))
    (drop (call $environ_sizes_get (i32.const 120) (i32.const 124)))
    (drop (call $clock_time_get (i32.const 0) (i64.const 1) (i32.const 128)))
    (drop (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 128)))
    (if (call $random_get (i32.const 136) (i32.const 8)) (then (unreachable)))
    (drop (call $sched_yield))
    (i32.store (i32.const 144) (i32.const 200))
    (i32.store (i32.const 148) (i32.const 23))
    (drop (call $fd_write (i32.const 1) (i32.const 144) (i32.const 1) (i32.const 152))))
  (func (export "proxy_abi_version_0_2_0"))
  (func (export "proxy_on_tick") (param i32))
  (func (export "proxy_on_queue_ready") (param i32 i32))
  (func (export "proxy_on_request_body") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_request_trailers") (param i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_response_body") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_response_trailers") (param i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_http_call_response") (param i32 i32 i32 i32 i32))
  (func (export "proxy_on_new_connection") (param i32) (result i32) (i32.const 0))
  (func (export "proxy_on_downstream_data") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_downstream_connection_close") (param i32 i32))
  (func (export "proxy_on_upstream_data") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_upstream_connection_close") (param i32 i32))''')

# --- Rust SDK (proxy-wasm/proxy-wasm-rust-sdk, src/hostcalls.rs), wasm32-wasip1 cdylib
rust_names = ['proxy_log','proxy_get_log_level','proxy_get_current_time_nanoseconds','proxy_set_tick_period_milliseconds',
 'proxy_get_buffer_bytes','proxy_set_buffer_bytes','proxy_get_header_map_pairs','proxy_set_header_map_pairs',
 'proxy_get_header_map_value','proxy_remove_header_map_value','proxy_replace_header_map_value','proxy_add_header_map_value',
 'proxy_get_property','proxy_set_property','proxy_get_shared_data','proxy_set_shared_data','proxy_register_shared_queue',
 'proxy_resolve_shared_queue','proxy_dequeue_shared_queue','proxy_enqueue_shared_queue','proxy_continue_stream',
 'proxy_close_stream','proxy_send_local_response','proxy_http_call','proxy_grpc_call','proxy_grpc_stream','proxy_grpc_send',
 'proxy_grpc_cancel','proxy_grpc_close','proxy_get_status','proxy_set_effective_context','proxy_done',
 'proxy_call_foreign_function','proxy_define_metric','proxy_increment_metric','proxy_record_metric','proxy_get_metric']
rust_imports = [imp('env', n, proxy[n]) for n in rust_names]
rust_imports += [imp('wasi_snapshot_preview1', n, wasi[n]) for n in ['fd_write','environ_get','environ_sizes_get','random_get','clock_time_get']]
rust_imports.append('  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))')
write(f'{out}/rust_sdk_shape.wat', ''';; The import/export shape of a filter built with the Rust SDK (proxy-wasm/proxy-wasm-rust-sdk,
;; src/hostcalls.rs, src/dispatcher.rs, src/allocator.rs) for wasm32-wasip1: the 37 env.proxy_* functions
;; hostcalls.rs declares (usize and pointers are i32 on wasm32, the metric values i64), the WASI functions
;; Rust's std pulls in (output, environment, randomness for HashMap, clocks, exit), and the SDK's exports:
;; _initialize (from proxy_wasm::main!), proxy_on_memory_allocate and the ABI 0.2.1 marker. No crates.io
;; here, so the SDK cannot be compiled; this module stands in for one.
''', rust_imports, common('rust-0.2.1') + '\n' + config_buffer + '\n' + alloc_fn('proxy_on_memory_allocate') + '''
  ;; wasi-libc's crt1-reactor.c traps on a second _initialize: a host must call it once
  (global $initialised (mut i32) (i32.const 0))
  (func (export "_initialize")
    (if (global.get $initialised) (then (unreachable)))
    (global.set $initialised (i32.const 1))
    (if (call $random_get (i32.const 136) (i32.const 16)) (then (unreachable))))
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "proxy_on_tick") (param i32))
  (func (export "proxy_on_queue_ready") (param i32 i32))
  (func (export "proxy_on_request_body") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_request_trailers") (param i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_response_body") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_response_trailers") (param i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_http_call_response") (param i32 i32 i32 i32 i32))
  (func (export "proxy_on_grpc_receive_initial_metadata") (param i32 i32 i32))
  (func (export "proxy_on_grpc_receive") (param i32 i32 i32))
  (func (export "proxy_on_grpc_receive_trailing_metadata") (param i32 i32 i32))
  (func (export "proxy_on_grpc_close") (param i32 i32 i32))
  (func (export "proxy_on_foreign_function") (param i32 i32 i32))''')

# --- C++ SDK (proxy-wasm/proxy-wasm-cpp-sdk, proxy_wasm_externs.h), emscripten -sSTANDALONE_WASM --no-entry
cpp_imports = ['  (import "env" "emscripten_notify_memory_growth" (func $emscripten_notify_memory_growth (param i32)))']
cpp_imports += [imp('env', n, p) for n, p in proxy.items() if n != 'proxy_grpc_stream' or True]
cpp_imports += [imp('wasi_snapshot_preview1', n, wasi[n]) for n in ['fd_write','fd_close','fd_seek','environ_get','environ_sizes_get','clock_time_get']]
cpp_imports.append('  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))')
write(f'{out}/cpp_sdk_shape.wat', ''';; The import/export shape of a filter built with the C++ SDK (proxy-wasm/proxy-wasm-cpp-sdk,
;; proxy_wasm_externs.h, proxy_wasm_intrinsics.js, Makefile) by emscripten with -sSTANDALONE_WASM
;; --no-entry -sEXPORTED_FUNCTIONS=_malloc -sALLOW_MEMORY_GROWTH: every env.proxy_* extern the SDK declares
;; (0.1.0 names included: they become imports when an old filter uses them), emscripten's
;; env.emscripten_notify_memory_growth (called when memory grows), its WASI functions, and its exports:
;; _initialize, malloc, the ABI 0.2.1 marker and the C++ SDK's extra callbacks. No emsdk here; this
;; module stands in for one.
''', cpp_imports, common('cpp-0.2.1') + '\n' + config_buffer + '\n' + alloc_fn('malloc', notify=True) + '''
  (table (export "__indirect_function_table") 1 funcref)
  (func (export "_initialize"))
  (func (export "free") (param i32))
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "proxy_validate_configuration") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_tick") (param i32))
  (func (export "proxy_on_request_body") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_request_metadata") (param i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_response_body") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_response_metadata") (param i32 i32) (result i32) (i32.const 0))''')
