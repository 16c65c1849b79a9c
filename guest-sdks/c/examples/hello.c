// greet: any UTF-8 string in, "Hello, <input>!" out.
#include "../corral.h"

CORRAL_EXPORT(greet) uint64_t greet(const char *name, size_t len) {
    corral_buf out = corral_buf_new(len + 8);
    corral_buf_add(&out, "Hello, ", 7);
    corral_buf_add(&out, name, len);
    corral_buf_add(&out, "!", 1);
    return corral_buf_return(&out);
}
