import Foundation

/// A small lock-protected stack of `EncodeScratch`es, so single-text
/// `encode` calls reuse buffers (and the per-thread word cache) instead of
/// allocating ~6 MB of scratch (mostly that cache) per call. The
/// tokenizer's observable state stays immutable; only these private
/// buffers move between threads, and a buffer is used by one thread at a
/// time.
final class ScratchPool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [EncodeScratch] = []
    /// More idle scratches than this are dropped (one per core is plenty).
    private let limit = 64

    /// Runs `body` with a scratch that no other thread holds meanwhile.
    @inline(__always)
    func with<R>(_ body: (inout EncodeScratch) throws -> R) rethrows -> R {
        lock.lock()
        var scratch = free.popLast() ?? EncodeScratch()
        lock.unlock()
        defer {
            lock.lock()
            if free.count < limit { free.append(scratch) }
            lock.unlock()
        }
        return try body(&scratch)
    }
}
