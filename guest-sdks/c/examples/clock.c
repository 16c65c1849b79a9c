// A WASI capability: the clock (wasm32-wasi). stamp("x") -> "<seconds since the epoch> x".
#include "../corral.h"
#include <time.h>

CORRAL_EXPORT(stamp) uint64_t stamp(const char *msg, size_t len) {
    struct timespec ts;
    // a failing or pre-1970 clock reads as 0 rather than failing: no logging grant needed
    uint64_t secs = clock_gettime(CLOCK_REALTIME, &ts) == 0 && ts.tv_sec > 0 ? (uint64_t) ts.tv_sec : 0;
    corral_buf out = corral_buf_new(len + 21);
    corral_buf_add_uint(&out, secs);
    corral_buf_add(&out, " ", 1);
    corral_buf_add(&out, msg, len);
    return corral_buf_return(&out);
}
