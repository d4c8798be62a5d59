/// Integer shuffle keys.
///
/// `sortableText` must sort byte-wise like `<` (Hadoop's text sort and
/// `LC_ALL=C sort` compare bytes), so integers are written fixed-width:
///
/// | type            | key `k`  | text                                               |
/// |-----------------|----------|----------------------------------------------------|
/// | `Int`, `Int64`  | `k >= 0` | 20 decimal digits, zero-padded (`42` -> `000…042`) |
/// | `Int`, `Int64`  | `k < 0`  | `-` then 19 digits of `k + 2^63`                   |
/// | `UInt64`        | any      | 20 decimal digits, zero-padded                     |
///
/// `-` (0x2D) sorts before `0` (0x30), so every negative key comes first,
/// and `k + 2^63` grows with `k`, so negatives keep their order among
/// themselves. Non-negative keys stay readable in `sort` output.

/// Zero-padded decimal of `value`, exactly `width` digits. `value` must fit.
@inline(__always)
func zeroPaddedDecimal(_ value: UInt64, width: Int) -> String {
    var digits = [UInt8](repeating: UInt8(ascii: "0"), count: width)
    var v = value
    var i = width - 1
    while v > 0 && i >= 0 {
        digits[i] = UInt8(ascii: "0") + UInt8(v % 10)
        v /= 10
        i -= 1
    }
    precondition(v == 0, "value does not fit in \(width) digits")
    return String(decoding: digits, as: UTF8.self)
}

/// Parses exactly `width` ASCII digits; nil if anything else or an overflow.
func parseFixedDecimal(_ text: Substring.UTF8View, width: Int) -> UInt64? {
    guard text.count == width else { return nil }
    var value: UInt64 = 0
    for byte in text {
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
        let (times10, o1) = value.multipliedReportingOverflow(by: 10)
        let (sum, o2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
        guard !o1, !o2 else { return nil }
        value = sum
    }
    return value
}

/// Error thrown by `init(sortableText:)` for text no key could have written.
public struct SortableTextError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The key type that refused the text.
    public let type: String
    /// The offending text.
    public let text: String

    public init(type: String, text: String) {
        self.type = type
        self.text = text
    }

    public var description: String { "not a valid \(type) shuffle key: \(String(reflecting: text))" }
}

extension Int64: ShuffleKey {
    /// Fixed-width, order-preserving decimal (see the table at the top of this file).
    public var sortableText: String {
        if self >= 0 { return zeroPaddedDecimal(UInt64(self), width: 20) }
        // k + 2^63 for k < 0 lies in 0..<2^63, which needs at most 19 digits.
        return "-" + zeroPaddedDecimal(UInt64(bitPattern: self) &- (1 << 63), width: 19)
    }

    /// Inverse of `sortableText`; throws `SortableTextError` for anything else.
    public init(sortableText text: String) throws {
        let sub = Substring(text)
        if sub.first == "-" {
            guard let offset = parseFixedDecimal(sub.dropFirst().utf8, width: 19), offset < (1 << 63) else {
                throw SortableTextError(type: "Int64", text: text)
            }
            self = Int64(bitPattern: offset &+ (1 << 63))
        } else {
            guard let v = parseFixedDecimal(sub.utf8, width: 20), v <= UInt64(Int64.max) else {
                throw SortableTextError(type: "Int64", text: text)
            }
            self = Int64(v)
        }
    }
}

extension Int: ShuffleKey {
    /// Same text as `Int64` (see the table at the top of this file).
    public var sortableText: String { Int64(self).sortableText }

    /// Inverse of `sortableText`; throws `SortableTextError` for anything else.
    public init(sortableText text: String) throws {
        let wide = try Int64(sortableText: text)
        guard let v = Int(exactly: wide) else { throw SortableTextError(type: "Int", text: text) }
        self = v
    }
}

extension UInt64: ShuffleKey {
    /// 20 zero-padded decimal digits.
    public var sortableText: String { zeroPaddedDecimal(self, width: 20) }

    /// Inverse of `sortableText`; throws `SortableTextError` for anything else.
    public init(sortableText text: String) throws {
        guard let v = parseFixedDecimal(Substring(text).utf8, width: 20) else {
            throw SortableTextError(type: "UInt64", text: text)
        }
        self = v
    }
}
