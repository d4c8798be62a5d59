import LMJSON

/// Typed access to one component's JSON object, with errors that name the
/// field's full path (`normalizer.normalizers[2].content`), so a bad
/// `tokenizer.json` says exactly where it is wrong.
///
/// Shared by the normalizers, basic pre-tokenizers, post-processors and
/// decoders; each factory wraps its object once and reads its fields.
struct ComponentFields {
    let object: JSONObject
    let path: String

    init(_ object: JSONObject, path: String) {
        self.object = object
        self.path = path
    }

    func fieldPath(_ key: String) -> String { "\(path).\(key)" }

    func invalid(_ key: String, _ reason: String) -> TokenizerError {
        .invalidField(path: fieldPath(key), reason: reason)
    }

    /// The raw value, or nil when the key is absent or JSON `null`.
    func value(_ key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    func string(_ key: String) throws -> String {
        guard let value = value(key) else { throw invalid(key, "missing string") }
        guard case let .string(s) = value else { throw invalid(key, "expected a string") }
        return s
    }

    func optionalString(_ key: String) throws -> String? {
        guard value(key) != nil else { return nil }
        return try string(key)
    }

    /// A string that must hold exactly one Unicode scalar (Rust's `char`).
    func scalar(_ key: String) throws -> Unicode.Scalar {
        let s = try string(key)
        guard s.unicodeScalars.count == 1, let scalar = s.unicodeScalars.first else {
            throw invalid(key, "expected exactly one character, got \(s.debugDescription)")
        }
        return scalar
    }

    func optionalScalar(_ key: String) throws -> Unicode.Scalar? {
        guard value(key) != nil else { return nil }
        return try scalar(key)
    }

    func bool(_ key: String, default fallback: Bool) throws -> Bool {
        guard let value = value(key) else { return fallback }
        guard case let .bool(b) = value else { throw invalid(key, "expected true or false") }
        return b
    }

    func int(_ key: String) throws -> Int {
        guard let value = value(key) else { throw invalid(key, "missing integer") }
        guard case let .int(i) = value, let n = Int(exactly: i) else {
            throw invalid(key, "expected an integer")
        }
        return n
    }

    func int(_ key: String, default fallback: Int) throws -> Int {
        guard value(key) != nil else { return fallback }
        return try int(key)
    }

    /// A token id: an integer in `0...UInt32.max`.
    func tokenID(_ value: JSONValue, at fieldPath: String) throws -> UInt32 {
        guard case let .int(i) = value, let id = UInt32(exactly: i) else {
            throw TokenizerError.invalidField(path: fieldPath, reason: "expected a token id (a non-negative integer)")
        }
        return id
    }

    func array(_ key: String) throws -> [JSONValue] {
        guard let value = value(key) else { throw invalid(key, "missing array") }
        guard case let .array(items) = value else { throw invalid(key, "expected an array") }
        return items
    }

    func objectField(_ key: String) throws -> JSONObject {
        guard let value = value(key) else { throw invalid(key, "missing object") }
        guard case let .object(o) = value else { throw invalid(key, "expected an object") }
        return o
    }
}

/// Reads an optional boolean field; `null` or absent gives `default`.
func boolField(_ json: JSONObject, _ key: String, path: String, default value: Bool) throws -> Bool {
    switch json[key] {
    case nil, .null?: return value
    case let .bool(v)?: return v
    default: throw TokenizerError.invalidField(path: "\(path).\(key)", reason: "expected a boolean")
    }
}
