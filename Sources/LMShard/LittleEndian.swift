/// Explicit little-endian encoding of the integers in the format's headers
/// and index arrays. Every read is bounds-checked and returns `nil` past the
/// end, so a parser turns a short buffer into a typed error instead of a trap.
enum LittleEndian {
    /// Appends `value` little-endian, in `MemoryLayout<T>.size` bytes.
    @inline(__always)
    static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        var v = value.littleEndian
        withUnsafeBytes(of: &v) { bytes.append(contentsOf: $0) }
    }

    /// Reads a `T` stored little-endian at `offset`, or `nil` when it does
    /// not fit inside `buffer`. Unaligned offsets are fine.
    @inline(__always)
    static func read<T: FixedWidthInteger>(
        _: T.Type, from buffer: UnsafeRawBufferPointer, at offset: Int
    ) -> T? {
        let size = MemoryLayout<T>.size
        guard offset >= 0, offset <= buffer.count - size else { return nil }
        return T(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// Reads a `T` at `offset` of a byte array.
    static func read<T: FixedWidthInteger>(_: T.Type, from bytes: [UInt8], at offset: Int) -> T? {
        bytes.withUnsafeBytes { read(T.self, from: $0, at: offset) }
    }

    /// Overwrites `MemoryLayout<T>.size` bytes at `offset` (header patching).
    static func write<T: FixedWidthInteger>(_ value: T, into bytes: inout [UInt8], at offset: Int) {
        precondition(offset >= 0 && offset + MemoryLayout<T>.size <= bytes.count, "header write out of range")
        var v = value.littleEndian
        withUnsafeBytes(of: &v) { raw in
            for i in 0..<raw.count { bytes[offset + i] = raw[i] }
        }
    }
}

/// Bounds-checked little-endian reads over one file's bytes that throw
/// `ShardError.truncated` naming the file and offset.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    let file: String

    /// Reads a `T` at `offset` or throws.
    func read<T: FixedWidthInteger>(_: T.Type, at offset: Int) throws -> T {
        guard let v = LittleEndian.read(T.self, from: bytes, at: offset) else {
            throw ShardError.truncated(file: file, offset: offset, needed: MemoryLayout<T>.size)
        }
        return v
    }

    /// Whether `magic` sits at offset 0; throws `.truncated` or `.badMagic`.
    func expectMagic(_ magic: [UInt8]) throws {
        guard bytes.count >= magic.count else { throw ShardError.truncated(file: file, offset: 0, needed: magic.count) }
        guard bytes.prefix(magic.count).elementsEqual(magic) else { throw ShardError.badMagic(file: file, offset: 0) }
    }
}
