import CSysCalls

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension FileDescriptor {
    /// 1 MB, Linux's default ceiling for unprivileged processes.
    public static let largePipeBuffer: Int32 = 1 << 20

    /// Grows the pipe behind this descriptor (if it is one) from the default
    /// 64 KB to 1 MB, so a writer and a reader on different cores block on
    /// each other less often: with 64 KB, writing ~15 MB of ids to a reader
    /// that drains in 32 KB reads stalled encoding hundreds of times (~20%
    /// of single-thread time on 10 MB of Python source). Failure (not a
    /// pipe, not Linux, a lower limit) leaves the pipe as it was.
    public func enlargePipeBuffer() {
        var info = stat()
        guard fstat(rawValue, &info) == 0, info.st_mode & S_IFMT == S_IFIFO else { return }
        _ = lmshard_set_pipe_size(rawValue, Self.largePipeBuffer)
    }
}
