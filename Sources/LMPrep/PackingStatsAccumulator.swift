import Foundation

/// Sums the `PackingStats` of reduce groups that run on several threads.
///
/// A class behind a lock because reducers run concurrently and each reports
/// once per group (a handful of times per job), so contention is nil.
/// `@unchecked Sendable` because every access takes that lock.
public final class PackingStatsAccumulator: @unchecked Sendable {
    private let lock = NSLock()
    private var sum = PackingStats()

    /// Starts from zero.
    public init() {}

    /// Adds one group's counters. Thread-safe.
    public func add(_ stats: PackingStats) {
        lock.lock()
        sum += stats
        lock.unlock()
    }

    /// The counters added so far. Thread-safe.
    public var total: PackingStats {
        lock.lock()
        defer { lock.unlock() }
        return sum
    }
}
