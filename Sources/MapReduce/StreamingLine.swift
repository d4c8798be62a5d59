/// One line of the streaming protocol between a map stage, an engine's
/// shuffle and a reduce stage:
///
/// ```text
/// KEY <TAB> SEQ <TAB> VALUE <LF>
/// ```
///
/// - `KEY`: text that sorts bytewise like the keys (a `ShuffleKey`'s
///   `sortableText`, or the build's 10-digit reduce group); no TAB or LF.
/// - `SEQ`: the value's `InputPosition` (42 bytes, fixed width).
/// - `VALUE`: base64 of the value's `ShuffleCodable` bytes: exact for every
///   value type (doubles, integers beyond 2^53, token rows) and never a TAB
///   or LF.
///
/// Sorting whole lines bytewise (`LC_ALL=C sort`) therefore sorts by
/// `(KEY, SEQ)`; partitioning on the first field keeps a key's lines
/// together, as Hadoop Streaming's `KeyFieldBasedPartitioner -k1,1` does.
public enum StreamingLine {
    static let tab = UInt8(ascii: "\t")

    /// Appends `KEY\tSEQ\tVALUE\n` to `line`; `scratch` is reused for the
    /// value's binary encoding.
    public static func append<K: Collection, V: ShuffleCodable>(
        key: K, position: InputPosition, value: V, to line: inout [UInt8], scratch: inout ByteWriter
    ) where K.Element == UInt8 {
        line.append(contentsOf: key)
        line.append(tab)
        position.appendText(to: &line)
        line.append(tab)
        scratch.bytes.removeAll(keepingCapacity: true)
        value.encode(to: &scratch)
        Base64.encode(scratch.bytes, into: &line)
        line.append(UInt8(ascii: "\n"))
    }

    /// A line split into its fields: the key's bytes within the line, the
    /// position, and the value's binary encoding (decoded into the buffer
    /// the caller passed).
    public struct Fields {
        public let key: Range<Int>
        public let position: InputPosition
    }

    /// Why a line is not a protocol line, for `MapReduceError.streamingLine`.
    public struct FormatError: Error, Equatable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// Splits `line` (without its line end) and decodes its value into `value`.
    ///
    /// - Throws: `FormatError` saying which field is malformed.
    public static func parse(_ line: UnsafeRawBufferPointer, value: inout [UInt8]) throws -> Fields {
        guard let first = line.firstIndex(of: tab), first > 0 else {
            throw FormatError(message: "expected KEY<TAB>SEQ<TAB>VALUE (no key)")
        }
        let seqStart = first + 1
        guard seqStart + InputPosition.textWidth < line.count, line[seqStart + InputPosition.textWidth] == tab else {
            throw FormatError(message: "expected KEY<TAB>SEQ<TAB>VALUE with a 42-byte SEQ after the key")
        }
        let seq = UnsafeRawBufferPointer(rebasing: line[seqStart..<(seqStart + InputPosition.textWidth)])
        guard let position = InputPosition(text: seq) else {
            throw FormatError(
                message: "SEQ \(String(decoding: seq, as: UTF8.self).debugDescription) is not 10 digits, ':', 20 digits, ':', 10 digits")
        }
        let valueStart = seqStart + InputPosition.textWidth + 1
        guard Base64.decode(UnsafeRawBufferPointer(rebasing: line[valueStart...]), into: &value) else {
            throw FormatError(message: "VALUE is not base64")
        }
        return Fields(key: 0..<first, position: position)
    }
}

/// A value decoded from exactly `bytes` (a streaming line's VALUE): bytes
/// left over are an error too, so a damaged or foreign value is never
/// half-read.
///
/// - Throws: `ByteCodingError`.
public func decodeExactly<Value: ShuffleCodable>(_: Value.Type, from bytes: [UInt8]) throws -> Value {
    var reader = ByteReader(bytes)
    let value = try Value.decode(from: &reader)
    guard reader.isAtEnd else { throw ByteCodingError.malformed(offset: reader.offset, what: "trailing bytes") }
    return value
}
