#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Named moments of a commit where the kill test (`tools/reliability`)
/// can stop lmshard to kill it exactly there: the steps of a publish last
/// microseconds, so kills at random times almost never land in them.
///
/// With `LMSHARD_TEST_STOP_AT=NAME` in the environment, reaching the point
/// `NAME` stops the process (`SIGSTOP`); the test then sends `SIGKILL`.
/// Without the variable (every real run) a point costs one comparison.
/// The points, in the order a build reaches them:
/// - `staging.created`: the staging directory is on record and made;
/// - `publish.recorded`: the staging identity is on record, nothing renamed;
/// - `publish.exchanged`: an overwrite swapped old and new, the old one not
///   yet removed;
/// - `publish.done`: published, the lock not yet released.
public enum KillPoint {
    private static let target: String? = getenv("LMSHARD_TEST_STOP_AT").map { String(cString: $0) }

    /// Stops the process here if the test asked for this point.
    public static func reached(_ name: String) {
        if let target, target == name { raise(SIGSTOP) }
    }
}
