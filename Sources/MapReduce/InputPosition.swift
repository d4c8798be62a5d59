/// Where a value emitted by a map comes from: the input file (its index in
/// the job's walk of the inputs), the byte offset of the row's first byte
/// in that file (decompressed), and the value's emit index within the row.
///
/// Ordering positions gives exactly the order in which one process reading
/// every input front to back would have emitted the values, whoever mapped
/// them and in whatever order the pieces arrived: this is what makes a
/// distributed reduce see a group's values in the local build's order.
///
/// Its text form is the `SEQ` field of the streaming protocol,
/// `FFFFFFFFFF:OOOOOOOOOOOOOOOOOOOO:EEEEEEEEEE` (10, 20 and 10 zero-padded
/// decimal digits): fixed width, so a bytewise sort of the text (`LC_ALL=C
/// sort`, Hadoop's `Text` comparator, Spark sorting bytes) orders exactly as
/// `<` does.
public struct InputPosition: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Index of the input file in the job's walk of its inputs.
    public var file: UInt64
    /// Offset of the row's first byte in the (decompressed) file; 0 for a
    /// whole-file document.
    public var offset: UInt64
    /// Index of the value among those the row's map emitted.
    public var emit: UInt64

    /// The largest file index and emit index the text form holds (10 digits).
    public static let maximumFileIndex: UInt64 = 9_999_999_999
    public static let maximumEmitIndex: UInt64 = 9_999_999_999
    /// Bytes in the text form.
    public static let textWidth = 42

    public init(file: UInt64, offset: UInt64, emit: UInt64) {
        self.file = file
        self.offset = offset
        self.emit = emit
    }

    public static func < (a: InputPosition, b: InputPosition) -> Bool {
        (a.file, a.offset, a.emit) < (b.file, b.offset, b.emit)
    }

    /// The `SEQ` text.
    public var description: String {
        var bytes: [UInt8] = []
        appendText(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the `SEQ` text (42 bytes) to `bytes`.
    ///
    /// - Precondition: `file` and `emit` fit 10 digits (callers check the
    ///   file count when planning and the emits per row when mapping).
    public func appendText(to bytes: inout [UInt8]) {
        Self.appendDigits(file, width: 10, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        Self.appendDigits(offset, width: 20, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        Self.appendDigits(emit, width: 10, to: &bytes)
    }

    /// Parses the `SEQ` text; nil for anything but 10 digits, `:`, 20
    /// digits, `:`, 10 digits (an offset above `UInt64.max` included).
    public init?<C: Collection>(text: C) where C.Element == UInt8 {
        guard text.count == Self.textWidth else { return nil }
        var fields: [UInt64] = [0, 0, 0]
        var field = 0
        for (i, byte) in text.enumerated() {
            if i == 10 || i == 31 {
                guard byte == UInt8(ascii: ":") else { return nil }
                field += 1
                continue
            }
            guard (0x30...0x39).contains(byte) else { return nil }
            let (times10, o1) = fields[field].multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(byte - 0x30))
            if o1 || o2 { return nil }
            fields[field] = sum
        }
        self.init(file: fields[0], offset: fields[1], emit: fields[2])
    }

    /// Appends `value` as `width` zero-padded decimal digits.
    public static func appendDigits(_ value: UInt64, width: Int, to bytes: inout [UInt8]) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width))
        var v = value
        var i = start + width - 1
        while v > 0 {
            precondition(i >= start, "\(value) does not fit in \(width) digits")
            bytes[i] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
            i -= 1
        }
    }
}
