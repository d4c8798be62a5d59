import Dispatch
import Foundation

/// Runs tasks `0..<count` on at most `workers` threads, each task once:
/// the thread cap `encodeBatch(threads:)` and `encodeJSONLines(threads:)`
/// promise. `concurrentPerform` is given the worker count (never the task
/// count, which would let it use every core whatever was asked), and the
/// workers take task indices from a shared counter, so a long task does
/// not leave the others idle. With one worker the tasks run in order on
/// the calling thread.
enum WorkerPool {
    static func run(tasks count: Int, workers: Int, _ body: @Sendable (Int) -> Void) {
        let workers = max(1, min(workers, count))
        if workers == 1 {
            for task in 0..<count { body(task) }
            return
        }
        let next = TaskCounter(count: count)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let task = next.take() { body(task) }
        }
    }
}

/// Hands out `0..<count`, each index once; one lock per task taken (a task
/// is tens of KB of text, so the lock is noise). `@unchecked Sendable`:
/// the counter is touched only under the lock.
final class TaskCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private let count: Int

    init(count: Int) { self.count = count }

    func take() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }
}
