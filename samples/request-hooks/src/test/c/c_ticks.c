/* Per-VM ticks: each VM takes a number at start and counts its own ticks under "ticks_<n>". */
#include "proxy_abi.h"

static u64 me, my_ticks;
static int trap_next_tick;

EXPORT(proxy_abi_version_0_2_1) void abi_version(void) {}
EXPORT(proxy_on_context_create) void on_context_create(u32 id, u32 root) { (void)id; (void)root; }

/* a number for this VM, unique among the filter's VMs: a compare-and-swap counter in shared data */
static u64 take_number(void) {
  for (int attempt = 0; attempt < 1000; attempt++) {
    char *v = 0; u32 len = 0, cas = 0; u64 n = 0;
    u32 st = proxy_get_shared_data("vms", 3, &v, &len, &cas);
    if (st == OK) for (u32 i = 0; i < len; i++) n = n * 10 + (u64)(v[i] - '0');
    char buf[24]; u32 l = utoa(n + 1, buf);
    if (proxy_set_shared_data("vms", 3, buf, l, st == OK ? cas : 0) == OK) return n + 1;
  }
  return 0;
}

EXPORT(proxy_on_configure) u32 on_configure(u32 root, u32 size) {
  (void)root; (void)size;
  me = take_number();
  proxy_set_tick_period_milliseconds(10);
  return 1;
}

EXPORT(proxy_on_tick) void on_tick(u32 root) {
  (void)root;
  if (trap_next_tick) __builtin_trap();
  my_ticks++;
  char key[24] = "ticks_";
  u32 kl = 6 + utoa(me, key + 6);
  char buf[24]; u32 l = utoa(my_ticks, buf);
  proxy_set_shared_data(key, kl, buf, l, 0);
}

EXPORT(proxy_on_request_headers) u32 on_request_headers(u32 id, u32 n, u32 eos) {
  (void)id; (void)n; (void)eos;
  u32 plen; const char *path = req_path(&plen);
  if (starts(path, plen, "/trap-next-tick")) trap_next_tick = 1;
  add_number_header(REQUEST_HEADERS, "x-vm", me);
  return CONTINUE;
}

EXPORT(proxy_on_done) u32 on_done(u32 id) { (void)id; return 1; }
