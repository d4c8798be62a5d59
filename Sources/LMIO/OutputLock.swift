#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The lock on an output path (`.NAME.lock` next to it), held for the whole
/// of a command that writes the output: `build`, a distributed build's
/// `finalize`, `run`.
///
/// Why: the output is checked when a command starts and replaced when it
/// ends; without a lock, two builds of one output both passed the check and
/// both exited 0 while one dataset vanished. With it, the second fails at
/// once, naming the first (`LockError.held`).
///
/// The lock file records what the holder creates next to the output (its
/// staging directory, a temporary file, the aside name of a fallback
/// exchange, a work directory) before creating it, and the staging
/// directory's identity before publishing it. A command killed at any
/// moment leaves that record behind, and the next one to take the lock
/// puts things right from it (`OutputLock+Recovery.swift`): an old dataset
/// swapped out by a publish is removed, a replaced folder is put back, and
/// partial work is removed or, when the new command reuses it, kept. Only
/// what a record names, under the output's own hidden prefix, is ever
/// touched. The file is removed on release once nothing is left to recover.
public struct OutputLock: ~Copyable {
    /// The output path (a dataset directory or an output file).
    public let output: String
    /// `.NAME.lock` next to `output`.
    public let lockPath: String
    /// What a previous holder that died or failed had recorded; nil when
    /// there was none (or it was not a whole record).
    public let stale: LockRecord?
    /// What was done about the previous holder's leftovers, one line each,
    /// for the user (`removed .data.build-1f2e... left by ...`).
    public private(set) var recovered: [String]
    /// This holder's record, as on disk.
    public private(set) var record: LockRecord
    private var lock: FileLock
    private var didRecover = false

    /// `.NAME.lock` next to `output`.
    public static func lockPath(for output: String) -> String {
        FileSystem.parentDirectory(of: output) + "/." + FileSystem.lastComponent(of: output) + ".lock"
    }

    /// Takes the lock on `output` without waiting (creating the parent
    /// directory if needed) and records this process as the holder, taking
    /// over what a previous holder's record names until `recover` has dealt
    /// with it (so a kill before then loses nothing: the next holder finds
    /// the same names on record).
    ///
    /// Take the lock first and recover once you know what you will reuse:
    /// a second writer then fails at once, before any planning.
    ///
    /// - Parameter command: what holds it, for messages (`build`, `run`).
    /// - Throws: `LockError.held` naming the live holder; `FileError`.
    public init(output: String, command: String) throws {
        let name = FileSystem.lastComponent(of: output)
        guard !name.isEmpty, name != ".", name != ".." else {
            throw FileError(path: output, operation: "write to", reason: "names no file or directory of its own; give a new path")
        }
        let parent = FileSystem.parentDirectory(of: output)
        switch FileSystem.kind(of: parent) {
        case .directory?: break
        case nil: try FileSystem.makeDirectory(parent)
        case .some: throw FileError(path: output, operation: "create", reason: "\(parent) is not a directory")
        }
        let lockPath = Self.lockPath(for: output)
        let lock = try FileLock.acquire(lockPath, guarding: output)
        var stale: LockRecord?
        var record = LockRecord.current(command: command)
        do {
            // Unreadable or oversized (not lmshard's, or damaged): no record.
            stale = (try? lock.contents()).flatMap(LockRecord.parse)
            for (key, value) in stale?.fields ?? [] { record[key] = value }
            try lock.replaceContents(record.serialized())
        } catch {
            // A full disk can fail the first record: leave no empty lock
            // file behind, but keep one whose stale record is still needed.
            if stale == nil { try? lock.releaseRemoving() } else { try? lock.release() }
            throw error
        }
        self.output = output
        self.lockPath = lockPath
        self.stale = stale
        self.recovered = []
        self.record = record
        self.lock = lock
    }

    /// Takes the lock and recovers at once (`init(output:command:)`, then
    /// `recover`), for a command that knows up front what it reuses.
    public static func acquire(
        output: String, command: String, reusing: Set<String> = [],
        isReplaceable: (String) -> Bool = { _ in false }
    ) throws -> OutputLock {
        var lock = try OutputLock(output: output, command: command)
        try lock.recover(reusing: reusing, isReplaceable: isReplaceable)
        return lock
    }

    /// Puts right what the previous holder left (see
    /// `OutputLock+Recovery.swift`), then drops from this holder's record
    /// every name taken over from it but those in `reusing`. Does nothing
    /// when there was no previous record, or the second time.
    ///
    /// - Parameters:
    ///   - reusing: names of a previous holder's leftovers (hidden sibling
    ///     names, or work-directory paths) that this command resumes from:
    ///     kept, and kept on record.
    ///   - isReplaceable: whether a directory at a path is something an
    ///     overwrite may replace (for a dataset: empty, or holds a
    ///     manifest); what a killed publish swapped out and is not
    ///     replaceable is put back.
    /// - Throws: `FileError` when a leftover cannot be removed or put back.
    public mutating func recover(reusing: Set<String>, isReplaceable: (String) -> Bool) throws {
        guard let stale, !didRecover else { return }
        recovered = try Self.recover(stale, output: output, reusing: reusing, isReplaceable: isReplaceable)
        didRecover = true
        // Kept on record: work that is reused and still there. A publish's
        // notes (`publishing`, `aside`) are settled by now.
        for (key, value) in stale.fields where record[key] == value {
            let path = key == "job" ? value : Self.ownedSibling(value, of: output)
            let kept = ["staging", "temporary", "job"].contains(key) && reusing.contains(value)
                && path.map(FileSystem.exists) == true
            if !kept { record[key] = nil }
        }
        try lock.replaceContents(record.serialized())
    }

    /// `recover` for a command that failed before it knew what it would
    /// reuse: a publish cut short is finished or undone, and partial work on
    /// record is kept (and stays on record) for a later run to resume or
    /// remove.
    public mutating func recoverKeepingWork(isReplaceable: (String) -> Bool) throws {
        try recover(reusing: Set(stale?.fields.map(\.value) ?? []), isReplaceable: isReplaceable)
    }

    /// Sets (or with nil removes) `key` in the record and writes it durably:
    /// record what you are about to create before creating it.
    public mutating func set(_ key: String, _ value: String?) throws {
        guard record[key] != value else { return }
        record[key] = value
        try lock.replaceContents(record.serialized())
    }

    /// Releases the lock and removes the lock file: call when nothing the
    /// record names is left.
    public consuming func release() throws {
        try lock.releaseRemoving()
    }

    /// Releases the lock and keeps the lock file, whose record names what
    /// is left (a failed build's resumable staging directory) for the next
    /// holder.
    public consuming func releaseKeepingRecord() throws {
        try lock.release()
    }

    /// Releases the lock, keeping the lock file when its record still names
    /// something (leftovers not yet recovered, a staging directory kept to
    /// resume, a publish that failed halfway), else removing it: after a
    /// failure, or after recovering with `recoverKeepingWork`. Clear what
    /// you removed yourself (`set(key, nil)`) first.
    public consuming func releaseKeepingRemainingWork() {
        if record.fields.isEmpty {
            try? lock.releaseRemoving()
        } else {
            try? lock.release()
        }
    }

    // MARK: - Names

    /// `.NAME.SUFFIX` next to the output: the names a holder may create
    /// and record (`build-ID`, `tmp-PID`).
    public func siblingPath(suffix: String) -> String {
        FileSystem.parentDirectory(of: output) + "/" + Self.hiddenPrefix(of: output) + suffix
    }

    /// `.NAME.`: every name a holder creates next to the output starts so.
    static func hiddenPrefix(of output: String) -> String { "." + FileSystem.lastComponent(of: output) + "." }

    /// The path of the recorded sibling name `name`, or nil when `name` is
    /// not a hidden sibling of the output with its prefix (a damaged or
    /// hostile record naming `../home` is ignored, never followed).
    static func ownedSibling(_ name: String?, of output: String) -> String? {
        let prefix = hiddenPrefix(of: output)
        guard let name, name.count > prefix.count, name.hasPrefix(prefix), !name.contains("/"),
            name != "." + FileSystem.lastComponent(of: output) + ".lock"
        else { return nil }
        return FileSystem.parentDirectory(of: output) + "/" + name
    }

    /// `DEVICE:INODE` of `path` (not following a link): what a directory
    /// keeps across renames, so a record can say which of two names holds
    /// it after a kill. Nil when nothing is there.
    static func identity(of path: String) -> String? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return "\(info.st_dev):\(info.st_ino)"
    }
}
