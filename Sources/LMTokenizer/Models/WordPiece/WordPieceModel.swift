import LMJSON

/// HF's `WordPiece` model (BERT): greedy longest-match-first.
///
/// From the start of the piece, the longest prefix in the vocabulary is
/// taken; from each later position the longest `continuing_subword_prefix`
/// + substring. If some position has no match, or the piece has more than
/// `max_input_chars_per_word` characters, the whole piece is `unk_token`.
///
/// HF tries every end from the end of the word down; a key longer than the
/// longest vocabulary token cannot match, so the search starts at that
/// length instead (same result, O(n * longest) rather than O(n^2) lookups
/// on a long word), and the hashes of all candidate keys from one position
/// come from one pass over its bytes (FNV-1a is a running hash).
struct WordPieceModel: TokenizerModel {
    let vocab: TokenVocabulary
    let unkId: UInt32?
    let prefix: [UInt8]
    let maxInputChars: Int

    /// Parses the model object at `path`. As HF's deserializer, every field
    /// is required (WordPiece files always carry them all).
    init(json: JSONObject, path: String) throws {
        let fields = ComponentFields(json, path: path)
        for key in ["unk_token", "continuing_subword_prefix", "max_input_chars_per_word"]
        where fields.value(key) == nil {
            throw fields.invalid(key, "missing field")
        }
        vocab = try TokenVocabulary(json, path: path)
        unkId = vocab.tokenToId(try fields.string("unk_token"))
        prefix = Array(try fields.string("continuing_subword_prefix").utf8)
        let max = try fields.int("max_input_chars_per_word")
        guard max >= 0 else { throw fields.invalid("max_input_chars_per_word", "expected a non-negative integer") }
        maxInputChars = max
    }

    var vocabCount: Int { vocab.count }

    func tokenToId(_ token: String) -> UInt32? { vocab.tokenToId(token) }

    func idToToken(_ id: UInt32) -> String? { vocab.idToToken(id) }

    func encode(piece: UnsafeBufferPointer<UInt8>, scratch s: ModelScratch, into out: inout [UInt32]) -> Bool {
        // Character starts, and the end: HF counts and steps by `char`s.
        s.offsets.removeAll(keepingCapacity: true)
        var i = 0
        while i < piece.count {
            s.offsets.append(Int32(i))
            i += UTF8Scan.decode(piece, i).length
        }
        let chars = s.offsets.count
        s.offsets.append(Int32(piece.count))
        guard chars <= maxInputChars else { return appendUnknown(into: &out) }

        let first = out.count
        var k = 0  // index in offsets of the current start
        while k < chars {
            let start = Int(s.offsets[k])
            let prefixCount = start > 0 ? prefix.count : 0
            // The key: prefix + the rest of the word, cut to the longest token.
            let room = vocab.longestToken - prefixCount
            guard room > 0 else { break }
            s.bytes.removeAll(keepingCapacity: true)
            if prefixCount > 0 { s.bytes.append(contentsOf: prefix) }
            s.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: piece[start..<min(piece.count, start + room)]))
            // The last end (a char start or the word's end) within `room`.
            var e = chars
            while Int(s.offsets[e]) - start > room { e -= 1 }
            var found: UInt32? = nil
            s.bytes.withUnsafeBufferPointer { key in
                ByteStringTable.prefixHashes(key, into: &s.hashes)
                while e > k {
                    let length = prefixCount + Int(s.offsets[e]) - start
                    if let id = vocab.table.get(UnsafeBufferPointer(rebasing: key[0..<length]), hash: s.hashes[length - 1]) {
                        found = id
                        return
                    }
                    e -= 1
                }
            }
            guard let id = found else {
                out.removeSubrange(first...)
                return appendUnknown(into: &out)
            }
            out.append(id)
            k = e
        }
        if k < chars {  // no token is long enough to follow the prefix
            out.removeSubrange(first...)
            return appendUnknown(into: &out)
        }
        return true
    }

    private func appendUnknown(into out: inout [UInt32]) -> Bool {
        guard let unkId else { return false }
        out.append(unkId)
        return true
    }
}
