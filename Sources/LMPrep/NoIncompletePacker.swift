/// The notebook's `pack_no_incomplete`: examples are never cut. One longer
/// than `seqLen` is dropped; the others fill sequences greedily in input
/// order, and a sequence that cannot take the next example is padded with
/// `padTokenId`, position 0 and loss mask `false` (pads stay out of the
/// gradient).
///
/// Positions are copied as they are: examples are whole, so each already
/// starts at 0.
public struct NoIncompletePacker: SequencePacker {
    /// The length of every emitted sequence.
    public let seqLen: Int
    /// The id written into padding slots.
    public let padTokenId: UInt32
    /// Counters so far.
    public private(set) var stats = PackingStats()

    private var buffer: SequenceBuffer

    /// - Precondition: `seqLen >= 1` (configs are validated before this).
    public init(seqLen: Int, padTokenId: UInt32) {
        precondition(seqLen >= 1, "seqLen must be at least 1")
        self.seqLen = seqLen
        self.padTokenId = padTokenId
        buffer = SequenceBuffer(capacity: seqLen)
    }

    /// See `SequencePacker.add(_:emit:)`.
    public mutating func add(_ row: TokenizedRow, emit: (TokenizedRow) throws -> Void) rethrows {
        let n = row.count
        stats.documentsIn += 1
        stats.tokensIn += n
        guard n <= seqLen else {
            stats.droppedTooLongExamples += 1
            stats.droppedTooLongTokens += n
            return
        }
        if buffer.count + n > seqLen { try emitPadded(emit) }
        buffer.append(ids: row.inputIds[...], positions: row.positionIds[...], mask: row.lossMask[...])
        // A full sequence can take nothing more: emit it now rather than on
        // the next add (same output, one sequence less held).
        if buffer.count == seqLen { try emitPadded(emit) }
    }

    /// Pads and emits the last, partly filled sequence, if any.
    public mutating func finish(emit: (TokenizedRow) throws -> Void) rethrows {
        if !buffer.isEmpty { try emitPadded(emit) }
    }

    private mutating func emitPadded(_ emit: (TokenizedRow) throws -> Void) rethrows {
        let real = buffer.count
        let pad = buffer.pad(with: padTokenId)
        stats.sequencesOut += 1
        stats.realTokensOut += real
        stats.padTokensOut += pad
        try emit(buffer.take())
    }
}
