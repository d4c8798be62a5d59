import LMJSON

/// Config of `CountCharsTransform`:
/// `{"type": "count_chars", "column": "content", "lowercase": false}`.
public struct CountCharsConfig: TransformConfig, Equatable {
    /// The registry's `type` discriminator.
    public static let typeName = "count_chars"
    /// Every key the config accepts besides `type`.
    public static let fieldNames: Set<String> = ["column", "lowercase"]

    /// The string column whose characters are counted.
    public var column: String
    /// Lowercase (Python `str.lower()`) before counting.
    public var lowercase: Bool

    public init(column: String, lowercase: Bool = false) {
        self.column = column
        self.lowercase = lowercase
    }

    enum CodingKeys: String, CodingKey {
        case column, lowercase
    }

    /// Decodes with `lowercase` defaulting to false, as in the seed.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        column = try c.decode(String.self, forKey: .column)
        lowercase = try c.decodeIfPresent(Bool.self, forKey: .lowercase) ?? false
    }
}

/// The seed's `CountCharsTransform`: outputs `{"letter": ch, "cnt": n}` per
/// distinct character over the whole table, ascending by character.
///
/// A "character" is what Python iterates in a `str`, a Unicode scalar, not
/// a Swift `Character` (grapheme cluster): "é" written as "e" + U+0301
/// counts one "e" and one U+0301. Keys are `CodePointString`, so
/// "ascending" is code point order as in Python's `sorted`, not Swift's
/// canonical-equivalence `String` order.
///
/// The map side counts each row's scalars first (the seed's per-row
/// `Counter`), so it emits one pair per distinct scalar per row, in first
/// occurrence order, instead of one per scalar.
public struct CountCharsTransform: MapReduceTransform, JSONRowTransform {
    public let config: CountCharsConfig

    public init(_ config: CountCharsConfig) { self.config = config }

    /// Emits `(scalar, count in this row)` in first-occurrence order.
    ///
    /// - Throws: `RowError` when the column is missing or not a string.
    public func map(_ row: JSONValue, emit: (CodePointString, Int64) throws -> Void) throws {
        var text = try row.stringColumn(config.column)
        if config.lowercase { text = PythonCase.lower(text) }
        // ASCII scalars are counted in a flat table (most text is mostly
        // ASCII); others in a dictionary. `order` keeps first occurrence.
        var ascii = [Int64](repeating: 0, count: 128)
        var other: [Unicode.Scalar: Int64] = [:]
        var order: [Unicode.Scalar] = []
        for scalar in text.unicodeScalars {
            if scalar.value < 128 {
                if ascii[Int(scalar.value)] == 0 { order.append(scalar) }
                ascii[Int(scalar.value)] += 1
            } else if let n = other[scalar] {
                other[scalar] = n + 1
            } else {
                other[scalar] = 1
                order.append(scalar)
            }
        }
        for scalar in order {
            let n = scalar.value < 128 ? ascii[Int(scalar.value)] : other[scalar] ?? 0
            try emit(CodePointString(String(scalar)), n)
        }
    }

    /// Partial sums: a count is a sum, so summing before the shuffle gives
    /// `reduce` the same total.
    public var combiner: Combiner<Int64>? { Combiner { $0 += $1 } }

    /// Sums the group's counts into one `{"letter", "cnt"}` row.
    public func reduce<S: ValueStream>(key: CodePointString, values: inout S, emit: (JSONValue) throws -> Void) throws
    where S.Element == Int64 {
        var total: Int64 = 0
        while let n = try values.next() { total += n }
        try emit(.object(JSONObject([("letter", .string(key.value)), ("cnt", .int(total))])))
    }
}
