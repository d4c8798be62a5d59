/// A list of optional strings in one byte section: a UInt32 count, a UInt32
/// length per string (`UInt32.max` for nil), then the UTF-8 bytes of all
/// strings back to back.
enum StringList {
    static let absent = UInt32.max

    static func encode(_ strings: [String?]) -> [UInt8] {
        var out = [UInt8]()
        func appendLE(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        appendLE(UInt32(strings.count))
        for s in strings { appendLE(s.map { UInt32($0.utf8.count) } ?? absent) }
        for s in strings { if let s { out.append(contentsOf: s.utf8) } }
        return out
    }

    /// The strings of `bytes`, or nil when it is not a well-formed list
    /// (lengths past the end, bytes left over).
    static func decode(unsafeBytes bytes: UnsafeRawBufferPointer) -> [String?]? {
        guard bytes.count >= 4 else { return nil }
        let count = Int(UInt32(littleEndian: bytes.loadUnaligned(as: UInt32.self)))
        let (lengthsEnd, overflow) = 4.addingReportingOverflow(count.multipliedReportingOverflow(by: 4).partialValue)
        guard count <= bytes.count / 4, !overflow, lengthsEnd <= bytes.count else { return nil }
        var strings = [String?]()
        strings.reserveCapacity(count)
        var at = lengthsEnd
        for i in 0..<count {
            let length = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 + 4 * i, as: UInt32.self))
            if length == absent {
                strings.append(nil)
                continue
            }
            guard Int(length) <= bytes.count - at else { return nil }
            let utf8 = UnsafeRawBufferPointer(rebasing: bytes[at..<(at + Int(length))]).assumingMemoryBound(to: UInt8.self)
            // Repairing rather than refusing invalid UTF-8 (only a forged
            // file has any): 3x faster than String(validating:) here,
            // 128k strings for Llama 3.
            strings.append(String(decoding: utf8, as: UTF8.self))
            at += Int(length)
        }
        return at == bytes.count ? strings : nil
    }
}
