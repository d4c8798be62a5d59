#include "libfuzzer_driver.h"

// Provided by libclang_rt.fuzzer when linked with -fsanitize=fuzzer / -sanitize=fuzzer.
extern int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size))
    __attribute__((weak));

int lmshard_run_libfuzzer(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size)) {
    if (!LLVMFuzzerRunDriver) return -1;
    return LLVMFuzzerRunDriver(argc, argv, callback);
}
