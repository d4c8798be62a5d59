import LMJSON

/// Where the suffix goes in a FIM example.
public enum FIMFormat: String, Hashable, Sendable, Codable, CaseIterable {
    /// `<fim_suffix>suffix<fim_prefix>prefix<fim_middle>middle`: the notebook's default.
    case spm
    /// `<fim_prefix>prefix<fim_suffix>suffix<fim_middle>middle`.
    case psm
}

/// The notebook's `fim_kwargs`.
public struct FIMOptions: Hashable, Sendable {
    /// Token layout; the notebook defaults to `spm`.
    public var format: FIMFormat
    /// When `true`, the loss is only on the middle's tokens and the final EOS;
    /// the notebook defaults to `false` (loss on everything).
    public var onlyMiddleNotMasked: Bool

    /// The notebook's defaults: `spm`, loss on every token.
    public init(format: FIMFormat = .spm, onlyMiddleNotMasked: Bool = false) {
        self.format = format
        self.onlyMiddleNotMasked = onlyMiddleNotMasked
    }
}

/// The notebook's `fim_processing`.
///
/// Each part is encoded on its own (so no BPE merge crosses a part boundary),
/// then laid out as
/// `<fim_suffix> suffix <fim_prefix> prefix <fim_middle> middle EOS` (spm) or
/// `<fim_prefix> prefix <fim_suffix> suffix <fim_middle> middle EOS` (psm).
/// With `onlyMiddleNotMasked`, the `<fim_middle>` tag itself is masked: the
/// notebook's expected mask for 13 tokens is 11 `false` then 2 `true`
/// (middle `np` and EOS).
public struct FIMProcessor: RowProcessor {
    /// The tokenizer.
    public let encoder: any TextEncoder
    /// Layout and masking.
    public let options: FIMOptions
    /// Names of the prefix, middle and suffix fields.
    public let fields: InputFields
    private let prefixId: UInt32
    private let suffixId: UInt32
    private let middleId: UInt32
    private let eos: UInt32

    /// - Throws: `PrepError.missingSpecialToken` naming the first of
    ///   `<fim_prefix>`, `<fim_suffix>`, `<fim_middle>` the tokenizer lacks,
    ///   or `.missingEOSToken`.
    public init(encoder: any TextEncoder, options: FIMOptions = FIMOptions(), fields: InputFields = InputFields()) throws {
        self.encoder = encoder
        self.options = options
        self.fields = fields
        let purpose = "the fim processing strategy"
        prefixId = try encoder.requireSpecialToken("<fim_prefix>", for: purpose)
        suffixId = try encoder.requireSpecialToken("<fim_suffix>", for: purpose)
        middleId = try encoder.requireSpecialToken("<fim_middle>", for: purpose)
        eos = try encoder.requireEOS()
    }

    /// See `RowProcessor.process(_:)`.
    public func process(_ row: JSONValue) throws -> TokenizedRow {
        let object = try RowFields.object(row)
        let prefix = try encoder.encodeText(RowFields.string(object, fields.prefix))
        let suffix = try encoder.encodeText(RowFields.string(object, fields.suffix))
        let middle = try encoder.encodeText(RowFields.string(object, fields.middle))

        let n = prefix.count + suffix.count + middle.count + 4
        var ids = [UInt32]()
        ids.reserveCapacity(n)
        switch options.format {
        case .spm:
            ids.append(suffixId)
            ids.append(contentsOf: suffix)
            ids.append(prefixId)
            ids.append(contentsOf: prefix)
        case .psm:
            ids.append(prefixId)
            ids.append(contentsOf: prefix)
            ids.append(suffixId)
            ids.append(contentsOf: suffix)
        }
        ids.append(middleId)
        let contextCount = ids.count
        ids.append(contentsOf: middle)
        ids.append(eos)

        guard options.onlyMiddleNotMasked else { return TokenizedRow(inputIds: ids) }
        var mask = [Bool](repeating: false, count: contextCount)
        mask.append(contentsOf: repeatElement(true, count: ids.count - contextCount))
        return TokenizedRow(inputIds: ids, lossMask: mask)
    }
}
