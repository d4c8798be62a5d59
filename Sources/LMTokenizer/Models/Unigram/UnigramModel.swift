import LMJSON

/// HF's `Unigram` model (T5, mT5, ALBERT, XLNet, XLM-R and most
/// SentencePiece conversions), loaded from
/// `{"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0], ["▁the", -3.1], ...], "byte_fallback": false}`.
///
/// Encoding is Viterbi over the lattice of vocabulary tokens, as HF's
/// `encode_optimized` (SentencePiece's): see `UnigramModel+Viterbi.swift`.
/// The id of a token is its position in `vocab`; a string listed twice
/// takes its last position (and that entry's score), as HF's
/// `token_to_ids` map does.
struct UnigramModel: TokenizerModel {
    /// Each id's string and score, in file order.
    let pieces: [String]
    let scores: [Double]
    /// Token bytes -> id (last duplicate wins), for whole-string lookups.
    let table: ByteStringTable
    /// The same tokens, for the lattice's prefix searches.
    let trie: DoubleArrayTrie
    let unkId: UInt32?
    /// The score of an unknown character: the lowest score minus 10
    /// (HF's `K_UNK_PENALTY`).
    let unkScore: Double
    let byteFallback: Bool
    /// `<0xAB>` token id per byte, `UInt32.max` when absent.
    let byteFallbackIds: [UInt32]

    /// Parses the model object at `path` (its `"type"`, if any, already checked).
    init(json: JSONObject, path: String) throws {
        let fields = ComponentFields(json, path: path)
        let entries = try fields.array("vocab")
        guard entries.count < BPEModel.maxTokenId else {
            throw fields.invalid("vocab", "more than \(BPEModel.maxTokenId) entries")
        }
        var pieces: [String] = []
        var scores: [Double] = []
        pieces.reserveCapacity(entries.count)
        scores.reserveCapacity(entries.count)
        var table = ByteStringTable(capacity: entries.count + 1)
        var keys: [(bytes: [UInt8], value: UInt32)] = []
        keys.reserveCapacity(entries.count)
        for (id, entry) in entries.enumerated() {
            guard case let .array(pair) = entry, pair.count == 2, case let .string(token) = pair[0] else {
                throw fields.invalid("vocab[\(id)]", "expected [token, score]")
            }
            let score: Double
            switch pair[1] {
            case let .double(d): score = SerdeFloat.asHFReads(d)
            case let .int(i): score = Double(i)
            default: throw fields.invalid("vocab[\(id)][1]", "expected a number")
            }
            pieces.append(token)
            scores.append(score)
            let bytes = Array(token.utf8)
            table.insert(bytes, value: UInt32(id))
            keys.append((bytes, UInt32(id)))
        }
        switch fields.value("unk_id") {
        case nil:
            unkId = nil
        case let .int(i)?:
            // HF: "The `unk_id` is larger than vocabulary size".
            guard i >= 0, i < entries.count else {
                throw fields.invalid("unk_id", "\(i) is not an index of the \(entries.count)-entry vocabulary")
            }
            unkId = UInt32(i)
        default:
            throw fields.invalid("unk_id", "expected an integer or null")
        }
        self.pieces = pieces
        self.scores = scores
        self.table = table
        trie = DoubleArrayTrie(keys)
        // HF: the minimum over every entry; +inf for an empty vocabulary.
        unkScore = (scores.min() ?? Double.infinity) - 10.0
        byteFallback = try fields.bool("byte_fallback", default: false)
        byteFallbackIds = (0..<256).map { table.get(Array(byteFallbackToken($0).utf8)) ?? UInt32.max }
    }

    var vocabCount: Int { pieces.count }

    func tokenToId(_ token: String) -> UInt32? { table.get(Array(token.utf8)) }

    func idToToken(_ id: UInt32) -> String? {
        Int(id) < pieces.count ? pieces[Int(id)] : nil
    }
}
