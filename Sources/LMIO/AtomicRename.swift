import CSysCalls

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Publishing a finished directory (or file) under its final name in one
/// step: Linux `renameat2` with `RENAME_NOREPLACE` (refuses if something
/// appeared at the target) or `RENAME_EXCHANGE` (swaps old and new), with
/// a fallback where the file system or kernel lacks them.
extension FileSystem {
    /// Renames `from` to `to` only if nothing exists at `to`; the check and
    /// the rename are one step in the kernel, so something that appears at
    /// `to` at any moment before is never replaced.
    ///
    /// Fallback, where `renameat2` says `EINVAL` or `ENOSYS` (file systems
    /// without the flag, kernels before 3.15): check that nothing is at
    /// `to`, then `rename(2)`. Between the two, `rename(2)` itself still
    /// refuses to replace a non-empty directory or (when `from` is a
    /// directory) a file, so what the fallback can lose is at most an empty
    /// directory created in that window.
    ///
    /// - Throws: `FileError` with `isAlreadyExists` when something is at `to`.
    public static func renameNoReplace(_ from: String, to: String) throws {
        if lmshard_rename_noreplace(from, to) == 0 { return }
        let code = lastErrno
        guard code == EINVAL || code == ENOSYS else {
            throw FileError(path: to, operation: "rename \(from) to", code: code)
        }
        try renameNoReplaceFallback(from, to: to)
    }

    /// The check-then-rename fallback of `renameNoReplace` (internal so that
    /// tests can run it on file systems that have the real call).
    static func renameNoReplaceFallback(_ from: String, to: String) throws {
        guard !exists(to) else { throw FileError(path: to, operation: "rename \(from) to", code: EEXIST) }
        try rename(from, to: to)
    }

    /// Swaps the names `a` and `b` (both must exist) in one step: a reader
    /// of `b` sees the old entry or the new one, never neither.
    ///
    /// Fallback, where `renameat2` says `EINVAL` or `ENOSYS`: three renames
    /// (`b` aside to a hidden sibling, `a` to `b`, the aside to `a`), during
    /// which `b` is briefly missing; a failure in the middle puts `b` back.
    ///
    /// - Throws: `FileError`; `ENOENT` when either name is missing.
    public static func exchange(_ a: String, _ b: String) throws {
        if lmshard_rename_exchange(a, b) == 0 { return }
        let code = lastErrno
        guard code == EINVAL || code == ENOSYS else {
            throw FileError(path: b, operation: "exchange \(a) with", code: code)
        }
        try exchangeFallback(a, b)
    }

    /// The three-rename fallback of `exchange` (internal for tests).
    static func exchangeFallback(_ a: String, _ b: String) throws {
        guard exists(a) else { throw FileError(path: a, operation: "exchange \(b) with", code: ENOENT) }
        let aside = parentDirectory(of: b) + "/." + lastComponent(of: b) + ".exchange-\(getpid())"
        try rename(b, to: aside)
        do {
            try rename(a, to: b)
        } catch {
            try? rename(aside, to: b)
            throw error
        }
        try rename(aside, to: a)
    }
}
