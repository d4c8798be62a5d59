import Crypto
import Foundation
import LMIO
import LMJSON

/// What `Tokenizer(contentsOf:)` builds from: the parsed `tokenizer.json`,
/// or the compiled form found in the cache.
struct TokenizerSource {
    /// The whole parsed file, or (compiled) the file without the BPE
    /// vocabulary and merges.
    let json: JSONValue
    /// The BPE model adopted from the compiled file.
    let compiledModel: BPEModel?
    /// SHA-256 of the bytes the tokenizer was built from, when the cache
    /// computed it.
    let sha256: [UInt8]?
    /// The bytes read and parsed (empty when compiled).
    let bytes: [UInt8]
    /// Why no compiled file was used (nil when one was, or the cache does
    /// not cover this file): for tests and diagnostics.
    let rejection: CompiledTokenizerError?
    /// The SHA-256 came from the stat record, without hashing.
    var viaStatKey = false
}

extension Tokenizer {
    /// The compiled form of `file` when `cache` has a valid one for its
    /// bytes, else the file read and parsed.
    ///
    /// A file whose stat record (`FileStatKey`) matches is not hashed: its
    /// recorded SHA-256 names the compiled file, whose own checks still
    /// apply.
    ///
    /// The lookup hashes the file through a memory map: reading Llama 3's
    /// 17 MB into memory first cost another ~9 ms of CPU on top of the
    /// ~8 ms hash (perf, release build). A file changed while it is hashed gives a
    /// hash that names no compiled file unless the bytes hashed are
    /// exactly those some compiled file was built from, so the tokenizer
    /// always is the one of the bytes hashed. On a miss the file is read
    /// and the bytes read are hashed again, so a compiled file is always
    /// named by the bytes it was built from.
    static func loadSource(file: URL, cache: TokenizerCache) throws -> TokenizerSource {
        var rejection: CompiledTokenizerError? = nil
        if cache.directory != nil, let key = FileStatKey(path: file.path),
           key.size <= maximumFileSize, cache.covers(sourceSize: key.size) {
            let recorded = cache.recordedSHA256(for: key)
            if let recorded, case let .success(compiled) = cache.load(sha256: recorded, sourceSize: key.size) {
                return TokenizerSource(
                    json: compiled.json, compiledModel: compiled.model, sha256: recorded, bytes: [], rejection: nil, viaStatKey: true)
            }
            if let mapped = try? MappedFile(path: file.path), mapped.count == key.size {
                let sha256 = Array(SHA256.hash(data: mapped.unsafeBytes))
                switch cache.load(sha256: sha256, sourceSize: mapped.count) {
                case let .success(compiled):
                    if sha256 != recorded { cache.recordStatKey(key, after: FileStatKey(path: file.path), sha256: sha256) }
                    return TokenizerSource(json: compiled.json, compiledModel: compiled.model, sha256: sha256, bytes: [], rejection: nil)
                case let .failure(why):
                    rejection = why
                }
            }
        }
        let bytes = try read(file)
        let sha256 = cache.covers(sourceSize: bytes.count) ? Array(SHA256.hash(data: bytes)) : nil
        return TokenizerSource(
            json: try parseJSON(bytes, file: file), compiledModel: nil, sha256: sha256, bytes: bytes,
            rejection: sha256 == nil ? nil : rejection)
    }

    /// Compiles this tokenizer into `cache` when it was built from JSON
    /// that the cache covers and its model is BPE.
    func storeCompiled(_ source: TokenizerSource, cache: TokenizerCache) {
        guard source.compiledModel == nil, let sha256 = source.sha256, let bpe, case let .object(root) = source.json else { return }
        cache.store(model: bpe, root: root, sourceSize: source.bytes.count, sha256: sha256)
    }
}
