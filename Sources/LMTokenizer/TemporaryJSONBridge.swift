import Foundation
import LMJSON

/// Parses `tokenizer.json` (and `tokenizer_config.json`) into a `JSONValue`.
///
/// Temporary: LMJSON's own parser is landing separately. Until then this
/// goes through Foundation's `JSONSerialization` and converts the result.
/// The one call site to swap is this function's body:
/// `try JSONParser.parse(data)`.
func parseTokenizerJSON(_ data: Data) throws -> JSONValue {
    let object: Any
    do {
        object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    } catch {
        throw TokenizerError.invalidField(path: "$", reason: "not valid JSON: \(error.localizedDescription)")
    }
    return try bridge(object, path: "$")
}

/// Foundation -> JSONValue. Key order: `JSONSerialization` returns an
/// unordered dictionary, so object keys come back sorted; nothing in the
/// tokenizer depends on key order (vocabulary ids are explicit).
private func bridge(_ any: Any, path: String) throws -> JSONValue {
    switch any {
    case is NSNull:
        return .null
    case let s as String:
        return .string(s)
    case let n as NSNumber:
        // Booleans arrive as NSNumbers too; tell them apart by their stored
        // type ("c"/"B" for true/false), never by value (0/1 would pass).
        let objCType = String(cString: n.objCType)
        if objCType == "c" || objCType == "B" { return .bool(n.boolValue) }
        if objCType == "d" || objCType == "f" {
            let d = n.doubleValue
            if d.rounded() == d, abs(d) < 9.0e15, !String(describing: n).contains(".") { return .int(Int64(d)) }
            return .double(d)
        }
        return .int(n.int64Value)
    case let a as [Any]:
        var out = [JSONValue]()
        out.reserveCapacity(a.count)
        for (i, v) in a.enumerated() { out.append(try bridge(v, path: "\(path)[\(i)]")) }
        return .array(out)
    case let d as [String: Any]:
        var entries = [(key: String, value: JSONValue)]()
        entries.reserveCapacity(d.count)
        for (k, v) in d { entries.append((k, try bridge(v, path: "\(path).\(k)"))) }
        return .object(JSONObject(entries))
    default:
        throw TokenizerError.invalidField(path: path, reason: "unexpected JSON value \(type(of: any))")
    }
}
