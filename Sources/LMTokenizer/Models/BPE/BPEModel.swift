import LMJSON

/// HF's `BPE` model, loaded from `tokenizer.json`'s `"model"` object.
///
/// Vocabulary keys are stored as raw bytes: for byte-level tokenizers each
/// key is translated from GPT-2's printable alphabet once here, so encoding
/// never maps bytes to characters (tiktoken's layout). Merges become a
/// `PairTable` from (left id, right id) to (rank, merged id).
struct BPEModel: Sendable {
    /// Token bytes -> id (raw bytes for byte-level models, else UTF-8).
    let vocab: ByteStringTable
    /// Vocabulary strings that have no byte form (byte-level models only).
    let untranslatable: [String: UInt32]
    /// Original vocabulary string per id (nil for ids the vocab skips).
    let idToString: TokenNames
    let merges: PairTable
    /// True when a ByteLevel pre-tokenizer feeds this model: symbols start as
    /// single bytes rather than single characters.
    let byteLevel: Bool
    let ignoreMerges: Bool
    let unkId: UInt32?
    let fuseUnk: Bool
    let byteFallback: Bool
    /// `<0xAB>` token id per byte, `UInt32.max` when absent.
    let byteFallbackIds: [UInt32]
    /// Single-byte token id per byte (byte-level), `UInt32.max` when absent.
    let byteIds: [UInt32]
    let continuingSubwordPrefix: [UInt8]?
    let endOfWordSuffix: [UInt8]?
    /// `reachable[id]`: BPE over the bytes of token `id` gives exactly `[id]`,
    /// so a piece found whole in the vocabulary needs no merging. Empty when
    /// not computed (ignore_merges, or prefix/suffix models).
    var reachable: [Bool] = []
    /// `bytePairs[a << 8 | b]`: `merges.get` for the single-byte tokens of
    /// bytes a and b, when every byte is its own token and symbols start as
    /// bytes (plain byte-level models); else empty. The initial pairs of a
    /// word then come from a 512 KB table that stays in cache instead of
    /// the merge table (many MB).
    var bytePairs: [UInt64] = []

    /// Number of entries in the model vocabulary.
    let vocabCount: Int

    /// Largest id accepted (2^26, 64M): real vocabularies stay below 1M.
    static let maxTokenId: Int64 = 1 << 26

    /// Parses the model object at `path` (its `"type"`, if any, already
    /// checked by `makeModel`).
    init(json: JSONObject, path: String, byteLevel: Bool) throws {
        switch json["dropout"] {
        case nil, .null?: break
        case .double(0)?, .int(0)?: break
        default:
            throw TokenizerError.invalidField(path: "\(path).dropout", reason: "BPE dropout is random; lmshard needs deterministic ids")
        }
        self.byteLevel = byteLevel
        ignoreMerges = try boolField(json, "ignore_merges", path: path, default: false)
        fuseUnk = try boolField(json, "fuse_unk", path: path, default: false)
        byteFallback = try boolField(json, "byte_fallback", path: path, default: false)
        continuingSubwordPrefix = try optionalString(json, "continuing_subword_prefix", path: path).map { Array($0.utf8) }
        endOfWordSuffix = try optionalString(json, "end_of_word_suffix", path: path).map { Array($0.utf8) }

        // Vocabulary.
        guard case let .object(vocabObject)? = json["vocab"] else {
            throw TokenizerError.invalidField(path: "\(path).vocab", reason: "expected an object of token -> id")
        }
        var table = ByteStringTable(capacity: vocabObject.count + 1)
        var untranslatable: [String: UInt32] = [:]
        let names = try TokenVocabulary.readEntries(vocabObject, path: "\(path).vocab") { token, id in
            if let bytes = BPEModel.keyBytes(token, byteLevel: byteLevel) {
                table.insert(bytes, value: id)
            } else {
                untranslatable[token] = id
            }
        }
        let maxId = names.count - 1
        vocab = table
        self.untranslatable = untranslatable
        idToString = TokenNames(names)
        vocabCount = vocabObject.count

        switch json["unk_token"] {
        case nil, .null?: unkId = nil
        case let .string(unk)?:
            guard let id = BPEModel.lookup(unk, table, untranslatable, byteLevel: byteLevel) else {
                throw TokenizerError.invalidField(path: "\(path).unk_token", reason: "\(unk) is not in the vocabulary")
            }
            unkId = id
        default:
            throw TokenizerError.invalidField(path: "\(path).unk_token", reason: "expected a string or null")
        }

        var fallback = [UInt32](repeating: UInt32.max, count: 256)
        var singles = [UInt32](repeating: UInt32.max, count: 256)
        for b in 0..<256 {
            fallback[b] = BPEModel.lookup(byteFallbackToken(b), table, untranslatable, byteLevel: false) ?? UInt32.max
            singles[b] = table.get([UInt8(b)]) ?? UInt32.max
        }
        byteFallbackIds = fallback
        byteIds = singles

        merges = try BPEModel.readMerges(
            json["merges"], path: "\(path).merges", vocab: table, untranslatable: untranslatable,
            byteLevel: byteLevel, prefix: continuingSubwordPrefix, maxId: maxId)

        if usesByteSymbols && !singles.contains(UInt32.max) {
            var table = [UInt64](repeating: UInt64.max, count: 1 << 16)
            for a in 0..<256 {
                for b in 0..<256 { table[a << 8 | b] = merges.get(singles[a], singles[b]) }
            }
            bytePairs = table
        }
        if !ignoreMerges && continuingSubwordPrefix == nil && endOfWordSuffix == nil {
            reachable = computeReachable(maxId: maxId)
        }
    }

    /// Initial symbols are single bytes through `byteIds` (no prefix,
    /// suffix, unknown token or byte fallback to consider).
    var usesByteSymbols: Bool {
        byteLevel && continuingSubwordPrefix == nil && endOfWordSuffix == nil && unkId == nil && !byteFallback
    }

    /// A vocabulary key's byte form: raw bytes for byte-level models.
    static func keyBytes(_ token: String, byteLevel: Bool) -> [UInt8]? {
        byteLevel ? ByteLevelAlphabet.bytes(of: token) : Array(token.utf8)
    }

    static func lookup(
        _ token: String, _ table: ByteStringTable, _ extra: [String: UInt32], byteLevel: Bool
    ) -> UInt32? {
        if let bytes = keyBytes(token, byteLevel: byteLevel), let id = table.get(bytes) { return id }
        if let id = extra[token] { return id }
        // Tokens such as "<0x0A>" are plain ASCII in any vocabulary.
        return byteLevel ? nil : table.get(Array(token.utf8))
    }

    /// The id of a vocabulary string, as HF's `token_to_id` on the model.
    func tokenToId(_ token: String) -> UInt32? {
        BPEModel.lookup(token, vocab, untranslatable, byteLevel: byteLevel)
    }

    private static func readMerges(
        _ value: JSONValue?, path: String, vocab: ByteStringTable, untranslatable: [String: UInt32],
        byteLevel: Bool, prefix: [UInt8]?, maxId: Int
    ) throws -> PairTable {
        guard case let .array(lines)? = value else {
            if value == nil || value == .null { return PairTable(capacity: 1, maxId: maxId) }
            throw TokenizerError.invalidField(path: path, reason: "expected an array of merges")
        }
        var table = PairTable(capacity: lines.count + 1, maxId: maxId)
        let prefixString = prefix.map { String(decoding: $0, as: UTF8.self) }
        for (rank, line) in lines.enumerated() {
            let a: String
            let b: String
            switch line {
            case let .string(s):
                guard let space = s.firstIndex(of: " ") else {
                    throw TokenizerError.invalidField(path: "\(path)[\(rank)]", reason: "expected \"left right\", got \(s)")
                }
                a = String(s[..<space])
                b = String(s[s.index(after: space)...])
            case let .array(pair) where pair.count == 2:
                guard case let .string(l) = pair[0], case let .string(r) = pair[1] else {
                    throw TokenizerError.invalidField(path: "\(path)[\(rank)]", reason: "expected two strings")
                }
                a = l
                b = r
            default:
                throw TokenizerError.invalidField(path: "\(path)[\(rank)]", reason: "expected \"left right\" or [left, right]")
            }
            // HF drops the prefix's length in bytes from the right token
            // (whatever it starts with), so compare bytes, never Characters:
            // "##" followed by a combining mark or ZWJ is not "##" + one
            // Character to String.hasPrefix.
            var merged = a
            if let p = prefixString {
                let tail = b.utf8.dropFirst(p.utf8.count)
                guard b.utf8.count >= p.utf8.count, let rest = String(tail) else {
                    throw TokenizerError.invalidField(
                        path: "\(path)[\(rank)]", reason: "merge \(a) + \(b): \(b) does not start with the continuing_subword_prefix \(p)")
                }
                merged += rest
            } else {
                merged += b
            }
            guard let aId = lookup(a, vocab, untranslatable, byteLevel: byteLevel),
                  let bId = lookup(b, vocab, untranslatable, byteLevel: byteLevel),
                  let mId = lookup(merged, vocab, untranslatable, byteLevel: byteLevel)
            else {
                throw TokenizerError.invalidField(path: "\(path)[\(rank)]", reason: "merge \(a) + \(b) uses a token missing from the vocabulary")
            }
            table.insert(aId, bId, rank: UInt32(rank), merged: mId)
        }
        return table
    }

    /// Runs BPE over every vocabulary entry once (12 ms for mellum-layout's
    /// 32k in release) so that `encode` can return a whole-piece hit
    /// without merging.
    private func computeReachable(maxId: Int) -> [Bool] {
        var flags = [Bool](repeating: false, count: maxId + 1)
        let scratch = BPEScratch()
        var out: [UInt32] = []
        vocab.forEach { key, id in
            out.removeAll(keepingCapacity: true)
            mergeWord(key, scratch: scratch, into: &out)
            if out.count == 1 && out[0] == id { flags[Int(id)] = true }
        }
        return flags
    }
}

func optionalString(_ json: JSONObject, _ key: String, path: String) throws -> String? {
    switch json[key] {
    case nil, .null?: return nil
    case let .string(s)?: return s
    default: throw TokenizerError.invalidField(path: "\(path).\(key)", reason: "expected a string or null")
    }
}

/// The token byte fallback spells byte `b` with: `<0x0A>` for 10 (HF's
/// `format!("<0x{:02X}>", b)`), for BPE and Unigram alike.
func byteFallbackToken(_ b: Int) -> String {
    "<0x" + String(b, radix: 16, uppercase: true).leftPadded(to: 2) + ">"
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
