import LMJSON

/// HF's `FixedLength` pre-tokenizer: cuts each piece into chunks of
/// `length` characters (Unicode scalars, Rust `char`s); the last chunk
/// may be shorter.
public struct FixedLengthPreTokenizer: PreTokenizer {
    /// Characters per chunk, at least 1.
    public let length: Int

    /// Creates the pre-tokenizer; `length` must be positive (HF panics on 0).
    public init(length: Int) {
        precondition(length > 0, "FixedLength needs a positive length")
        self.length = length
    }

    init(_ json: JSONObject, path: String) throws {
        let fields = ComponentFields(json, path: path)
        let length = try fields.int("length", default: 5)
        guard length > 0 else { throw fields.invalid("length", "expected a positive integer, got \(length)") }
        self.init(length: length)
    }

    public func split(unsafeBytes piece: UnsafeBufferPointer<UInt8>, into out: inout PieceList) {
        var chunkStart = 0
        var chars = 0
        var i = 0
        while i < piece.count {
            i += UTF8Scan.decode(piece, i).length
            chars += 1
            if chars == length {
                out.append(unsafeBytes: UnsafeBufferPointer(rebasing: piece[chunkStart..<i]))
                chunkStart = i
                chars = 0
            }
        }
        out.append(unsafeBytes: UnsafeBufferPointer(rebasing: piece[chunkStart..<piece.count]))
    }
}
