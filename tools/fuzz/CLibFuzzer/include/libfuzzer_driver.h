#ifndef LMSHARD_LIBFUZZER_DRIVER_H
#define LMSHARD_LIBFUZZER_DRIVER_H

#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer's driver (`LLVMFuzzerRunDriver`) with `callback` as the
/// fuzz target, when the executable was linked with `-sanitize=fuzzer`;
/// returns -1 at once otherwise. The driver symbol is referenced weakly so
/// that an ordinary build of the package links without libFuzzer.
int lmshard_run_libfuzzer(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
