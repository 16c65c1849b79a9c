/*
 * The proxy-wasm ABI (v0.2.1) for freestanding C test filters, written from the spec
 * (github.com/proxy-wasm/spec, abi-versions/v0.2.1): host imports, enum values, and the
 * few helpers a filter without libc needs (a bump allocator, string helpers).
 */
#ifndef PROXY_ABI_H
#define PROXY_ABI_H

typedef unsigned int u32;
typedef unsigned long long u64;
typedef long long i64;

#define IMPORT(name) __attribute__((import_module("env"), import_name(#name)))
#define EXPORT(name) __attribute__((export_name(#name)))

enum { OK = 0, NOT_FOUND = 1, BAD_ARGUMENT = 2, INVALID_MEMORY_ACCESS = 6, EMPTY = 7, CAS_MISMATCH = 8 };
enum { CONTINUE = 0, PAUSE = 1 };
enum { REQUEST_HEADERS = 0, REQUEST_TRAILERS = 1, RESPONSE_HEADERS = 2, RESPONSE_TRAILERS = 3 };
enum { REQUEST_BODY = 0, RESPONSE_BODY = 1, VM_CONFIGURATION = 6, PLUGIN_CONFIGURATION = 7 };
enum { STREAM_REQUEST = 0, STREAM_RESPONSE = 1 };
enum { LOG_TRACE = 0, LOG_DEBUG = 1, LOG_INFO = 2, LOG_WARN = 3, LOG_ERROR = 4 };
enum { COUNTER = 0, GAUGE = 1, HISTOGRAM = 2 };

IMPORT(proxy_log) u32 proxy_log(u32 level, const char *msg, u32 len);
IMPORT(proxy_get_log_level) u32 proxy_get_log_level(u32 *level);
IMPORT(proxy_get_current_time_nanoseconds) u32 proxy_get_current_time_nanoseconds(u64 *t);
IMPORT(proxy_set_tick_period_milliseconds) u32 proxy_set_tick_period_milliseconds(u32 ms);
IMPORT(proxy_set_effective_context) u32 proxy_set_effective_context(u32 id);
IMPORT(proxy_continue_stream) u32 proxy_continue_stream(u32 type);
IMPORT(proxy_close_stream) u32 proxy_close_stream(u32 type);
IMPORT(proxy_send_local_response) u32 proxy_send_local_response(u32 status, const char *details, u32 details_len,
    const char *body, u32 body_len, const char *pairs, u32 pairs_len, int grpc_status);
IMPORT(proxy_get_header_map_value) u32 proxy_get_header_map_value(u32 map, const char *key, u32 key_len, char **val, u32 *val_len);
IMPORT(proxy_add_header_map_value) u32 proxy_add_header_map_value(u32 map, const char *key, u32 key_len, const char *val, u32 val_len);
IMPORT(proxy_replace_header_map_value) u32 proxy_replace_header_map_value(u32 map, const char *key, u32 key_len, const char *val, u32 val_len);
IMPORT(proxy_remove_header_map_value) u32 proxy_remove_header_map_value(u32 map, const char *key, u32 key_len);
IMPORT(proxy_get_header_map_pairs) u32 proxy_get_header_map_pairs(u32 map, char **data, u32 *len);
IMPORT(proxy_set_header_map_pairs) u32 proxy_set_header_map_pairs(u32 map, const char *data, u32 len);
IMPORT(proxy_get_header_map_size) u32 proxy_get_header_map_size(u32 map, u32 *size);
IMPORT(proxy_get_buffer_bytes) u32 proxy_get_buffer_bytes(u32 type, u32 start, u32 max, char **data, u32 *len);
IMPORT(proxy_set_buffer_bytes) u32 proxy_set_buffer_bytes(u32 type, u32 start, u32 size, const char *data, u32 len);
IMPORT(proxy_get_buffer_status) u32 proxy_get_buffer_status(u32 type, u32 *len, u32 *flags);
IMPORT(proxy_get_property) u32 proxy_get_property(const char *path, u32 path_len, char **val, u32 *val_len);
IMPORT(proxy_set_property) u32 proxy_set_property(const char *path, u32 path_len, const char *val, u32 val_len);
IMPORT(proxy_get_shared_data) u32 proxy_get_shared_data(const char *key, u32 key_len, char **val, u32 *val_len, u32 *cas);
IMPORT(proxy_set_shared_data) u32 proxy_set_shared_data(const char *key, u32 key_len, const char *val, u32 val_len, u32 cas);
IMPORT(proxy_register_shared_queue) u32 proxy_register_shared_queue(const char *name, u32 len, u32 *id);
IMPORT(proxy_resolve_shared_queue) u32 proxy_resolve_shared_queue(const char *vm, u32 vm_len, const char *name, u32 len, u32 *id);
IMPORT(proxy_enqueue_shared_queue) u32 proxy_enqueue_shared_queue(u32 id, const char *val, u32 len);
IMPORT(proxy_dequeue_shared_queue) u32 proxy_dequeue_shared_queue(u32 id, char **val, u32 *len);
IMPORT(proxy_define_metric) u32 proxy_define_metric(u32 type, const char *name, u32 len, u32 *id);
IMPORT(proxy_increment_metric) u32 proxy_increment_metric(u32 id, i64 delta);
IMPORT(proxy_record_metric) u32 proxy_record_metric(u32 id, u64 value);
IMPORT(proxy_get_metric) u32 proxy_get_metric(u32 id, u64 *value);
IMPORT(proxy_http_call) u32 proxy_http_call(const char *up, u32 up_len, const char *h, u32 h_len, const char *b, u32 b_len,
    const char *t, u32 t_len, u32 timeout, u32 *token);
IMPORT(proxy_grpc_call) u32 proxy_grpc_call(const char *up, u32 up_len, const char *svc, u32 svc_len, const char *m, u32 m_len,
    const char *md, u32 md_len, const char *msg, u32 msg_len, u32 timeout, u32 *token);

/* no libc: clang may turn loops into these calls (volatile keeps them from calling themselves) */
void *memset(void *d, int c, unsigned long n) { volatile unsigned char *p = d; while (n--) *p++ = (unsigned char)c; return d; }
void *memcpy(void *d, const void *s, unsigned long n) { volatile unsigned char *p = d; const unsigned char *q = s; while (n--) *p++ = *q++; return d; }

/* a bump allocator over the module's own memory: filters live per request, leaks are bounded by tests */
extern unsigned char __heap_base;
static unsigned long heap_top;

static __attribute__((unused)) void * alloc(u32 size) {
  if (!heap_top) heap_top = (unsigned long)&__heap_base;
  unsigned long p = (heap_top + 7) & ~7ul;
  unsigned long end = p + size;
  unsigned long have = __builtin_wasm_memory_size(0) * 65536ul;
  if (end > have) {
    if (__builtin_wasm_memory_grow(0, (end - have + 65535) / 65536) < 0) return 0;
  }
  heap_top = end;
  return (void *)p;
}

#ifndef CUSTOM_ALLOCATOR
EXPORT(proxy_on_memory_allocate) void *proxy_on_memory_allocate(u32 size) { return alloc(size); }
#endif

static __attribute__((unused)) u32 slen(const char *s) { u32 n = 0; while (s[n]) n++; return n; }
static __attribute__((unused)) int eq(const char *a, u32 alen, const char *b) { u32 bl = slen(b); if (alen != bl) return 0; for (u32 i = 0; i < alen; i++) if (a[i] != b[i]) return 0; return 1; }
static __attribute__((unused)) int starts(const char *a, u32 alen, const char *b) { u32 bl = slen(b); if (alen < bl) return 0; for (u32 i = 0; i < bl; i++) if (a[i] != b[i]) return 0; return 1; }
static __attribute__((unused)) void copy(char *d, const char *s, u32 n) { for (u32 i = 0; i < n; i++) d[i] = s[i]; }
static __attribute__((unused)) void info(const char *s) { proxy_log(LOG_INFO, s, slen(s)); }

/* decimal text of v into buf (at least 21 bytes); returns its length */
static __attribute__((unused)) u32 utoa(u64 v, char *buf) {
  char t[21]; u32 n = 0;
  do { t[n++] = '0' + (char)(v % 10); v /= 10; } while (v);
  for (u32 i = 0; i < n; i++) buf[i] = t[n - 1 - i];
  return n;
}

static __attribute__((unused)) void add_header(u32 map, const char *k, const char *v) { proxy_add_header_map_value(map, k, slen(k), v, slen(v)); }
static __attribute__((unused)) void set_header(u32 map, const char *k, const char *v) { proxy_replace_header_map_value(map, k, slen(k), v, slen(v)); }
static __attribute__((unused)) void add_number_header(u32 map, const char *k, u64 n) { char b[24]; u32 l = utoa(n, b); proxy_add_header_map_value(map, k, slen(k), b, l); }

/* the request's :path (valid until the next allocation-free call); len 0 if none */
static __attribute__((unused)) const char * req_path(u32 *len) {
  char *v = 0; *len = 0;
  if (proxy_get_header_map_value(REQUEST_HEADERS, ":path", 5, &v, len) != OK) { *len = 0; return ""; }
  return v;
}

static __attribute__((unused)) void reply(u32 status, const char *body) {
  static const char pairs[] = "\x01\x00\x00\x00" "\x0c\x00\x00\x00" "\x0a\x00\x00\x00" "content-type\0text/plain\0";
  proxy_send_local_response(status, "denied_by_filter", 16, body, slen(body), pairs, sizeof pairs - 1, -1);
}

#endif
