import LMJSON

/// The `pattern` of HF's `Replace` normalizer and decoder:
/// `{"String": "..."}` (a literal) or `{"Regex": "..."}` (an Oniguruma
/// regex, run on Oniguruma as HF does: see `OnigPattern`).
struct ReplacePattern: Sendable {
    enum Kind: Sendable {
        /// A non-empty literal, matched on UTF-8 bytes.
        case literal(String)
        /// A regex, or the empty literal (HF escapes it into the regex "",
        /// which matches, empty, before every character).
        case regex(OnigPattern)
    }

    let kind: Kind

    /// Parses `json` found at `path`.
    init(_ json: JSONValue?, path: String) throws {
        guard case let .object(object)? = json, object.count == 1, let entry = object.entries.first else {
            throw TokenizerError.invalidField(path: path, reason: "expected {\"String\": ...} or {\"Regex\": ...}")
        }
        guard case let .string(text) = entry.value else {
            throw TokenizerError.invalidField(path: "\(path).\(entry.key)", reason: "expected a string")
        }
        switch entry.key {
        case "String":
            kind = text.isEmpty ? .regex(try OnigPattern("", path: "\(path).String")) : .literal(text)
        case "Regex":
            kind = .regex(try OnigPattern(text, path: "\(path).Regex"))
        default:
            throw TokenizerError.invalidField(path: path, reason: "unknown pattern kind \(entry.key)")
        }
    }

    /// HF's `find_matches` ranges (byte offsets) of the matches in `text`,
    /// empty matches included.
    func matches(in text: String) throws -> [Range<Int>] {
        var text = text
        var out: [Range<Int>] = []
        switch kind {
        case let .literal(needle):
            let n = Array(needle.utf8)
            text.withUTF8 { t in
                var i = 0
                while i + n.count <= t.count {
                    if t[i] == n[0] && UnsafeBufferPointer(rebasing: t[i..<(i + n.count)]).elementsEqual(n) {
                        out.append(i..<(i + n.count))
                        i += n.count
                    } else {
                        i += 1
                    }
                }
            }
        case let .regex(pattern):
            try text.withUTF8 { t in
                try pattern.forEachMatch(inUnsafeBytes: t) { out.append($0..<$1) }
            }
        }
        return out
    }

    /// Replaces every match, left to right, with `content` taken literally
    /// (no `$1` expansion, as HF). Empty matches insert `content`:
    /// `a*` -> "-" turns "baac" into "-b-c-", as HF (Oniguruma skips the
    /// empty match right after "aa").
    func replaceAll(in text: String, with content: String) throws -> String {
        if case let .literal(needle) = kind { return Self.replaceLiteral(needle, in: text, with: content) }
        let found = try matches(in: text)
        guard !found.isEmpty else { return text }
        let t = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(t.count + found.count * content.utf8.count)
        var copied = 0
        for range in found {
            out.append(contentsOf: t[copied..<range.lowerBound])
            out.append(contentsOf: content.utf8)
            copied = range.upperBound
        }
        out.append(contentsOf: t[copied...])
        return String(decoding: out, as: UTF8.self)
    }

    /// Replaces each non-overlapping occurrence of `needle`, left to right,
    /// comparing UTF-8 bytes. Byte comparison (not `Character` comparison)
    /// matters: a space followed by a combining mark is one `Character` in
    /// Swift but two `char`s in Rust, and HF still replaces that space.
    static func replaceLiteral(_ needle: String, in text: String, with content: String) -> String {
        let n = Array(needle.utf8)
        let t = Array(text.utf8)
        guard !n.isEmpty, t.count >= n.count else { return text }
        var out: [UInt8] = []
        var i = 0
        var copied = 0
        var found = false
        while i + n.count <= t.count {
            if t[i] == n[0] && t[i..<(i + n.count)].elementsEqual(n) {
                if !found { out.reserveCapacity(t.count); found = true }
                out.append(contentsOf: t[copied..<i])
                out.append(contentsOf: content.utf8)
                i += n.count
                copied = i
            } else {
                i += 1
            }
        }
        guard found else { return text }
        out.append(contentsOf: t[copied...])
        return String(decoding: out, as: UTF8.self)
    }
}
