// Request hook (the rules and the header encoding: guest-sdks/README.md, "The filter example").
#include "../corral.h"

static bool name_is(const char *name, size_t n, const char *lower) {
    size_t i = 0;
    for (; i < n && lower[i]; i++) {
        char c = name[i];
        if (c >= 'A' && c <= 'Z') c = (char) (c + 32);
        if (c != lower[i]) return false;
    }
    return i == n && lower[i] == 0;
}

static bool str_is(const char *s, size_t n, const char *t) { return n == corral_strlen(t) && corral_eq(s, t, n); }

static uint64_t deny(int status, const char *method, size_t method_len, const char *path, size_t path_len) {
    corral_buf msg = corral_buf_new(0);
    corral_buf_add_str(&msg, "deny ");
    corral_buf_add_uint(&msg, (uint64_t) status);
    corral_buf_add(&msg, " ", 1);
    corral_buf_add(&msg, method, method_len);
    corral_buf_add(&msg, " ", 1);
    corral_buf_add(&msg, path, path_len);
    corral_log(CORRAL_INFO, (const char *) msg.ptr, msg.len);
    corral_buf_free(&msg);
    corral_buf out = corral_buf_new(0);
    corral_buf_add_str(&out, "deny ");
    corral_buf_add_uint(&out, (uint64_t) status);
    corral_buf_add(&out, "\n", 1);
    return corral_buf_return(&out);
}

// Calls f(name, name_len, value, value_len) for each non-empty line; false if a line is malformed.
typedef void (*header_fn)(void *ctx, const char *n, size_t nl, const char *v, size_t vl);
static bool each_header(const char *h, size_t len, header_fn f, void *ctx) {
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && h[end] != '\n') end++;
        if (end > i) {
            size_t colon = i;
            while (colon + 1 < end && !(h[colon] == ':' && h[colon + 1] == ' ')) colon++;
            if (colon + 1 >= end || colon == i) return false;
            if (f) f(ctx, h + i, colon - i, h + colon + 2, end - colon - 2);
        }
        i = end + 1;
    }
    return true;
}

static void find_auth(void *ctx, const char *n, size_t nl, const char *v, size_t vl) {
    (void) v; (void) vl;
    if (name_is(n, nl, "authorization")) *(bool *) ctx = true;
}

static void forward(void *ctx, const char *n, size_t nl, const char *v, size_t vl) {
    corral_buf *out = ctx;
    if (name_is(n, nl, "cookie")) return;
    for (size_t i = 0; i < nl; i++) corral_buf_add_byte(out, (uint8_t) (n[i] >= 'A' && n[i] <= 'Z' ? n[i] + 32 : n[i]));
    corral_buf_add(out, ": ", 2);
    corral_buf_add(out, v, vl);
    corral_buf_add(out, "\n", 1);
}

CORRAL_EXPORT(filter) uint64_t filter(const char *method, size_t ml, const char *path, size_t pl, const char *headers, size_t hl) {
    if (ml == 0) corral_fail("filter: empty method");
    bool auth = false;
    if (!each_header(headers, hl, find_auth, &auth)) return deny(400, method, ml, path, pl);
    if (!str_is(method, ml, "GET") && !str_is(method, ml, "HEAD") && !str_is(method, ml, "POST")) return deny(405, method, ml, path, pl);
    if (pl >= 6 && corral_eq(path, "/admin", 6) && !auth) return deny(401, method, ml, path, pl);
    corral_buf out = corral_buf_new(hl + 32);
    corral_buf_add_str(&out, "allow\n");
    each_header(headers, hl, forward, &out);
    corral_buf_add_str(&out, "x-filtered-by: corral\n");
    return corral_buf_return(&out);
}
