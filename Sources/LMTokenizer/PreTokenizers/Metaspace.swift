import LMJSON

/// A pre-tokenizer whose output depends on whether a piece begins the
/// original input (HF's `offsets_original().0 == 0`): Metaspace with
/// `prepend_scheme: "first"`. The tokenizer calls this method instead of
/// `split(unsafeBytes:into:)` on pieces it can place: `startsInput` is true only for
/// the stretch of text that starts at byte 0 of the caller's input (not
/// after an added token, not for later stretches).
public protocol InputStartAwarePreTokenizer: PreTokenizer {
    /// Appends the pieces of `piece` to `out`; `startsInput` says whether
    /// `piece` begins at byte 0 of the original input.
    func split(unsafeBytes piece: UnsafeBufferPointer<UInt8>, startsInput: Bool, into out: inout PieceList) throws
    /// Whether `startsInput` can change the output. When false the
    /// tokenizer calls `split(unsafeBytes:into:)` and pays nothing for the flag.
    var dependsOnInputStart: Bool { get }
}

/// When Metaspace puts a replacement character in front of a piece:
/// HF's `PrependScheme`.
public enum PrependScheme: String, Sendable {
    /// Every piece that does not already start with the replacement.
    case always
    /// Only the piece that starts at byte 0 of the original input.
    case first
    /// Never.
    case never
}

/// HF's `Metaspace` pre-tokenizer (SentencePiece style): every ASCII space
/// becomes `replacement` ("▁"), a replacement may be prepended, and the piece
/// is split before each replacement (HF's MergedWithNext), so
/// "Hey  friend!" gives "▁Hey", "▁", "▁friend!".
///
/// **What the core must pass for `prepend_scheme: "first"`.** HF prepends
/// when `normalized.offsets_original().0 == 0`: the split being processed
/// starts at byte 0 of the *original* input. A split that follows an added
/// token ("<s>Hello") or that an earlier pre-tokenizer in a Sequence cut off
/// the front does not get it. `PreTokenizer.split(unsafeBytes:into:)` cannot express
/// that, so the tokenizer (and a `Sequence` holding this stage) calls
/// `split(unsafeBytes:startsInput:into:)` with `startsInput == true` only for the
/// piece beginning at original byte 0.
/// When it calls the protocol method instead, `pieceStartsInput` is used
/// (default `false`: with "first", no prefix unless told).
public struct MetaspacePreTokenizer: InputStartAwarePreTokenizer {
    /// The scalar that stands for a space.
    public let replacement: Unicode.Scalar
    /// When a replacement is prepended.
    public let prependScheme: PrependScheme
    /// Whether pieces are split before each replacement.
    public let splitsOnReplacement: Bool
    /// For `.first` via the protocol method: whether the pieces passed start
    /// the original input. The core may set this on its copy.
    public var pieceStartsInput: Bool = false

    let replacementUTF8: [UInt8]

    /// Only the "first" scheme looks at where a piece starts.
    public var dependsOnInputStart: Bool { prependScheme == .first }

    /// Creates the pre-tokenizer.
    public init(replacement: Unicode.Scalar = "▁", prependScheme: PrependScheme = .always, split: Bool = true) {
        self.replacement = replacement
        self.prependScheme = prependScheme
        self.splitsOnReplacement = split
        self.replacementUTF8 = Array(String(Character(replacement)).utf8)
    }

    init(_ json: JSONObject, path: String) throws {
        let fields = ComponentFields(json, path: path)
        let replacement = try fields.optionalScalar("replacement") ?? "▁"
        let scheme: PrependScheme
        if let name = try fields.optionalString("prepend_scheme") {
            guard let parsed = PrependScheme(rawValue: name) else {
                throw fields.invalid("prepend_scheme", "expected always, first or never, got \(name)")
            }
            scheme = parsed
        } else {
            // Files written before prepend_scheme existed say add_prefix_space.
            scheme = try fields.bool("add_prefix_space", default: true) ? .always : .never
        }
        self.init(replacement: replacement, prependScheme: scheme, split: try fields.bool("split", default: true))
    }

    /// Appends the pieces of `piece` to `out`, using `pieceStartsInput` for
    /// the "first" scheme.
    public func split(unsafeBytes piece: UnsafeBufferPointer<UInt8>, into out: inout PieceList) {
        split(unsafeBytes: piece, startsInput: pieceStartsInput, into: &out)
    }

    /// Appends the pieces of `piece` to `out`; `startsInput` says whether
    /// `piece` begins at byte 0 of the original input (for "first").
    public func split(unsafeBytes piece: UnsafeBufferPointer<UInt8>, startsInput: Bool, into out: inout PieceList) {
        guard !piece.isEmpty else { return }
        var text: [UInt8] = []
        text.reserveCapacity(piece.count + replacementUTF8.count * 4)
        let startsWithReplacementOrSpace =
            piece.first == 0x20 || piece.starts(with: replacementUTF8)
        let prepend: Bool
        switch prependScheme {
        case .always: prepend = !startsWithReplacementOrSpace
        case .first: prepend = startsInput && !startsWithReplacementOrSpace
        case .never: prepend = false
        }
        if prepend { text.append(contentsOf: replacementUTF8) }
        for byte in piece {
            if byte == 0x20 { text.append(contentsOf: replacementUTF8) } else { text.append(byte) }
        }
        text.withUnsafeBufferPointer { buffer in
            if splitsOnReplacement {
                let replacement = self.replacement
                ScalarSplitter(behavior: .mergedWithNext).split(unsafeBytes: buffer, into: &out) { $0 == replacement }
            } else {
                out.append(unsafeBytes: buffer)
            }
        }
    }
}
