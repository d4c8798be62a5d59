import COniguruma
import Foundation

/// One compiled Oniguruma regex, as HF `tokenizers` builds it for a `Split`
/// or `Replace` pattern (`onig::Regex::new`: `ONIG_OPTION_NONE`, the
/// default `ONIG_SYNTAX_ONIGURUMA`, UTF-8), and HF's way of walking its
/// matches (`onig::FindMatches`).
///
/// Semantics are Oniguruma's, not ICU's or Rust regex's: `^` and `$` match
/// at every line, `.` matches `\r` but not `\n`, `\h` is a hex digit, and
/// zero-width matches (`(?=\d)`, `\b`, `^`) are reported, which Split's
/// merge behaviours depend on.
///
/// A class, not a `~Copyable` struct: one compiled regex is shared by every
/// copy of the pre-tokenizer or normalizer holding it and by every thread
/// (`onig_search` only reads the regex; each call brings its own match
/// region, as the `onig` crate that HF uses does), and it is freed when the
/// last holder goes.
final class OnigPattern: @unchecked Sendable {
    /// The pattern source, for errors.
    let source: String
    /// Where it sits in `tokenizer.json`, for errors.
    let path: String
    private let regex: OnigRegex

    /// `onig_new` is not safe to call from two threads at once (the `onig`
    /// crate holds a lock around it too).
    private static let compileLock = NSLock()

    /// Compiles `source`; a pattern Oniguruma rejects throws
    /// `TokenizerError.invalidField` naming `path` and Oniguruma's message.
    init(_ source: String, path: String) throws {
        self.source = source
        self.path = path
        let encoding = OnigUnicode16.encoding
        var compiled: OnigRegex? = nil
        var info = OnigErrorInfo()
        let bytes = Array(source.utf8)
        let status: Int32 = Self.compileLock.withLock {
            bytes.withUnsafeBufferPointer { p in
                // An empty pattern still needs a valid pointer.
                let start = p.baseAddress ?? UnsafePointer(bitPattern: 1)!
                return onig_new(
                    &compiled, start, start + p.count, ONIG_OPTION_NONE, encoding,
                    lmshard_onig_default_syntax(), &info)
            }
        }
        guard status == ONIG_NORMAL, let compiled else {
            throw TokenizerError.invalidField(
                path: path, reason: "regex \(source.debugDescription) does not compile: \(Self.message(status, &info))")
        }
        regex = compiled
    }

    deinit { onig_free(regex) }

    /// Oniguruma's text for an error code.
    static func message(_ code: Int32, _ info: UnsafeMutablePointer<OnigErrorInfo>? = nil) -> String {
        var buffer = [OnigUChar](repeating: 0, count: Int(ONIG_MAX_ERROR_MESSAGE_LEN) + 1)
        let n = lmshard_onig_error_text(&buffer, code, info)
        return String(decoding: buffer.prefix(Int(max(0, n))), as: UTF8.self)
    }

    /// Calls `body(start, end)` for every match in `t`, left to right, as
    /// `onig::Regex::find_iter`: each search starts where the previous match
    /// ended; an empty match right at the end of the previous match is
    /// skipped by moving the start one character on.
    ///
    /// Throws `TokenizerError.regexFailed` when Oniguruma gives up (its
    /// retry limit of 10,000,000 backtracking steps per match attempt, which
    /// HF hits too: `(a|aa)+$` on 100 "a"s and "!" fails in ~0.6 s instead of
    /// running for minutes) and `.invalidUTF8` for bytes that are not UTF-8
    /// (HF never sees such text; Oniguruma must not either).
    func forEachMatch(inUnsafeBytes t: UnsafeBufferPointer<UInt8>, _ body: (Int, Int) -> Void) throws {
        // HF's find_matches never searches empty text.
        guard let base = t.baseAddress, !t.isEmpty else { return }
        if let bad = UTF8Validation.firstInvalidOffset(t) {
            throw TokenizerError.invalidUTF8(offset: bad, context: "regex \(source.debugDescription) at \(path)")
        }
        var region = OnigRegion()
        defer { onig_region_free(&region, 0) }
        let end = base + t.count
        var lastEnd = 0
        var lastMatchEnd = -1
        while lastEnd <= t.count {
            let r = onig_search(regex, base, end, base + lastEnd, end, &region, ONIG_OPTION_NONE)
            if r == ONIG_MISMATCH { return }
            if r < 0 { throw TokenizerError.regexFailed(pattern: source, path: path, reason: Self.message(r)) }
            let s = Int(region.beg[0])
            let e = Int(region.end[0])
            if s == e && e == lastMatchEnd {
                lastEnd += lastEnd < t.count ? UTF8Validation.scalarLength(lead: t[lastEnd]) : 1
                continue
            }
            lastEnd = e
            lastMatchEnd = e
            body(s, e)
        }
    }
}

/// UTF-8 checks for text handed to Oniguruma.
enum UTF8Validation {
    /// The byte offset of the first malformed sequence in `t`, or nil.
    static func firstInvalidOffset(_ t: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        let n = t.count
        while i < n {
            let b = t[i]
            if b < 0x80 {
                i += 1
                continue
            }
            let (value, length) = UTF8Scan.decode(t, i)
            if length == 1 && value == 0xFFFD { return i }
            i += length
        }
        return nil
    }

    /// The length of the sequence a valid lead byte starts.
    @inline(__always)
    static func scalarLength(lead b: UInt8) -> Int {
        b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
    }
}
