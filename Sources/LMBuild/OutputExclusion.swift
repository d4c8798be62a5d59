import Foundation
import LMIO

/// Where a build writes, so that it is never read as input.
///
/// Why: with the output inside an input directory, a rebuild with
/// `--overwrite --skip-bad-rows` read the old dataset's `.bin`/`.idx` files
/// as text documents (and skipped the rows they broke), so the new dataset
/// held pieces of the old one. The rules:
/// - an input the user names that is the output, lies inside it, or is one
///   of its hidden staging or lock names (`.NAME.*` next to it) is refused;
/// - a directory walk skips the output directory and says so (its staging
///   and lock names are hidden and skipped like every hidden entry).
///
/// Paths are compared after resolving symbolic links, and directories met in
/// a walk by device and inode, so `corpus/../corpus/out` or a link to the
/// output are caught too.
public struct OutputExclusion: Sendable {
    /// The output as the user wrote it, for messages.
    public let output: String
    /// The output's resolved absolute path (its parent resolved when the
    /// output does not exist yet).
    let resolved: String
    /// The resolved parent and `.NAME.`, the prefix of its hidden siblings.
    let parent: String
    let hiddenPrefix: String
    /// Device and inode of the output directory, when it exists.
    let identity: String?

    public init(output: String) {
        self.output = output
        let absolute = URL(fileURLWithPath: output).standardizedFileURL.path
        let name = FileSystem.lastComponent(of: absolute)
        parent = Self.resolve(FileSystem.parentDirectory(of: absolute)) ?? FileSystem.parentDirectory(of: absolute)
        resolved = Self.resolve(absolute) ?? (parent == "/" ? "/" + name : parent + "/" + name)
        hiddenPrefix = "." + name + "."
        identity = InputCatalog.directoryID(absolute)
    }

    /// Throws when `input` (a path the user named) is the output, inside
    /// it, or one of its staging or lock names.
    ///
    /// - Throws: `InputError.isOutput`.
    public func check(namedInput input: String) throws {
        guard let real = Self.resolve(input) else { return }
        if real == resolved || real.hasPrefix(resolved == "/" ? "/" : resolved + "/") {
            throw InputError.isOutput(input, output: output)
        }
        if FileSystem.parentDirectory(of: real) == parent, FileSystem.lastComponent(of: real).hasPrefix(hiddenPrefix) {
            throw InputError.isOutput(input, output: output)
        }
    }

    /// Whether the directory `path`, met in a walk, is the output.
    func isOutput(directory path: String) -> Bool {
        guard let identity else { return false }
        return InputCatalog.directoryID(path) == identity
    }

    /// `realpath(3)`, or nil when the path does not resolve.
    static func resolve(_ path: String) -> String? {
        guard let raw = realpath(path, nil) else { return nil }
        defer { free(raw) }
        return String(cString: raw)
    }
}
