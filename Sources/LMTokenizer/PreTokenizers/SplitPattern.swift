import LMJSON

/// What a `Split` pre-tokenizer (or ByteLevel's regex) looks for.
///
/// Patterns we recognise verbatim run through the hand-written scanners in
/// `SplitScanners.swift` (GPT-2's: ~110 MB/s against ICU's ~7 MB/s on 2 MB
/// of Python source, one core, release; tests cross-check them against
/// Oniguruma); any other regex runs on Oniguruma itself (`OnigPattern`),
/// the engine HF uses, so its semantics are HF's.
enum SplitPattern: Sendable {
    case gpt2
    case llama(LlamaScanner)
    /// Individual digits, then GPT-2's pattern between them (never parsed
    /// from a Split: `Tokenizer.directSplit` builds it for StarCoder2's
    /// Digits + ByteLevel sequence).
    case digitsThenGPT2
    /// A non-empty `{"String": s}` pattern: literal, non-overlapping, left
    /// to right (HF compiles it as an escaped regex, which finds the same).
    case literal([UInt8])
    case regex(OnigPattern)

    /// Builds the pattern from a Split's `pattern` object.
    static func from(_ json: JSONValue, path: String) throws -> SplitPattern {
        guard case let .object(object) = json else {
            throw TokenizerError.invalidField(path: path, reason: "expected {\"String\": ...} or {\"Regex\": ...}")
        }
        if case let .string(s)? = object["String"] {
            // HF escapes the string into a regex; "" then matches (empty)
            // at every character, which only the engine reproduces.
            return s.isEmpty ? .regex(try OnigPattern("", path: "\(path).String")) : .literal(Array(s.utf8))
        }
        if case let .string(r)? = object["Regex"] {
            return try fromRegex(r, path: "\(path).Regex")
        }
        throw TokenizerError.invalidField(path: path, reason: "expected a String or Regex key")
    }

    /// A regex: a scanner when the pattern is one we know, else Oniguruma.
    static func fromRegex(_ regex: String, path: String) throws -> SplitPattern {
        switch regex {
        case GPT2Scanner.pattern: return .gpt2
        case LlamaScanner.llama3Pattern: return .llama(LlamaScanner(maxDigits: 3))
        case LlamaScanner.qwen2Pattern: return .llama(LlamaScanner(maxDigits: 1))
        default: return .regex(try OnigPattern(regex, path: path))
        }
    }

    /// Calls `body` with each match's byte range, left to right,
    /// non-overlapping; only a regex reports empty matches, and only a
    /// regex throws (see `OnigPattern.forEachMatch`).
    func forEachMatch(inUnsafeBytes t: UnsafeBufferPointer<UInt8>, _ body: (Int, Int) -> Void) throws {
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
        case let .regex(pattern):
            try pattern.forEachMatch(inUnsafeBytes: t, body)
        }
    }
}

