import LMJSON

/// Config of `ChangeCaseTransform`:
/// `{"type": "change_case", "column": "content", "to_lower": false}`.
public struct ChangeCaseConfig: TransformConfig, Equatable {
    /// The registry's `type` discriminator.
    public static let typeName = "change_case"
    /// Every key the config accepts besides `type`.
    public static let fieldNames: Set<String> = ["column", "to_lower"]

    /// The string column to change.
    public var column: String
    /// Lowercase when true, uppercase when false (the seed's default).
    public var toLower: Bool

    public init(column: String, toLower: Bool = false) {
        self.column = column
        self.toLower = toLower
    }

    enum CodingKeys: String, CodingKey {
        case column
        case toLower = "to_lower"
    }

    /// Decodes with `to_lower` defaulting to false, as in the seed.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        column = try c.decode(String.self, forKey: .column)
        toLower = try c.decodeIfPresent(Bool.self, forKey: .toLower) ?? false
    }
}

/// The seed's `ChangeCaseTransform`: each row comes out once, with its
/// `column` upper- or lowercased exactly as Python's `str.upper()` /
/// `str.lower()` would (see `PythonCase`). Other columns are untouched.
public struct ChangeCaseTransform: MapTransform, JSONRowTransform {
    public let config: ChangeCaseConfig

    public init(_ config: ChangeCaseConfig) { self.config = config }

    /// - Throws: `RowError` when the column is missing or not a string.
    public func map(_ row: JSONValue, emit: (JSONValue) throws -> Void) throws {
        let text = try row.stringColumn(config.column)
        guard case .object(var object) = row else { return }  // stringColumn checked it
        object[config.column] = .string(config.toLower ? PythonCase.lower(text) : PythonCase.upper(text))
        try emit(.object(object))
    }
}
