import LMJSON

/// Turns one input row into one training example (the notebook's
/// `*_processing` functions behind `process_row`).
public protocol RowProcessor: Sendable {
    /// Tokenizes `row` and builds its positions and loss mask.
    ///
    /// - Throws: `PrepError` naming the missing or mistyped field, or the
    ///   malformed turn.
    func process(_ row: JSONValue) throws -> TokenizedRow
}

/// Which `*_processing` function of the notebook to apply.
public enum ProcessingStrategy: Hashable, Sendable {
    /// `encode(content) + EOS`, loss on every token.
    case pretrain
    /// Fill-in-the-middle with the given layout and masking.
    case fim(FIMOptions)
    /// Chat turns with the loss on the assistant's replies.
    case sft

    /// The config name (`processing_strategy`) of this strategy.
    public var name: String {
        switch self {
        case .pretrain: return "pretrain"
        case .fim: return "fim"
        case .sft: return "sft"
        }
    }

    /// A processor for this strategy over `encoder`.
    ///
    /// - Throws: `PrepError.missingSpecialToken` / `.missingEOSToken` when the
    ///   tokenizer lacks a token the strategy needs, before any row is read.
    public func makeProcessor(encoder: any TextEncoder, fields: InputFields = InputFields()) throws -> any RowProcessor {
        switch self {
        case .pretrain: return try PretrainProcessor(encoder: encoder, contentField: fields.content)
        case let .fim(options): return try FIMProcessor(encoder: encoder, options: options, fields: fields)
        case .sft: return try SFTProcessor(encoder: encoder, conversationField: fields.content)
        }
    }
}

/// The notebook's `pretrain_processing`: `encode(content) + [EOS]`, positions
/// `0..<n`, loss on every token.
public struct PretrainProcessor: RowProcessor {
    /// The tokenizer.
    public let encoder: any TextEncoder
    /// The field holding the text.
    public let contentField: String
    private let eos: UInt32

    /// - Throws: `PrepError.missingEOSToken` when the tokenizer has no EOS.
    public init(encoder: any TextEncoder, contentField: String = "content") throws {
        self.encoder = encoder
        self.contentField = contentField
        self.eos = try encoder.requireEOS()
    }

    /// See `RowProcessor.process(_:)`.
    public func process(_ row: JSONValue) throws -> TokenizedRow {
        let text = try RowFields.string(RowFields.object(row), contentField)
        var ids = try encoder.encodeText(text)
        ids.append(eos)
        return TokenizedRow(inputIds: ids)
    }
}
