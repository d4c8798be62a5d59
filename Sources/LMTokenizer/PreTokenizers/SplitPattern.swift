import Foundation
import LMJSON

/// What a `Split` pre-tokenizer (or ByteLevel's regex) looks for.
///
/// Patterns we recognise verbatim run through the hand-written scanners in
/// `SplitScanners.swift` (GPT-2's: ~110 MB/s against ICU's ~7 MB/s on 2 MB
/// of Python source, one core, release);
/// any other regex runs through ICU, which agrees with Oniguruma on the
/// classes these patterns use (`\s` = White_Space, `\p{L}`, `\p{N}`).
enum SplitPattern: Sendable {
    case gpt2
    case llama(LlamaScanner)
    /// Individual digits, then GPT-2's pattern between them (never parsed
    /// from a Split: `Tokenizer.directSplit` builds it for StarCoder2's
    /// Digits + ByteLevel sequence).
    case digitsThenGPT2
    /// A `{"String": s}` pattern: literal, non-overlapping, left to right.
    case literal([UInt8])
    case regex(RegexMatcher)

    /// Builds the pattern from a Split's `pattern` object.
    static func from(_ json: JSONValue, path: String) throws -> SplitPattern {
        guard case let .object(object) = json else {
            throw TokenizerError.invalidField(path: path, reason: "expected {\"String\": ...} or {\"Regex\": ...}")
        }
        if case let .string(s)? = object["String"] {
            return .literal(Array(s.utf8))
        }
        if case let .string(r)? = object["Regex"] {
            return try fromRegex(r, path: "\(path).Regex")
        }
        throw TokenizerError.invalidField(path: path, reason: "expected a String or Regex key")
    }

    /// A regex: a scanner when the pattern is one we know, else ICU.
    static func fromRegex(_ regex: String, path: String) throws -> SplitPattern {
        switch regex {
        case GPT2Scanner.pattern: return .gpt2
        case LlamaScanner.llama3Pattern: return .llama(LlamaScanner(maxDigits: 3))
        case LlamaScanner.qwen2Pattern: return .llama(LlamaScanner(maxDigits: 1))
        default: return .regex(try RegexMatcher(regex, path: path))
        }
    }

    /// Calls `body` with each match's byte range, left to right, non-overlapping.
    func forEachMatch(inUnsafeBytes t: UnsafeBufferPointer<UInt8>, _ body: (Int, Int) -> Void) {
        switch self {
        case .gpt2:
            var i = 0
            while i < t.count {
                let j = GPT2Scanner.matchEnd(t, i)
                body(i, j)
                i = j
            }
        case let .llama(scanner):
            var i = 0
            while i < t.count {
                let j = scanner.matchEnd(t, i)
                body(i, j)
                i = j
            }
        case .digitsThenGPT2:
            DigitsGPT2Scanner.forEachMatch(inUnsafeBytes: t, body)
        case let .literal(needle):
            let m = needle.count
            guard m > 0, m <= t.count else { return }
            var i = 0
            while i + m <= t.count {
                var k = 0
                while k < m && t[i + k] == needle[k] { k += 1 }
                if k == m {
                    body(i, i + m)
                    i += m
                } else {
                    i += 1
                }
            }
        case let .regex(matcher):
            matcher.forEachMatch(inUnsafeBytes: t, body)
        }
    }
}

/// The general fallback: ICU's regex engine via `NSRegularExpression`.
///
/// ICU works on UTF-16, so match offsets are mapped back to UTF-8 bytes
/// through a table built per call. Only used for patterns we do not
/// recognise, so its speed does not matter for the shipped tokenizers.
struct RegexMatcher: @unchecked Sendable {
    // NSRegularExpression is immutable and documented thread-safe.
    let regex: NSRegularExpression

    init(_ pattern: String, path: String) throws {
        do {
            regex = try NSRegularExpression(pattern: pattern, options: [])
        } catch {
            throw TokenizerError.invalidField(path: path, reason: "regex does not compile: \(error)")
        }
    }

    func forEachMatch(inUnsafeBytes t: UnsafeBufferPointer<UInt8>, _ body: (Int, Int) -> Void) {
        guard !t.isEmpty else { return }
        let s = String(decoding: t, as: UTF8.self)
        // utf16Offset -> utf8Offset for every UTF-16 boundary.
        var map: [Int] = []
        map.reserveCapacity(t.count + 1)
        var u8 = 0
        for scalar in s.unicodeScalars {
            let l8 = UTF8.width(scalar)
            let l16 = UTF16.width(scalar)
            map.append(u8)
            if l16 == 2 { map.append(u8) }
            u8 += l8
        }
        map.append(u8)
        // Invalid input was repaired by String(decoding:): offsets no longer
        // line up with the caller's bytes, so report the whole piece as one match.
        guard u8 == t.count else {
            body(0, t.count)
            return
        }
        let ns = NSRange(location: 0, length: map.count - 1)
        for result in regex.matches(in: s, options: [], range: ns) {
            let r = result.range
            guard r.location != NSNotFound, r.length > 0 else { continue }
            body(map[r.location], map[r.location + r.length])
        }
    }
}
