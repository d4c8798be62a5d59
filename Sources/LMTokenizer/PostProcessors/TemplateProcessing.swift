import LMJSON

/// HF's `TemplateProcessing`: the ids of a single sequence or a pair laid
/// out by a template such as `<s> $A </s>` / `<s> $A </s> </s> $B </s>`.
///
/// In `tokenizer.json` a template is a list of
/// `{"SpecialToken": {"id": "<s>", "type_id": 0}}` and
/// `{"Sequence": {"id": "A" | "B", "type_id": 0}}`; `$0` in Python's
/// constructor is already stored as `A`. Each special token's ids come from
/// the `special_tokens` map (`{"<s>": {"id": "<s>", "ids": [1], "tokens": [...]}}`).
/// Type ids are not kept: lmshard only needs ids.
public struct TemplateProcessor: PostProcessor {
    /// One element of a template, already resolved to ids.
    enum Element: Equatable {
        case special([UInt32])
        case sequenceA
        case sequenceB
    }

    let single: [Element]
    let pair: [Element]

    init(_ json: JSONObject, path: String) throws {
        let fields = ComponentFields(json, path: path)
        var specials: [String: [UInt32]] = [:]
        if fields.value("special_tokens") != nil {
            let map = try fields.objectField("special_tokens")
            for (name, value) in map.entries {
                let tokenPath = fields.fieldPath("special_tokens.\(name)")
                guard case let .object(token) = value else {
                    throw TokenizerError.invalidField(path: tokenPath, reason: "expected an object")
                }
                let tokenFields = ComponentFields(token, path: tokenPath)
                specials[name] = try tokenFields.array("ids").enumerated().map { i, id in
                    try tokenFields.tokenID(id, at: tokenFields.fieldPath("ids[\(i)]"))
                }
            }
        }
        func template(_ key: String) throws -> [Element] {
            try fields.array(key).enumerated().map { i, item in
                let itemPath = fields.fieldPath("\(key)[\(i)]")
                guard case let .object(o) = item, o.count == 1, let (kind, body) = o.entries.first,
                    case let .object(inner) = body
                else {
                    throw TokenizerError.invalidField(path: itemPath, reason: "expected {\"SpecialToken\": ...} or {\"Sequence\": ...}")
                }
                let innerFields = ComponentFields(inner, path: "\(itemPath).\(kind)")
                switch kind {
                case "SpecialToken":
                    let id = try innerFields.string("id")
                    guard let ids = specials[id] else {
                        throw innerFields.invalid("id", "special token \(id) is not in special_tokens")
                    }
                    return .special(ids)
                case "Sequence":
                    switch try innerFields.string("id") {
                    case "A": return .sequenceA
                    case "B": return .sequenceB
                    case let other: throw innerFields.invalid("id", "expected A or B, got \(other)")
                    }
                default:
                    throw TokenizerError.invalidField(path: itemPath, reason: "unknown template piece \(kind)")
                }
            }
        }
        single = try template("single")
        pair = try template("pair")
    }

    /// Lays out `ids` (and `pair`, when given) by the matching template.
    public func process(_ ids: [UInt32], pair second: [UInt32]?) -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(ids.count + (second?.count ?? 0) + 8)
        for element in second == nil ? single : pair {
            switch element {
            case let .special(special): out.append(contentsOf: special)
            case .sequenceA: out.append(contentsOf: ids)
            case .sequenceB: out.append(contentsOf: second ?? [])
            }
        }
        return out
    }
}
