/*
 * A hostile filter: what it does depends on the request path. Endless loop, memory bomb, trap,
 * runaway recursion, proc_exit, a pause nothing resumes, a log line (the tests give it a log sink
 * that fails: a HOST fault), huge header values, header injection, pointers outside
 * its memory, and an allocator that answers with a pointer outside its memory. Every request it
 * sees is marked with x-seen before anything else, so a test can tell a filtered request from one
 * that went on unfiltered (fail open).
 */
#include "proxy_abi.h"

__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_exit"))) _Noreturn void proc_exit(u32 code);

EXPORT(proxy_abi_version_0_2_1) void abi_version(void) {}
EXPORT(proxy_on_context_create) void on_context_create(u32 id, u32 root) { (void)id; (void)root; }

static volatile u32 sink;

/* runaway recursion on the wasm call stack (no shadow-stack frame: nothing in linear memory) */
__attribute__((noinline)) static u32 recurse(u32 n) {
  if (sink == 0xdeadbeef) return n; /* never true: keeps the recursion runaway without a compiler warning */
  return n - recurse(n + 1);          /* not a tail call, and subtraction keeps clang from making it a loop */
}

EXPORT(proxy_on_request_headers) u32 on_request_headers(u32 id, u32 n, u32 eos) {
  (void)id; (void)n; (void)eos;
  add_header(REQUEST_HEADERS, "x-seen", "1");
  u32 plen; const char *path = req_path(&plen);
  if (eq(path, plen, "/loop")) {
    for (;;) sink++;
  }
  if (eq(path, plen, "/bomb")) {
    for (;;) {
      unsigned char *p = alloc(60000); /* a structure growing block by block, until the limit */
      if (!p) __builtin_trap(); /* what a language runtime does when allocation fails */
      p[0] = 1;
    }
  }
  if (eq(path, plen, "/trap")) __builtin_trap();
  if (eq(path, plen, "/stack")) sink = recurse(0);
  if (eq(path, plen, "/exit")) proc_exit(3);
  if (eq(path, plen, "/stall")) return PAUSE; /* no body to wait for, no tick to resume it */
  if (eq(path, plen, "/log")) info("c_hostile logs a line");
  if (eq(path, plen, "/huge")) {
    u32 size = 1 << 20;
    char *v = alloc(size);
    for (u32 i = 0; i < size; i++) v[i] = 'a';
    add_number_header(REQUEST_HEADERS, "x-huge-status", proxy_add_header_map_value(REQUEST_HEADERS, "x-huge", 6, v, size));
    add_number_header(REQUEST_HEADERS, "x-huge-pairs-status", proxy_set_header_map_pairs(REQUEST_HEADERS, v, size));
  }
  if (eq(path, plen, "/crlf")) {
    add_number_header(REQUEST_HEADERS, "x-crlf-status", proxy_add_header_map_value(REQUEST_HEADERS, "x-evil", 6, "a\r\nx-injected: 1", 17));
    add_number_header(REQUEST_HEADERS, "x-name-status", proxy_add_header_map_value(REQUEST_HEADERS, "bad name", 8, "v", 1));
  }
  if (eq(path, plen, "/badptr")) {
    add_number_header(REQUEST_HEADERS, "x-badptr-status", proxy_add_header_map_value(REQUEST_HEADERS, (const char *)0xfffffff0u, 64, "v", 1));
    add_number_header(REQUEST_HEADERS, "x-badlen-status", proxy_log(LOG_INFO, "x", 0x7fffffffu));
    add_number_header(REQUEST_HEADERS, "x-badout-status", proxy_get_header_map_size(REQUEST_HEADERS, (u32 *)0xfffffffcu));
    u32 len = 0;
    add_number_header(REQUEST_HEADERS, "x-badget-status", proxy_get_header_map_value(REQUEST_HEADERS, ":path", 5, (char **)0xfffffffcu, &len));
    char *v = 0;
    add_number_header(REQUEST_HEADERS, "x-badkey-status", proxy_get_header_map_value(REQUEST_HEADERS, (const char *)0xfffffff0u, 64, &v, &len));
  }
  return CONTINUE;
}

EXPORT(proxy_on_response_headers) u32 on_response_headers(u32 id, u32 n, u32 eos) {
  (void)id; (void)n; (void)eos;
  char *v = 0; u32 len = 0;
  if (proxy_get_header_map_value(RESPONSE_HEADERS, "x-fail", 6, &v, &len) == OK) __builtin_trap();
  return CONTINUE;
}
