/*
 * A filter that tries to make the host allocate without bound. Its VM start fills 100 MB of its
 * own memory with 'a' (VM configuration "huge"; the test gives it the memory); /huge then offers
 * that as a header value, a header map, a property, shared data, a queue item, a log message and
 * a local reply, and reports each status in an x-<what>-status header. /many adds 1 KiB values
 * until the host refuses one, and reports how many it took in x-many-count.
 */
#include "proxy_abi.h"

EXPORT(proxy_abi_version_0_2_1) void abi_version(void) {}
EXPORT(proxy_on_context_create) void on_context_create(u32 id, u32 root) { (void)id; (void)root; }

#define HUGE (100u << 20)
static char *huge;

EXPORT(proxy_on_vm_start) u32 on_vm_start(u32 root, u32 size) {
  (void)root;
  char *v = 0; u32 len = 0;
  if (size > 0 && proxy_get_buffer_bytes(VM_CONFIGURATION, 0, size, &v, &len) == OK && eq(v, len, "huge")) {
    huge = alloc(HUGE);
    if (!huge) return 0;
    u64 *w = (u64 *)huge;
    for (u32 i = 0; i < HUGE / 8; i++) w[i] = 0x6161616161616161ull;
  }
  return 1;
}

static void status(const char *name, u32 st) { add_number_header(REQUEST_HEADERS, name, st); }

EXPORT(proxy_on_request_headers) u32 on_request_headers(u32 id, u32 n, u32 eos) {
  (void)id; (void)n; (void)eos;
  u32 plen; const char *path = req_path(&plen);
  if (eq(path, plen, "/huge") && huge) {
    status("x-replace-status", proxy_replace_header_map_value(REQUEST_HEADERS, "x-big", 5, huge, HUGE));
    status("x-add-status", proxy_add_header_map_value(REQUEST_HEADERS, "x-big", 5, huge, HUGE));
    status("x-key-status", proxy_replace_header_map_value(REQUEST_HEADERS, huge, HUGE, "v", 1));
    status("x-pairs-status", proxy_set_header_map_pairs(REQUEST_HEADERS, huge, HUGE));
    status("x-property-status", proxy_set_property("big", 3, huge, HUGE));
    status("x-shared-status", proxy_set_shared_data("big", 3, huge, HUGE, 0));
    u32 q = 0;
    proxy_register_shared_queue("big", 3, &q);
    status("x-queue-status", proxy_enqueue_shared_queue(q, huge, HUGE));
    status("x-log-status", proxy_log(LOG_DEBUG, huge, HUGE)); /* accepted, cut to 16 KiB */
    status("x-reply-status", proxy_send_local_response(200, "big", 3, huge, HUGE, "", 0, -1));
  }
  if (eq(path, plen, "/many")) {
    static char kib[1024];
    for (u32 i = 0; i < sizeof kib; i++) kib[i] = 'b';
    u32 count = 0;
    while (count < 1000000 && proxy_add_header_map_value(REQUEST_HEADERS, "x-many", 6, kib, sizeof kib) == OK) count++;
    proxy_remove_header_map_value(REQUEST_HEADERS, "x-many", 6);
    add_number_header(REQUEST_HEADERS, "x-many-count", count);
  }
  return CONTINUE;
}
