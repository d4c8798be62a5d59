import Foundation

/// Runs `body` on a thread of its own and waits at most `seconds` for it,
/// so a regression that blocks (opening a FIFO without a writer, reading a
/// device that never ends) fails the test instead of hanging CI. Returns
/// nil on timeout (the thread is left blocked; the test process ends it).
public func withDeadline<T>(seconds: Double, _ body: @escaping @Sendable () throws -> T) -> Result<T, any Error>? {
    let slot = ResultSlot<T>()
    let done = DispatchSemaphore(value: 0)
    let worker = Thread {
        slot.result = Result { try body() }
        done.signal()
    }
    worker.start()
    guard done.wait(timeout: .now() + seconds) == .success else { return nil }
    return slot.result
}

/// Where the worker leaves its result. `@unchecked Sendable`: written by
/// the worker before `signal`, read after `wait`, which orders the two.
private final class ResultSlot<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
