/// One tokenized training example, or one packed sequence: three parallel
/// arrays of the same length (the notebook's `TokenizedRow` dict of NumPy
/// arrays).
///
/// The arrays are kept apart (not one array of triples) because every consumer
/// reads them apart: shards store ids, positions and masks as separate
/// columns, and the packers copy each one with a single `append(contentsOf:)`.
public struct TokenizedRow: Hashable, Sendable {
    /// Token ids, `uint32` as in the notebook.
    public private(set) var inputIds: [UInt32]
    /// Position of each token inside its document: `0..<n` for a fresh
    /// example; after dense packing, rebased so each segment starts at 0.
    public private(set) var positionIds: [UInt32]
    /// `true` where the loss is computed.
    public private(set) var lossMask: [Bool]

    /// Builds a row from three arrays of equal length.
    ///
    /// Unequal lengths are a programmer mistake (every producer in this
    /// module builds the arrays together), so this is a `precondition`;
    /// data read from outside goes through `decode(from:)`, which throws.
    public init(inputIds: [UInt32], positionIds: [UInt32], lossMask: [Bool]) {
        precondition(
            inputIds.count == positionIds.count && inputIds.count == lossMask.count,
            "TokenizedRow arrays differ in length: \(inputIds.count) ids, \(positionIds.count) positions, \(lossMask.count) mask")
        self.inputIds = inputIds
        self.positionIds = positionIds
        self.lossMask = lossMask
    }

    /// A fresh example: positions `0..<n` (the notebook's `np.arange`) and the
    /// given mask, or all `true` when `lossMask` is `nil`.
    public init(inputIds: [UInt32], lossMask: [Bool]? = nil) {
        let n = inputIds.count
        self.init(
            inputIds: inputIds,
            positionIds: TokenizedRow.arange(n),
            lossMask: lossMask ?? [Bool](repeating: true, count: n))
    }

    /// Number of tokens. O(1).
    public var count: Int { inputIds.count }

    /// `[0, 1, ..., n-1]` as `UInt32`.
    ///
    /// Positions are `UInt32` like the notebook's; an example longer than
    /// `UInt32.max` tokens cannot exist in memory next to its ids anyway.
    @inlinable
    public static func arange(_ n: Int) -> [UInt32] {
        [UInt32](unsafeUninitializedCapacity: n) { buffer, initialized in
            for i in 0..<n { buffer[i] = UInt32(truncatingIfNeeded: i) }
            initialized = n
        }
    }
}
