import Foundation

/// Hooks for the tests of resuming, retried reduce tasks and reducer
/// memory: `LMSHARD_TEST_KILL_AFTER_SEQUENCES=N` sends this process SIGKILL
/// after the N-th packed sequence is appended (a shard is half written),
/// `LMSHARD_TEST_KILL_AFTER_SHARDS=N` after the N-th group's receipt is
/// staged, and `LMSHARD_TEST_PEAK_RSS_FILE=PATH` makes a reduce stage write
/// its peak resident memory (`VmHWM` of /proc/self/status, in KiB) to PATH
/// when it ends. (A parent cannot measure that: a child forked from a large
/// test runner inherits the runner's high-water mark in `ru_maxrss`.) The
/// names say what they are for and are read only here; nothing else
/// changes when they are unset.
final class TestHooks: @unchecked Sendable {
    static let shared = TestHooks(environment: ProcessInfo.processInfo.environment)

    private let sequenceLimit: Int?
    private let shardLimit: Int?
    private let peakMemoryFile: String?
    private let lock = NSLock()
    private var sequences = 0
    private var shards = 0

    init(environment: [String: String]) {
        sequenceLimit = environment["LMSHARD_TEST_KILL_AFTER_SEQUENCES"].flatMap { Int($0) }
        shardLimit = environment["LMSHARD_TEST_KILL_AFTER_SHARDS"].flatMap { Int($0) }
        peakMemoryFile = environment["LMSHARD_TEST_PEAK_RSS_FILE"]
    }

    /// Writes the process's peak resident memory to the file the
    /// environment names, if it names one.
    func recordPeakMemory() {
        guard let path = peakMemoryFile,
            let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return }
        let kib = line.split(separator: " ").dropFirst().first.map(String.init) ?? ""
        try? kib.write(toFile: path, atomically: true, encoding: .utf8)
    }

    func sequenceWritten() { count(\.sequences, limit: sequenceLimit) }

    func shardDone() { count(\.shards, limit: shardLimit) }

    /// Adds one to `counter` and kills the process when it reaches `limit`.
    private func count(_ counter: ReferenceWritableKeyPath<TestHooks, Int>, limit: Int?) {
        guard let limit else { return }
        lock.lock()
        self[keyPath: counter] += 1
        let reached = self[keyPath: counter] >= limit
        lock.unlock()
        if reached { kill(getpid(), SIGKILL) }
    }
}
