// Software prefetch for Swift, which has no intrinsic for it. Header-only:
// the function is static inline so it compiles to a single instruction in
// the caller's loop.
#ifndef LMSHARD_CPREFETCH_H
#define LMSHARD_CPREFETCH_H

#include <stddef.h>

/// Asks the CPU to start loading every 64-byte line of [p, p + n) into the
/// caches without waiting for it. A hint: it never faults, even on an
/// address that is not mapped.
static inline void lmshard_prefetch_range(const void *p, size_t n) {
    const char *c = (const char *)p;
    for (size_t i = 0; i < n; i += 64) __builtin_prefetch(c + i, 0, 3);
    if (n > 0) __builtin_prefetch(c + n - 1, 0, 3);
}

#endif
