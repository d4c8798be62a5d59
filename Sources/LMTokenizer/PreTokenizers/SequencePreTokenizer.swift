/// A pipeline of pre-tokenizers, each applied to every piece the previous made.
///
/// When a stage depends on where the input starts (Metaspace "first"), the
/// Sequence passes `startsInput` on to the first piece each stage makes, as
/// long as no earlier stage dropped the front of the input (HF's
/// `offsets_original().0 == 0` on that split).
///
/// A ByteLevel stage with stages after it (Falcon: Punctuation, ByteLevel,
/// Digits, Split) hands them GPT-2's byte-mapped text, as HF does: " ½" is
/// "Ġ Â ½" to them, so a space joins the word after it and "½" is two
/// characters. The Sequence then runs in two halves, up to and after the
/// ByteLevel stage, maps the pieces in between and maps the final pieces
/// back to bytes (the vocabulary is kept in raw bytes: see
/// `ByteLevelAlphabet`).
struct SequencePreTokenizer: InputStartAwarePreTokenizer {
    let stages: [any PreTokenizer]
    let dependsOnInputStart: Bool
    /// [up to and including the ByteLevel stage, the stages after it], or
    /// empty when no stage follows a ByteLevel stage.
    let mappedHalves: [SequencePreTokenizer]

    init(stages: [any PreTokenizer]) {
        self.stages = stages
        dependsOnInputStart = stages.contains { ($0 as? any InputStartAwarePreTokenizer)?.dependsOnInputStart == true }
        if let b = stages.firstIndex(where: { $0 is ByteLevelPreTokenizer }), b < stages.count - 1 {
            mappedHalves = [
                SequencePreTokenizer(stages: Array(stages[...b])), SequencePreTokenizer(stages: Array(stages[(b + 1)...])),
            ]
        } else {
            mappedHalves = []
        }
    }

    /// Refuses a second ByteLevel stage after the first: HF would map the
    /// mapped text again, which a vocabulary kept in raw bytes cannot follow.
    static func validated(stages: [any PreTokenizer], path: String) throws -> SequencePreTokenizer {
        let byteLevels = stages.indices.filter { stages[$0] is ByteLevelPreTokenizer }
        if byteLevels.count > 1 {
            throw TokenizerError.invalidField(
                path: "\(path).pretokenizers[\(byteLevels[1])]",
                reason: "a second ByteLevel stage would byte-map text twice; lmshard does not support that layout")
        }
        return SequencePreTokenizer(stages: stages)
    }

    /// Runs the two halves around the ByteLevel stage (see the type's doc).
    private func splitMapped(
        _ piece: UnsafeBufferPointer<UInt8>, startsInput: Bool, into out: inout PieceList
    ) throws -> Bool {
        let head = mappedHalves[0], tail = mappedHalves[1]
        var raw = PieceList()
        var firstStarts = false
        if startsInput && dependsOnInputStart {
            firstStarts = try head.splitTracking(piece, into: &raw)
        } else {
            try head.split(unsafeBytes: piece, into: &raw)
        }
        var mapped = PieceList()
        var buffer: [UInt8] = []
        var index = 0
        try raw.forEachUnsafePiece { p in
            buffer.removeAll(keepingCapacity: true)
            ByteLevelAlphabet.appendMapped(p, to: &buffer)
            try buffer.withUnsafeBufferPointer { b in
                if index == 0 && firstStarts {
                    firstStarts = try tail.splitTracking(b, into: &mapped)
                } else {
                    try tail.split(unsafeBytes: b, into: &mapped)
                }
            }
            index += 1
        }
        mapped.forEachUnsafePiece { p in
            buffer.removeAll(keepingCapacity: true)
            ByteLevelAlphabet.appendUnmapped(p, to: &buffer)
            buffer.withUnsafeBufferPointer { out.append(unsafeBytes: $0) }
        }
        return firstStarts
    }

    func split(unsafeBytes piece: UnsafeBufferPointer<UInt8>, into out: inout PieceList) throws {
        if !mappedHalves.isEmpty {
            _ = try splitMapped(piece, startsInput: false, into: &out)
            return
        }
        guard stages.count > 1 else {
            if let only = stages.first { try only.split(unsafeBytes: piece, into: &out) } else { out.append(unsafeBytes: piece) }
            return
        }
        var current = PieceList()
        try stages[0].split(unsafeBytes: piece, into: &current)
        for k in 1..<stages.count {
            var next = PieceList()
            let stage = stages[k]
            if k == stages.count - 1 {
                try current.forEachUnsafePiece { try stage.split(unsafeBytes: $0, into: &out) }
                return
            }
            try current.forEachUnsafePiece { try stage.split(unsafeBytes: $0, into: &next) }
            current = next
        }
    }

    func split(unsafeBytes piece: UnsafeBufferPointer<UInt8>, startsInput: Bool, into out: inout PieceList) throws {
        guard startsInput, dependsOnInputStart else {
            try split(unsafeBytes: piece, into: &out)
            return
        }
        _ = try splitTracking(piece, into: &out)
    }

    /// Splits `piece`, which starts the input, and returns whether the first
    /// piece appended to `out` still starts it.
    func splitTracking(_ piece: UnsafeBufferPointer<UInt8>, into out: inout PieceList) throws -> Bool {
        if !mappedHalves.isEmpty {
            let before = out.count
            let starts = try splitMapped(piece, startsInput: true, into: &out)
            return out.count > before && starts
        }
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
            try current.forEachUnsafePiece { p in
                if index == 0 && firstStarts {
                    if last {
                        firstStarts = try splitFirst(stage, p, into: &out)
                    } else {
                        firstStarts = try splitFirst(stage, p, into: &next)
                    }
                } else if last {
                    try stage.split(unsafeBytes: p, into: &out)
                } else {
                    try stage.split(unsafeBytes: p, into: &next)
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
private func splitFirst(_ stage: any PreTokenizer, _ piece: UnsafeBufferPointer<UInt8>, into out: inout PieceList) throws -> Bool {
    let before = out.count
    if let sequence = stage as? SequencePreTokenizer {
        let starts = try sequence.splitTracking(piece, into: &out)
        return out.count > before && starts
    }
    if let aware = stage as? any InputStartAwarePreTokenizer {
        try aware.split(unsafeBytes: piece, startsInput: true, into: &out)
    } else {
        try stage.split(unsafeBytes: piece, into: &out)
    }
    guard out.count > before else { return false }
    return try (stage as? any FrontDroppingPreTokenizer)?.keepsFirstByte(ofUnsafeBytes: piece) ?? true
}

/// A pre-tokenizer that may drop bytes (whitespace, delimiters) at the
/// front of a piece. Stages that do not conform keep every byte or only add
/// bytes aligned with the front (ByteLevel's prefix space, Metaspace's "▁").
protocol FrontDroppingPreTokenizer {
    /// Whether the first piece made from `piece` (if any) starts at its first byte.
    func keepsFirstByte(ofUnsafeBytes piece: UnsafeBufferPointer<UInt8>) throws -> Bool
}
