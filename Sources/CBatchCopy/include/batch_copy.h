// The copy kernels behind LMShard's batch collation: a cache hint and the two
// widening loops that fill LMBatch rows from memory-mapped planes. C because
// Swift has no prefetch intrinsic and cannot pick SIMD code by CPU at run time.
#ifndef LMSHARD_BATCH_COPY_H
#define LMSHARD_BATCH_COPY_H

#include <stddef.h>
#include <stdint.h>

/// Asks the CPU to start loading every 64-byte line of [p, p + n) into the
/// caches without waiting for it. A hint: it never faults, even on an
/// address that is not mapped. Inline so it is a few instructions in the
/// caller's loop.
static inline void lmshard_prefetch_range(const void *p, size_t n) {
    const char *c = (const char *)p;
    for (size_t i = 0; i < n; i += 64) __builtin_prefetch(c + i, 0, 3);
    if (n > 0) __builtin_prefetch(c + n - 1, 0, 3);
}

/// dst[k] = src[k] for k < n, uint16 widened to uint32. Buffers must not overlap.
void lmshard_widen_u16_u32(const uint16_t *src, uint32_t *dst, size_t n);

/// dst[k] = (src[k] != 0) for k < n, as bytes 0 or 1 (Swift `Bool`).
void lmshard_nonzero_u8(const uint8_t *src, uint8_t *dst, size_t n);

/// The instruction set the kernels run with on this CPU: "avx512", "avx2" or
/// "baseline" (for benchmarks and tests that want to say what they measured).
const char *lmshard_batch_copy_isa(void);

/// Makes the kernels use `isa` ("avx512", "avx2", "baseline"; NULL for the
/// best this CPU has), so tests can check every variant on one machine.
/// Returns 0, changing nothing, when the CPU lacks it. Every variant gives
/// the same results, so switching while other threads copy is harmless.
int lmshard_batch_copy_use(const char *isa);

#endif
