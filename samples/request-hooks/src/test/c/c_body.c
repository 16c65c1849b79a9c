/* Body rewriting: pause until the end of the stream, then rewrite the whole body. */
#include "proxy_abi.h"

static u32 request_calls[64];

EXPORT(proxy_abi_version_0_2_0) void abi_version(void) {}
EXPORT(proxy_on_context_create) void on_context_create(u32 id, u32 root) { (void)root; request_calls[id % 64] = 0; }

EXPORT(proxy_on_request_body) u32 on_request_body(u32 id, u32 size, u32 eos) {
  request_calls[id % 64]++;
  if (!eos) return PAUSE; /* keep buffering: the host delivers the growing body again */
  char *data = 0; u32 len = 0;
  if (proxy_get_buffer_bytes(REQUEST_BODY, 0, size, &data, &len) != OK) return CONTINUE;
  for (u32 i = 0; i < len; i++) if (data[i] >= 'a' && data[i] <= 'z') data[i] -= 32;
  proxy_set_buffer_bytes(REQUEST_BODY, 0, len, data, len);
  char tail[40]; u32 t = 0;
  copy(tail, "|calls=", 7); t = 7;
  t += utoa(request_calls[id % 64], tail + t);
  proxy_set_buffer_bytes(REQUEST_BODY, 0xffffffffu, 0, tail, t); /* append */
  return CONTINUE;
}

EXPORT(proxy_on_response_body) u32 on_response_body(u32 id, u32 size, u32 eos) {
  (void)id; (void)size;
  if (!eos) return PAUSE;
  proxy_set_buffer_bytes(RESPONSE_BODY, 0, 0, "[", 1);          /* prepend */
  u32 now = 0, flags = 0;
  proxy_get_buffer_status(RESPONSE_BODY, &now, &flags);
  proxy_set_buffer_bytes(RESPONSE_BODY, now, 0, "]", 1);        /* append */
  return CONTINUE;
}

EXPORT(proxy_on_response_headers) u32 on_response_headers(u32 id, u32 n, u32 eos) {
  (void)id; (void)n; (void)eos;
  proxy_remove_header_map_value(RESPONSE_HEADERS, "content-length", 14); /* the body changes */
  return CONTINUE;
}
