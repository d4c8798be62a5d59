// An LD_PRELOAD shim for the fault test (fault_test.py): makes one chosen
// write or fsync fail, as a failing disk does, so lmshard's handling of EIO
// can be checked where no device-mapper "error" target is available.
//
// Environment:
//   LMSHARD_FAULT_MATCH  substring of the file's path (/proc/self/fd/N) to fail on;
//                        with a leading '$', the path must end with the rest
//   LMSHARD_FAULT_OP     write (write, pwrite, writev) or fsync (fsync, fdatasync)
//   LMSHARD_FAULT_AFTER  fail the Nth matching call and every later one (1 = the first)
//   LMSHARD_FAULT_ERRNO  the errno to fail with (5 = EIO, 28 = ENOSPC)
//
// Built by fault_test.py with: cc -shared -fPIC -O2 -o faultinject.so faultinject.c -ldl
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static atomic_long calls;

static int should_fail(int fd, const char *op) {
    const char *match = getenv("LMSHARD_FAULT_MATCH");
    const char *want = getenv("LMSHARD_FAULT_OP");
    if (!match || !want || strcmp(want, op) != 0) return 0;
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0) return 0;
    path[n] = 0;
    if (match[0] == '$') {
        size_t want_len = strlen(match + 1);
        if ((size_t)n < want_len || strcmp(path + n - want_len, match + 1) != 0) return 0;
    } else if (!strstr(path, match)) {
        return 0;
    }
    const char *after = getenv("LMSHARD_FAULT_AFTER");
    long threshold = after ? atol(after) : 1;
    if (atomic_fetch_add(&calls, 1) + 1 < threshold) return 0;
    const char *code = getenv("LMSHARD_FAULT_ERRNO");
    errno = code ? atoi(code) : EIO;
    return 1;
}

typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef ssize_t (*writev_fn)(int, const struct iovec *, int);
typedef int (*sync_fn)(int);

// The next definition of `name` (libc's), looked up once.
#define REAL(name, type) \
    static type real_##name; \
    if (!real_##name) real_##name = (type)dlsym(RTLD_NEXT, #name)

ssize_t write(int fd, const void *buf, size_t count) {
    REAL(write, write_fn);
    if (should_fail(fd, "write")) return -1;
    return real_write(fd, buf, count);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset) {
    REAL(pwrite, pwrite_fn);
    if (should_fail(fd, "write")) return -1;
    return real_pwrite(fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off_t offset) {
    REAL(pwrite64, pwrite_fn);
    if (should_fail(fd, "write")) return -1;
    return real_pwrite64(fd, buf, count, offset);
}

ssize_t writev(int fd, const struct iovec *iov, int count) {
    REAL(writev, writev_fn);
    if (should_fail(fd, "write")) return -1;
    return real_writev(fd, iov, count);
}

int fsync(int fd) {
    REAL(fsync, sync_fn);
    if (should_fail(fd, "fsync")) return -1;
    return real_fsync(fd);
}

int fdatasync(int fd) {
    REAL(fdatasync, sync_fn);
    if (should_fail(fd, "fsync")) return -1;
    return real_fdatasync(fd);
}
