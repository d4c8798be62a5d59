import Foundation

/// Pipe buffer sizing for stdin and stdout.
enum Pipes {
    /// Linux's `F_SETPIPE_SZ` (not exported to Swift).
    static let setPipeSize: Int32 = 1031
    /// 1 MB, Linux's default ceiling for unprivileged processes.
    static let size: Int32 = 1 << 20

    /// Grows the pipe behind `fd` (if it is one) from the default 64 KB to
    /// 1 MB, so a writer and a reader on different cores block on each
    /// other less often: with 64 KB, writing ~15 MB of ids to a reader
    /// that drains in 32 KB reads stalled encoding hundreds of times
    /// (~20% of single-thread time on 10 MB of Python source). Failure
    /// (not a pipe, not Linux, a lower limit) leaves the pipe as it was.
    static func enlarge(fd: Int32) {
        #if os(Linux)
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFIFO else { return }
        _ = fcntl(fd, setPipeSize, size)
        #endif
    }
}
