/// HF's `ByteLevel` post-processor: it only trims offsets, so ids pass
/// through; a pair is concatenated, as HF's default processing does.
public struct ByteLevelPostProcessor: PostProcessor {
    /// Creates the processor; its options only concern offsets.
    public init() {}

    /// Returns `ids` followed by `pair`.
    public func process(_ ids: [UInt32], pair: [UInt32]?) -> [UInt32] {
        guard let pair else { return ids }
        return ids + pair
    }
}
