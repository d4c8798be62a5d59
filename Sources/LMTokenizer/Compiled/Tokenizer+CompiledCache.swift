import Crypto
import Foundation
import LMJSON

/// What `Tokenizer(contentsOf:)` builds from: the parsed `tokenizer.json`,
/// or the compiled form found in the cache.
struct TokenizerSource {
    /// The whole parsed file, or (compiled) the file without the BPE
    /// vocabulary and merges.
    let json: JSONValue
    /// The BPE model adopted from the compiled file.
    let compiledModel: BPEModel?
    /// SHA-256 of the bytes read, when the cache computed it.
    let sha256: [UInt8]?
    let size: Int
    /// Why no compiled file was used (nil when one was, or the cache does
    /// not cover this file): for tests and diagnostics.
    let rejection: CompiledTokenizerError?
}

extension Tokenizer {
    /// The compiled form of `data` (the bytes of `file`) when `cache` has a
    /// valid one, else `data` parsed.
    static func loadSource(_ data: [UInt8], file: URL, cache: TokenizerCache) throws -> TokenizerSource {
        guard cache.covers(sourceSize: data.count) else {
            return TokenizerSource(json: try parseJSON(data, file: file), compiledModel: nil, sha256: nil, size: data.count, rejection: nil)
        }
        // 17 MB (Llama 3) hash in ~10 ms with SHA-NI; see tools/bench/README.md.
        let sha256 = Array(SHA256.hash(data: data))
        switch cache.load(sha256: sha256, sourceSize: data.count) {
        case let .success(compiled):
            return TokenizerSource(json: compiled.json, compiledModel: compiled.model, sha256: sha256, size: data.count, rejection: nil)
        case let .failure(why):
            return TokenizerSource(json: try parseJSON(data, file: file), compiledModel: nil, sha256: sha256, size: data.count, rejection: why)
        }
    }

    static func parseJSON(_ bytes: [UInt8], file url: URL) throws -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch let error as JSONParseError {
            throw TokenizerError.unreadable(file: url.path, reason: "not valid JSON at \(error)")
        }
    }

    /// Compiles this tokenizer into `cache` when it was built from JSON
    /// that the cache covers and its model is BPE.
    func storeCompiled(_ source: TokenizerSource, cache: TokenizerCache) {
        guard source.compiledModel == nil, let sha256 = source.sha256, let bpe, case let .object(root) = source.json else { return }
        cache.store(model: bpe, root: root, sourceSize: source.size, sha256: sha256)
    }
}
