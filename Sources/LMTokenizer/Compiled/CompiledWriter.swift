import LMJSON

/// Writes the compiled form of a BPE tokenizer (see `CompiledFormat`): the
/// mirror of `CompiledReader`.
struct CompiledWriter {
    /// The whole compiled file for `model`, built from a `tokenizer.json`
    /// of `sourceSize` bytes hashing to `sourceSHA256` whose parsed root
    /// object is `root`. Nil when `root` does not survive a JSON round trip
    /// unchanged (then a compiled load could differ, so none is written).
    static func encode(model: BPEModel, root: JSONObject, sourceSize: Int, sourceSHA256: [UInt8]) -> [UInt8]? {
        guard sourceSHA256.count == 32 else { return nil }
        var rest = root
        if case var .object(m)? = rest["model"] {
            m["vocab"] = nil
            m["merges"] = nil
            rest["model"] = .object(m)
        }
        let json = JSONValue.object(rest).serializedBytes()
        guard (try? JSONParser.parse(json)) == .object(rest) else { return nil }

        var sections: [(CompiledFormat.Section, [UInt8])] = []
        func add<T: FixedWidthInteger>(_ section: CompiledFormat.Section, _ values: [T]) {
            precondition(MemoryLayout<T>.size == section.elementSize)
            // Little-endian hosts only (`TokenizerCache`): the in-memory
            // bytes are the file's.
            sections.append((section, values.withUnsafeBytes { [UInt8]($0) }))
        }
        var flags: UInt64 = 0
        func flag(_ f: CompiledFormat.Flag, _ on: Bool) { if on { flags |= f.rawValue } }
        flag(.byteLevel, model.byteLevel)
        flag(.ignoreMerges, model.ignoreMerges)
        flag(.fuseUnk, model.fuseUnk)
        flag(.byteFallback, model.byteFallback)
        flag(.hasPrefix, model.continuingSubwordPrefix != nil)
        flag(.hasSuffix, model.endOfWordSuffix != nil)
        flag(.pairPacked, model.merges.packed)
        var scalars = [UInt64](repeating: 0, count: CompiledFormat.Scalar.allCases.count)
        scalars[CompiledFormat.Scalar.flags.rawValue] = flags
        scalars[CompiledFormat.Scalar.unkId.rawValue] = model.unkId.map(UInt64.init) ?? UInt64.max
        scalars[CompiledFormat.Scalar.vocabCount.rawValue] = UInt64(model.vocabCount)
        scalars[CompiledFormat.Scalar.vocabMask.rawValue] = UInt64(model.vocab.mask)
        scalars[CompiledFormat.Scalar.pairIdBits.rawValue] = model.merges.idBits
        scalars[CompiledFormat.Scalar.pairRankBits.rawValue] = model.merges.rankBits
        scalars[CompiledFormat.Scalar.pairShift.rawValue] = model.merges.shift
        scalars[CompiledFormat.Scalar.pairMask.rawValue] = UInt64(model.merges.mask)
        scalars[CompiledFormat.Scalar.pairCount.rawValue] = UInt64(model.merges.count)

        sections.append((.json, json))
        add(.scalars, scalars)
        sections.append((.continuingSubwordPrefix, model.continuingSubwordPrefix ?? []))
        sections.append((.endOfWordSuffix, model.endOfWordSuffix ?? []))
        sections.append((.vocabArena, model.vocab.arena))
        add(.vocabStarts, model.vocab.starts)
        add(.vocabLengths, model.vocab.lengths)
        add(.vocabValues, model.vocab.values)
        add(.vocabSlots, model.vocab.slots)
        sections.append((.idToString, model.idToString.list))
        let untranslatable = model.untranslatable.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        sections.append((.untranslatableKeys, StringList.encode(untranslatable.map(\.key))))
        add(.untranslatableIds, untranslatable.map(\.value))
        add(.pairSlots, model.merges.slots.elements)
        add(.pairMergedByRank, model.merges.mergedByRank.elements)
        add(.byteFallbackIds, model.byteFallbackIds)
        add(.byteIds, model.byteIds)
        sections.append((.reachable, model.reachable.map { $0 ? 1 : 0 }))
        add(.bytePairs, model.bytePairs)
        precondition(sections.map(\.0) == CompiledFormat.Section.allCases, "sections out of file order")

        // Header (checksum patched in last), section table, then the
        // sections at aligned offsets, in one buffer.
        let tableEnd = CompiledFormat.headerSize + sections.count * CompiledFormat.sectionEntrySize
        var file = [UInt8]()
        file.reserveCapacity(align(tableEnd) + sections.reduce(0) { $0 + align($1.1.count) })
        file.append(contentsOf: CompiledFormat.magic)
        appendLE(&file, CompiledFormat.version)
        appendLE(&file, UInt32(sections.count))
        appendLE(&file, UInt64(sourceSize))
        file.append(contentsOf: sourceSHA256)
        appendLE(&file, UInt64(0))  // payload length
        appendLE(&file, UInt64(0))  // checksum
        precondition(file.count == CompiledFormat.headerSize)
        var offset = align(tableEnd)
        for (section, bytes) in sections {
            appendLE(&file, section.rawValue)
            appendLE(&file, UInt32(section.elementSize))
            appendLE(&file, UInt64(offset))
            appendLE(&file, UInt64(bytes.count))
            offset += align(bytes.count)
        }
        for (_, bytes) in sections {
            file.append(contentsOf: [UInt8](repeating: 0, count: align(file.count) - file.count))
            file.append(contentsOf: bytes)
        }
        file.append(contentsOf: [UInt8](repeating: 0, count: align(file.count) - file.count))
        precondition(file.count == offset)
        let payloadCount = UInt64(file.count - CompiledFormat.headerSize)
        let checksum = file.withUnsafeBytes {
            CompiledFormat.checksum(UnsafeRawBufferPointer(rebasing: $0[CompiledFormat.headerSize...]))
        }
        file.withUnsafeMutableBytes {
            $0.storeBytes(of: payloadCount.littleEndian, toByteOffset: 56, as: UInt64.self)
            $0.storeBytes(of: checksum.littleEndian, toByteOffset: 64, as: UInt64.self)
        }
        return file
    }

    private static func align(_ n: Int) -> Int {
        (n + CompiledFormat.alignment - 1) / CompiledFormat.alignment * CompiledFormat.alignment
    }

    private static func appendLE<T: FixedWidthInteger>(_ bytes: inout [UInt8], _ v: T) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }
}
