/// GPT-2's byte -> printable-character table, used once at load time to turn
/// byte-level vocabulary strings back into raw bytes.
///
/// Printable Latin-1 bytes (`!`...`~`, `¡`...`¬`, `®`...`ÿ`) stand for
/// themselves; the other 68 bytes map, in byte order, to U+0100, U+0101, ...
/// (space is "Ġ" U+0120, newline "Ċ" U+010A).
enum ByteLevelAlphabet {
    /// `scalarToByte[v]` is the byte scalar `v` stands for, or -1. All
    /// alphabet scalars are below U+0144.
    static let scalarToByte: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        var next = 256
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
            if printable {
                table[byte] = Int16(byte)
            } else {
                table[next] = Int16(byte)
                next += 1
            }
        }
        return table
    }()

    /// The raw bytes a vocabulary string stands for, or nil when it holds a
    /// character outside the alphabet (such a token can never be produced
    /// by byte-level pre-tokenization).
    static func bytes(of token: String) -> [UInt8]? {
        var out = [UInt8]()
        out.reserveCapacity(token.utf8.count)
        for scalar in token.unicodeScalars {
            let v = Int(scalar.value)
            guard v < scalarToByte.count, scalarToByte[v] >= 0 else { return nil }
            out.append(UInt8(scalarToByte[v]))
        }
        return out
    }
}
