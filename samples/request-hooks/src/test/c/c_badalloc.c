/* An allocator that answers with a pointer outside the filter's memory: the host must not write there. */
#define CUSTOM_ALLOCATOR
#include "proxy_abi.h"

EXPORT(proxy_abi_version_0_2_1) void abi_version(void) {}
EXPORT(proxy_on_context_create) void on_context_create(u32 id, u32 root) { (void)id; (void)root; }
EXPORT(malloc) void *bad_malloc(u32 size) { (void)size; return (void *)0xfffffff0u; }

EXPORT(proxy_on_request_headers) u32 on_request_headers(u32 id, u32 n, u32 eos) {
  (void)id; (void)n; (void)eos;
  char *v = 0; u32 len = 0;
  u32 st = proxy_get_header_map_value(REQUEST_HEADERS, ":path", 5, &v, &len);
  add_number_header(REQUEST_HEADERS, "x-badalloc-status", st);
  return CONTINUE;
}
