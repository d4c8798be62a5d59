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
    public func encode(_ text: String, addSpecialTokens: Bool = false) -> [UInt32] {
        var text = text
        var ids: [UInt32] = []
        text.withUTF8 { encode(unsafeUTF8: $0, addSpecialTokens: addSpecialTokens, into: &ids) }
        return ids
    }

    /// Appends the ids for UTF-8 `bytes` to `ids`. Invalid UTF-8 does not
    /// crash: each bad byte is treated as one "other" character.
    public func encode(unsafeUTF8 bytes: UnsafeBufferPointer<UInt8>, addSpecialTokens: Bool = false, into ids: inout [UInt32]) {
        scratchPool.with { encode(unsafeUTF8: bytes, addSpecialTokens: addSpecialTokens, into: &ids, scratch: &$0) }
    }

    func encode(unsafeUTF8 bytes: UnsafeBufferPointer<UInt8>, addSpecialTokens: Bool, into ids: inout [UInt32], scratch: inout EncodeScratch) {
        if addSpecialTokens, let post = postProcessor {
            var own: [UInt32] = []
            encodeBody(bytes, into: &own, scratch: &scratch)
            ids.append(contentsOf: post.process(own, pair: nil))
        } else {
            encodeBody(bytes, into: &ids, scratch: &scratch)
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
    private func encodeBody(_ bytes: UnsafeBufferPointer<UInt8>, into ids: inout [UInt32], scratch: inout EncodeScratch) {
        if rawAdded.isEmpty {
            encodeNormalizing(bytes, startsInput: true, into: &ids, scratch: &scratch)
            return
        }
        rawAdded.split(unsafeBytes: bytes) { start, end, token in
            if let token {
                ids.append(token.id)
            } else {
                encodeNormalizing(
                    UnsafeBufferPointer(rebasing: bytes[start..<end]), startsInput: start == 0, into: &ids, scratch: &scratch)
            }
        }
    }

    private func encodeNormalizing(
        _ bytes: UnsafeBufferPointer<UInt8>, startsInput: Bool, into ids: inout [UInt32], scratch: inout EncodeScratch
    ) {
        guard let normalizer else {
            encodeNormalized(bytes, startsInput: startsInput, into: &ids, scratch: &scratch)
            return
        }
        let text = String(decoding: bytes, as: UTF8.self)
        guard startsInput, inputStartAware != nil else {
            var normalized = normalizer.normalize(text)
            normalized.withUTF8 { encodeNormalized($0, startsInput: startsInput, into: &ids, scratch: &scratch) }
            return
        }
        var (normalized, keepsStart) = normalizer.normalizeTrackingStart(text)
        normalized.withUTF8 { encodeNormalized($0, startsInput: keepsStart, into: &ids, scratch: &scratch) }
    }

    private func encodeNormalized(
        _ bytes: UnsafeBufferPointer<UInt8>, startsInput: Bool, into ids: inout [UInt32], scratch: inout EncodeScratch
    ) {
        if normalizedAdded.isEmpty {
            encodeText(bytes, startsInput: startsInput, into: &ids, scratch: &scratch)
            return
        }
        normalizedAdded.split(unsafeBytes: bytes) { start, end, token in
            if let token {
                ids.append(token.id)
            } else {
                encodeText(
                    UnsafeBufferPointer(rebasing: bytes[start..<end]), startsInput: startsInput && start == 0,
                    into: &ids, scratch: &scratch)
            }
        }
    }

    /// Pre-tokenizes one stretch of text and runs the model on every piece.
    @inline(__always)
    private func encodeText(
        _ bytes: UnsafeBufferPointer<UInt8>, startsInput: Bool, into ids: inout [UInt32], scratch: inout EncodeScratch
    ) {
        guard !bytes.isEmpty else { return }
        if let bpe {
            let s = scratch.bpe
            preTokenize(bytes, startsInput: startsInput, pieces: &scratch.pieces) { all, start, end in
                bpe.encodePiece(all, start, end, scratch: s, into: &ids)
            }
        } else {
            let s = scratch.model
            preTokenize(bytes, startsInput: startsInput, pieces: &scratch.pieces) { all, start, end in
                encodeWithModel(all, start, end, scratch: s, into: &ids)
            }
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
    ) {
        guard let preTokenizer else {
            body(bytes, 0, bytes.count)
            return
        }
        if let directSplit {
            directSplit.forEachMatch(inUnsafeBytes: bytes) { start, end in body(bytes, start, end) }
            return
        }
        pieces.removeAll()
        if let inputStartAware {
            inputStartAware.split(unsafeBytes: bytes, startsInput: startsInput, into: &pieces)
        } else {
            preTokenizer.split(unsafeBytes: bytes, into: &pieces)
        }
        pieces.forEachUnsafeRange(body)
    }

    /// A piece through a model other than BPE, with the piece cache; a
    /// piece the model cannot encode is recorded in the scratch (see
    /// `encodeChecked`).
    private func encodeWithModel(
        _ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, scratch s: ModelScratch, into ids: inout [UInt32]
    ) {
        let model = self.model
        let encoded = s.bpe.cachedEncode(text, start, end, into: &ids) { piece, out in
            guard mapsPiecesToByteAlphabet else { return model.encode(piece: piece, scratch: s, into: &out) }
            s.mapped.removeAll(keepingCapacity: true)
            for b in piece { s.mapped.append(contentsOf: ByteLevelAlphabet.utf8[Int(b)]) }
            return s.mapped.withUnsafeBufferPointer { model.encode(piece: $0, scratch: s, into: &out) }
        }
        if !encoded { s.recordFailure(UnsafeBufferPointer(rebasing: text[start..<end])) }
    }

    /// `encode`, but throws `TokenizerError.unencodable` where HF raises
    /// instead of returning ids: a piece the model cannot encode because
    /// it has no unknown token for it (Unigram without `unk_id`, WordPiece
    /// or WordLevel whose `unk_token` is not in the vocabulary). `encode`
    /// leaves such pieces out.
    public func encodeChecked(_ text: String, addSpecialTokens: Bool = false) throws -> [UInt32] {
        var text = text
        var ids: [UInt32] = []
        try text.withUTF8 { try encodeChecked(unsafeUTF8: $0, addSpecialTokens: addSpecialTokens, into: &ids) }
        return ids
    }

    /// `encode(unsafeUTF8:addSpecialTokens:into:)`, throwing as `encodeChecked(_:)`.
    public func encodeChecked(
        unsafeUTF8 bytes: UnsafeBufferPointer<UInt8>, addSpecialTokens: Bool = false, into ids: inout [UInt32]
    ) throws {
        let failed: [UInt8]? = scratchPool.with { scratch in
            _ = scratch.model.takeFailure()
            encode(unsafeUTF8: bytes, addSpecialTokens: addSpecialTokens, into: &ids, scratch: &scratch)
            return scratch.model.takeFailure()
        }
        if let failed {
            throw TokenizerError.unencodable(
                piece: String(decoding: failed.prefix(200), as: UTF8.self),
                reason: "the model has no unknown token to stand for it (Python tokenizers raises here too)")
        }
    }

    /// Encodes every text on `threads` worker threads (default: all cores),
    /// returning the ids in input order. Texts are handed out in contiguous
    /// chunks so each worker reuses one scratch.
    public func encodeBatch(_ texts: [String], addSpecialTokens: Bool = false, threads: Int? = nil) -> [[UInt32]] {
        let n = texts.count
        guard n > 0 else { return [] }
        let workers = max(1, min(threads ?? ProcessInfo.processInfo.activeProcessorCount, n))
        var results = [[UInt32]](repeating: [], count: n)
        if workers == 1 {
            scratchPool.with { scratch in
                for i in 0..<n {
                    var text = texts[i]
                    text.withUTF8 { encode(unsafeUTF8: $0, addSpecialTokens: addSpecialTokens, into: &results[i], scratch: &scratch) }
                }
            }
            return results
        }
        // Many more chunks than workers so one long text does not idle the rest.
        let chunks = min(n, workers * 8)
        results.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                guard let base else { return }
                let lo = c * n / chunks
                let hi = (c + 1) * n / chunks
                scratchPool.with { scratch in
                    for i in lo..<hi {
                        var text = texts[i]
                        var ids: [UInt32] = []
                        text.withUTF8 { encode(unsafeUTF8: $0, addSpecialTokens: addSpecialTokens, into: &ids, scratch: &scratch) }
                        (base + i).pointee = ids
                    }
                }
            }
        }
        return results
    }
}
