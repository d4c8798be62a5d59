import Foundation
import LMIO
import LMJSON

/// Where compiled tokenizers are kept, and whether they are used at all.
///
/// A BPE `tokenizer.json` of at least `minimumSourceSize` bytes is compiled
/// on its first load into `DIRECTORY/SHA256.lmtok` (see `CompiledFormat`),
/// named by the SHA-256 of the bytes read; later loads of the same bytes
/// adopt it instead of building the tables again (Llama 3: see
/// tools/bench/README.md). A file's (device, inode, size, mtime, ctime) is
/// recorded with its SHA-256 (`stat-DEVICE-INODE`), so loads of a file
/// unchanged since skip the hash (see `FileStatKey` for why that is safe). A changed `tokenizer.json` has another hash, so
/// it never meets a stale file; a file that fails any check (other format
/// version, damage, truncation) is ignored and rewritten. Writing is
/// atomic (a unique temporary name, then a rename), so concurrent loads of
/// one tokenizer at most write the same file twice. A folder that cannot be
/// written only costs speed: one warning on standard error per process.
///
/// Unigram, WordPiece and WordLevel tokenizers are not compiled: they load
/// from JSON as before (their tables are not what makes the big BPE files
/// slow to load).
public struct TokenizerCache: Sendable {
    /// The folder of compiled files, or nil when the cache is off.
    public var directory: String?
    /// Smaller `tokenizer.json` files are never compiled: they load from
    /// JSON in a few milliseconds, so a compiled copy would only take disk.
    public var minimumSourceSize: Int
    /// A file changed less than this many seconds before it was hashed
    /// gets no stat record (see `FileStatKey`): it is hashed again next time.
    public var racyWindow: Double

    public init(directory: String?, minimumSourceSize: Int = 1 << 20, racyWindow: Double = 2) {
        self.directory = directory
        self.minimumSourceSize = minimumSourceSize
        self.racyWindow = racyWindow
    }

    /// No compiled files read or written.
    public static let disabled = TokenizerCache(directory: nil)

    /// The cache the environment asks for: off when `LMSHARD_NO_CACHE` is
    /// set to anything but `0` or empty; else `$LMSHARD_CACHE_DIR/tokenizers`,
    /// `$XDG_CACHE_HOME/lmshard/tokenizers` or `~/.cache/lmshard/tokenizers`
    /// (relative `XDG_CACHE_HOME` values are ignored, as the XDG spec says).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> TokenizerCache {
        if let off = environment["LMSHARD_NO_CACHE"], !off.isEmpty, off != "0" { return .disabled }
        if let dir = environment["LMSHARD_CACHE_DIR"], !dir.isEmpty {
            return TokenizerCache(directory: dir + "/tokenizers")
        }
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            return TokenizerCache(directory: xdg + "/lmshard/tokenizers")
        }
        if let home = environment["HOME"], !home.isEmpty {
            return TokenizerCache(directory: home + "/.cache/lmshard/tokenizers")
        }
        return .disabled
    }

    /// The compiled file for a `tokenizer.json` with this SHA-256.
    func path(sha256: [UInt8]) -> String? {
        directory.map { $0 + "/" + lowercaseHex(sha256) + ".lmtok" }
    }

    /// Whether a source of `size` bytes is looked up and compiled at all.
    func covers(sourceSize size: Int) -> Bool {
        #if _endian(little)
        return directory != nil && size >= minimumSourceSize
        #else
        return false  // the format stores arrays as little-endian memory images
        #endif
    }

    /// The compiled tokenizer for a source of `sourceSize` bytes with
    /// `sha256`, or why there is none usable (missing counts as a reason).
    func load(sha256: [UInt8], sourceSize: Int) -> Result<CompiledTokenizer, CompiledTokenizerError> {
        guard let path = path(sha256: sha256) else {
            return .failure(.rejected(file: "", offset: 0, reason: "cache disabled"))
        }
        let mapped: MappedFile
        do {
            mapped = try MappedFile(path: path)
        } catch {
            return .failure(.rejected(file: path, offset: 0, reason: "cannot map: \(error)"))
        }
        do {
            let (json, model) = try CompiledReader.decode(
                unsafeBytes: mapped.unsafeBytes, owner: mapped, file: path, sourceSize: sourceSize, sourceSHA256: sha256)
            return .success(CompiledTokenizer(json: json, model: model))
        } catch {
            return .failure(error)
        }
    }

    /// Writes the compiled form of `model` (built from `root`); failures
    /// are a warning, never an error.
    func store(model: BPEModel, root: JSONObject, sourceSize: Int, sha256: [UInt8]) {
        guard let directory, let path = path(sha256: sha256),
              let bytes = CompiledWriter.encode(model: model, root: root, sourceSize: sourceSize, sourceSHA256: sha256)
        else { return }
        do {
            try FileSystem.makeDirectory(directory)
            let file = try AtomicFileWriter(path: path)
            try file.output.write(bytes)
            // A cache needs atomicity, not durability: a file lost or
            // emptied by a crash fails its checks and is rebuilt.
            try file.commit(syncingDirectory: false)
        } catch {
            CacheWarning.once("lmshard: warning: cannot write the tokenizer cache \(directory) (\(error)); "
                              + "tokenizers load from JSON (set LMSHARD_NO_CACHE=1 to turn the cache off)\n")
        }
    }
}

/// A compiled file's contents: the tokenizer without its BPE vocabulary
/// and merges as JSON, and the model they make.
struct CompiledTokenizer {
    let json: JSONValue
    let model: BPEModel
}

/// The one warning per process about an unwritable cache.
private enum CacheWarning {
    static let lock = NSLock()
    nonisolated(unsafe) static var shown = false

    static func once(_ message: String) {
        lock.lock()
        defer { lock.unlock() }
        guard !shown else { return }
        shown = true
        StandardError.write(message)
    }
}

func lowercaseHex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    out.reserveCapacity(bytes.count * 2)
    for b in bytes {
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 15)])
    }
    return String(decoding: out, as: UTF8.self)
}
