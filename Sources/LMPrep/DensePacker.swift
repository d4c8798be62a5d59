/// The notebook's `pack_dense`: concatenate all examples, cut the stream into
/// `seqLen` pieces, drop the trailing remainder, and rebase position ids
/// inside each piece with `position_fix_helper`'s rule.
///
/// The rebase runs as tokens arrive: a segment starts at the first token of a
/// sequence and wherever a position is smaller than the previous one, and
/// every position is stored minus its segment's first position. So the tail
/// of an example cut at a boundary starts again at 0 in the next sequence.
public struct DensePacker: SequencePacker {
    /// The length of every emitted sequence.
    public let seqLen: Int
    /// Counters so far.
    public private(set) var stats = PackingStats()

    private var buffer: SequenceBuffer
    /// First raw position of the current segment.
    private var segmentBase: UInt32 = 0
    /// Raw (not rebased) position of the last token added.
    private var previousRaw: UInt32 = 0

    /// - Precondition: `seqLen >= 1` (configs are validated before this).
    public init(seqLen: Int) {
        precondition(seqLen >= 1, "seqLen must be at least 1")
        self.seqLen = seqLen
        buffer = SequenceBuffer(capacity: seqLen)
    }

    /// See `SequencePacker.add(_:emit:)`.
    public mutating func add(_ row: TokenizedRow, emit: (TokenizedRow) throws -> Void) rethrows {
        let n = row.count
        stats.documentsIn += 1
        stats.tokensIn += n
        var start = 0
        var cut = false
        while start < n {
            let end = start + min(seqLen - buffer.count, n - start)
            for i in start..<end {
                let raw = row.positionIds[i]
                if (buffer.isEmpty && i == start) || raw < previousRaw { segmentBase = raw }
                buffer.appendPosition(raw - segmentBase)
                previousRaw = raw
            }
            buffer.append(ids: row.inputIds[start..<end], mask: row.lossMask[start..<end])
            start = end
            if buffer.count == seqLen {
                if start < n { cut = true }
                try emitSequence(emit)
            }
        }
        if cut { stats.splitExamples += 1 }
    }

    /// Drops the incomplete last sequence, as the notebook does.
    public mutating func finish(emit: (TokenizedRow) throws -> Void) rethrows {
        stats.trailingTokensDropped += buffer.count
        buffer.clear()
    }

    private mutating func emitSequence(_ emit: (TokenizedRow) throws -> Void) rethrows {
        stats.sequencesOut += 1
        stats.realTokensOut += seqLen
        try emit(buffer.take())
    }
}
