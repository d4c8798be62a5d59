/// Little-endian byte encoding used by the shuffle (spill files, streaming).
///
/// Appends into one growing `[UInt8]` so encoding a row costs no allocation
/// beyond amortized growth; the reader walks an `UnsafeRawBufferPointer`-free
/// `ArraySlice` with explicit bounds checks so a corrupt spill gives a typed
/// error instead of a trap.

public struct ByteWriter: Sendable {
    public var bytes: [UInt8]

    public init(reservingCapacity capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// LEB128 varint: small counts and lengths take one byte.
    public mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    public mutating func writeBytes<C: Collection>(_ data: C) where C.Element == UInt8 {
        writeVarint(UInt64(data.count))
        bytes.append(contentsOf: data)
    }

    public mutating func writeString(_ s: String) {
        var s = s
        s.withUTF8 { writeBytes($0) }
    }
}

public enum ByteCodingError: Error, Equatable, CustomStringConvertible {
    case truncated(offset: Int, needed: Int)
    case malformed(offset: Int, what: String)

    public var description: String {
        switch self {
        case let .truncated(offset, needed):
            return "truncated record at byte \(offset): needed \(needed) more bytes"
        case let .malformed(offset, what):
            return "malformed record at byte \(offset): \(what)"
        }
    }
}

public struct ByteReader {
    public let bytes: [UInt8]
    public private(set) var offset: Int

    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    public var isAtEnd: Bool { offset >= bytes.count }

    public mutating func read<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let size = MemoryLayout<T>.size
        guard bytes.count - offset >= size else {
            throw ByteCodingError.truncated(offset: offset, needed: size - (bytes.count - offset))
        }
        var value: T = 0
        withUnsafeMutableBytes(of: &value) { dst in
            bytes.withUnsafeBytes { src in
                dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[offset..<offset + size]))
            }
        }
        offset += size
        return T(littleEndian: value)
    }

    public mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        let start = offset
        while true {
            guard offset < bytes.count else { throw ByteCodingError.truncated(offset: offset, needed: 1) }
            let b = bytes[offset]
            offset += 1
            guard shift < 64 else { throw ByteCodingError.malformed(offset: start, what: "varint longer than 64 bits") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    public mutating func readBytes() throws -> ArraySlice<UInt8> {
        let n = try readVarint()
        guard n <= UInt64(bytes.count - offset) else {
            throw ByteCodingError.truncated(offset: offset, needed: Int(clamping: n) - (bytes.count - offset))
        }
        let slice = bytes[offset..<offset + Int(n)]
        offset += Int(n)
        return slice
    }

    public mutating func readString() throws -> String {
        let start = offset
        let raw = try readBytes()
        guard let s = String(validating: raw, as: UTF8.self) else {
            throw ByteCodingError.malformed(offset: start, what: "invalid UTF-8 in string")
        }
        return s
    }
}
