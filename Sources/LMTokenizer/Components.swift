import LMJSON

/// The stages of a Hugging Face tokenizer, as protocols.
///
/// `tokenizer.json` is a serialized tree of these stages:
///   added tokens -> normalizer -> pre-tokenizer -> model -> post-processor,
/// and ids -> decoder -> text on the way back. Each stage is a small value
/// type in its own file, built from its JSON object by a factory keyed by the
/// object's `"type"`. A file that names a component we do not implement is
/// rejected at load time: we never return ids that might differ from HF's.

/// Rewrites text before it is split (NFC, Lowercase, Replace, ...).
/// Offsets are not tracked: lmshard needs ids, not alignments. The one
/// alignment fact ids depend on is whether the output still begins at the
/// input's first character (see `normalizeTrackingStart`).
///
/// Normalizers and pre-tokenizers throw only when a regex gives up
/// (`TokenizerError.regexFailed`); implementations that cannot fail need
/// not be marked `throws`.
public protocol Normalizer: Sendable {
    func normalize(_ text: String) throws -> String

    /// `normalize(text)`, and whether its first character still comes from
    /// `text`'s first character: HF's `offsets_original().0 == 0`, which
    /// Metaspace's `prepend_scheme: "first"` tests. False only when leading
    /// characters were deleted (Strip, StripAccents, Replace with "");
    /// characters put in front (Prepend, a non-empty Replace at the start)
    /// take the first character's place in HF and keep it true.
    func normalizeTrackingStart(_ text: String) throws -> (text: String, keepsStart: Bool)

    /// `normalize(text)`, given that the first `fromFirst` scalars of
    /// `text` come from the input's first character, and how many leading
    /// scalars of the result do: HF's alignments, which a chain of
    /// normalizers moves along (NFKC makes "ﬁ" two scalars from one, a
    /// Replace deleting "f" then leaves "i", which still comes from "ﬁ").
    func normalizeTrackingOrigin(_ text: String, fromFirst: Int) throws -> (text: String, fromFirst: Int)
}

extension Normalizer {
    /// Normalizers that never delete a leading character (Unicode forms,
    /// Lowercase, Prepend) keep the start.
    public func normalizeTrackingStart(_ text: String) throws -> (text: String, keepsStart: Bool) {
        (try normalize(text), true)
    }

    /// From `normalizeTrackingStart`: at most the first scalar keeps its origin.
    public func normalizeTrackingOrigin(_ text: String, fromFirst: Int) throws -> (text: String, fromFirst: Int) {
        let (out, keeps) = try normalizeTrackingStart(text)
        return (out, fromFirst > 0 && keeps && !out.isEmpty ? 1 : 0)
    }
}

/// `fromFirst` after a step that maps each scalar to `width(scalar)` scalars.
func scalarsFromFirst(_ text: String, _ fromFirst: Int, width: (Unicode.Scalar) -> Int) -> Int {
    text.unicodeScalars.prefix(fromFirst).reduce(0) { $0 + width($1) }
}

extension Normalizer {
    /// Shared by the normalizers that track origins exactly.
    func trackingStart(_ text: String) throws -> (text: String, keepsStart: Bool) {
        let (out, n) = try normalizeTrackingOrigin(text, fromFirst: 1)
        return (out, n > 0)
    }
}

/// Splits each piece of text into smaller pieces (ByteLevel, Split, Digits...).
///
/// Pieces are UTF-8 bytes. A pre-tokenizer appends the pieces it makes from
/// `piece` to `out`; it may rewrite bytes (Metaspace turns spaces into "▁").
/// ByteLevel does *not* rewrite bytes into GPT-2's printable alphabet:
/// instead the vocabulary is translated back to raw bytes once, at load time,
/// so the hot loop never builds strings (tiktoken's approach).
public protocol PreTokenizer: Sendable {
    func split(unsafeBytes piece: UnsafeBufferPointer<UInt8>, into out: inout PieceList) throws
}

/// Adds special tokens around encoded ids (TemplateProcessing, Bert, ...).
/// Only called when the caller asks for special tokens.
public protocol PostProcessor: Sendable {
    func process(_ ids: [UInt32], pair: [UInt32]?) -> [UInt32]
}

/// Turns tokens back into text, as HF's `decode_chain`: each decoder maps the
/// list of token strings to a new list; the tokenizer joins the final list.
public protocol TokenDecoder: Sendable {
    func decodeChain(_ tokens: [String]) throws -> [String]
}

/// Errors raised while reading a `tokenizer.json` or building a component.
public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    /// A component whose `"type"` we do not implement; `path` is where it sits
    /// in the file, e.g. `pre_tokenizer.pretokenizers[1]`.
    case unsupportedComponent(path: String, type: String)
    /// A field is missing or has the wrong JSON type or value.
    case invalidField(path: String, reason: String)
    /// The file could not be read or parsed.
    case unreadable(file: String, reason: String)
    /// A hub id that is not cached and could not be downloaded.
    case notFound(name: String, reason: String)
    /// Text the model cannot encode (see `Tokenizer.encodeChecked`);
    /// `piece` is the first such pre-tokenized piece (its first 200 bytes).
    case unencodable(piece: String, reason: String)
    /// A Split or Replace regex gave up on the text being encoded
    /// (Oniguruma's retry limit; HF `tokenizers` fails on that text too).
    case regexFailed(pattern: String, path: String, reason: String)
    /// Bytes handed to the tokenizer are not UTF-8 where a stage needs text.
    case invalidUTF8(offset: Int, context: String)

    public var description: String {
        switch self {
        case let .unsupportedComponent(path, type):
            return "unsupported tokenizer component \(type) at \(path): lmshard refuses to guess its ids"
        case let .invalidField(path, reason):
            return "invalid tokenizer field \(path): \(reason)"
        case let .unreadable(file, reason):
            return "cannot read tokenizer \(file): \(reason)"
        case let .notFound(name, reason):
            return "tokenizer \(name) not found: \(reason)"
        case let .unencodable(piece, reason):
            return "cannot encode \(piece.debugDescription): \(reason)"
        case let .regexFailed(pattern, path, reason):
            return "regex \(pattern.debugDescription) at \(path) failed on this text: \(reason) (HF tokenizers fails here too)"
        case let .invalidUTF8(offset, context):
            return "invalid UTF-8 at byte \(offset) of the text given to \(context)"
        }
    }
}

/// A factory builds one component from its JSON object; `path` names it in errors.
typealias ComponentFactory<C> = @Sendable (_ json: JSONObject, _ path: String) throws -> C

/// Looks up `json["type"]` in `factories` and builds the component.
func makeComponent<C>(
    _ json: JSONValue, path: String, kind: String, factories: [String: ComponentFactory<C>]
) throws -> C {
    guard case let .object(object) = json else {
        throw TokenizerError.invalidField(path: path, reason: "expected an object describing a \(kind)")
    }
    guard case let .string(type)? = object["type"] else {
        throw TokenizerError.invalidField(path: "\(path).type", reason: "missing \(kind) type")
    }
    guard let factory = factories[type] else {
        throw TokenizerError.unsupportedComponent(path: path, type: type)
    }
    return try factory(object, path)
}

/// Builds the components listed under `key` (a Sequence's children), naming
/// each by its index in errors.
func children<C>(
    _ json: JSONObject, _ path: String, key: String, kind: String, factories: [String: ComponentFactory<C>]
) throws -> [C] {
    try ComponentFields(json, path: path).array(key).enumerated().map { i, child in
        try makeComponent(child, path: "\(path).\(key)[\(i)]", kind: kind, factories: factories)
    }
}
