// sync_file_range and F_SETPIPE_SZ are GNU extensions: declare them before
// any system header.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif

#include "syscalls.h"

int lmshard_start_writeback(int fd, long long offset, long long length) {
#if defined(__linux__)
    return sync_file_range(fd, (off_t)offset, (off_t)length, SYNC_FILE_RANGE_WRITE);
#else
    (void)fd;
    (void)offset;
    (void)length;
    return 0;
#endif
}

// The flag values are the kernel's ABI (include/uapi/linux/fs.h); older
// C libraries do not define them.
#define LMSHARD_RENAME_NOREPLACE (1 << 0)
#define LMSHARD_RENAME_EXCHANGE (1 << 1)

static int rename_with_flags(const char *from, const char *to, unsigned flags) {
#if defined(__linux__) && defined(SYS_renameat2)
    // Through syscall(2) so that C libraries older than glibc 2.28, which
    // lack the renameat2 wrapper, still reach the kernel's call.
    return (int)syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, flags);
#elif defined(__APPLE__)
    return renamex_np(from, to, flags == LMSHARD_RENAME_NOREPLACE ? RENAME_EXCL : RENAME_SWAP);
#else
    (void)from;
    (void)to;
    (void)flags;
    errno = ENOSYS;
    return -1;
#endif
}

int lmshard_rename_noreplace(const char *from, const char *to) {
    return rename_with_flags(from, to, LMSHARD_RENAME_NOREPLACE);
}

int lmshard_rename_exchange(const char *a, const char *b) {
    return rename_with_flags(a, b, LMSHARD_RENAME_EXCHANGE);
}

int lmshard_set_pipe_size(int fd, int size) {
#if defined(__linux__) && defined(F_SETPIPE_SZ)
    return fcntl(fd, F_SETPIPE_SZ, size);
#else
    (void)fd;
    (void)size;
    errno = ENOSYS;
    return -1;
#endif
}
