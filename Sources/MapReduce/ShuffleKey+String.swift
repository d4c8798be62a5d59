/// String shuffle keys.
///
/// `sortableText` is the string's UTF-8 with control bytes escaped so a key
/// never contains TAB, CR or LF (the streaming protocol's separators):
/// every byte `b < 0x20` becomes the two bytes `0x01, 0x40 + b`; other bytes
/// are unchanged. The escape keeps byte order: escaped bytes start with 0x01,
/// which is below every unescaped byte (all >= 0x20), and the second byte
/// keeps `b`'s order among escaped bytes. UTF-8 byte order is Unicode code
/// point order, the order Python sorts `str` in.
///
/// Swift's `String.<` and `==` compare canonically equivalent strings
/// ("é" as one scalar or as "e" + U+0301) as equal, unlike Python. Use
/// `CodePointString` as the key when keys may be unnormalized and the job
/// must match Python: its `==` and `<` are code point comparisons.

enum SortableStringEscape {
    static let escape: UInt8 = 0x01
    static let offset: UInt8 = 0x40

    /// Escapes control bytes (see the file comment).
    static func escaped(_ s: String) -> String {
        var s = s
        return s.withUTF8 { utf8 -> String in
            guard utf8.contains(where: { $0 < 0x20 }) else { return String(decoding: utf8, as: UTF8.self) }
            var out: [UInt8] = []
            out.reserveCapacity(utf8.count + 8)
            for b in utf8 {
                if b < 0x20 {
                    out.append(escape)
                    out.append(offset + b)
                } else {
                    out.append(b)
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Inverse of `escaped`; nil on a raw control byte or a bad escape.
    static func unescaped(_ s: String) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var it = s.utf8.makeIterator()
        while let b = it.next() {
            if b == escape {
                guard let e = it.next(), e >= offset, e < offset + 0x20 else { return nil }
                out.append(e - offset)
            } else if b < 0x20 {
                return nil
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension String: ShuffleKey {
    /// UTF-8 with control bytes escaped (see the file comment).
    public var sortableText: String { SortableStringEscape.escaped(self) }

    /// Inverse of `sortableText`; throws on raw control bytes or bad escapes.
    public init(sortableText text: String) throws {
        guard let s = SortableStringEscape.unescaped(text) else {
            throw SortableTextError(type: "String", text: text)
        }
        self = s
    }
}

/// A string key compared the way Python compares `str`: by Unicode code
/// points, with no canonical equivalence. `"e\u{301}"` and `"é"` are two
/// different keys, and `"\u{FF21}" > "\u{1F600}"` is false as in Python.
///
/// Comparing UTF-8 bytes gives code point order and is what `memcmp`-style
/// sorters (`LC_ALL=C sort`, spill merges) do, so all runners agree.
public struct CodePointString: ShuffleKey, CustomStringConvertible {
    /// The string, unchanged.
    public var value: String

    /// Wraps `value`.
    public init(_ value: String) { self.value = value }

    /// The wrapped string.
    public var description: String { value }

    /// Code point (UTF-8 byte) equality.
    public static func == (a: CodePointString, b: CodePointString) -> Bool {
        a.value.utf8.elementsEqual(b.value.utf8)
    }

    /// Code point (UTF-8 byte) order. O(length of the common prefix).
    public static func < (a: CodePointString, b: CodePointString) -> Bool {
        a.value.utf8.lexicographicallyPrecedes(b.value.utf8)
    }

    /// Hashes the UTF-8 bytes, consistent with `==`.
    public func hash(into hasher: inout Hasher) {
        var s = value
        s.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Same escaping as `String.sortableText`.
    public var sortableText: String { value.sortableText }

    /// Inverse of `sortableText`.
    public init(sortableText text: String) throws { value = try String(sortableText: text) }

    /// Same bytes as `String`'s encoding.
    public func encode(to writer: inout ByteWriter) { writer.writeString(value) }

    /// Reads a length-prefixed UTF-8 string.
    public static func decode(from reader: inout ByteReader) throws -> CodePointString {
        CodePointString(try reader.readString())
    }
}
