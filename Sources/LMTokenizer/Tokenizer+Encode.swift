import Foundation

/// Per-thread buffers for encoding; kept across texts so a batch allocates
/// only while the buffers grow.
struct EncodeScratch {
    let model = ModelScratch()
    var pieces = PieceList()
    /// BPE's buffers and the piece cache (inside `model`).
    var bpe: BPEScratch { model.bpe }
}

extension Tokenizer {
    /// The ids HF's `encode(text, add_special_tokens:).ids` gives.
    /// Linear in the text length for ordinary text; one piece of k symbols
    /// that misses the vocabulary costs O(k log k) to merge.
    ///
    /// Traps where HF raises: when a Split or Replace regex of the tokenizer
    /// gives up on `text` (Oniguruma's retry limit), or when the model has
    /// no unknown token for a piece (a Unigram without `unk_id`, a
    /// WordPiece or WordLevel whose `unk_token` is missing). Only such
    /// tokenizers can get there (not GPT-2's, Llama 3's or Qwen2's); for
    /// text you do not control, use `encodeChecked`, which throws instead.
    public func encode(_ text: String, addSpecialTokens: Bool = false) -> [UInt32] {
        var text = text
        var ids: [UInt32] = []
        text.withUTF8 { encode(unsafeUTF8: $0, addSpecialTokens: addSpecialTokens, into: &ids) }
        return ids
    }

    /// `encode(text)`, throwing where HF raises: `TokenizerError.regexFailed`
    /// (a regex gave up) or `.unencodable` (the model has no unknown token
    /// for a piece).
    public func encodeChecked(_ text: String, addSpecialTokens: Bool = false) throws -> [UInt32] {
        var text = text
        var ids: [UInt32] = []
        try text.withUTF8 { try encodeChecked(unsafeUTF8: $0, addSpecialTokens: addSpecialTokens, into: &ids) }
        return ids
    }

    /// Appends the ids for UTF-8 `bytes` to `ids`. Invalid UTF-8 does not
    /// crash: each bad byte is treated as one "other" character (a stage
    /// running a regex refuses it: see `encodeChecked`). Traps where
    /// `encode(_:)` does.
    public func encode(unsafeUTF8 bytes: UnsafeBufferPointer<UInt8>, addSpecialTokens: Bool = false, into ids: inout [UInt32]) {
        scratchPool.with { encode(unsafeUTF8: bytes, addSpecialTokens: addSpecialTokens, into: &ids, scratch: &$0) }
    }

    /// `encode(unsafeUTF8:)`, throwing where HF raises (`.regexFailed`,
    /// `.unencodable`) and
    /// for invalid UTF-8 reaching a regex (`.invalidUTF8`); `ids` then holds
    /// what it held before the call.
    public func encodeChecked(
        unsafeUTF8 bytes: UnsafeBufferPointer<UInt8>, addSpecialTokens: Bool = false, into ids: inout [UInt32]
    ) throws {
        try scratchPool.with { try encodeChecked(unsafeUTF8: bytes, addSpecialTokens: addSpecialTokens, into: &ids, scratch: &$0) }
    }

    func encode(unsafeUTF8 bytes: UnsafeBufferPointer<UInt8>, addSpecialTokens: Bool, into ids: inout [UInt32], scratch: inout EncodeScratch) {
        do {
            try encodeChecked(unsafeUTF8: bytes, addSpecialTokens: addSpecialTokens, into: &ids, scratch: &scratch)
        } catch {
            fatalError("\(error) (Tokenizer.encodeChecked reports this as an error)")
        }
    }

    func encodeChecked(
        unsafeUTF8 bytes: UnsafeBufferPointer<UInt8>, addSpecialTokens: Bool, into ids: inout [UInt32],
        scratch: inout EncodeScratch
    ) throws {
        let before = ids.count
        do {
            if addSpecialTokens, let post = postProcessor {
                var own: [UInt32] = []
                try encodeBody(bytes, into: &own, scratch: &scratch)
                ids.append(contentsOf: post.process(own, pair: nil))
            } else {
                try encodeBody(bytes, into: &ids, scratch: &scratch)
            }
        } catch {
            ids.removeSubrange(before...)
            throw error
        }
    }

    /// Added tokens on the raw text -> normalizer -> added tokens on the
    /// normalized text -> pre-tokenizer -> BPE, as HF's `encode_single_sequence`.
    ///
    /// `startsInput` follows each stretch down: true only for the stretch
    /// that begins at byte 0 of the input (none after an added token), which
    /// is what Metaspace's "first" scheme needs. HF measures that offset in
    /// the original text, so a stretch whose leading characters the
    /// normalizer deleted (Strip, Replace with "") no longer starts it.
    private func encodeBody(_ bytes: UnsafeBufferPointer<UInt8>, into ids: inout [UInt32], scratch: inout EncodeScratch) throws {
        if rawAdded.isEmpty {
            try encodeNormalizing(bytes, startsInput: true, into: &ids, scratch: &scratch)
            return
        }
        try rawAdded.split(unsafeBytes: bytes) { start, end, token in
            if let token {
                ids.append(token.id)
            } else {
                try encodeNormalizing(
                    UnsafeBufferPointer(rebasing: bytes[start..<end]), startsInput: start == 0, into: &ids, scratch: &scratch)
            }
        }
    }

    private func encodeNormalizing(
        _ bytes: UnsafeBufferPointer<UInt8>, startsInput: Bool, into ids: inout [UInt32], scratch: inout EncodeScratch
    ) throws {
        guard let normalizer else {
            try encodeNormalized(bytes, startsInput: startsInput, into: &ids, scratch: &scratch)
            return
        }
        let text = String(decoding: bytes, as: UTF8.self)
        guard startsInput, inputStartAware != nil else {
            var normalized = try normalizer.normalize(text)
            try normalized.withUTF8 { try encodeNormalized($0, startsInput: startsInput, into: &ids, scratch: &scratch) }
            return
        }
        var (normalized, fromFirst) = try normalizer.normalizeTrackingOrigin(text, fromFirst: 1)
        try normalized.withUTF8 { try encodeNormalized($0, startsInput: fromFirst > 0, into: &ids, scratch: &scratch) }
    }

    private func encodeNormalized(
        _ bytes: UnsafeBufferPointer<UInt8>, startsInput: Bool, into ids: inout [UInt32], scratch: inout EncodeScratch
    ) throws {
        if normalizedAdded.isEmpty {
            try encodeText(bytes, startsInput: startsInput, into: &ids, scratch: &scratch)
            return
        }
        try normalizedAdded.split(unsafeBytes: bytes) { start, end, token in
            if let token {
                ids.append(token.id)
            } else {
                try encodeText(
                    UnsafeBufferPointer(rebasing: bytes[start..<end]), startsInput: startsInput && start == 0,
                    into: &ids, scratch: &scratch)
            }
        }
    }

    /// Pre-tokenizes one stretch of text and runs the model on every piece.
    @inline(__always)
    private func encodeText(
        _ bytes: UnsafeBufferPointer<UInt8>, startsInput: Bool, into ids: inout [UInt32], scratch: inout EncodeScratch
    ) throws {
        guard !bytes.isEmpty else { return }
        if let bpe {
            let s = scratch.bpe
            try preTokenize(bytes, startsInput: startsInput, pieces: &scratch.pieces) { all, start, end in
                bpe.encodePiece(all, start, end, scratch: s, into: &ids)
            }
        } else {
            let s = scratch.model
            var failed: TokenizerError? = nil
            try preTokenize(bytes, startsInput: startsInput, pieces: &scratch.pieces) { all, start, end in
                if failed == nil { failed = encodeWithModel(all, start, end, scratch: s, into: &ids) }
            }
            if let failed { throw failed }
        }
    }

    /// Calls `body(all, start, end)` for each piece the pre-tokenizer makes
    /// of `bytes`, `all[start..<end]`; with no pre-tokenizer, once for all
    /// of it. A direct scanner hands its matches over without copying
    /// them; other pre-tokenizers fill `pieces` first.
    @inline(__always)
    private func preTokenize(
        _ bytes: UnsafeBufferPointer<UInt8>, startsInput: Bool, pieces: inout PieceList,
        _ body: (UnsafeBufferPointer<UInt8>, Int, Int) -> Void
    ) throws {
        guard let preTokenizer else {
            body(bytes, 0, bytes.count)
            return
        }
        if let directSplit {
            try directSplit.forEachMatch(inUnsafeBytes: bytes) { start, end in body(bytes, start, end) }
            return
        }
        pieces.removeAll()
        if let inputStartAware {
            try inputStartAware.split(unsafeBytes: bytes, startsInput: startsInput, into: &pieces)
        } else {
            try preTokenizer.split(unsafeBytes: bytes, into: &pieces)
        }
        pieces.forEachUnsafeRange(body)
    }

    /// A piece through a model other than BPE, with the piece cache.
    /// Returns `TokenizerError.unencodable` where HF raises: the model has
    /// no unknown token for the piece (Unigram without `unk_id`, WordPiece
    /// or WordLevel whose `unk_token` is not in the vocabulary).
    private func encodeWithModel(
        _ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, scratch s: ModelScratch, into ids: inout [UInt32]
    ) -> TokenizerError? {
        let model = self.model
        let encoded = s.bpe.cachedEncode(text, start, end, into: &ids) { piece, out in
            guard mapsPiecesToByteAlphabet else { return model.encode(piece: piece, scratch: s, into: &out) }
            s.mapped.removeAll(keepingCapacity: true)
            for b in piece { s.mapped.append(contentsOf: ByteLevelAlphabet.utf8[Int(b)]) }
            return s.mapped.withUnsafeBufferPointer { model.encode(piece: $0, scratch: s, into: &out) }
        }
        guard encoded else {
            return TokenizerError.unencodable(
                piece: String(decoding: text[start..<end].prefix(200), as: UTF8.self),
                reason: "the model has no unknown token to stand for it (HF tokenizers fails here too)")
        }
        return nil
    }

    /// Encodes every text on at most `threads` worker threads (default:
    /// all cores), returning the ids in input order. Texts are handed out in
    /// contiguous chunks, many more than workers so one long text does not
    /// idle the rest; each chunk reuses one scratch.
    public func encodeBatch(_ texts: [String], addSpecialTokens: Bool = false, threads: Int? = nil) -> [[UInt32]] {
        let n = texts.count
        guard n > 0 else { return [] }
        let workers = max(1, min(threads ?? ProcessInfo.processInfo.activeProcessorCount, n))
        let chunks = workers == 1 ? 1 : min(n, workers * 8)
        let results = BatchResults(count: n)
        WorkerPool.run(tasks: chunks, workers: workers) { c in
            scratchPool.with { scratch in
                for i in (c * n / chunks)..<((c + 1) * n / chunks) {
                    var text = texts[i]
                    var ids: [UInt32] = []
                    text.withUTF8 { encode(unsafeUTF8: $0, addSpecialTokens: addSpecialTokens, into: &ids, scratch: &scratch) }
                    results.set(i, ids)
                }
            }
        }
        return results.values
    }
}

/// `encodeBatch`'s output slots, in raw memory so that workers store into
/// distinct slots without touching a shared array's header.
/// `@unchecked Sendable`: every slot is written by exactly one worker (the
/// chunks are disjoint), and read only after `WorkerPool.run` returned.
private final class BatchResults: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<[UInt32]>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: [])
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    @inline(__always)
    func set(_ i: Int, _ ids: [UInt32]) { slots[i] = ids }

    var values: [[UInt32]] { Array(slots) }
}
