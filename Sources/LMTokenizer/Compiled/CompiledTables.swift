/// The arrays of a compiled BPE model, as read from a compiled file, and
/// the checks that make adopting them safe.
///
/// `BPEModel`'s lookups index arrays with values read from these tables
/// (vocabulary entry offsets, merged ids, ranks) and probe hash slots until
/// an empty one: a value out of range would trap and a table without an
/// empty slot would never return. `model()` checks every such invariant
/// before building the model, so even a file crafted to pass the checksum
/// cannot crash or hang the encoder. Cost for Llama 3: one pass over
/// 1.4M hash slots and 128k entries.
struct CompiledTables {
    var scalars: [UInt64]
    var prefix: [UInt8]
    var suffix: [UInt8]
    var vocabArena: [UInt8]
    var vocabStarts: [Int32]
    var vocabLengths: [Int32]
    var vocabValues: [UInt32]
    var vocabSlots: [Int32]
    var idToString: TokenNames
    var untranslatableKeys: [String]
    var untranslatableIds: [UInt32]
    /// Adopted in place from the map (`TableArray`): 9.5 MB for Llama 3.
    var pairSlots: TableArray<UInt64>
    var pairMergedByRank: TableArray<UInt32>
    var byteFallbackIds: [UInt32]
    var byteIds: [UInt32]
    var reachable: [UInt8]
    var bytePairs: [UInt64]

    /// A table that breaks an invariant, and which.
    enum Invalid: Error {
        case table(CompiledFormat.Section, String)
    }

    private func scalar(_ s: CompiledFormat.Scalar) -> UInt64 { scalars[s.rawValue] }

    /// The model these tables describe, after checking them.
    func model() throws(Invalid) -> BPEModel {
        let ids = UInt64(idToString.count)
        guard ids <= UInt64(BPEModel.maxTokenId) else { throw .table(.idToString, "\(ids) ids, more than \(BPEModel.maxTokenId)") }
        func isId(_ v: UInt32) -> Bool { UInt64(v) < ids }
        func isIdOrAbsent(_ v: UInt32) -> Bool { v == UInt32.max || UInt64(v) < ids }

        let flags = scalar(.flags)
        let known = CompiledFormat.Flag.allRawValues
        guard flags & ~known == 0 else { throw .table(.scalars, "unknown flag bits \(flags & ~known)") }
        func has(_ f: CompiledFormat.Flag) -> Bool { flags & f.rawValue != 0 }
        guard has(.hasPrefix) || prefix.isEmpty, has(.hasSuffix) || suffix.isEmpty else {
            throw .table(.scalars, "a continuing_subword_prefix or end_of_word_suffix without its flag")
        }
        let unk = scalar(.unkId)
        guard unk == UInt64.max || unk < ids else { throw .table(.scalars, "unk id \(unk) out of range") }
        guard scalar(.vocabCount) <= UInt64(BPEModel.maxTokenId) else { throw .table(.scalars, "vocabulary count \(scalar(.vocabCount))") }

        let vocab = try checkedVocabulary(isId: isId)
        let merges = try checkedPairs(packed: has(.pairPacked), isId: isId)

        guard untranslatableKeys.count == untranslatableIds.count, untranslatableIds.allSatisfy(isId) else {
            throw .table(.untranslatableIds, "untranslatable strings and ids differ in count or hold an id out of range")
        }
        guard byteFallbackIds.count == 256, byteFallbackIds.allSatisfy(isIdOrAbsent) else {
            throw .table(.byteFallbackIds, "expected 256 ids in range")
        }
        guard byteIds.count == 256, byteIds.allSatisfy(isIdOrAbsent) else { throw .table(.byteIds, "expected 256 ids in range") }
        guard reachable.isEmpty || (UInt64(reachable.count) == ids && reachable.allSatisfy { $0 <= 1 }) else {
            throw .table(.reachable, "expected no flags or one 0/1 flag per id")
        }
        guard bytePairs.isEmpty || bytePairs.count == 1 << 16 else { throw .table(.bytePairs, "expected 0 or 65536 entries") }
        for v in bytePairs where v != UInt64.max && !isId(UInt32(truncatingIfNeeded: v)) {
            throw .table(.bytePairs, "merged id \(UInt32(truncatingIfNeeded: v)) out of range")
        }

        var untranslatable: [String: UInt32] = [:]
        untranslatable.reserveCapacity(untranslatableKeys.count)
        for (k, id) in zip(untranslatableKeys, untranslatableIds) { untranslatable[k] = id }
        return BPEModel(
            vocab: vocab, untranslatable: untranslatable, idToString: idToString, merges: merges,
            byteLevel: has(.byteLevel), ignoreMerges: has(.ignoreMerges), unkId: unk == UInt64.max ? nil : UInt32(unk),
            fuseUnk: has(.fuseUnk), byteFallback: has(.byteFallback), byteFallbackIds: byteFallbackIds, byteIds: byteIds,
            continuingSubwordPrefix: has(.hasPrefix) ? prefix : nil, endOfWordSuffix: has(.hasSuffix) ? suffix : nil,
            reachable: reachable.map { $0 != 0 }, bytePairs: bytePairs, vocabCount: Int(scalar(.vocabCount)))
    }

    /// The vocabulary hash table, if its entries lie inside the arena, its
    /// slots name entries, it has an empty slot, and its ids are in range.
    private func checkedVocabulary(isId: (UInt32) -> Bool) throws(Invalid) -> ByteStringTable {
        let n = vocabValues.count
        guard vocabStarts.count == n, vocabLengths.count == n else {
            throw .table(.vocabStarts, "\(vocabStarts.count) starts and \(vocabLengths.count) lengths for \(n) entries")
        }
        let size = vocabSlots.count
        guard size >= 16, size & (size - 1) == 0, scalar(.vocabMask) == UInt64(size - 1) else {
            throw .table(.vocabSlots, "\(size) slots with mask \(scalar(.vocabMask))")
        }
        var empty = 0
        for s in vocabSlots {
            guard s >= 0, Int(s) <= n else { throw .table(.vocabSlots, "slot names entry \(s) of \(n)") }
            if s == 0 { empty += 1 }
        }
        guard empty > 0 else { throw .table(.vocabSlots, "no empty slot") }
        for e in 0..<n {
            let start = Int(vocabStarts[e])
            let length = Int(vocabLengths[e])
            guard start >= 0, length >= 0, length <= vocabArena.count - start else {
                throw .table(.vocabStarts, "entry \(e) at \(start) of \(length) bytes is outside the \(vocabArena.count)-byte arena")
            }
        }
        guard vocabValues.allSatisfy(isId) else { throw .table(.vocabValues, "an id out of range") }
        return ByteStringTable(
            arena: vocabArena, starts: vocabStarts, lengths: vocabLengths, values: vocabValues, slots: vocabSlots, mask: size - 1)
    }

    /// The merge table, if its geometry matches `PairTable.init`'s, every
    /// used slot's rank and merged id are in range, and a slot is empty.
    private func checkedPairs(packed: Bool, isId: (UInt32) -> Bool) throws(Invalid) -> PairTable {
        let idBits = scalar(.pairIdBits)
        let rankBits = scalar(.pairRankBits)
        let shift = scalar(.pairShift)
        let mask = scalar(.pairMask)
        let size = packed ? pairSlots.count : pairSlots.count / 2
        guard size >= 16, size & (size - 1) == 0, mask == UInt64(size - 1),
              shift == UInt64(64 - size.trailingZeroBitCount), (1...63).contains(idBits), (1...63).contains(rankBits),
              packed ? 2 * idBits + rankBits <= 64 : (pairSlots.count % 2 == 0 && pairMergedByRank.count == 0)
        else {
            throw .table(.pairSlots, "\(pairSlots.count) slots with mask \(mask), shift \(shift), id bits \(idBits), rank bits \(rankBits)")
        }
        var used = 0
        if packed {
            let rankMask = (UInt64(1) << rankBits) - 1
            let ranks = UInt64(pairMergedByRank.count)
            let (inUse, badRank) = pairSlots.withUnsafeBufferPointer { slots -> (Int, UInt64?) in
                var used = 0
                for s in slots where s != 0 {
                    let rank = s & rankMask
                    guard rank >= 1, rank - 1 < ranks else { return (used, rank) }
                    used += 1
                }
                return (used, nil)
            }
            if let badRank { throw .table(.pairSlots, "a slot holds rank \(badRank) - 1 of \(ranks)") }
            used = inUse
            guard pairMergedByRank.withUnsafeBufferPointer({ $0.allSatisfy(isId) }) else {
                throw .table(.pairMergedByRank, "a merged id out of range")
            }
        } else {
            for k in 0..<size where pairSlots[2 * k] != PairTable.emptyWide {
                guard isId(UInt32(truncatingIfNeeded: pairSlots[2 * k + 1])) else {
                    throw .table(.pairSlots, "slot \(k) holds a merged id out of range")
                }
                used += 1
            }
        }
        guard used < size, UInt64(used) == scalar(.pairCount) else {
            throw .table(.pairSlots, "\(used) used slots of \(size), \(scalar(.pairCount)) recorded")
        }
        return PairTable(
            slots: pairSlots, mergedByRank: pairMergedByRank, idBits: idBits, rankBits: rankBits, packed: packed,
            shift: shift, mask: size - 1, count: used)
    }
}

extension ByteStringTable {
    /// Adopts checked arrays (see `CompiledTables.checkedVocabulary`).
    init(arena: [UInt8], starts: [Int32], lengths: [Int32], values: [UInt32], slots: [Int32], mask: Int) {
        self.arena = arena
        self.starts = starts
        self.lengths = lengths
        self.values = values
        self.slots = slots
        self.mask = mask
    }
}

extension PairTable {
    /// Adopts checked arrays (see `CompiledTables.checkedPairs`).
    init(
        slots: TableArray<UInt64>, mergedByRank: TableArray<UInt32>, idBits: UInt64, rankBits: UInt64, packed: Bool, shift: UInt64,
        mask: Int, count: Int
    ) {
        self.slots = slots
        self.mergedByRank = mergedByRank
        self.idBits = idBits
        self.rankBits = rankBits
        self.packed = packed
        self.shift = shift
        self.mask = mask
        self.count = count
    }
}

extension BPEModel {
    /// A model from checked compiled tables: the same values `init(json:)`
    /// computes, without computing them.
    init(
        vocab: ByteStringTable, untranslatable: [String: UInt32], idToString: TokenNames, merges: PairTable,
        byteLevel: Bool, ignoreMerges: Bool, unkId: UInt32?, fuseUnk: Bool, byteFallback: Bool,
        byteFallbackIds: [UInt32], byteIds: [UInt32], continuingSubwordPrefix: [UInt8]?, endOfWordSuffix: [UInt8]?,
        reachable: [Bool], bytePairs: [UInt64], vocabCount: Int
    ) {
        self.vocab = vocab
        self.untranslatable = untranslatable
        self.idToString = idToString
        self.merges = merges
        self.byteLevel = byteLevel
        self.ignoreMerges = ignoreMerges
        self.unkId = unkId
        self.fuseUnk = fuseUnk
        self.byteFallback = byteFallback
        self.byteFallbackIds = byteFallbackIds
        self.byteIds = byteIds
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.endOfWordSuffix = endOfWordSuffix
        self.reachable = reachable
        self.bytePairs = bytePairs
        self.vocabCount = vocabCount
    }
}
