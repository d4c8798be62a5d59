/// Standard base64 (RFC 4648, `+/` alphabet, `=` padding) for the `VALUE`
/// field of streaming lines: a value's binary shuffle encoding may hold any
/// byte, and base64 never holds a TAB or a newline.
///
/// Written here rather than through Foundation's `Data` so that encoding and
/// decoding append into reused `[UInt8]` buffers: a map stage writes one
/// value per row and a reducer decodes one per line, and a `Data` per value
/// (plus its bridging) costs an allocation each way.
enum Base64 {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    /// 0...63 for alphabet bytes, 0xFF for anything else.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
        return table
    }()

    /// Appends the encoding of `bytes` to `out`.
    static func encode<C: Collection>(_ bytes: C, into out: inout [UInt8]) where C.Element == UInt8 {
        out.reserveCapacity(out.count + (bytes.count + 2) / 3 * 4)
        var i = bytes.startIndex
        var remaining = bytes.count
        while remaining >= 3 {
            let a = UInt32(bytes[i]), b = UInt32(bytes[bytes.index(i, offsetBy: 1)]), c = UInt32(bytes[bytes.index(i, offsetBy: 2)])
            let n = a << 16 | b << 8 | c
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
            out.append(alphabet[Int(n & 63)])
            i = bytes.index(i, offsetBy: 3)
            remaining -= 3
        }
        if remaining == 1 {
            let n = UInt32(bytes[i]) << 16
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        } else if remaining == 2 {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[bytes.index(after: i)]) << 8
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
            out.append(UInt8(ascii: "="))
        }
    }

    /// Replaces `out` with the decoding of `text`; false when `text` is not
    /// canonical padded base64 (wrong length, a byte outside the alphabet,
    /// padding anywhere but at the end, non-zero bits under the padding).
    static func decode(_ text: UnsafeRawBufferPointer, into out: inout [UInt8]) -> Bool {
        out.removeAll(keepingCapacity: true)
        let n = text.count
        guard n % 4 == 0 else { return false }
        if n == 0 { return true }
        var padding = 0
        if text[n - 1] == UInt8(ascii: "=") { padding += 1 }
        if text[n - 2] == UInt8(ascii: "=") { padding += 1 }
        out.reserveCapacity(n / 4 * 3)
        var i = 0
        while i < n {
            let last = i + 4 == n
            var quad: UInt32 = 0
            for k in 0..<4 {
                let byte = text[i + k]
                let v: UInt8
                if last && k >= 4 - padding {
                    guard byte == UInt8(ascii: "=") else { return false }
                    v = 0
                } else {
                    v = values[Int(byte)]
                    guard v != 0xFF else { return false }
                }
                quad = quad << 6 | UInt32(v)
            }
            out.append(UInt8(quad >> 16 & 0xFF))
            if !last || padding < 2 { out.append(UInt8(quad >> 8 & 0xFF)) }
            if !last || padding < 1 { out.append(UInt8(quad & 0xFF)) }
            if last {
                // Bits under the padding must be zero, so each value has one text.
                if padding == 2 && quad & 0xFFFF != 0 { return false }
                if padding == 1 && quad & 0xFF != 0 { return false }
            }
            i += 4
        }
        return true
    }
}
