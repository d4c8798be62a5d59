import Foundation

/// Reads the generated Unicode tables (`OnigUnicodeProperties`,
/// `UnicodeNormalizationData`): base64 text of unsigned LEB128 varints, as
/// tools/unicode/leb128.py writes them. Varints keep the tables small (49
/// and 70 KB) and a string literal keeps them cheap to compile, where array
/// literals of ~30,000 integers take the type checker many seconds.
struct GeneratedTableReader {
    private let bytes: [UInt8]
    /// The next byte to read.
    var offset = 0

    /// Decodes `base64` (line breaks and indentation ignored).
    init(base64: String) {
        bytes = [UInt8](Data(base64Encoded: base64.filter { !$0.isWhitespace }) ?? Data())
    }

    /// The varint at `offset`; 0 past the end (the generators' counts keep
    /// reads inside the data).
    mutating func next() -> UInt32 {
        var value: UInt32 = 0
        var shift: UInt32 = 0
        while offset < bytes.count {
            let b = bytes[offset]
            offset += 1
            value |= UInt32(b & 0x7F) << shift
            if b < 0x80 { break }
            shift += 7
        }
        return value
    }
}
