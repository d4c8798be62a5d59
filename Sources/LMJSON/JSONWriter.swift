/// Appends JSON text to a byte buffer, byte-for-byte like Python's
/// `json.dumps(v, ensure_ascii=False, separators=(",", ":"))` (compact) or
/// `json.dumps(v, ensure_ascii=False, indent=2)` (pretty).
///
/// Matching Python exactly matters because datasets and manifests written by
/// lmshard are diffed against ones written by Python tooling. The rules:
/// `"` and `\` are escaped, control characters become `\n \r \t \b \f` or
/// `\u00XX` with lowercase hex, everything else (including non-ASCII and
/// DEL) is written raw; doubles use Python's `repr` (shortest round-trip
/// digits, exponent form below 1e-4 and from 1e16 up: `1.0`, `1e-05`,
/// `1.5e+300`); non-finite doubles are `NaN`, `Infinity`, `-Infinity` as
/// Python writes them by default.
///
/// The array fast paths (`writeIntArray`, `writeBoolArray`) exist because
/// `lmshard export` writes millions of token ids: they size the buffer once
/// for the worst case and write digits through a pointer, with no per-element
/// `JSONValue`.
public struct JSONWriter {
    /// Layout of the output.
    public enum Style: Sendable {
        /// No whitespace: `{"a":[1,2]}`.
        case compact
        /// Python's `indent=2`: one element per line, `": "` after keys,
        /// empty containers as `[]` and `{}`, no trailing newline.
        case pretty
    }

    /// The output written so far. Take it (or clear it with
    /// `removeAll(keepingCapacity:)`) between records to reuse the storage.
    public var bytes: [UInt8]
    /// The layout used by `write(_:)`. The scalar and array fast-path
    /// methods always write compact text, since they have no nesting level.
    public var style: Style

    /// Creates a writer with `capacity` bytes reserved.
    public init(style: Style = .compact, capacity: Int = 0) {
        self.style = style
        self.bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Appends `value` in the writer's style.
    ///
    /// - Complexity: O(size of the output).
    public mutating func write(_ value: JSONValue) {
        switch style {
        case .compact: writeCompact(value)
        case .pretty: writePretty(value, level: 0)
        }
    }

    mutating func writeCompact(_ value: JSONValue) {
        switch value {
        case .null: writeNull()
        case .bool(let b): writeBool(b)
        case .int(let i): writeInt(i)
        case .double(let d): writeDouble(d)
        case .string(let s): writeString(s)
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            for (k, item) in items.enumerated() {
                if k > 0 { bytes.append(UInt8(ascii: ",")) }
                writeCompact(item)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let o):
            bytes.append(UInt8(ascii: "{"))
            for (k, e) in o.entries.enumerated() {
                if k > 0 { bytes.append(UInt8(ascii: ",")) }
                writeString(e.key)
                bytes.append(UInt8(ascii: ":"))
                writeCompact(e.value)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    mutating func newline(level: Int) {
        bytes.append(0x0A)
        bytes.append(contentsOf: repeatElement(0x20, count: 2 * level))
    }

    mutating func writePretty(_ value: JSONValue, level: Int) {
        switch value {
        case .array(let items) where !items.isEmpty:
            bytes.append(UInt8(ascii: "["))
            for (k, item) in items.enumerated() {
                if k > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(level: level + 1)
                writePretty(item, level: level + 1)
            }
            newline(level: level)
            bytes.append(UInt8(ascii: "]"))
        case .object(let o) where o.count > 0:
            bytes.append(UInt8(ascii: "{"))
            for (k, e) in o.entries.enumerated() {
                if k > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(level: level + 1)
                writeString(e.key)
                bytes.append(UInt8(ascii: ":"))
                bytes.append(UInt8(ascii: " "))
                writePretty(e.value, level: level + 1)
            }
            newline(level: level)
            bytes.append(UInt8(ascii: "}"))
        default:
            writeCompact(value)
        }
    }

    /// Appends `null`.
    public mutating func writeNull() { writeRaw("null") }

    /// Appends `true` or `false`.
    public mutating func writeBool(_ b: Bool) { writeRaw(b ? "true" : "false") }

    /// Appends ASCII text verbatim (punctuation, pre-made keys such as
    /// `"input_ids":`). The caller is responsible for it being valid JSON.
    public mutating func writeRaw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends bytes verbatim; the caller is responsible for them being valid JSON.
    public mutating func writeRaw<S: Sequence>(bytes raw: S) where S.Element == UInt8 {
        bytes.append(contentsOf: raw)
    }

    /// Appends `s` as a quoted JSON string with Python's escapes.
    ///
    /// Runs of bytes that need no escape are copied in bulk.
    public mutating func writeString(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        if let done: Void = s.utf8.withContiguousStorageIfAvailable({ appendEscaped($0) }) {
            _ = done
        } else {
            appendEscaped(Array(s.utf8))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func appendEscaped(_ utf8: [UInt8]) {
        utf8.withUnsafeBufferPointer { appendEscaped($0) }
    }

    mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        var run = 0
        for k in 0..<utf8.count {
            let b = utf8[k]
            guard b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else { continue }
            if k > run { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<k])) }
            run = k + 1
            bytes.append(UInt8(ascii: "\\"))
            switch b {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
            case 0x0A: bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "t"))
            case 0x08: bytes.append(UInt8(ascii: "b"))
            case 0x0C: bytes.append(UInt8(ascii: "f"))
            default:
                // Python writes '\\u{0:04x}': lowercase hex. b < 0x20 here.
                let low = b & 0xF
                bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                          UInt8(ascii: "0") + (b >> 4),
                                          low < 10 ? UInt8(ascii: "0") + low : UInt8(ascii: "a") + low - 10])
            }
        }
        if utf8.count > run { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run...])) }
    }
}

extension JSONValue {
    /// This value as JSON text, compact (Python `separators=(",", ":")`) or
    /// pretty (`indent=2`), with `ensure_ascii=False`.
    public func serialized(style: JSONWriter.Style = .compact) -> String {
        String(decoding: serializedBytes(style: style), as: UTF8.self)
    }

    /// This value as UTF-8 JSON bytes; see `serialized(style:)`.
    public func serializedBytes(style: JSONWriter.Style = .compact) -> [UInt8] {
        var w = JSONWriter(style: style)
        w.write(self)
        return w.bytes
    }
}
