// Uses the C header generated from Demo (@HostModule "demo"); built and run by GeneratedDeclarationsTest.
#include "demo.h"
static unsigned char heap[65536]; static size_t top = 16;
__attribute__((export_name("corral_abi_v1"))) void abi(void) {}
__attribute__((export_name("cabi_realloc")))
void *cabi_realloc(void *old_ptr, size_t old_size, size_t align, size_t new_size) {
    (void) old_ptr; (void) old_size; (void) align;
    if (new_size == 0) return 0;
    if (top + new_size > sizeof heap) return 0;
    void *p = heap + top; top += new_size; return p;
}
static int eq(corral_slice s, const char *t, size_t n) { if (s.len != n) return 0; for (size_t i = 0; i < n; i++) if (s.ptr[i] != (uint8_t) t[i]) return 0; return 1; }
__attribute__((export_name("run"))) int run(void) {
    corral_slice g = demo_greet("Corral", 6);
    if (!eq(g, "Hello, Corral!", 14)) return -1000;
    corral_slice_free(g);
    corral_slice r = demo_reverse((const uint8_t *) "abc", 3);
    if (!eq(r, "cba", 3)) return -2000;
    demo_log("from C", 6);
    return demo_sum(r.ptr, r.len) + demo_add(1, 2) + (int) demo_scale(1.0, 2.0f) + (demo_not(true) ? 1 : 0) + (int) demo_big(3);
}
