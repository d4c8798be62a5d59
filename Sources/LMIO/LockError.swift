/// Why an output or a work directory could not be taken or published.
public enum LockError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Another live process holds the lock on `path`; `holder` is its
    /// record when the lock file could be read.
    case held(path: String, holder: LockRecord?)
    /// Something appeared at the output while the work ran: nothing was
    /// replaced.
    case appeared(path: String)
    /// What is at the output is not something this command may replace
    /// (not an lmshard dataset): it was left as it was.
    case notReplaceable(path: String)

    public var description: String {
        switch self {
        case let .held(path, holder?):
            return "\(path): in use by \(holder.holderDescription); wait for it to finish or stop it"
        case let .held(path, nil):
            return "\(path): in use by another lmshard process; wait for it to finish or stop it"
        case let .appeared(path):
            return "\(path): something appeared here while the build ran; nothing was replaced"
        case let .notReplaceable(path):
            return "\(path): is not an lmshard dataset; refusing to replace it"
        }
    }
}
