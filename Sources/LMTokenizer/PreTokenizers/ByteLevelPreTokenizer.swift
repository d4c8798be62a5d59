import LMJSON

/// HF's `ByteLevel` pre-tokenizer.
///
/// HF splits with GPT-2's regex and then rewrites every byte into GPT-2's
/// printable alphabet. lmshard skips the rewrite: the vocabulary is
/// translated back to raw bytes once at load time (`ByteLevelAlphabet`), so
/// this stage only splits. `trim_offsets` only affects offsets and is ignored.
struct ByteLevelPreTokenizer: PreTokenizer {
    /// Prepend a space to a piece that does not start with one (HF does this
    /// per piece it is given, i.e. after added-token splitting).
    let addPrefixSpace: Bool
    /// Split with GPT-2's regex; false when an earlier `Split` already did.
    let useRegex: Bool

    init(addPrefixSpace: Bool, useRegex: Bool) {
        self.addPrefixSpace = addPrefixSpace
        self.useRegex = useRegex
    }

    init(json: JSONObject, path: String) throws {
        addPrefixSpace = try boolField(json, "add_prefix_space", path: path, default: true)
        useRegex = try boolField(json, "use_regex", path: path, default: true)
        _ = try boolField(json, "trim_offsets", path: path, default: true)
    }

    func split(unsafeBytes piece: UnsafeBufferPointer<UInt8>, into out: inout PieceList) {
        if addPrefixSpace, piece.first != 0x20, !piece.isEmpty {
            var prefixed = [UInt8]()
            prefixed.reserveCapacity(piece.count + 1)
            prefixed.append(0x20)
            prefixed.append(contentsOf: piece)
            prefixed.withUnsafeBufferPointer { splitBody($0, into: &out) }
        } else {
            splitBody(piece, into: &out)
        }
    }

    @inline(__always)
    private func splitBody(_ t: UnsafeBufferPointer<UInt8>, into out: inout PieceList) {
        guard useRegex else {
            out.append(unsafeBytes: t)
            return
        }
        var i = 0
        while i < t.count {
            let j = GPT2Scanner.matchEnd(t, i)
            out.append(unsafeBytes: UnsafeBufferPointer(rebasing: t[i..<j]))
            i = j
        }
    }
}
