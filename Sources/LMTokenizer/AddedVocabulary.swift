import Foundation
import LMJSON

/// One entry of `tokenizer.json`'s `added_tokens`.
struct AddedToken: Sendable, Equatable {
    let content: String
    let id: UInt32
    let special: Bool
    let singleWord: Bool
    let lstrip: Bool
    let rstrip: Bool
    /// Matched on normalized text (true) or on the raw input (false).
    let normalized: Bool

    init(json: JSONValue, path: String) throws {
        guard case let .object(o) = json else {
            throw TokenizerError.invalidField(path: path, reason: "expected an added-token object")
        }
        guard case let .string(content)? = o["content"] else {
            throw TokenizerError.invalidField(path: "\(path).content", reason: "missing token content")
        }
        // HF reads the id as a u32 and then ignores it (see `Tokenizer`'s
        // added-token ids), so any u32 is accepted and none is trusted.
        guard case let .int(id)? = o["id"], id >= 0, id <= Int64(UInt32.max) else {
            throw TokenizerError.invalidField(path: "\(path).id", reason: "expected an integer id in 0...\(UInt32.max)")
        }
        self.content = content
        self.id = UInt32(id)
        special = try boolField(o, "special", path: path, default: false)
        singleWord = try boolField(o, "single_word", path: path, default: false)
        lstrip = try boolField(o, "lstrip", path: path, default: false)
        rstrip = try boolField(o, "rstrip", path: path, default: false)
        normalized = try boolField(o, "normalized", path: path, default: !special)
    }

    init(content: String, id: UInt32, special: Bool, singleWord: Bool = false, lstrip: Bool = false,
         rstrip: Bool = false, normalized: Bool = false) {
        self.content = content
        self.id = id
        self.special = special
        self.singleWord = singleWord
        self.lstrip = lstrip
        self.rstrip = rstrip
        self.normalized = normalized
    }
}

/// Finds added tokens in text, leftmost-longest, like HF's Aho-Corasick
/// `MatchKind::LeftmostLongest`, with a byte trie in flat arrays.
///
/// A 256-entry table of possible first bytes lets text without any added
/// token cost one table load per byte (~1.2 GB/s measured), the common case;
/// when every token starts with the same byte (`<|...|>`, `<fim_...>`),
/// `memchr` skips to the candidates instead.
struct AddedTokenMatcher: Sendable {
    private var firstByte = [Bool](repeating: false, count: 256)
    /// The first byte of every token, when they all share one.
    private var onlyFirstByte: UInt8? = nil
    /// Per node: the range of its edges in `edgeBytes` / `edgeTargets`.
    private var edgeStart: [Int32] = []
    private var edgeCount: [Int32] = []
    private var edgeBytes: [UInt8] = []
    private var edgeTargets: [Int32] = []
    /// Per node: index into `tokens` of the token ending here, or -1.
    private var terminal: [Int32] = []
    let tokens: [AddedToken]

    var isEmpty: Bool { tokens.isEmpty }

    init(_ tokens: [AddedToken], patterns: [[UInt8]]) {
        self.tokens = tokens
        // Build with per-node dictionaries, then flatten.
        var children: [[UInt8: Int]] = [[:]]
        var term: [Int] = [-1]
        for (k, pattern) in patterns.enumerated() where !pattern.isEmpty {
            firstByte[Int(pattern[0])] = true
            var node = 0
            for b in pattern {
                if let next = children[node][b] {
                    node = next
                } else {
                    children.append([:])
                    term.append(-1)
                    children[node][b] = children.count - 1
                    node = children.count - 1
                }
            }
            if term[node] < 0 { term[node] = k }  // first listed wins on duplicates
        }
        for node in 0..<children.count {
            edgeStart.append(Int32(edgeBytes.count))
            edgeCount.append(Int32(children[node].count))
            for (b, target) in children[node].sorted(by: { $0.key < $1.key }) {
                edgeBytes.append(b)
                edgeTargets.append(Int32(target))
            }
            terminal.append(Int32(term[node]))
        }
        let firsts = Set(patterns.compactMap(\.first))
        if firsts.count == 1 { onlyFirstByte = firsts.first }
    }

    /// The first offset >= `i` where a token may start, or `t.count`.
    @inline(__always)
    private func nextCandidate(_ t: UnsafeBufferPointer<UInt8>, from i: Int) -> Int {
        guard i < t.count, let base = t.baseAddress else { return t.count }
        if let b = onlyFirstByte {
            guard let hit = memchr(base + i, Int32(b), t.count - i) else { return t.count }
            return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        }
        return firstByte.withUnsafeBufferPointer { first in
            var j = i
            while j < t.count && !first[Int(base[j])] { j += 1 }
            return j
        }
    }

    @inline(__always)
    private func step(_ node: Int, _ b: UInt8) -> Int {
        let start = Int(edgeStart[node])
        for e in start..<(start + Int(edgeCount[node])) where edgeBytes[e] == b {
            return Int(edgeTargets[e])
        }
        return -1
    }

    /// The longest token starting at `i`: (end, token index), or nil.
    @inline(__always)
    func longestMatch(_ t: UnsafeBufferPointer<UInt8>, at i: Int) -> (end: Int, token: Int)? {
        guard firstByte[Int(t[i])] else { return nil }
        var node = 0
        var best: (Int, Int)? = nil
        var j = i
        while j < t.count {
            node = step(node, t[j])
            if node < 0 { break }
            j += 1
            let k = Int(terminal[node])
            if k >= 0 { best = (j, k) }
        }
        return best
    }

    /// HF's `AddedVocabulary::find_matches`: calls `body(start, end, token)`
    /// for every gap (token nil) and every added token, covering `t` in order.
    ///
    /// As in HF, the matches are those of a plain leftmost-longest scan of
    /// `t`; lstrip / rstrip then widen a match over the whitespace around
    /// it without hiding the matches inside that whitespace: after
    /// `<|im_end|>` (rstrip) and "  \n", a "\n" added token is still
    /// emitted, and the gap after it starts again at its end.
    func split(unsafeBytes t: UnsafeBufferPointer<UInt8>, _ body: (Int, Int, AddedToken?) throws -> Void) rethrows {
        var startOffset = 0
        var i = nextCandidate(t, from: 0)
        while i < t.count {
            guard let (matchEnd, k) = longestMatch(t, at: i) else {
                i = nextCandidate(t, from: i + 1)
                continue
            }
            let token = tokens[k]
            var start = i
            var stop = matchEnd
            if token.singleWord {
                let startSpace = start == 0 || !WordChars.endsWithWord(t, before: start)
                let stopSpace = stop == t.count || !WordChars.startsWithWord(t, at: stop)
                if !startSpace || !stopSpace {
                    // Aho-Corasick resumes after the discarded match's end.
                    i = matchEnd
                    continue
                }
            }
            if token.lstrip {
                start = max(WordChars.whitespaceRunStart(t, before: start), startOffset)
            }
            if token.rstrip {
                stop = WordChars.whitespaceRunEnd(t, from: stop)
            }
            if startOffset < start { try body(startOffset, start, nil) }
            // lstrip cannot reach back past what the previous token took:
            // a "\t\t" (lstrip) that "<|im_end|>" (rstrip) already swallowed
            // ends up empty, and HF drops empty splits.
            if start < stop { try body(start, stop, token) }
            startOffset = stop
            i = nextCandidate(t, from: matchEnd)
        }
        if startOffset < t.count { try body(startOffset, t.count, nil) }
    }
}

/// Rust regex's Unicode `\w` and `\s`, used by single_word / lstrip / rstrip.
enum WordChars {
    static func isWord(_ v: UInt32) -> Bool {
        if v < 0x80 {
            let b = UInt8(v)
            return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
        }
        // Rust's regex crate knows Unicode 16.0: letters added in 17 are not \w there.
        guard let s = Unicode.Scalar(v), HFUnicodeVersion.isAssigned(s, by: 16, 0) else { return false }
        let p = s.properties
        if p.isAlphabetic || p.isJoinControl { return true }
        switch p.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }

    static func endsWithWord(_ t: UnsafeBufferPointer<UInt8>, before i: Int) -> Bool {
        guard i > 0 else { return false }
        let s = UTF8Scan.previousStart(t, before: i, notBefore: 0)
        return isWord(UTF8Scan.decode(t, s).value)
    }

    static func startsWithWord(_ t: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        guard i < t.count else { return false }
        return isWord(UTF8Scan.decode(t, i).value)
    }

    static func isSpace(_ v: UInt32) -> Bool { CharClass.of(v) == .whitespace }

    /// Start of the whitespace run ending at `i`.
    static func whitespaceRunStart(_ t: UnsafeBufferPointer<UInt8>, before i: Int) -> Int {
        var j = i
        while j > 0 {
            let s = UTF8Scan.previousStart(t, before: j, notBefore: 0)
            guard isSpace(UTF8Scan.decode(t, s).value) else { break }
            j = s
        }
        return j
    }

    /// End of the whitespace run starting at `i`.
    static func whitespaceRunEnd(_ t: UnsafeBufferPointer<UInt8>, from i: Int) -> Int {
        var j = i
        while j < t.count {
            let (v, len) = UTF8Scan.decode(t, j)
            guard isSpace(v) else { break }
            j += len
        }
        return j
    }
}
