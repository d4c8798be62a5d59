/// A list of byte strings stored flat: one byte buffer plus the end offset of
/// each piece. Pre-tokenizers append to it; clearing keeps capacity, so a
/// tokenizer reuses two lists for a whole batch without allocating.
public struct PieceList: Sendable {
    public private(set) var bytes: [UInt8] = []
    public private(set) var ends: [Int] = []

    public init() {}

    public var count: Int { ends.count }
    public var isEmpty: Bool { ends.isEmpty }

    /// O(1). The piece's bounds in `bytes`.
    public func range(at index: Int) -> Range<Int> {
        (index == 0 ? 0 : ends[index - 1])..<ends[index]
    }

    /// Appends one piece. Empty pieces are dropped, as HF drops empty splits.
    public mutating func append(unsafeBytes piece: UnsafeBufferPointer<UInt8>) {
        guard !piece.isEmpty else { return }
        bytes.append(contentsOf: piece)
        ends.append(bytes.count)
    }

    public mutating func append<C: Collection>(contentsOf piece: C) where C.Element == UInt8 {
        guard !piece.isEmpty else { return }
        bytes.append(contentsOf: piece)
        ends.append(bytes.count)
    }

    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
    }

    /// Calls `body` with all pieces' bytes and each piece's bounds in them,
    /// in order (the model reads past a piece to build its cache key).
    func forEachUnsafeRange(_ body: (UnsafeBufferPointer<UInt8>, Int, Int) -> Void) {
        bytes.withUnsafeBufferPointer { all in
            var start = 0
            for end in ends {
                body(all, start, end)
                start = end
            }
        }
    }

    /// Calls `body` with each piece's bytes, in order.
    public func forEachUnsafePiece(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        try bytes.withUnsafeBufferPointer { all in
            var start = 0
            for end in ends {
                try body(UnsafeBufferPointer(rebasing: all[start..<end]))
                start = end
            }
        }
    }
}
