/* Shared data (CAS counter), queues, metrics, ticks, properties, time, logging, denied outbound calls. */
#include "proxy_abi.h"

static u32 queue_id, m_requests, m_gauge, m_hist;
static u32 postponed;

EXPORT(proxy_abi_version_0_2_1) void abi_version(void) {}
EXPORT(proxy_on_context_create) void on_context_create(u32 id, u32 root) { (void)id; (void)root; }

EXPORT(proxy_on_configure) u32 on_configure(u32 root, u32 size) {
  (void)root; (void)size;
  proxy_set_tick_period_milliseconds(20);
  proxy_register_shared_queue("events", 6, &queue_id);
  proxy_define_metric(COUNTER, "c_requests", 10, &m_requests);
  proxy_define_metric(GAUGE, "c_gauge", 7, &m_gauge);
  proxy_define_metric(HISTOGRAM, "c_sizes", 7, &m_hist);
  return 1;
}

/* read-modify-write with compare-and-swap, retried on a concurrent update */
static u64 bump(const char *key) {
  for (int attempt = 0; attempt < 1000; attempt++) {
    char *v = 0; u32 len = 0, cas = 0; u64 n = 0;
    u32 st = proxy_get_shared_data(key, slen(key), &v, &len, &cas);
    if (st == OK) for (u32 i = 0; i < len; i++) n = n * 10 + (u64)(v[i] - '0');
    char buf[24]; u32 l = utoa(n + 1, buf);
    if (proxy_set_shared_data(key, slen(key), buf, l, st == OK ? cas : 0) == OK) return n + 1;
  }
  return 0;
}

static void copy_property(const char *path, u32 path_len, const char *header) {
  char *v = 0; u32 len = 0;
  u32 st = proxy_get_property(path, path_len, &v, &len);
  if (st == OK) proxy_add_header_map_value(RESPONSE_HEADERS, header, slen(header), v, len);
  else add_number_header(RESPONSE_HEADERS, header, 1000 + st);
}

EXPORT(proxy_on_request_headers) u32 on_request_headers(u32 id, u32 n, u32 eos) {
  (void)n; (void)eos;
  u32 plen; const char *path = req_path(&plen);
  bump("requests");
  proxy_increment_metric(m_requests, 1);
  proxy_record_metric(m_gauge, 42);
  proxy_record_metric(m_hist, plen);
  proxy_enqueue_shared_queue(queue_id, path, plen);
  if (starts(path, plen, "/postpone")) {
    postponed = id; /* resumed by the next tick */
    return PAUSE;
  }
  if (starts(path, plen, "/stall")) return PAUSE; /* nothing will resume this one */
  return CONTINUE;
}

EXPORT(proxy_on_response_headers) u32 on_response_headers(u32 id, u32 n, u32 eos) {
  (void)id; (void)n; (void)eos;
  char *v = 0; u32 len = 0, cas = 0;
  if (proxy_get_shared_data("requests", 8, &v, &len, &cas) == OK) proxy_add_header_map_value(RESPONSE_HEADERS, "x-count", 7, v, len);
  copy_property("plugin_name", 11, "x-plugin-name");
  copy_property("plugin_root_id", 14, "x-root-id");
  copy_property("plugin_vm_id", 12, "x-vm-id");
  copy_property("request\0path", 12, "x-prop-path");
  copy_property("request.method", 14, "x-prop-method");
  copy_property("source\0address", 14, "x-prop-source");
  copy_property("response\0code", 13, "x-prop-code-len");
  copy_property("no\0such\0thing", 13, "x-prop-missing");
  u64 t = 0;
  proxy_get_current_time_nanoseconds(&t);
  add_number_header(RESPONSE_HEADERS, "x-time", t);
  u32 token = 0;
  add_number_header(RESPONSE_HEADERS, "x-http-call", proxy_http_call("backend", 7, "", 0, "", 0, "", 0, 1000, &token));
  add_number_header(RESPONSE_HEADERS, "x-grpc-call", proxy_grpc_call("backend", 7, "s", 1, "m", 1, "", 0, "", 0, 1000, &token));
  u32 level = 99;
  proxy_get_log_level(&level);
  add_number_header(RESPONSE_HEADERS, "x-log-level", level);
  u64 mv = 0;
  proxy_get_metric(m_requests, &mv);
  add_number_header(RESPONSE_HEADERS, "x-metric", mv);
  add_number_header(RESPONSE_HEADERS, "x-bad-metric", proxy_increment_metric(m_requests, -1));
  return CONTINUE;
}

EXPORT(proxy_on_tick) void on_tick(u32 root) {
  (void)root;
  bump("ticks");
  if (postponed) {
    u32 id = postponed;
    postponed = 0;
    if (proxy_set_effective_context(id) == OK) {
      add_header(REQUEST_HEADERS, "x-resumed", "tick");
      proxy_continue_stream(STREAM_REQUEST);
    }
  }
}

EXPORT(proxy_on_queue_ready) void on_queue_ready(u32 root, u32 id) {
  (void)root;
  char *v = 0; u32 len = 0;
  while (proxy_dequeue_shared_queue(id, &v, &len) == OK) {
    proxy_set_shared_data("last_event", 10, v, len, 0);
    bump("events");
  }
}

EXPORT(proxy_on_done) u32 on_done(u32 id) { (void)id; return 1; }
EXPORT(proxy_on_log) void on_log(u32 id) { (void)id; info("stream done"); }
