import LMJSON

/// `ShuffleCodable` for the standard library types transforms use as keys
/// and values. Integers are LEB128 varints (signed ones zigzag-encoded), so
/// the counts and small ids that dominate shuffles take one or two bytes.

@inline(__always)
func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }

@inline(__always)
func unzigzag(_ u: UInt64) -> Int64 { Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1))) }

extension Int64: ShuffleCodable {
    /// Zigzag varint.
    public func encode(to writer: inout ByteWriter) { writer.writeVarint(zigzag(self)) }
    /// Reads a zigzag varint.
    public static func decode(from reader: inout ByteReader) throws -> Int64 { unzigzag(try reader.readVarint()) }
}

extension Int: ShuffleCodable {
    /// Zigzag varint of the 64-bit value.
    public func encode(to writer: inout ByteWriter) { writer.writeVarint(zigzag(Int64(self))) }
    /// Reads a zigzag varint; throws if it does not fit `Int` on this platform.
    public static func decode(from reader: inout ByteReader) throws -> Int {
        let start = reader.offset
        guard let v = Int(exactly: unzigzag(try reader.readVarint())) else {
            throw ByteCodingError.malformed(offset: start, what: "integer does not fit Int")
        }
        return v
    }
}

extension UInt64: ShuffleCodable {
    /// Varint.
    public func encode(to writer: inout ByteWriter) { writer.writeVarint(self) }
    /// Reads a varint.
    public static func decode(from reader: inout ByteReader) throws -> UInt64 { try reader.readVarint() }
}

extension UInt32: ShuffleCodable {
    /// Varint.
    public func encode(to writer: inout ByteWriter) { writer.writeVarint(UInt64(self)) }
    /// Reads a varint; throws if it exceeds `UInt32.max`.
    public static func decode(from reader: inout ByteReader) throws -> UInt32 {
        let start = reader.offset
        guard let v = UInt32(exactly: try reader.readVarint()) else {
            throw ByteCodingError.malformed(offset: start, what: "integer does not fit UInt32")
        }
        return v
    }
}

extension Bool: ShuffleCodable {
    /// One byte, 0 or 1.
    public func encode(to writer: inout ByteWriter) { writer.write(UInt8(self ? 1 : 0)) }
    /// Reads one byte; anything but 0 or 1 is malformed.
    public static func decode(from reader: inout ByteReader) throws -> Bool {
        let start = reader.offset
        switch try reader.read(UInt8.self) {
        case 0: return false
        case 1: return true
        case let b: throw ByteCodingError.malformed(offset: start, what: "boolean byte \(b)")
        }
    }
}

extension Double: ShuffleCodable {
    /// The IEEE-754 bit pattern, little-endian, so values round-trip exactly.
    public func encode(to writer: inout ByteWriter) { writer.write(bitPattern) }
    /// Reads 8 bytes of bit pattern.
    public static func decode(from reader: inout ByteReader) throws -> Double {
        Double(bitPattern: try reader.read(UInt64.self))
    }
}

extension String: ShuffleCodable {
    /// Varint byte length, then UTF-8.
    public func encode(to writer: inout ByteWriter) { writer.writeString(self) }
    /// Reads a length-prefixed UTF-8 string; invalid UTF-8 is malformed.
    public static func decode(from reader: inout ByteReader) throws -> String { try reader.readString() }
}

extension Array: ShuffleCodable where Element: ShuffleCodable {
    /// Varint count, then each element.
    public func encode(to writer: inout ByteWriter) {
        writer.writeVarint(UInt64(count))
        for element in self { element.encode(to: &writer) }
    }

    /// Reads a count and that many elements. A count larger than the bytes
    /// left is refused before allocating (every element takes >= 1 byte).
    public static func decode(from reader: inout ByteReader) throws -> [Element] {
        let n = try reader.readVarint()
        let remaining = reader.bytes.count - reader.offset
        guard n <= UInt64(remaining) else {
            throw ByteCodingError.truncated(offset: reader.offset, needed: Int(clamping: n) - remaining)
        }
        var out: [Element] = []
        out.reserveCapacity(Int(n))
        for _ in 0..<n { out.append(try Element.decode(from: &reader)) }
        return out
    }
}

/// `JSONValue` rows cross the shuffle as a tagged binary tree: one tag byte,
/// then the payload. Cheaper to write and read than JSON text (no escaping,
/// no number formatting) and exact for every value.
///
/// | tag | case       | payload                                      |
/// |-----|------------|----------------------------------------------|
/// | 0   | `null`     | none                                         |
/// | 1   | `false`    | none                                         |
/// | 2   | `true`     | none                                         |
/// | 3   | `int`      | zigzag varint                                |
/// | 4   | `double`   | 8 bytes, IEEE-754 bits, little-endian        |
/// | 5   | `string`   | varint length, UTF-8                         |
/// | 6   | `array`    | varint count, elements                       |
/// | 7   | `object`   | varint count, (string key, value) in order   |
extension JSONValue: ShuffleCodable {
    enum ShuffleTag {
        static let null: UInt8 = 0
        static let falseValue: UInt8 = 1
        static let trueValue: UInt8 = 2
        static let int: UInt8 = 3
        static let double: UInt8 = 4
        static let string: UInt8 = 5
        static let array: UInt8 = 6
        static let object: UInt8 = 7
    }

    /// Nesting deeper than this in shuffle bytes is treated as corruption,
    /// so a corrupt spill cannot overflow the stack.
    static let maximumShuffleDepth = 512

    /// Appends the tagged encoding (see the table above).
    public func encode(to writer: inout ByteWriter) {
        switch self {
        case .null: writer.write(ShuffleTag.null)
        case .bool(let b): writer.write(b ? ShuffleTag.trueValue : ShuffleTag.falseValue)
        case .int(let i):
            writer.write(ShuffleTag.int)
            writer.writeVarint(zigzag(i))
        case .double(let d):
            writer.write(ShuffleTag.double)
            writer.write(d.bitPattern)
        case .string(let s):
            writer.write(ShuffleTag.string)
            writer.writeString(s)
        case .array(let a):
            writer.write(ShuffleTag.array)
            writer.writeVarint(UInt64(a.count))
            for element in a { element.encode(to: &writer) }
        case .object(let o):
            writer.write(ShuffleTag.object)
            writer.writeVarint(UInt64(o.entries.count))
            for (k, v) in o.entries {
                writer.writeString(k)
                v.encode(to: &writer)
            }
        }
    }

    /// Reads one tagged value; unknown tags, truncation and nesting deeper
    /// than 512 throw `ByteCodingError` with the byte offset.
    public static func decode(from reader: inout ByteReader) throws -> JSONValue {
        try decode(from: &reader, depth: 0)
    }

    static func decode(from reader: inout ByteReader, depth: Int) throws -> JSONValue {
        let start = reader.offset
        guard depth < maximumShuffleDepth else {
            throw ByteCodingError.malformed(offset: start, what: "JSON value nested deeper than \(maximumShuffleDepth)")
        }
        switch try reader.read(UInt8.self) {
        case ShuffleTag.null: return .null
        case ShuffleTag.falseValue: return .bool(false)
        case ShuffleTag.trueValue: return .bool(true)
        case ShuffleTag.int: return .int(unzigzag(try reader.readVarint()))
        case ShuffleTag.double: return .double(Double(bitPattern: try reader.read(UInt64.self)))
        case ShuffleTag.string: return .string(try reader.readString())
        case ShuffleTag.array:
            let n = try checkedCount(&reader)
            var out: [JSONValue] = []
            out.reserveCapacity(n)
            for _ in 0..<n { out.append(try decode(from: &reader, depth: depth + 1)) }
            return .array(out)
        case ShuffleTag.object:
            let n = try checkedCount(&reader)
            var object = JSONObject()
            object.entries.reserveCapacity(n)
            for _ in 0..<n {
                let key = try reader.readString()
                object.entries.append((key, try decode(from: &reader, depth: depth + 1)))
            }
            return .object(object)
        case let tag:
            throw ByteCodingError.malformed(offset: start, what: "unknown JSON value tag \(tag)")
        }
    }

    /// A count of items that each take at least one byte, checked against the bytes left.
    private static func checkedCount(_ reader: inout ByteReader) throws -> Int {
        let n = try reader.readVarint()
        let remaining = reader.bytes.count - reader.offset
        guard n <= UInt64(remaining) else {
            throw ByteCodingError.truncated(offset: reader.offset, needed: Int(clamping: n) - remaining)
        }
        return Int(n)
    }
}
