import Foundation
import LMJSON

/// Stand-ins for LMJSON's fast parser, writer and Codable decoder, which are
/// being written in parallel. Everything in MapReduce that turns bytes into
/// `JSONValue`, `JSONValue` into bytes, or `JSONValue` into a config struct
/// goes through exactly these three functions, so swapping in LMJSON is a
/// change to this file only.
///
/// Known limits until the swap: Foundation's `JSONSerialization` does not
/// keep object key order, so parsed objects get their keys sorted (sorted,
/// not hash order, so output is the same on every run), and it is several
/// times slower than a byte-level parser.
enum TemporaryJSON {
    /// Parses one JSON document (a JSONL line, a config file).
    static func parse(_ bytes: UnsafeRawBufferPointer) throws -> JSONValue {
        let data = Data(bytes)
        let any: Any
        do {
            any = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw JSONRowError.invalidJSON(message: (error as NSError).localizedDescription)
        }
        return try convert(any)
    }

    private static func convert(_ any: Any) throws -> JSONValue {
        switch any {
        case is NSNull: return .null
        case let s as String: return .string(s)
        case let n as NSNumber:
            let type = String(cString: n.objCType)
            if type == "c" || type == "B" { return .bool(n.boolValue) }
            if type == "d" || type == "f" { return .double(n.doubleValue) }
            if type == "Q", n.uint64Value > UInt64(Int64.max) { return .double(n.doubleValue) }
            return .int(n.int64Value)
        case let a as [Any]: return .array(try a.map(convert))
        case let d as [String: Any]:
            var object = JSONObject()
            for key in d.keys.sorted() {
                object.entries.append((key, try convert(d[key] as Any)))
            }
            return .object(object)
        default:
            throw JSONRowError.invalidJSON(message: "unsupported JSON value \(type(of: any))")
        }
    }

    /// Appends compact JSON for `value` (no spaces, keys in stored order,
    /// non-ASCII written as UTF-8, control characters as `\u00XX`).
    static func serialize(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d):
            if d.isFinite {
                out.append(contentsOf: "\(d)".utf8)
            } else {
                out.append(contentsOf: "null".utf8)  // JSON has no NaN/Infinity
            }
        case .string(let s): serializeString(s, into: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, element) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                serialize(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            for (i, (k, v)) in o.entries.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                serializeString(k, into: &out)
                out.append(UInt8(ascii: ":"))
                serialize(v, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func serializeString(_ s: String, into out: inout [UInt8]) {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 15)])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Decodes a config struct from a JSON object, turning `DecodingError`
    /// into `ConfigError` naming the field path.
    static func decode<C: Decodable>(_ type: C.Type, from value: JSONValue, transform: String) throws -> C {
        var bytes: [UInt8] = []
        serialize(value, into: &bytes)
        do {
            return try JSONDecoder().decode(C.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw ConfigError(decoding: error, transform: transform)
        }
    }
}

/// A JSON row could not be parsed.
public enum JSONRowError: Error, Equatable, CustomStringConvertible {
    case invalidJSON(message: String)

    public var description: String {
        switch self {
        case .invalidJSON(let message): return "invalid JSON: \(message)"
        }
    }
}
