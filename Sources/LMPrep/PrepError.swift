/// Everything that can go wrong turning rows into training examples.
///
/// Each case carries enough context to find the bad input: the field name,
/// the turn index, the token that a tokenizer lacks. Row numbers and file
/// names are added by the runner that reads the file.
public enum PrepError: Error, Equatable, CustomStringConvertible {
    /// The input row is not a JSON object.
    case rowNotObject(found: String)
    /// A required field is absent from the row.
    case missingField(field: String)
    /// A field has the wrong JSON type.
    case wrongFieldType(field: String, expected: String, found: String)
    /// A conversation turn (index in the `content` list) is malformed.
    case malformedTurn(index: Int, reason: String)
    /// A conversation turn has a role other than user/assistant/system.
    case unknownRole(index: Int, role: String)
    /// The tokenizer does not encode `token` as a single token.
    case missingSpecialToken(token: String, purpose: String)
    /// The tokenizer has no end-of-sequence token.
    case missingEOSToken
    /// A configuration field is missing, unknown or out of range.
    case invalidConfig(field: String, reason: String)

    /// A one-line message naming the field, turn or token.
    public var description: String {
        switch self {
        case let .rowNotObject(found):
            return "input row is not a JSON object (found \(found))"
        case let .missingField(field):
            return "input row has no field `\(field)`"
        case let .wrongFieldType(field, expected, found):
            return "field `\(field)` must be \(expected), found \(found)"
        case let .malformedTurn(index, reason):
            return "conversation turn \(index): \(reason)"
        case let .unknownRole(index, role):
            return "conversation turn \(index): role `\(role)` is not one of user, assistant, system"
        case let .missingSpecialToken(token, purpose):
            return "tokenizer does not encode `\(token)` as one token, which \(purpose) needs"
        case .missingEOSToken:
            return "tokenizer has no end-of-sequence token"
        case let .invalidConfig(field, reason):
            return "config field `\(field)`: \(reason)"
        }
    }
}
