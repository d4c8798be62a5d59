import LMJSON

/// HF's `BertProcessing` and `RobertaProcessing`, ids only.
///
/// Bert: `[CLS] A [SEP]` and `[CLS] A [SEP] B [SEP]`.
/// Roberta: `<s> A </s>` and `<s> A </s> </s> B </s>` (its `trim_offsets`
/// and `add_prefix_space` only move offsets, which lmshard does not keep).
public struct BertRobertaProcessor: PostProcessor {
    /// The classifier token id put first.
    public let cls: UInt32
    /// The separator token id.
    public let sep: UInt32
    /// Whether a pair gets a doubled separator between its parts (Roberta).
    public let doubleSeparator: Bool

    /// Creates the processor.
    public init(cls: UInt32, sep: UInt32, doubleSeparator: Bool) {
        self.cls = cls
        self.sep = sep
        self.doubleSeparator = doubleSeparator
    }

    init(_ json: JSONObject, path: String, doubleSeparator: Bool) throws {
        let fields = ComponentFields(json, path: path)
        // Each is ["[CLS]", 101]: the token and its id.
        func token(_ key: String) throws -> UInt32 {
            let pair = try fields.array(key)
            guard pair.count == 2, case .string = pair[0] else {
                throw fields.invalid(key, "expected [token, id]")
            }
            return try fields.tokenID(pair[1], at: fields.fieldPath("\(key)[1]"))
        }
        self.init(cls: try token("cls"), sep: try token("sep"), doubleSeparator: doubleSeparator)
    }

    /// Wraps `ids` (and `pair`) in the classifier and separator ids.
    public func process(_ ids: [UInt32], pair: [UInt32]?) -> [UInt32] {
        var out: [UInt32] = [cls]
        out.append(contentsOf: ids)
        out.append(sep)
        if let pair {
            if doubleSeparator { out.append(sep) }
            out.append(contentsOf: pair)
            out.append(sep)
        }
        return out
    }
}
