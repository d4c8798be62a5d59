/// Why a `JSONValue` could not be decoded into a `Decodable` type, with the
/// full coding path, e.g. `fim_kwargs.fim_format: expected a string, found 3`.
public struct JSONDecodeError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong.
    public enum Kind: Equatable, Sendable {
        /// The value has the wrong JSON type.
        case typeMismatch
        /// A required key is absent (or an array has too few elements).
        case missingField
        /// The object has a key the type never asked for
        /// (with `rejectUnknownKeys`).
        case unknownField
        /// A number that does not fit the requested integer or float type.
        case outOfRange
        /// The type's own validation rejected the value (a
        /// `DecodingError.dataCorrupted` thrown by a custom `init(from:)`).
        case invalidValue
    }

    /// What went wrong.
    public let kind: Kind
    /// The coding path as text: keys joined by `.`, array indices as `[i]`
    /// (`stages[2].name`); empty for the top-level value.
    public let path: String
    /// What was wrong, without the path: `expected a string, found 3`.
    public let message: String

    /// Creates an error.
    public init(kind: Kind, path: String, message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    /// `path: message`, or for unknown keys `unknown field 'x' at path`.
    public var description: String {
        if kind == .unknownField { return message }
        return (path.isEmpty ? "top level" : path) + ": " + message
    }

    /// Renders a coding path as `a.b[2].c`.
    public static func render(_ path: [CodingKey]) -> String {
        var out = ""
        for key in path {
            if let i = key.intValue, key is IndexKey || key.stringValue == "Index \(i)" {
                out += "[\(i)]"
            } else {
                if !out.isEmpty { out += "." }
                out += key.stringValue
            }
        }
        return out
    }

    /// Describes a value for messages: scalars as JSON text (strings cut at
    /// 40 characters), containers by kind.
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .array: return "an array"
        case .object: return "an object"
        case .string(let s) where s.count > 40:
            return JSONValue.string(String(s.prefix(40))).serialized() + "..."
        default: return value.serialized()
        }
    }
}

/// The coding key of an array element.
struct IndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(_ i: Int) { intValue = i }
    init?(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}
