import MapReduce

/// The shuffle key of `PrepareForTrainingTransform`: the reduce group number,
/// `array_hash(input_ids) % num_reduce_chunks`.
///
/// Its own type (not a bare `Int`) so its text form is fixed-width: 19
/// zero-padded digits sort bytewise exactly as the numbers do, which an
/// external sort (spill merge, Hadoop's text sort) relies on.
public struct ReduceChunkKey: ShuffleKey, CustomStringConvertible {
    /// The group number, `0..<num_reduce_chunks`.
    public let index: Int

    /// - Precondition: `index >= 0`.
    public init(_ index: Int) {
        precondition(index >= 0, "reduce chunk index must not be negative")
        self.index = index
    }

    /// Orders by group number.
    public static func < (a: ReduceChunkKey, b: ReduceChunkKey) -> Bool { a.index < b.index }

    /// The group number as decimal.
    public var description: String { String(index) }

    /// 19 digits, zero-padded (`Int.max` has 19 digits).
    public var sortableText: String {
        let digits = String(index)
        return String(repeating: "0", count: max(0, 19 - digits.count)) + digits
    }

    /// Parses `sortableText`.
    ///
    /// - Throws: `ByteCodingError.malformed` for anything but 1-19 ASCII digits.
    public init(sortableText: String) throws {
        guard (1...19).contains(sortableText.utf8.count), sortableText.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            let value = Int(sortableText)
        else {
            throw ByteCodingError.malformed(offset: 0, what: "reduce chunk key \"\(sortableText)\" is not 1-19 digits")
        }
        index = value
    }

    /// One varint.
    public func encode(to writer: inout ByteWriter) {
        writer.writeVarint(UInt64(index))
    }

    /// Reads one varint.
    ///
    /// - Throws: `ByteCodingError` for truncated input or a value above `Int.max`.
    public static func decode(from reader: inout ByteReader) throws -> ReduceChunkKey {
        let offset = reader.offset
        let v = try reader.readVarint()
        guard let index = Int(exactly: v) else {
            throw ByteCodingError.malformed(offset: offset, what: "reduce chunk key \(v) exceeds Int.max")
        }
        return ReduceChunkKey(index)
    }
}
