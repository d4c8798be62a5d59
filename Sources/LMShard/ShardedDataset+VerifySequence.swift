import LMIO

/// Verifying only the bytes one sequence touches, for readers that spot-check
/// what they serve instead of reading a whole dataset first.
extension ShardedDataset {
    /// Checks the checksum blocks covering global sequence `index` in all four
    /// planes (its tokens, positions, mask bytes and its `.idx` entries),
    /// after authenticating the shard's `.sum` against the manifest, then
    /// its token ids against `vocab_size` and positions against `seq_len`.
    ///
    /// Cost: hashing `.sum` (8 bytes per block of the shard) plus at most two
    /// blocks per plane for a sequence shorter than a block.
    public func verifySequence(at index: Int) throws -> [Damage] {
        let (s, local) = try locate(index)
        let reader = shards[s]
        let summary = manifest.shards[s]
        let sumPath = directory.appendingPathComponent(ShardFile.sum.fileName(shard: reader.name)).path
        let sum = try MappedFile(path: sumPath)
        let expected = Checksum.parseHex(summary.files.sum.xxh3) ?? 0
        let actual = Checksum.xxh3(sum.unsafeBytes)
        guard actual == expected else {
            return [Damage(shard: reader.name, file: .sum, block: nil, byteRange: 0..<sum.count,
                           kind: .checksum(expected: expected, actual: actual))]
        }
        let table = try ChecksumFile.parse(sum.unsafeBytes, file: sumPath)
        let (start, count) = reader.span(local)
        let n = reader.sequenceCount
        let lengthsAt = Format.Index.headerSize, pointersAt = lengthsAt + 4 * n
        let tsize = reader.tokenDType.size, psize = reader.positionDType.size, header = Format.Plane.headerSize
        let tokenRange = (start * tsize)..<((start + count) * tsize)
        let positionRange = (header + start * psize)..<(header + (start + count) * psize)
        // Byte ranges this sequence's read depends on, per file.
        let ranges: [(ShardFile, MappedFile, [Range<Int>])] = [
            (.bin, reader.bin, [tokenRange]),
            (.idx, reader.idx, [0..<Format.Index.headerSize, (lengthsAt + 4 * local)..<(lengthsAt + 4 * local + 4),
                                (pointersAt + 8 * local)..<(pointersAt + 8 * local + 8)]),
            (.pos, reader.pos, [0..<header, positionRange]),
            (.mask, reader.mask, [0..<header, (header + start)..<(header + start + count)]),
        ]
        var damage: [Damage] = []
        for (part, file, spans) in ranges {
            guard let k = ShardFile.checksummed.firstIndex(of: part) else { continue }
            let entry = table.entries[k]
            guard entry.size == file.count else {
                damage.append(Damage(shard: reader.name, file: part, block: nil, byteRange: nil,
                                     kind: .size(expected: entry.size, actual: file.count)))
                continue
            }
            var blocks = Set<Int>()
            for r in spans where !r.isEmpty {
                blocks.formUnion((r.lowerBound / table.blockSize)...((r.upperBound - 1) / table.blockSize))
            }
            for b in blocks.sorted() {
                let h = Checksum.blockHash(file.unsafeBytes, block: b, blockSize: table.blockSize)
                if h != entry.blocks[b] {
                    let lo = b * table.blockSize
                    damage.append(Damage(shard: reader.name, file: part, block: b,
                                         byteRange: lo..<min(lo + table.blockSize, file.count),
                                         kind: .checksum(expected: entry.blocks[b], actual: h)))
                }
            }
        }
        // The values no checksum can vouch for (FORMAT.md section 7,
        // "Verification", step 6), when their blocks are intact.
        if !damage.contains(where: { $0.file == .bin }) {
            var scan = ValueScan(limit: UInt64(manifest.vocabSize), width: tsize, headerSize: 0)
            scan.scan(reader.bin.unsafeBytes, tokenRange)
            if let d = scan.tokenDamage(shard: reader.name, dtype: reader.tokenDType, vocabSize: manifest.vocabSize) {
                damage.append(d)
            }
        }
        if !damage.contains(where: { $0.file == .pos }) {
            var scan = ValueScan(limit: UInt64(manifest.seqLen), width: psize, headerSize: header)
            scan.scan(reader.pos.unsafeBytes, positionRange)
            if let d = scan.positionDamage(shard: reader.name, seqLen: manifest.seqLen) { damage.append(d) }
        }
        return damage
    }
}
