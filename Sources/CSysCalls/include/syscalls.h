#ifndef LMSHARD_SYSCALLS_H
#define LMSHARD_SYSCALLS_H

// Linux calls that Swift's Glibc module does not export (they need
// _GNU_SOURCE or are reached only through syscall(2)). Each returns 0, or
// -1 with errno set, like the calls it wraps. Only LMIO calls these.

/// Starts writing the dirty page-cache pages of `fd` in
/// `[offset, offset + length)` to disk and returns without waiting
/// (Linux `sync_file_range(SYNC_FILE_RANGE_WRITE)`). A hint: a later
/// `fsync` still decides durability and reports errors. A no-op returning
/// 0 where the call does not exist.
///
/// Why: a writer that only calls `fsync` at the end leaves every byte dirty
/// until then and waits for all of it at once; started early, the disk
/// works while the CPU goes on producing data.
int lmshard_start_writeback(int fd, long long offset, long long length);

/// `renameat2(from, to, RENAME_NOREPLACE)`: renames only if nothing exists
/// at `to` (fails with EEXIST otherwise), checked by the kernel in the same
/// step as the rename. EINVAL or ENOSYS where the file system or kernel
/// lacks it (macOS: `renamex_np(RENAME_EXCL)`, untested).
int lmshard_rename_noreplace(const char *from, const char *to);

/// `renameat2(a, b, RENAME_EXCHANGE)`: swaps the two names in one step
/// (both must exist). EINVAL or ENOSYS where the file system or kernel
/// lacks it (macOS: `renamex_np(RENAME_SWAP)`, untested).
int lmshard_rename_exchange(const char *a, const char *b);

/// `fcntl(fd, F_SETPIPE_SZ, size)` on Linux; -1 with ENOSYS elsewhere.
int lmshard_set_pipe_size(int fd, int size);

#endif
