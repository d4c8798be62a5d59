/// A pipeline of pre-tokenizers, each applied to every piece the previous made.
///
/// When a stage depends on where the input starts (Metaspace "first"), the
/// Sequence passes `startsInput` on to the first piece each stage makes, as
/// long as no earlier stage dropped the front of the input (HF's
/// `offsets_original().0 == 0` on that split).
struct SequencePreTokenizer: InputStartAwarePreTokenizer {
    let stages: [any PreTokenizer]
    let dependsOnInputStart: Bool

    init(stages: [any PreTokenizer]) {
        self.stages = stages
        dependsOnInputStart = stages.contains { ($0 as? any InputStartAwarePreTokenizer)?.dependsOnInputStart == true }
    }

    func split(unsafeBytes piece: UnsafeBufferPointer<UInt8>, into out: inout PieceList) {
        guard stages.count > 1 else {
            if let only = stages.first { only.split(unsafeBytes: piece, into: &out) } else { out.append(unsafeBytes: piece) }
            return
        }
        var current = PieceList()
        stages[0].split(unsafeBytes: piece, into: &current)
        for k in 1..<stages.count {
            var next = PieceList()
            let stage = stages[k]
            if k == stages.count - 1 {
                current.forEachUnsafePiece { stage.split(unsafeBytes: $0, into: &out) }
                return
            }
            current.forEachUnsafePiece { stage.split(unsafeBytes: $0, into: &next) }
            current = next
        }
    }

    func split(unsafeBytes piece: UnsafeBufferPointer<UInt8>, startsInput: Bool, into out: inout PieceList) {
        guard startsInput, dependsOnInputStart else {
            split(unsafeBytes: piece, into: &out)
            return
        }
        _ = splitTracking(piece, into: &out)
    }

    /// Splits `piece`, which starts the input, and returns whether the first
    /// piece appended to `out` still starts it.
    func splitTracking(_ piece: UnsafeBufferPointer<UInt8>, into out: inout PieceList) -> Bool {
        guard !stages.isEmpty else {
            out.append(unsafeBytes: piece)
            return true
        }
        var current = PieceList()
        current.append(unsafeBytes: piece)
        var firstStarts = true
        for k in 0..<stages.count {
            let stage = stages[k]
            let last = k == stages.count - 1
            var next = PieceList()
            var index = 0
            current.forEachUnsafePiece { p in
                if index == 0 && firstStarts {
                    if last {
                        firstStarts = splitFirst(stage, p, into: &out)
                    } else {
                        firstStarts = splitFirst(stage, p, into: &next)
                    }
                } else if last {
                    stage.split(unsafeBytes: p, into: &out)
                } else {
                    stage.split(unsafeBytes: p, into: &next)
                }
                index += 1
            }
            if !last { current = next }
        }
        return firstStarts
    }
}

/// Runs `stage` on `piece`, which starts the input, telling a stage that
/// cares; returns whether the first piece it appended starts at `piece`'s
/// first byte (false when it appended nothing).
private func splitFirst(_ stage: any PreTokenizer, _ piece: UnsafeBufferPointer<UInt8>, into out: inout PieceList) -> Bool {
    let before = out.count
    if let sequence = stage as? SequencePreTokenizer {
        let starts = sequence.splitTracking(piece, into: &out)
        return out.count > before && starts
    }
    if let aware = stage as? any InputStartAwarePreTokenizer {
        aware.split(unsafeBytes: piece, startsInput: true, into: &out)
    } else {
        stage.split(unsafeBytes: piece, into: &out)
    }
    guard out.count > before else { return false }
    return (stage as? any FrontDroppingPreTokenizer)?.keepsFirstByte(ofUnsafeBytes: piece) ?? true
}

/// A pre-tokenizer that may drop bytes (whitespace, delimiters) at the
/// front of a piece. Stages that do not conform keep every byte or only add
/// bytes aligned with the front (ByteLevel's prefix space, Metaspace's "▁").
protocol FrontDroppingPreTokenizer {
    /// Whether the first piece made from `piece` (if any) starts at its first byte.
    func keepsFirstByte(ofUnsafeBytes piece: UnsafeBufferPointer<UInt8>) -> Bool
}
