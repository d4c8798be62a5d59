/// GPT-2's reversible byte <-> printable-character table (HF `bytes_char`).
///
/// Byte-level BPE stores every byte as a printable scalar so vocabularies
/// are readable text: the 188 printable Latin-1 bytes (`!`...`~`,
/// `¡`...`¬`, `®`...`ÿ`) stand for themselves, and the other 68 bytes map,
/// in byte order, to U+0100, U+0101, ... (space is "Ġ" U+0120, newline "Ċ"
/// U+010A). The core uses it once at load time to turn byte-level
/// vocabulary strings back into raw bytes; the ByteLevel decoder uses it to
/// turn tokens back into bytes.
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

    /// `byteToScalar[b]` is the printable scalar standing for byte `b`.
    static let byteToScalar: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: "\0", count: 256)
        for (value, byte) in scalarToByte.enumerated() where byte >= 0 {
            // Every value below 0x144 is a valid scalar.
            table[Int(byte)] = Unicode.Scalar(UInt32(value)) ?? "\u{FFFD}"
        }
        return table
    }()

    /// `utf8[b]`: the UTF-8 bytes of `byteToScalar[b]`.
    static let utf8: [[UInt8]] = byteToScalar.map { Array(String($0).utf8) }

    /// The byte `scalar` stands for, or nil if it is not in the alphabet.
    @inline(__always)
    static func byte(for scalar: Unicode.Scalar) -> UInt8? {
        let v = Int(scalar.value)
        guard v < scalarToByte.count else { return nil }
        let b = scalarToByte[v]
        return b < 0 ? nil : UInt8(b)
    }

    /// The raw bytes a vocabulary string stands for, or nil when it holds a
    /// character outside the alphabet (such a token can never be produced
    /// by byte-level pre-tokenization).
    static func bytes(of token: String) -> [UInt8]? {
        var out = [UInt8]()
        out.reserveCapacity(token.utf8.count)
        for scalar in token.unicodeScalars {
            guard let byte = byte(for: scalar) else { return nil }
            out.append(byte)
        }
        return out
    }
}

extension ByteLevelAlphabet {
    /// Appends each byte of `bytes` as its alphabet scalar's UTF-8 (what HF's
    /// ByteLevel pre-tokenizer hands to the stages after it).
    static func appendMapped(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        for b in bytes {
            let scalar = byteToScalar[Int(b)]
            if scalar.value < 0x80 {
                out.append(UInt8(scalar.value))
            } else {
                // Every alphabet scalar is below U+0800: two bytes.
                out.append(0xC0 | UInt8(scalar.value >> 6))
                out.append(0x80 | UInt8(scalar.value & 0x3F))
            }
        }
    }

    /// The inverse of `appendMapped` on one piece: alphabet scalars become
    /// their bytes; any other scalar (a later stage may add one, such as
    /// Metaspace's "▁") keeps its UTF-8, as the vocabulary's untranslatable
    /// strings do.
    static func appendUnmapped(_ utf8: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var i = 0
        while i < utf8.count {
            let (value, length) = UTF8Scan.decode(utf8, i)
            if length > 1 || value < 0x80, let scalar = Unicode.Scalar(value), let byte = byte(for: scalar) {
                out.append(byte)
            } else {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[i..<(i + length)]))
            }
            i += length
        }
    }
}
