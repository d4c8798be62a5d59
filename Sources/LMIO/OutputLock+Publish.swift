#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Publishing a finished staging directory as the output, in one step that
/// can never destroy what it was not asked to replace.
extension OutputLock {
    /// Publishes `staging` (a hidden sibling of the output this holder
    /// created and recorded) under the output's name.
    ///
    /// Without `replacing`, a no-replace rename: whatever appeared at the
    /// output since the command started is never replaced (an empty
    /// directory the user named as output is removed first; if something is
    /// written into it meanwhile, the rename fails and nothing is replaced
    /// either). With `replacing`, the old output and the new one are
    /// swapped in one step (`RENAME_EXCHANGE`), so a reader sees one or the
    /// other, never neither; then the old one, now under the staging name,
    /// is removed, unless it is not `isReplaceable` (it was swapped for
    /// something else since the command checked it), in which case it is
    /// swapped back and `LockError.notReplaceable` thrown.
    ///
    /// Before the first rename the record gets the staging directory's
    /// identity (device and inode, which renames keep) and the aside name
    /// the exchange fallback uses, fsynced: whoever takes the lock after a
    /// kill at any point in here can tell which name holds the new dataset
    /// and finishes or undoes the step (`recover`).
    ///
    /// - Throws: `LockError.appeared` / `.notReplaceable` naming the output
    ///   (nothing was replaced), `FileError`.
    public mutating func publish(staging: String, replacing: Bool, isReplaceable: (String) -> Bool) throws {
        let name = FileSystem.lastComponent(of: staging)
        guard Self.ownedSibling(name, of: output) == staging, let id = Self.identity(of: staging) else {
            throw FileError(path: staging, operation: "publish", reason: "not a staging directory next to \(output)")
        }
        let aside = siblingPath(suffix: "aside-\(getpid())")
        try set("staging", name)
        try set("aside", FileSystem.lastComponent(of: aside))
        try set("publishing", id)
        KillPoint.reached("publish.recorded")
        if replacing && FileSystem.exists(output) {
            guard isReplaceable(output) else { throw LockError.notReplaceable(path: output) }
            try FileSystem.exchange(staging, output, fallbackAside: aside)
            KillPoint.reached("publish.exchanged")
            // `staging` now names what was at the output.
            guard isReplaceable(staging) else {
                try FileSystem.exchange(staging, output, fallbackAside: aside)
                throw LockError.notReplaceable(path: output)
            }
            try FileSystem.removeTree(staging)
        } else {
            if FileSystem.kind(of: output) == .directory {
                // Fails, leaving it, unless it is empty; then the rename below refuses.
                _ = rmdir(output)
            }
            do {
                try FileSystem.renameNoReplace(staging, to: output)
            } catch let error as FileError where error.isAlreadyExists || error.code == ENOTDIR {
                throw LockError.appeared(path: output)
            }
        }
        try FileSystem.syncDirectory(FileSystem.parentDirectory(of: output))
        KillPoint.reached("publish.done")
        try set("publishing", nil)
        try set("aside", nil)
        try set("staging", nil)
    }

    /// Whether removing `staging` after a failure removes only our own work
    /// (it names the directory this holder staged, or nothing). False when
    /// a publish recorded the staging directory's identity and the name now
    /// holds something else: the exchange happened and swapping back
    /// failed, so it holds what was at the output. That is left for the
    /// next holder's `recover`, which the record still tells to put it
    /// back. (Nothing there is the usual case after a publish that renamed
    /// it into place and failed later, at the directory sync.)
    public func holdsOwnStaging(_ staging: String) -> Bool {
        guard let id = record["publishing"], let there = Self.identity(of: staging) else { return true }
        return there == id
    }
}
