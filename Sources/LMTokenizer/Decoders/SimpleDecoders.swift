import LMJSON

/// HF's `ByteFallback` decoder: runs of tokens spelled `<0xAB>` become bytes.
///
/// A run that is valid UTF-8 becomes its text; otherwise each byte token in
/// the run becomes one U+FFFD (HF checks the whole run at once: `<0xE4>
/// <0xBD> <0xA0> <0xFF>` gives four U+FFFD, not "你" + U+FFFD).
public struct ByteFallbackDecoder: TokenDecoder {
    /// Creates the decoder; it has no options.
    public init() {}

    /// Returns the tokens with byte runs merged into text.
    public func decodeChain(_ tokens: [String]) -> [String] {
        var out: [String] = []
        var pending: [UInt8] = []
        func flush() {
            guard !pending.isEmpty else { return }
            if let text = String(validating: pending, as: UTF8.self) {
                out.append(text)
            } else {
                out.append(String(repeating: "\u{FFFD}", count: pending.count))
            }
            pending.removeAll(keepingCapacity: true)
        }
        for token in tokens {
            if let byte = Self.byteToken(token) {
                pending.append(byte)
            } else {
                flush()
                out.append(token)
            }
        }
        flush()
        return out
    }

    /// The byte of a token spelled exactly `<0xAB>` (two hex digits).
    static func byteToken(_ token: String) -> UInt8? {
        let u = Array(token.utf8)
        guard u.count == 6, u[0] == UInt8(ascii: "<"), u[1] == UInt8(ascii: "0"), u[2] == UInt8(ascii: "x"),
            u[5] == UInt8(ascii: ">")
        else { return nil }
        return UInt8(String(decoding: u[3..<5], as: UTF8.self), radix: 16)
    }
}

/// HF's `Fuse` decoder: joins every token into one string.
public struct FuseDecoder: TokenDecoder {
    /// Creates the decoder; it has no options.
    public init() {}

    /// Returns the tokens joined.
    public func decodeChain(_ tokens: [String]) -> [String] { [tokens.joined()] }
}

/// HF's `Strip` decoder: removes up to `start` leading and `stop` trailing
/// `content` characters from each token.
///
/// Where HF panics (a token shorter than `stop`, or one made only of
/// `content` with both ends stripped: "▁" with start 1, stop 1), this gives
/// the empty string instead.
public struct StripDecoder: TokenDecoder {
    /// The character stripped.
    public let content: Character
    /// How many leading `content` characters to remove at most.
    public let start: Int
    /// How many trailing `content` characters to remove at most.
    public let stop: Int

    /// Creates the decoder.
    public init(content: Character, start: Int, stop: Int) {
        self.content = content
        self.start = start
        self.stop = stop
    }

    /// Returns the tokens, stripped.
    public func decodeChain(_ tokens: [String]) -> [String] {
        tokens.map { token in
            // HF counts Rust `char`s, which are Unicode scalars.
            let scalars = Array(token.unicodeScalars)
            let c = content.unicodeScalars.first
            var lower = 0
            while lower < min(start, scalars.count), scalars[lower] == c { lower += 1 }
            var upper = scalars.count
            while scalars.count - upper < stop, upper > 0, scalars[upper - 1] == c { upper -= 1 }
            guard lower < upper else { return "" }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[lower..<upper])
            return String(view)
        }
    }
}

/// HF's `Replace` decoder: every match of `pattern` in each token becomes
/// `content` (SentencePiece files replace "▁" with " ").
public struct ReplaceDecoder: TokenDecoder {
    let pattern: ReplacePattern
    /// The replacement text.
    public let content: String

    init(_ json: JSONObject, path: String) throws {
        let fields = ComponentFields(json, path: path)
        pattern = try ReplacePattern(fields.value("pattern"), path: fields.fieldPath("pattern"))
        content = try fields.string("content")
    }

    /// Returns each token with its matches replaced.
    public func decodeChain(_ tokens: [String]) throws -> [String] {
        try tokens.map { try pattern.replaceAll(in: $0, with: content) }
    }
}

/// HF's `Sequence` decoder: each decoder's output list feeds the next.
public struct DecoderSequence: TokenDecoder {
    /// The decoders, first to last.
    public let decoders: [any TokenDecoder]

    /// Creates the chain.
    public init(_ decoders: [any TokenDecoder]) { self.decoders = decoders }

    /// Runs the chain.
    public func decodeChain(_ tokens: [String]) throws -> [String] {
        try decoders.reduce(tokens) { try $1.decodeChain($0) }
    }
}
