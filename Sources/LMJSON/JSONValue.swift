/// A parsed JSON document.
///
/// One value type for every JSON lmshard touches: `tokenizer.json` (where the
/// vocabulary object has 100k+ keys), JSONL input rows, configs and manifests.
/// Integers stay exact (`int`) so token ids and counts never pass through
/// `Double`; objects keep their key order so rows written back out look like
/// the rows read in, as Python's `dict` does.
public enum JSONValue: Hashable, Sendable {
    /// JSON `null`.
    case null
    /// JSON `true` / `false`.
    case bool(Bool)
    /// An integer literal that fits `Int64` (no fraction, no exponent).
    case int(Int64)
    /// Any other number.
    case double(Double)
    /// A string, unescaped.
    case string(String)
    /// An array, in document order.
    case array([JSONValue])
    /// An object, keys in document order.
    case object(JSONObject)
}

/// A JSON object with its keys in document order.
///
/// Lookup by key is a linear scan: rows and tokenizer components have a
/// handful of keys, where a scan beats hashing. Large objects (a vocabulary)
/// are meant to be iterated, or turned into a `Dictionary` once by the caller.
public struct JSONObject: Hashable, Sendable {
    /// The members in document order; keys are unique when produced by
    /// `JSONParser` (a repeated key keeps its first position, last value).
    public var entries: [(key: String, value: JSONValue)]

    /// Creates an object from members in the given order (not checked for
    /// duplicate keys).
    public init(_ entries: [(key: String, value: JSONValue)] = []) {
        self.entries = entries
    }

    /// Equal when the same keys map to equal values in the same order.
    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        a.entries.count == b.entries.count
            && zip(a.entries, b.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    /// Hashes count, keys and values in order, consistent with `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(entries.count)
        for (k, v) in entries {
            hasher.combine(k)
            hasher.combine(v)
        }
    }

    /// Number of members. O(1).
    public var count: Int { entries.count }
    /// The keys in document order. O(n).
    public var keys: [String] { entries.map(\.key) }

    /// The value for `key`, or `nil`. O(n). Setting a new key appends it;
    /// setting `nil` removes it.
    public subscript(key: String) -> JSONValue? {
        get { entries.first(where: { $0.key == key })?.value }
        set {
            if let i = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[i].value = newValue } else { entries.remove(at: i) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }
}
