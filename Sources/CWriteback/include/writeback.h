#ifndef LMSHARD_WRITEBACK_H
#define LMSHARD_WRITEBACK_H

/// Starts writing the dirty page-cache pages of `fd` in
/// `[offset, offset + length)` to disk and returns without waiting
/// (Linux `sync_file_range(SYNC_FILE_RANGE_WRITE)`). A hint: a later
/// `fsync` still decides durability and reports errors. Returns 0, or -1
/// with errno set; a no-op returning 0 where the call does not exist.
///
/// Why: a writer that only calls `fsync` at the end leaves every byte dirty
/// until then and waits for all of it at once; started early, the disk
/// works while the CPU goes on producing data.
int lmshard_start_writeback(int fd, long long offset, long long length);

#endif
