import Foundation
import LMShard
import LMTokenizer

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which tokenizer `inspect --decode` decodes with.
///
/// A dataset is untrusted input: its manifest may name a hub id (loading it
/// would download whatever that repository holds), an absolute path or a
/// relative one leading out of the dataset (`../../home/me/...`), a FIFO or
/// `/dev/zero`. So lmshard never loads a tokenizer on a manifest's word:
///
/// 1. `--tokenizer` is the user's choice and is loaded as `build` loads one
///    (a path, or a hub id from the cache or downloaded); a SHA-256 that
///    differs from the manifest's is a warning, not an error (decoding with
///    a related tokenizer is a legitimate thing to do).
/// 2. Otherwise only a tokenizer shipped *inside* the dataset directory is
///    used: the manifest's name when it is a relative path that stays
///    inside (symlinks resolved), else `tokenizer.json` next to the
///    manifest; it must be a regular file of at most `maximumFileSize`
///    bytes whose SHA-256 is the manifest's.
/// 3. Anything else is an error that says how to pass `--tokenizer`.
public enum InspectTokenizer {
    /// Largest tokenizer file loaded from inside a dataset (the largest
    /// real `tokenizer.json` files are ~35 MB).
    public static let maximumFileSize = 256 << 20

    /// Why no tokenizer was loaded.
    public enum Failure: Error, CustomStringConvertible, Equatable {
        /// The manifest names a tokenizer that is not inside the dataset.
        case notInsideDataset(manifest: String, name: String, command: String)
        /// A tokenizer the user named (or one inside the dataset) failed to load.
        case unloadable(name: String, reason: String)

        public var description: String {
            switch self {
            case let .notInsideDataset(manifest, name, command):
                return "\(manifest) names tokenizer \"\(name)\", which is not inside the dataset; inspect does not "
                    + "load or download a tokenizer because a dataset names it. To decode with it, pass it yourself: "
                    + command
            case let .unloadable(name, reason):
                return "cannot load tokenizer \(name) to decode with: \(reason)"
            }
        }
    }

    /// The tokenizer to decode `directory`'s samples with, and a warning to
    /// print when it is not the one the dataset was built with.
    public static func load(explicit: String?, manifest: DatasetManifest, directory: URL)
        throws -> (tokenizer: Tokenizer, warning: String?)
    {
        if let name = explicit {
            let t: Tokenizer
            do {
                t = try Tokenizer.fromPretrained(name, computingSHA256: true)
            } catch {
                throw Failure.unloadable(name: name, reason: "\(error)")
            }
            guard let sha = t.sourceSHA256, sha != manifest.tokenizer.sha256 else { return (t, nil) }
            return (t, "warning: tokenizer \(name) has sha256 \(sha.prefix(12))..., the dataset was built with "
                    + "\(manifest.tokenizer.name) (sha256 \(manifest.tokenizer.sha256.prefix(12))...): "
                    + "decoded text may not match the ids")
        }
        guard let file = shippedFile(name: manifest.tokenizer.name, directory: directory) else {
            let manifestPath = directory.appendingPathComponent(LMShard.Format.manifestFileName).path
            throw Failure.notInsideDataset(
                manifest: manifestPath, name: manifest.tokenizer.name,
                command: "lmshard inspect \(shellQuoted(directory.path)) --decode --tokenizer \(shellQuoted(manifest.tokenizer.name))")
        }
        let t: Tokenizer
        do {
            t = try Tokenizer(contentsOf: file, computingSHA256: true)
        } catch {
            throw Failure.unloadable(name: file.path, reason: "\(error)")
        }
        guard t.sourceSHA256 == manifest.tokenizer.sha256 else {
            throw Failure.unloadable(name: file.path, reason: "its sha256 \(t.sourceSHA256 ?? "?") is not the manifest's "
                                     + "\(manifest.tokenizer.sha256); pass --tokenizer to decode with it anyway")
        }
        return (t, nil)
    }

    /// The `tokenizer.json` shipped inside `directory` that `name` means, if
    /// any: `name` when relative and inside (or a directory inside holding
    /// `tokenizer.json`), else `directory/tokenizer.json`. Only regular files
    /// of at most `maximumFileSize` bytes whose real path is inside.
    static func shippedFile(name: String, directory: URL) -> URL? {
        guard let root = realPath(directory.path) else { return nil }
        var candidates: [String] = []
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        if !name.isEmpty, !name.hasPrefix("/"), !name.hasPrefix("~"), !parts.contains(".."), !name.contains("\0") {
            candidates += [root + "/" + name, root + "/" + name + "/" + HubResolver.tokenizerFile]
        }
        candidates.append(root + "/" + HubResolver.tokenizerFile)
        for path in candidates {
            guard let real = realPath(path), real.hasPrefix(root + "/") else { continue }
            var st = stat()
            guard stat(real, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, Int(st.st_size) <= maximumFileSize else { continue }
            return URL(fileURLWithPath: real)
        }
        return nil
    }

    private static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    private static func shellQuoted(_ s: String) -> String {
        s.allSatisfy({ $0.isLetter || $0.isNumber || "-_./:@".contains($0) }) && !s.isEmpty
            ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
