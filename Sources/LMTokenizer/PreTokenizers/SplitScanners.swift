/// Hand-written equivalents of the split regexes real tokenizers ship.
///
/// Each scanner answers one question: "the regex's leftmost-first match that
/// starts at byte `i` ends where?". Every one of these patterns matches any
/// character (letters, numbers, whitespace and "other" are all covered by an
/// alternative), so the matches tile the text and a scan is a simple loop.
/// A backtracking engine is what makes HF slow here; these loops look at
/// each byte about twice.

/// Shared helpers: maximal runs of one class.
enum ScanRun {
    /// End of the run of characters of class `cls` starting at `i`.
    @inline(__always)
    static func end(_ t: UnsafeBufferPointer<UInt8>, from i: Int, _ cls: CharClass) -> Int {
        guard let base = t.baseAddress else { return i }
        let (low, high) = UTF8Scan.asciiMasks(cls)
        var j = i
        let n = t.count
        while j < n {
            // ASCII: one bit test per byte, no decoder (most text is ASCII).
            let b = base[j]
            if b < 0x80 {
                if ((b < 64 ? low : high) >> UInt64(b & 63)) & 1 == 0 { break }
                j += 1
                continue
            }
            let c = UTF8Scan.nonASCIIClassAt(t, j)
            if c.cls != cls { break }
            j += c.length
        }
        return j
    }

    /// `\s+(?!\S)|\s+` on the whitespace run starting at `i`: the whole run at
    /// the end of text, else the run minus its last character (which then
    /// leads the next word), else the single whitespace character.
    @inline(__always)
    static func whitespaceEnd(_ t: UnsafeBufferPointer<UInt8>, from i: Int, runEnd j: Int) -> Int {
        if j == t.count { return j }
        let last = UTF8Scan.previousStart(t, before: j, notBefore: i)
        return last > i ? last : j
    }

    /// Length of a case-insensitive contraction (`'s`, `'T`, `'Re`, ...) at
    /// `i`, or 0. `caseless` enables `(?i:...)`; Oniguruma's case folding also
    /// maps U+017F LATIN SMALL LETTER LONG S to `s`, so `'ſ` matches too.
    @inline(__always)
    static func contraction(_ t: UnsafeBufferPointer<UInt8>, at i: Int, caseless: Bool) -> Int {
        let n = t.count
        guard t[i] == 0x27, i + 1 < n else { return 0 }
        let fold: UInt8 = caseless ? 0x20 : 0
        let c1 = t[i + 1]
        let l1 = (c1 >= 0x41 && c1 <= 0x5A) ? c1 | fold : c1
        switch l1 {
        case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "m"), UInt8(ascii: "d"):
            return 2
        default: break
        }
        if caseless, c1 == 0xC5, i + 2 < n, t[i + 2] == 0xBF { return 3 }  // 'ſ
        guard i + 2 < n else { return 0 }
        let c2 = t[i + 2]
        let l2 = (c2 >= 0x41 && c2 <= 0x5A) ? c2 | fold : c2
        switch (l1, l2) {
        case (UInt8(ascii: "r"), UInt8(ascii: "e")), (UInt8(ascii: "v"), UInt8(ascii: "e")),
             (UInt8(ascii: "l"), UInt8(ascii: "l")):
            return 3
        default:
            return 0
        }
    }
}

/// GPT-2's pattern, used by ByteLevel(use_regex: true):
/// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
enum GPT2Scanner {
    static let pattern = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#

    /// End of the match starting at `i` (`i < t.count`); always `> i`.
    @inline(__always)
    static func matchEnd(_ t: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        let k = ScanRun.contraction(t, at: i, caseless: false)
        if k > 0 { return i + k }
        let first = UTF8Scan.classAt(t, i)
        var start = i
        var cls = first.cls
        // ` ?X+`: a single ASCII space may lead a run of letters, numbers or other.
        if t[i] == 0x20, i + 1 < t.count {
            let next = UTF8Scan.classAt(t, i + 1).cls
            if next != .whitespace {
                start = i + 1
                cls = next
            }
        }
        if cls != .whitespace { return ScanRun.end(t, from: start, cls) }
        let j = ScanRun.end(t, from: i, .whitespace)
        return ScanRun.whitespaceEnd(t, from: i, runEnd: j)
    }
}

/// StarCoder2's pre-tokenizer, `Digits(individual_digits: true)` then
/// ByteLevel's GPT-2 split, as one scan: every numeric character is a piece
/// of its own, and GPT-2's pattern runs on each stretch between them as if
/// it were the whole text (so `\s+(?!\S)` sees a digit's position as the
/// end). Pieces go straight to the model instead of through two
/// `PieceList`s.
enum DigitsGPT2Scanner {
    /// The next numeric character (as `DigitsPreTokenizer` sees them) at or
    /// after `i`: its offset and length, or `(t.count, 0)`. Steps by the
    /// same scalar lengths as the Digits stage, so boundaries agree.
    @inline(__always)
    static func nextDigit(_ t: UnsafeBufferPointer<UInt8>, from i: Int) -> (at: Int, length: Int) {
        var j = i
        while j < t.count {
            let b = t[j]
            if b < 0x80 {
                if b &- 0x30 < 10 { return (j, 1) }
                j += 1
                continue
            }
            let (scalar, length) = UTF8Scalars.scalar(inUnsafeBytes: t, at: j)
            if DigitsPreTokenizer.isNumeric(scalar) { return (j, length) }
            j += length
        }
        return (t.count, 0)
    }

    /// Calls `body` with each piece's byte range, left to right.
    @inline(__always)
    static func forEachMatch(inUnsafeBytes t: UnsafeBufferPointer<UInt8>, _ body: (Int, Int) -> Void) {
        var i = 0
        while i < t.count {
            let digit = nextDigit(t, from: i)
            if i < digit.at {
                let gap = UnsafeBufferPointer(rebasing: t[i..<digit.at])
                var k = 0
                while k < gap.count {
                    let e = GPT2Scanner.matchEnd(gap, k)
                    body(i + k, i + e)
                    k = e
                }
            }
            if digit.length > 0 { body(digit.at, digit.at + digit.length) }
            i = digit.at + digit.length
        }
    }
}

/// The Llama-3 and Qwen2 pattern family:
/// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
/// Qwen2's differs only in `\p{N}` (one digit per match) instead of `\p{N}{1,3}`.
struct LlamaScanner: Sendable {
    static let llama3Pattern =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let qwen2Pattern =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// How many number characters one match may take (3 for Llama 3, 1 for Qwen2).
    let maxDigits: Int

    @inline(__always)
    static func isNewline(_ b: UInt8) -> Bool { b == 0x0A || b == 0x0D }

    /// `[\r\n]*` after a run of "other" characters.
    @inline(__always)
    static func newlinesEnd(_ t: UnsafeBufferPointer<UInt8>, from i: Int) -> Int {
        var j = i
        while j < t.count && isNewline(t[j]) { j += 1 }
        return j
    }

    /// End of the match starting at `i` (`i < t.count`); always `> i`.
    @inline(__always)
    func matchEnd(_ t: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        let n = t.count
        let k = ScanRun.contraction(t, at: i, caseless: true)
        if k > 0 { return i + k }
        let first = UTF8Scan.classAt(t, i)
        switch first.cls {
        case .letter:
            return ScanRun.end(t, from: i, .letter)
        case .number:
            var j = i
            var count = 0
            while j < n && count < maxDigits {
                let c = UTF8Scan.classAt(t, j)
                if c.cls != .number { break }
                j += c.length
                count += 1
            }
            return j
        case .other, .whitespace:
            let b = t[i]
            let next = i + first.length
            // `[^\r\n\p{L}\p{N}]?\p{L}+`: any one non-newline character may lead letters.
            if !LlamaScanner.isNewline(b), next < n, UTF8Scan.classAt(t, next).cls == .letter {
                return ScanRun.end(t, from: next, .letter)
            }
            // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
            if first.cls == .other {
                return LlamaScanner.newlinesEnd(t, from: ScanRun.end(t, from: i, .other))
            }
            if b == 0x20, next < n, UTF8Scan.classAt(t, next).cls == .other {
                return LlamaScanner.newlinesEnd(t, from: ScanRun.end(t, from: next, .other))
            }
            // `\s*[\r\n]+`: up to and including the run's last newline.
            let j = ScanRun.end(t, from: i, .whitespace)
            var lastNewline = -1
            var p = j - 1
            while p >= i {
                if LlamaScanner.isNewline(t[p]) { lastNewline = p; break }
                p -= 1
            }
            if lastNewline >= 0 { return lastNewline + 1 }
            return ScanRun.whitespaceEnd(t, from: i, runEnd: j)
        }
    }
}
