/// Strict manifest validation: every field the reader will trust is
/// checked against every other (dtypes against sizes, file sizes against
/// counts, totals against sums) before any shard file is opened.
///
/// Every count and size here comes from an untrusted file, so products and
/// sums use checked arithmetic: `tokens` near 2^62 must be an error naming
/// the field, not an overflow trap (FORMAT.md section 6).
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
        guard checksum.blockSize > 0, checksum.blockSize <= 1 << 40 else { throw fail("checksum.block_size", "must be in 1...2^40") }

        var names = Set<String>()
        var sequences = 0, tokens = 0, bytes = 0
        for (i, s) in shards.enumerated() {
            let f = "shards[\(i)]"
            guard !s.name.isEmpty, !s.name.contains("/"), !s.name.contains("\0"), !s.name.hasPrefix("."),
                  s.name != Format.manifestFileName else {
                throw fail("\(f).name", "must be a plain, non-hidden file stem")
            }
            guard names.insert(s.name).inserted else { throw fail("\(f).name", "duplicate shard name") }
            guard s.sequences >= 0 else { throw fail("\(f).sequences", "negative count \(s.sequences)") }
            guard s.tokens >= 0 else { throw fail("\(f).tokens", "negative count \(s.tokens)") }
            for part in ShardFile.allCases {
                let summary = s.files[part]
                guard isHex(summary.xxh3, digits: 16) else { throw fail("\(f).files.\(part).xxh3", "expected 16 lowercase hex digits") }
                guard summary.size >= 0 else { throw fail("\(f).files.\(part).size", "negative size \(summary.size)") }
                if part != .sum {
                    guard let want = Self.expectedSize(part, sequences: s.sequences, tokens: s.tokens,
                                                       tokenType: tokenType, positionType: positionType) else {
                        let field = part == .idx ? "sequences" : "tokens"
                        throw fail("\(f).\(field)", "\(part == .idx ? s.sequences : s.tokens) is too large: "
                                   + "the .\(part) size overflows")
                    }
                    guard summary.size == want else {
                        throw fail("\(f).files.\(part).size", "\(summary.size), expected \(want) from the counts")
                    }
                }
                guard let sum = Self.add(bytes, summary.size) else { throw fail("\(f).files.\(part).size", "total bytes overflow") }
                bytes = sum
            }
            guard let seqSum = Self.add(sequences, s.sequences) else { throw fail("\(f).sequences", "total sequences overflow") }
            guard let tokSum = Self.add(tokens, s.tokens) else { throw fail("\(f).tokens", "total tokens overflow") }
            sequences = seqSum
            tokens = tokSum
        }
        guard totals.shards == shards.count else { throw fail("totals.shards", "\(totals.shards), expected \(shards.count)") }
        guard totals.sequences == sequences else { throw fail("totals.sequences", "\(totals.sequences), expected \(sequences)") }
        guard totals.tokens == tokens else { throw fail("totals.tokens", "\(totals.tokens), expected \(tokens)") }
        guard totals.bytes == bytes else { throw fail("totals.bytes", "\(totals.bytes), expected \(bytes)") }
    }

    /// The size FORMAT.md sections 2-4 give data file `part` (not `.sum`,
    /// whose size depends on the block size) of a shard with these counts;
    /// `nil` when it overflows `Int`.
    static func expectedSize(_ part: ShardFile, sequences: Int, tokens: Int,
                             tokenType: TokenDType, positionType: PositionDType) -> Int? {
        switch part {
        case .bin: return mul(tokens, tokenType.size)
        case .idx: return Format.Index.fileSize(sequenceCount: sequences)
        case .pos: return mul(tokens, positionType.size).flatMap { add($0, Format.Plane.headerSize) }
        case .mask: return add(tokens, Format.Plane.headerSize)
        case .sum: preconditionFailure(".sum has no size formula in the counts")
        }
    }

    private static func mul(_ a: Int, _ b: Int) -> Int? {
        let (v, o) = a.multipliedReportingOverflow(by: b)
        return o ? nil : v
    }

    private static func add(_ a: Int, _ b: Int) -> Int? {
        let (v, o) = a.addingReportingOverflow(b)
        return o ? nil : v
    }

    private func isHex(_ s: String, digits: Int) -> Bool {
        s.utf8.count == digits && s.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }
}
