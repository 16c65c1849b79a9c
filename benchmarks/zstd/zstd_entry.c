// A small entry point over Debian's libzstd source, built as a wasm32-wasi reactor for
// big/ZstdBenchmark: the host copies its input into guest memory through zstd_alloc, calls one of
// the exports, and reads the output back. One context of each kind is kept across calls, as a
// server compressing many payloads would keep it.
#define ZSTD_STATIC_LINKING_ONLY
#include <stdlib.h>
#include "zstd.h"

static ZSTD_CCtx *cctx;
static ZSTD_DCtx *dctx;

__attribute__((export_name("zstd_alloc"))) void *zstd_alloc(size_t size) { return malloc(size); }

__attribute__((export_name("zstd_free"))) void zstd_free(void *p) { free(p); }

__attribute__((export_name("zstd_bound"))) size_t zstd_bound(size_t size) { return ZSTD_compressBound(size); }

// Returns the compressed size, or 0 on error (zstd's error codes are "negative" size_t values).
__attribute__((export_name("zstd_compress")))
size_t zstd_compress(void *dst, size_t dst_cap, const void *src, size_t src_size, int level) {
    if (!cctx && !(cctx = ZSTD_createCCtx())) return 0;
    size_t n = ZSTD_compressCCtx(cctx, dst, dst_cap, src, src_size, level);
    return ZSTD_isError(n) ? 0 : n;
}

// Returns the decompressed size, or (size_t)-1 on error.
__attribute__((export_name("zstd_decompress")))
size_t zstd_decompress(void *dst, size_t dst_cap, const void *src, size_t src_size) {
    if (!dctx && !(dctx = ZSTD_createDCtx())) return (size_t)-1;
    size_t n = ZSTD_decompressDCtx(dctx, dst, dst_cap, src, src_size);
    return ZSTD_isError(n) ? (size_t)-1 : n;
}
