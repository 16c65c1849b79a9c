/* Header work on the raw ABI: add, replace, remove, pseudo-headers, pairs, a 403 local reply. */
#include "proxy_abi.h"

static char config[256];
static u32 config_len;
static u32 teapot[64];

EXPORT(proxy_abi_version_0_2_1) void abi_version(void) {}
EXPORT(proxy_on_context_create) void on_context_create(u32 id, u32 root) { (void)id; (void)root; }
EXPORT(proxy_on_vm_start) u32 on_vm_start(u32 root, u32 size) { (void)root; (void)size; return 1; }

EXPORT(proxy_on_configure) u32 on_configure(u32 root, u32 size) {
  (void)root;
  char *data = 0; u32 len = 0;
  if (size > 0 && proxy_get_buffer_bytes(PLUGIN_CONFIGURATION, 0, size, &data, &len) == OK) {
    if (len > sizeof config) len = sizeof config;
    copy(config, data, len);
    config_len = len;
  }
  if (config_len == 6 && eq(config, config_len, "refuse")) return 0; /* a filter may refuse its configuration */
  return 1;
}

EXPORT(proxy_on_request_headers) u32 on_request_headers(u32 id, u32 n, u32 eos) {
  (void)n; (void)eos;
  u32 plen; const char *path = req_path(&plen);
  info("request headers");
  if (starts(path, plen, "/deny")) {
    reply(403, "denied by c_headers\n");
    return PAUSE;
  }
  add_header(REQUEST_HEADERS, "x-added", "yes");
  set_header(REQUEST_HEADERS, "x-replace", "replaced");
  proxy_remove_header_map_value(REQUEST_HEADERS, "x-remove", 8);
  if (config_len) proxy_add_header_map_value(REQUEST_HEADERS, "x-config", 8, config, config_len);
  if (starts(path, plen, "/rewrite")) {
    set_header(REQUEST_HEADERS, ":path", "/rewritten?by=filter");
    set_header(REQUEST_HEADERS, ":method", "PUT");
    set_header(REQUEST_HEADERS, ":authority", "upstream.test");
  }
  if (starts(path, plen, "/pairs")) {
    char *data = 0; u32 len = 0; u32 size = 0;
    proxy_get_header_map_pairs(REQUEST_HEADERS, &data, &len);
    proxy_get_header_map_size(REQUEST_HEADERS, &size);
    /* write the map back unchanged, then count its entries */
    proxy_set_header_map_pairs(REQUEST_HEADERS, data, len);
    add_number_header(REQUEST_HEADERS, "x-pairs-count", *(u32 *)data);
    add_number_header(REQUEST_HEADERS, "x-pairs-size-ok", size == len);
  }
  if (starts(path, plen, "/teapot")) teapot[id % 64] = 1;
  char *missing = 0; u32 mlen = 0;
  add_number_header(REQUEST_HEADERS, "x-missing-status", proxy_get_header_map_value(REQUEST_HEADERS, "x-nope", 6, &missing, &mlen));
  return CONTINUE;
}

EXPORT(proxy_on_response_headers) u32 on_response_headers(u32 id, u32 n, u32 eos) {
  (void)n; (void)eos;
  add_header(RESPONSE_HEADERS, "x-response", "yes");
  proxy_remove_header_map_value(RESPONSE_HEADERS, "x-upstream-secret", 17);
  char *st = 0; u32 stlen = 0;
  if (proxy_get_header_map_value(RESPONSE_HEADERS, ":status", 7, &st, &stlen) == OK) {
    proxy_add_header_map_value(RESPONSE_HEADERS, "x-seen-status", 13, st, stlen);
  }
  if (teapot[id % 64]) {
    teapot[id % 64] = 0;
    set_header(RESPONSE_HEADERS, ":status", "418");
  }
  return CONTINUE;
}

EXPORT(proxy_on_done) u32 on_done(u32 id) { (void)id; return 1; }
EXPORT(proxy_on_delete) void on_delete(u32 id) { teapot[id % 64] = 0; }
