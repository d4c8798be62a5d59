/// Packs a stream of examples into fixed-length sequences (the notebook's
/// `pack_sequences`).
///
/// Streaming: a packer holds at most one sequence being filled, never the
/// whole group, so a reduce group of any size packs in `O(seqLen)` memory.
/// Output is identical to the notebook's list-based functions.
public protocol SequencePacker {
    /// The length of every emitted sequence.
    var seqLen: Int { get }
    /// Counters so far.
    var stats: PackingStats { get }
    /// Adds one example, emitting every sequence it completes. O(row.count).
    mutating func add(_ row: TokenizedRow, emit: (TokenizedRow) throws -> Void) rethrows
    /// Ends the stream: emits or drops what is left, as the strategy says.
    /// The packer can then take a new stream; `stats` keep counting.
    mutating func finish(emit: (TokenizedRow) throws -> Void) rethrows
}

/// The notebook's `PackingStrategy`.
public enum PackingStrategy: String, Hashable, Sendable, Codable, CaseIterable {
    /// Concatenate everything, cut into `seqLen` pieces, drop the remainder.
    case dense
    /// Never cut an example: drop those longer than `seqLen`, pad the rest.
    case noIncomplete = "no_incomplete"
}

/// The notebook's `position_fix_helper`: rebase each segment (a run between
/// decreases) so it starts at 0.
///
/// `[2,3,4,0,1,2,3] -> [0,1,2,0,1,2,3]` and `[4,0,1,0] -> [0,0,1,0]`. A new
/// segment starts only where a value is *smaller* than the one before it:
/// equal neighbours stay in one segment, exactly as the notebook's
/// `ids[1:] < ids[:-1]`. O(n).
public func rebasedPositions(_ positions: [UInt32]) -> [UInt32] {
    var out = [UInt32]()
    out.reserveCapacity(positions.count)
    var base: UInt32 = 0
    var previous: UInt32 = 0
    for (i, p) in positions.enumerated() {
        if i == 0 || p < previous { base = p }
        out.append(p - base)
        previous = p
    }
    return out
}
