import Crypto
import Foundation
import LMIO
import LMJSON

/// A Hugging Face `tokenizer.json` tokenizer (BPE, Unigram, WordPiece or
/// WordLevel model) that gives the same ids as the `tokenizers` library,
/// built for throughput.
///
/// Immutable after `init`, so one instance is shared by every thread;
/// per-call buffers live in `EncodeScratch`es lent out by a locked pool.
public final class Tokenizer: @unchecked Sendable {
    /// The model, for vocabulary queries and for non-BPE encoding.
    let model: any TokenizerModel
    /// The same model when it is BPE: encoding calls it directly, keeping
    /// the byte-level BPE hot path free of dynamic dispatch.
    let bpe: BPEModel?
    /// A ByteLevel pre-tokenizer feeds a model other than BPE: pieces stay
    /// raw bytes in lmshard (see `PreTokenizer`), while HF's model sees
    /// them in GPT-2's alphabet, so they are rewritten before the model.
    let mapsPiecesToByteAlphabet: Bool
    let normalizer: (any Normalizer)?
    let preTokenizer: (any PreTokenizer)?
    /// `preTokenizer` when its output depends on whether a piece starts the
    /// input (Metaspace "first", alone or in a Sequence); nil otherwise, so
    /// other tokenizers take the plain path.
    let inputStartAware: (any InputStartAwarePreTokenizer)?
    /// The one scanner `preTokenizer` amounts to, when it only splits with
    /// it and keeps every piece as is (GPT-2, Llama 3, Qwen2 and similar
    /// layouts): encoding then hands each match straight to the model,
    /// without copying pieces into a `PieceList`.
    let directSplit: SplitPattern?
    let postProcessor: (any PostProcessor)?
    let decoder: (any TokenDecoder)?
    /// Added tokens matched on the raw input (`normalized: false`).
    let rawAdded: AddedTokenMatcher
    /// Added tokens matched after normalization (`normalized: true`).
    let normalizedAdded: AddedTokenMatcher
    /// Added tokens by id, for decoding and `idToToken`.
    let addedById: [UInt32: AddedToken]
    /// Added tokens by content, for `tokenToId`.
    let addedByContent: [String: UInt32]
    /// Reused encode buffers (see `ScratchPool`).
    let scratchPool = ScratchPool()

    /// Where the tokenizer came from (a path, or what the caller passed).
    public let source: String
    /// The ids of added tokens marked `special`, by content.
    public let specialTokens: [String: UInt32]
    /// HF's `get_vocab_size(with_added_tokens: true)`: distinct token strings
    /// across the model vocabulary and the added tokens.
    public let vocabSize: Int
    /// `eos_token` from `tokenizer_config.json`, else the first present of
    /// `<|endoftext|>`, `<|end_of_text|>`, `</s>`, `<eos>`.
    public private(set) var eosTokenId: UInt32? = nil
    /// `bos_token` from `tokenizer_config.json`, else the first special
    /// added token among `<|begin_of_text|>`, `<s>`, `<bos>`.
    public private(set) var bosTokenId: UInt32? = nil
    /// `pad_token` from `tokenizer_config.json`, else a special added token
    /// `<pad>` or `<|pad|>`.
    public private(set) var padTokenId: UInt32? = nil
    /// SHA-256 (lowercase hex) of the `tokenizer.json` bytes this tokenizer
    /// was built from, when loaded with `computingSHA256: true`: datasets
    /// record it to name the exact vocabulary their ids come from.
    public private(set) var sourceSHA256: String? = nil

    /// Loads `url`: a `tokenizer.json` file, or a directory holding one (and
    /// optionally `tokenizer_config.json`, read for eos / bos / pad tokens).
    /// Throws `TokenizerError.unreadable` for missing or malformed files and
    /// `.unsupportedComponent` for components lmshard does not implement.
    /// With `computingSHA256`, `sourceSHA256` is the hash of the very bytes
    /// parsed (not of a second read that could see a replaced file).
    /// A large BPE tokenizer is loaded from its compiled form in `cache`
    /// when there is a valid one, and compiled into it when not (see
    /// `TokenizerCache`).
    public convenience init(
        contentsOf url: URL, computingSHA256: Bool = false, cache: TokenizerCache = .fromEnvironment()
    ) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw TokenizerError.unreadable(file: url.path, reason: "no such file or directory")
        }
        let file = isDirectory.boolValue ? url.appendingPathComponent("tokenizer.json") : url
        let configURL = file.deletingLastPathComponent().appendingPathComponent("tokenizer_config.json")
        let loaded = try Tokenizer.loadSource(file: file, cache: cache)
        var config: JSONValue? = nil
        if FileManager.default.fileExists(atPath: configURL.path) {
            config = try Tokenizer.readJSON(configURL)
        }
        try self.init(json: loaded.json, source: file.path, config: config, compiledModel: loaded.compiledModel)
        storeCompiled(loaded, cache: cache)
        if computingSHA256 {
            sourceSHA256 = lowercaseHex(loaded.sha256 ?? Array(SHA256.hash(data: loaded.bytes)))
        }
    }

    /// The scanner whose matches are exactly `pre`'s pieces, if there is one:
    /// ByteLevel splitting with GPT-2's pattern (no prefix space), or an
    /// Isolated, non-inverted Split with a hand-written scanner, alone or in
    /// a Sequence whose other stages are pass-through ByteLevels; or
    /// individual Digits followed by such a ByteLevel (StarCoder2).
    static func directSplit(of pre: any PreTokenizer) -> SplitPattern? {
        // Stages after a ByteLevel stage see byte-mapped text: never one scan.
        if let sequence = pre as? SequencePreTokenizer, !sequence.mappedHalves.isEmpty { return nil }
        if let stages = (pre as? SequencePreTokenizer)?.stages, stages.count == 2,
           let digits = stages[0] as? DigitsPreTokenizer, digits.individualDigits,
           let byteLevel = stages[1] as? ByteLevelPreTokenizer, !byteLevel.addPrefixSpace, byteLevel.useRegex {
            return .digitsThenGPT2
        }
        func scanner(_ stage: any PreTokenizer) -> SplitPattern?? {
            if let b = stage as? ByteLevelPreTokenizer {
                guard !b.addPrefixSpace else { return .some(nil) }
                return b.useRegex ? .some(.gpt2) : .none  // .none: passes pieces through
            }
            if let s = stage as? SplitPreTokenizer, s.behavior == .isolated, !s.invert {
                switch s.pattern {
                case .gpt2, .llama: return .some(s.pattern)
                default: return .some(nil)
                }
            }
            return .some(nil)
        }
        let stages = (pre as? SequencePreTokenizer)?.stages ?? [pre]
        var found: SplitPattern? = nil
        for stage in stages {
            guard let result = scanner(stage) else { continue }
            guard let pattern = result, found == nil else { return nil }
            found = pattern
        }
        return found
    }

    static func readJSON(_ url: URL) throws -> JSONValue {
        try parseJSON(read(url), file: url)
    }

    /// The largest `tokenizer.json` read: real ones are 1-20 MB, so a
    /// wrong file (or a device) is refused before it can fill memory.
    static let maximumFileSize = 1 << 30

    /// The bytes of a regular file (a FIFO or device fails at once), as
    /// `[UInt8]`: a copy into `Data` cost 10 ms for Llama 3's 17 MB.
    static func read(_ url: URL) throws -> [UInt8] {
        do {
            return try FileSystem.readFile(url.path, limit: maximumFileSize)
        } catch let error as FileError {
            throw TokenizerError.unreadable(file: url.path, reason: "cannot \(error.operation): \(error.message)")
        }
    }

    static func parseJSON(_ bytes: [UInt8], file url: URL) throws -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch let error as JSONParseError {
            throw TokenizerError.unreadable(file: url.path, reason: "not valid JSON at \(error)")
        }
    }

    /// Builds a tokenizer from a parsed `tokenizer.json`. `config` is a parsed
    /// `tokenizer_config.json`, if any; `source` names the origin in errors.
    public convenience init(json: JSONValue, source: String, config: JSONValue? = nil) throws {
        try self.init(json: json, source: source, config: config, compiledModel: nil)
    }

    /// `init(json:source:config:)` with the model already built (from a
    /// compiled file, whose `json` then lacks the vocabulary and merges).
    init(json: JSONValue, source: String, config: JSONValue?, compiledModel: BPEModel?) throws {
        guard case let .object(root) = json else {
            throw TokenizerError.invalidField(path: "$", reason: "tokenizer.json must be an object")
        }
        self.source = source
        let preJSON = root["pre_tokenizer"] ?? .null
        let byteLevel = Tokenizer.containsByteLevel(preJSON)
        guard case let .object(modelJSON)? = root["model"] else {
            throw TokenizerError.invalidField(path: "model", reason: "missing model object")
        }
        model = try compiledModel.map { $0 as any TokenizerModel } ?? makeModel(modelJSON, path: "model", byteLevel: byteLevel)
        bpe = model as? BPEModel
        mapsPiecesToByteAlphabet = byteLevel && bpe == nil
        normalizer = try Tokenizer.optionalComponent(root["normalizer"], path: "normalizer", kind: "normalizer", factories: normalizerFactories)
        let pre = preJSON == .null ? nil : try makePreTokenizer(preJSON, path: "pre_tokenizer")
        preTokenizer = pre
        if let aware = pre as? any InputStartAwarePreTokenizer, aware.dependsOnInputStart {
            inputStartAware = aware
        } else {
            inputStartAware = nil
        }
        directSplit = inputStartAware == nil ? pre.flatMap(Tokenizer.directSplit(of:)) : nil
        postProcessor = try Tokenizer.optionalComponent(root["post_processor"], path: "post_processor", kind: "post-processor", factories: postProcessorFactories)
        decoder = try Tokenizer.optionalComponent(root["decoder"], path: "decoder", kind: "decoder", factories: decoderFactories)

        // Added tokens get their ids as HF's `add_tokens` gives them when it
        // loads a file: the model's id for a token in its vocabulary, else
        // the next of vocab size, vocab size + 1, ... in file order. The
        // file's `id` is not used (HF only warns when it differs), so a
        // corrupt id such as 3,000,000,000 is never emitted. A repeated
        // content keeps its first id and takes the later flags.
        var added: [AddedToken] = []
        if case let .array(list)? = root["added_tokens"] {
            var nextId = UInt32(clamping: model.vocabCount)
            var indexByContent: [String: Int] = [:]
            for (i, item) in list.enumerated() {
                let t = try AddedToken(json: item, path: "added_tokens[\(i)]")
                guard !t.content.isEmpty else { continue }
                let id: UInt32
                if let k = indexByContent[t.content] {
                    id = added[k].id
                } else if let modelId = model.tokenToId(t.content) {
                    id = modelId
                } else {
                    id = nextId
                    nextId += 1
                }
                let token = AddedToken(
                    content: t.content, id: id, special: t.special, singleWord: t.singleWord,
                    lstrip: t.lstrip, rstrip: t.rstrip, normalized: t.normalized)
                if let k = indexByContent[t.content] {
                    added[k] = token
                } else {
                    indexByContent[t.content] = added.count
                    added.append(token)
                }
            }
        } else if let other = root["added_tokens"], other != .null {
            throw TokenizerError.invalidField(path: "added_tokens", reason: "expected an array")
        }
        // HF matches special tokens first in its list, then the others.
        let ordered = added.filter(\.special) + added.filter { !$0.special }
        let raw = ordered.filter { !$0.normalized }
        let norm = ordered.filter(\.normalized)
        rawAdded = AddedTokenMatcher(raw, patterns: raw.map { Array($0.content.utf8) })
        let normalizer = self.normalizer
        normalizedAdded = AddedTokenMatcher(norm, patterns: try norm.map {
            Array((try normalizer?.normalize($0.content) ?? $0.content).utf8)
        })
        var byId: [UInt32: AddedToken] = [:]
        var byContent: [String: UInt32] = [:]
        var special: [String: UInt32] = [:]
        for t in added {
            byId[t.id] = t
            byContent[t.content] = t.id
            if t.special { special[t.content] = t.id }
        }
        addedById = byId
        addedByContent = byContent
        specialTokens = special
        let model = self.model
        vocabSize = model.vocabCount + added.filter { model.tokenToId($0.content) == nil }.count

        try readSpecialTokenIds(config: config)
    }

    /// HF's `token_to_id`: added tokens first, then the model vocabulary.
    public func tokenToId(_ token: String) -> UInt32? {
        addedByContent[token] ?? model.tokenToId(token)
    }

    /// HF's `id_to_token`: the added token's content or the original vocabulary string.
    public func idToToken(_ id: UInt32) -> String? {
        if let t = addedById[id] { return t.content }
        return model.idToToken(id)
    }

    private static func optionalComponent<C>(
        _ json: JSONValue?, path: String, kind: String, factories: [String: ComponentFactory<C>]
    ) throws -> C? {
        guard let json, json != .null else { return nil }
        return try makeComponent(json, path: path, kind: kind, factories: factories)
    }

    /// Whether a ByteLevel pre-tokenizer sits anywhere in the tree: then the
    /// vocabulary is translated to raw bytes.
    private static func containsByteLevel(_ json: JSONValue) -> Bool {
        guard case let .object(o) = json else { return false }
        if case .string("ByteLevel")? = o["type"] { return true }
        if case let .array(children)? = o["pretokenizers"] { return children.contains(where: containsByteLevel) }
        return false
    }

    private func readSpecialTokenIds(config: JSONValue?) throws {
        func configured(_ key: String) throws -> UInt32? {
            guard case let .object(c)? = config, let v = c[key] else { return nil }
            let content: String
            switch v {
            case .null: return nil
            case let .string(s): content = s
            case let .object(o):
                guard case let .string(s)? = o["content"] else {
                    throw TokenizerError.invalidField(path: "tokenizer_config.\(key).content", reason: "expected a string")
                }
                content = s
            default:
                throw TokenizerError.invalidField(path: "tokenizer_config.\(key)", reason: "expected a string or {\"content\": ...}")
            }
            guard let id = tokenToId(content) else {
                throw TokenizerError.invalidField(path: "tokenizer_config.\(key)", reason: "\(content) is not a token of this tokenizer")
            }
            return id
        }
        func firstPresent(_ names: [String]) -> UInt32? {
            for n in names { if let id = tokenToId(n) { return id } }
            return nil
        }
        // BOS and PAD fall back only to *special* tokens: Qwen2's vocabulary
        // has a plain "<s>" that is not a BOS token.
        func firstSpecial(_ names: [String]) -> UInt32? {
            for n in names { if let id = specialTokens[n] { return id } }
            return nil
        }
        eosTokenId = try configured("eos_token") ?? firstPresent(["<|endoftext|>", "<|end_of_text|>", "</s>", "<eos>"])
        bosTokenId = try configured("bos_token") ?? firstSpecial(["<|begin_of_text|>", "<s>", "<bos>"])
        padTokenId = try configured("pad_token") ?? firstSpecial(["<pad>", "<|pad|>"])
    }
}
