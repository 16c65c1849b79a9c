// The README example's plugin: add(i32, i32) -> i32, and greet(string) -> string, which asks the
// host for its salutation (host.salutation, declared in host.h, generated from Host.java) and logs
// through corral_log. Freestanding C with the guest SDK's one header; plugin/build.sh builds it.
#include "corral.h"
#include "host.h"

CORRAL_EXPORT(add) int32_t add(int32_t a, int32_t b) {
    return a + b;
}

CORRAL_EXPORT(greet) uint64_t greet(const char *name, size_t len) {
    corral_slice salutation = host_salutation();          // owned by us: free it
    corral_buf out = corral_buf_new(salutation.len + len + 3);
    corral_buf_add(&out, salutation.ptr, salutation.len);
    corral_buf_add(&out, ", ", 2);
    corral_buf_add(&out, name, len);
    corral_buf_add(&out, "!", 1);
    corral_slice_free(salutation);
    corral_info("greeted someone");
    return corral_buf_return(&out);
}
