import LMJSON

/// Names of the input-row fields the strategies read.
///
/// Defaults are the notebook's (`content`, `prefix`, `middle`, `suffix`);
/// other datasets name their text column differently (`text` in FineWeb),
/// so each can be renamed in the config.
public struct InputFields: Hashable, Sendable {
    /// The text of a pretraining row, or the turn list of an SFT row.
    public var content: String
    /// The FIM prefix.
    public var prefix: String
    /// The FIM middle (what the model learns to fill in).
    public var middle: String
    /// The FIM suffix.
    public var suffix: String

    /// The notebook's field names unless overridden.
    public init(content: String = "content", prefix: String = "prefix", middle: String = "middle", suffix: String = "suffix") {
        self.content = content
        self.prefix = prefix
        self.middle = middle
        self.suffix = suffix
    }
}

extension JSONValue {
    /// The JSON type name used in error messages ("string", "array", ...).
    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// Field access with typed errors, shared by the strategies.
enum RowFields {
    /// The row as an object, or `PrepError.rowNotObject`.
    static func object(_ row: JSONValue) throws -> JSONObject {
        guard case let .object(object) = row else { throw PrepError.rowNotObject(found: row.typeName) }
        return object
    }

    /// The string at `field`, or `missingField` / `wrongFieldType`.
    static func string(_ object: JSONObject, _ field: String) throws -> String {
        guard let value = object[field] else { throw PrepError.missingField(field: field) }
        guard case let .string(s) = value else {
            throw PrepError.wrongFieldType(field: field, expected: "a string", found: value.typeName)
        }
        return s
    }

    /// The array at `field`, or `missingField` / `wrongFieldType`.
    static func array(_ object: JSONObject, _ field: String) throws -> [JSONValue] {
        guard let value = object[field] else { throw PrepError.missingField(field: field) }
        guard case let .array(a) = value else {
            throw PrepError.wrongFieldType(field: field, expected: "an array", found: value.typeName)
        }
        return a
    }
}
