import Foundation
import LMJSON

/// The `pattern` of HF's `Replace` normalizer and decoder and of `Split`:
/// `{"String": "..."}` (a literal) or `{"Regex": "..."}` (an Oniguruma regex
/// in HF, run here with ICU through `NSRegularExpression`; the two agree on
/// the classes, alternations and quantifiers tokenizer files use).
struct ReplacePattern: @unchecked Sendable {
    // @unchecked: NSRegularExpression is immutable after creation and
    // documented as safe to share between threads.
    enum Kind {
        case literal(String)
        case regex(NSRegularExpression)
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
            guard !text.isEmpty else {
                throw TokenizerError.invalidField(path: "\(path).String", reason: "empty pattern")
            }
            kind = .literal(text)
        case "Regex":
            do {
                kind = .regex(try NSRegularExpression(pattern: text))
            } catch {
                throw TokenizerError.invalidField(path: "\(path).Regex", reason: "invalid regex \(text.debugDescription): \(error)")
            }
        default:
            throw TokenizerError.invalidField(path: path, reason: "unknown pattern kind \(entry.key)")
        }
    }

    /// Replaces every non-overlapping match, left to right, with `content`
    /// taken literally (no `$1` expansion, as HF).
    func replaceAll(in text: String, with content: String) -> String {
        switch kind {
        case let .literal(needle):
            return Self.replaceLiteral(needle, in: text, with: content)
        case let .regex(regex):
            let ns = text as NSString
            var out = ""
            var last = 0
            // An empty match right where the previous match ended is skipped,
            // as Rust's regex iterators do: `a*` on "baac" gives "-b-c-".
            var previousEnd = -1
            for match in regex.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
                let r = match.range
                if r.length == 0 && r.location == previousEnd { continue }
                out += ns.substring(with: NSRange(location: last, length: r.location - last))
                out += content
                last = r.location + r.length
                previousEnd = last
            }
            out += ns.substring(from: last)
            return out
        }
    }

    /// Whether the first match `replaceAll` replaces is non-empty and
    /// starts at the first character of `text`.
    func matchesNonEmptyPrefix(of text: String) -> Bool {
        switch kind {
        case let .literal(needle):
            return text.utf8.starts(with: needle.utf8)
        case let .regex(regex):
            let ns = text as NSString
            guard let first = regex.firstMatch(in: text, range: NSRange(location: 0, length: ns.length)) else { return false }
            return first.range.location == 0 && first.range.length > 0
        }
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
