/// Strict manifest validation: every field the reader will trust is
/// checked against every other (dtypes against sizes, file sizes against
/// counts, totals against sums) before any shard file is opened.
extension DatasetManifest {
    /// Throws `ShardError.badManifest` naming the first inconsistent field.
    public func validate(file: String) throws {
        func fail(_ field: String, _ reason: String) -> ShardError {
            .badManifest(file: file, field: field, reason: reason)
        }
        guard format == Format.name else { throw fail("format", "expected \"\(Format.name)\"") }
        guard formatVersion == Format.version else {
            throw fail("format_version", "unsupported version \(formatVersion)")
        }
        guard isHex(tokenizer.sha256, digits: 64) else { throw fail("tokenizer.sha256", "expected 64 lowercase hex digits") }
        guard vocabSize > 0, vocabSize <= Int(Int32.max) else { throw fail("vocab_size", "must be in 1...2^31-1") }
        if let eos = eosId, !(0..<vocabSize).contains(eos) { throw fail("eos_id", "outside the vocabulary") }
        if let pad = padId, !(0..<vocabSize).contains(pad) { throw fail("pad_id", "outside the vocabulary") }
        guard seqLen > 0, seqLen <= Int(Int32.max) else { throw fail("seq_len", "must be in 1...2^31-1") }
        guard tokenDType == tokenType.name else { throw fail("token_dtype", "expected \(tokenType.name) for this vocabulary") }
        guard positionDType == positionType.name else { throw fail("position_dtype", "expected \(positionType.name) for this seq_len") }
        guard lossMaskDType == MaskDType.name else { throw fail("loss_mask_dtype", "expected \(MaskDType.name)") }
        guard checksum.algorithm == "xxh3-64" else { throw fail("checksum.algorithm", "expected xxh3-64") }
        guard checksum.blockSize > 0, checksum.blockSize <= 1 << 40 else { throw fail("checksum.block_size", "must be positive") }

        var names = Set<String>()
        var sequences = 0, tokens = 0, bytes = 0
        for (i, s) in shards.enumerated() {
            let f = "shards[\(i)]"
            guard !s.name.isEmpty, !s.name.contains("/"), !s.name.hasPrefix("."), s.name != Format.manifestFileName else {
                throw fail("\(f).name", "must be a plain, non-hidden file stem")
            }
            guard names.insert(s.name).inserted else { throw fail("\(f).name", "duplicate shard name") }
            guard s.sequences >= 0, s.tokens >= 0 else { throw fail(f, "negative count") }
            let expected: [ShardFile: Int] = [
                .bin: s.tokens * tokenType.size,
                .idx: Format.Index.fileSize(sequenceCount: s.sequences),
                .pos: Format.Plane.headerSize + s.tokens * positionType.size,
                .mask: Format.Plane.headerSize + s.tokens,
            ]
            for part in ShardFile.allCases {
                let summary = s.files[part]
                guard isHex(summary.xxh3, digits: 16) else { throw fail("\(f).files.\(part).xxh3", "expected 16 lowercase hex digits") }
                if let want = expected[part], summary.size != want {
                    throw fail("\(f).files.\(part).size", "\(summary.size), expected \(want) from the counts")
                }
                guard summary.size >= 0 else { throw fail("\(f).files.\(part).size", "negative") }
                bytes += summary.size
            }
            sequences += s.sequences
            tokens += s.tokens
        }
        guard totals.shards == shards.count else { throw fail("totals.shards", "expected \(shards.count)") }
        guard totals.sequences == sequences else { throw fail("totals.sequences", "expected \(sequences)") }
        guard totals.tokens == tokens else { throw fail("totals.tokens", "expected \(tokens)") }
        guard totals.bytes == bytes else { throw fail("totals.bytes", "expected \(bytes)") }
    }

    private func isHex(_ s: String, digits: Int) -> Bool {
        s.utf8.count == digits && s.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }
}
