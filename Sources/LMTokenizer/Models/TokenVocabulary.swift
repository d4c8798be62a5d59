import LMJSON

/// A `"vocab"` object of token -> id, as WordPiece and WordLevel store it:
/// the token's UTF-8 bytes in a `ByteStringTable` for lookups from encoded
/// bytes, and each id's string for decoding.
///
/// A token listed twice keeps its last id (the JSON parser keeps the last
/// value of a repeated key, as serde's map does). Two tokens sharing an id
/// decode to the later one.
struct TokenVocabulary: Sendable {
    let table: ByteStringTable
    let idToString: [String?]
    /// Distinct tokens: HF's `get_vocab_size()`.
    let count: Int
    /// Bytes of the longest token: no lookup of a longer key can succeed.
    let longestToken: Int

    /// Reads `json[key]` (an object of token -> integer id); `path` names
    /// the model in errors.
    init(_ json: JSONObject, key: String = "vocab", path: String) throws {
        guard case let .object(vocab)? = json[key] else {
            throw TokenizerError.invalidField(path: "\(path).\(key)", reason: "expected an object of token -> id")
        }
        var table = ByteStringTable(capacity: vocab.count + 1)
        var longest = 0
        idToString = try Self.readEntries(vocab, path: "\(path).\(key)") { token, id in
            longest = max(longest, token.utf8.count)
            table.insert(Array(token.utf8), value: id)
        }
        self.table = table
        count = vocab.count
        longestToken = longest
    }

    /// Calls `body(token, id)` for each entry of the vocabulary object
    /// `vocab` (at `path`), in file order, once its id is checked; returns
    /// each id's token (nil for ids not listed). `BPEModel` reads its
    /// vocabulary through this too.
    static func readEntries(_ vocab: JSONObject, path: String, _ body: (String, UInt32) -> Void) throws -> [String?] {
        var maxId = -1
        for (token, value) in vocab.entries {
            // Ids index flat arrays, so a corrupt file must not ask for 2^32 of them.
            guard case let .int(raw) = value, raw >= 0, raw < BPEModel.maxTokenId else {
                throw TokenizerError.invalidField(
                    path: "\(path)[\(token)]", reason: "expected an integer id in 0..<\(BPEModel.maxTokenId)")
            }
            maxId = max(maxId, Int(raw))
            body(token, UInt32(raw))
        }
        var names = [String?](repeating: nil, count: maxId + 1)
        for (token, value) in vocab.entries {
            if case let .int(raw) = value { names[Int(raw)] = token }
        }
        return names
    }

    func tokenToId(_ token: String) -> UInt32? { table.get(Array(token.utf8)) }

    func idToToken(_ id: UInt32) -> String? {
        Int(id) < idToString.count ? idToString[Int(id)] : nil
    }
}
