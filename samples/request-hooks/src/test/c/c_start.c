/*
 * A filter whose start-up can fail, at build time or later, when the pool starts a replacement VM
 * during a request:
 *  - VM configuration "refuse" / "trap": proxy_on_vm_start answers false / traps;
 *  - plugin configuration "refuse" / "trap": proxy_on_configure answers false / traps;
 *  - a request to /poison-refuse or /poison-trap leaves that word in shared data (which outlives
 *    the VM, as in Envoy) and traps; the next VM to be configured takes the word back (CAS) and
 *    fails its start-up once with it. The VM after that starts normally.
 * Requests it filters are marked with x-seen.
 */
#include "proxy_abi.h"

EXPORT(proxy_abi_version_0_2_1) void abi_version(void) {}
EXPORT(proxy_on_context_create) void on_context_create(u32 id, u32 root) { (void)id; (void)root; }

static const char POISON[] = "fail_next_start";

/* 0: start normally; 1: answer false; a trap does not come back */
static u32 verdict(const char *word, u32 len) {
  if (eq(word, len, "trap")) __builtin_trap();
  return eq(word, len, "refuse");
}

static u32 config_verdict(u32 type, u32 size) {
  char *v = 0; u32 len = 0;
  if (size == 0 || proxy_get_buffer_bytes(type, 0, size, &v, &len) != OK) return 0;
  return verdict(v, len);
}

EXPORT(proxy_on_vm_start) u32 on_vm_start(u32 root, u32 size) {
  (void)root;
  return !config_verdict(VM_CONFIGURATION, size);
}

EXPORT(proxy_on_configure) u32 on_configure(u32 root, u32 size) {
  (void)root;
  if (config_verdict(PLUGIN_CONFIGURATION, size)) return 0;
  char *v = 0; u32 len = 0, cas = 0;
  if (proxy_get_shared_data(POISON, sizeof POISON - 1, &v, &len, &cas) == OK && len > 0
      && proxy_set_shared_data(POISON, sizeof POISON - 1, "", 0, cas) == OK) {
    return !verdict(v, len); /* this VM took the poison: it fails once */
  }
  return 1;
}

EXPORT(proxy_on_request_headers) u32 on_request_headers(u32 id, u32 n, u32 eos) {
  (void)id; (void)n; (void)eos;
  add_header(REQUEST_HEADERS, "x-seen", "1");
  u32 plen; const char *path = req_path(&plen);
  if (starts(path, plen, "/poison-")) {
    const char *word = path + 8;
    proxy_set_shared_data(POISON, sizeof POISON - 1, word, plen - 8, 0);
    __builtin_trap(); /* this VM must go: the pool starts another for the next request */
  }
  return CONTINUE;
}
