import Foundation

/// Work running on a thread of its own, whose result is waited for later:
/// for reading one pipe while another is read, and for bounding how long
/// a call may take.
///
/// `@unchecked Sendable`: `result` is written by the worker before
/// `signal` and read only after `wait`, which orders the two.
public final class Background<T>: @unchecked Sendable {
    private var result: Result<T, any Error>?
    private let done = DispatchSemaphore(value: 0)

    /// Starts `body` now.
    public init(_ body: @escaping @Sendable () throws -> T) {
        let thread = Thread { [self] in
            result = Result { try body() }
            done.signal()
        }
        thread.start()
    }

    /// The result, or nil if it is not there within `seconds`.
    public func wait(seconds: Double = 24 * 3600) -> Result<T, any Error>? {
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        return result
    }
}

/// Runs `body` on a thread of its own and waits at most `seconds` for it,
/// so a regression that blocks (opening a FIFO without a writer, reading a
/// device that never ends) fails the test instead of hanging CI. Returns
/// nil on timeout (the thread is left blocked; the test process ends it).
public func withDeadline<T>(seconds: Double, _ body: @escaping @Sendable () throws -> T) -> Result<T, any Error>? {
    Background(body).wait(seconds: seconds)
}
