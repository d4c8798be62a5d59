/// GPT-2's reversible byte <-> printable-character table (HF `bytes_char`).
///
/// Byte-level BPE stores every byte as a printable scalar so vocabularies
/// are readable text: the 188 printable Latin-1 bytes (`!`...`~`,
/// `¡`...`¬`, `®`...`ÿ`) map to themselves, and the other 68 bytes map, in
/// byte order, to U+0100, U+0101, ... (so space is "Ġ" U+0120 and newline
/// "Ċ" U+010A). Shared by the ByteLevel decoder and the core, which turns
/// vocabulary strings back into raw bytes once at load time.
enum ByteAlphabet {
    /// `byteToScalar[b]` is the printable scalar standing for byte `b`.
    static let byteToScalar: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: "\0", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
            if printable {
                table[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                // 256 + n for n < 68 is always a valid scalar.
                table[byte] = Unicode.Scalar(next) ?? "\u{FFFD}"
                next += 1
            }
        }
        return table
    }()

    /// Indexed by scalar value (all are below 0x144); 0xFFFF marks "none".
    private static let scalarToByte: [UInt16] = {
        var table = [UInt16](repeating: 0xFFFF, count: 0x144)
        for (byte, scalar) in byteToScalar.enumerated() { table[Int(scalar.value)] = UInt16(byte) }
        return table
    }()

    /// The byte `scalar` stands for, or nil if it is not in the alphabet.
    @inline(__always)
    static func byte(for scalar: Unicode.Scalar) -> UInt8? {
        let v = Int(scalar.value)
        guard v < scalarToByte.count else { return nil }
        let b = scalarToByte[v]
        return b == 0xFFFF ? nil : UInt8(b)
    }
}
