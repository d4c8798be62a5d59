/// The sequence a packer is filling: three parallel arrays with room for
/// `capacity` tokens.
///
/// `take()` hands the arrays to the emitted row and starts fresh ones,
/// rather than clearing buffers the row now shares (which would copy them
/// on the next append). Both packers fill and emit through this type.
struct SequenceBuffer {
    let capacity: Int
    private(set) var ids: [UInt32] = []
    private(set) var positions: [UInt32] = []
    private(set) var mask: [Bool] = []

    init(capacity: Int) {
        self.capacity = capacity
        reserve()
    }

    var count: Int { ids.count }
    var isEmpty: Bool { ids.isEmpty }

    mutating func append(ids newIds: ArraySlice<UInt32>, positions newPositions: ArraySlice<UInt32>, mask newMask: ArraySlice<Bool>) {
        ids.append(contentsOf: newIds)
        positions.append(contentsOf: newPositions)
        mask.append(contentsOf: newMask)
    }

    /// Appends ids and mask only; the caller appends the positions it computes.
    mutating func append(ids newIds: ArraySlice<UInt32>, mask newMask: ArraySlice<Bool>) {
        ids.append(contentsOf: newIds)
        mask.append(contentsOf: newMask)
    }

    mutating func appendPosition(_ p: UInt32) { positions.append(p) }

    /// Fills the rest with `padTokenId` at position 0 without loss; returns how many.
    mutating func pad(with padTokenId: UInt32) -> Int {
        let n = capacity - ids.count
        ids.append(contentsOf: repeatElement(padTokenId, count: n))
        positions.append(contentsOf: repeatElement(0, count: n))
        mask.append(contentsOf: repeatElement(false, count: n))
        return n
    }

    /// The filled row; the buffer starts over empty.
    mutating func take() -> TokenizedRow {
        let row = TokenizedRow(inputIds: ids, positionIds: positions, lossMask: mask)
        reserve()
        return row
    }

    /// Empties the buffer keeping its storage.
    mutating func clear() {
        ids.removeAll(keepingCapacity: true)
        positions.removeAll(keepingCapacity: true)
        mask.removeAll(keepingCapacity: true)
    }

    private mutating func reserve() {
        ids = []
        positions = []
        mask = []
        ids.reserveCapacity(capacity)
        positions.reserveCapacity(capacity)
        mask.reserveCapacity(capacity)
    }
}
