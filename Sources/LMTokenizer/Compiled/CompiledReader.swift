import LMJSON

/// Reads a compiled tokenizer file (see `CompiledFormat`): the mirror of
/// `CompiledWriter`. Nothing is trusted: every header field, section bound
/// and table invariant is checked, and any failure throws `.rejected`
/// naming the offset, so the caller builds from JSON instead.
struct CompiledReader {
    let bytes: UnsafeRawBufferPointer
    let file: String
    /// Keeps `bytes` mapped: the model adopts the merge table in place.
    let owner: AnyObject

    /// The rest of the tokenizer as JSON and the BPE model, from `bytes`
    /// (a mapped compiled file), which must have been compiled from a
    /// `tokenizer.json` of `sourceSize` bytes hashing to `sourceSHA256`.
    /// The model reads its merge table from `bytes` once checked, so
    /// `owner` must keep them mapped and unchanged as long as it lives
    /// (`TokenizerCache` passes the `MappedFile`).
    static func decode(
        unsafeBytes bytes: UnsafeRawBufferPointer, owner: AnyObject, file: String, sourceSize: Int, sourceSHA256: [UInt8]
    ) throws(CompiledTokenizerError) -> (json: JSONValue, model: BPEModel) {
        let reader = CompiledReader(bytes: bytes, file: file, owner: owner)
        let sections = try reader.checkHeader(sourceSize: sourceSize, sourceSHA256: sourceSHA256)
        return try reader.decodeSections(sections)
    }

    func reject(_ offset: Int, _ reason: String) -> CompiledTokenizerError {
        .rejected(file: file, offset: offset, reason: reason)
    }

    func u32(_ offset: Int) -> UInt32 { UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
    func u64(_ offset: Int) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }

    /// Checks the header and the section table; returns each section's bytes.
    private func checkHeader(
        sourceSize: Int, sourceSHA256: [UInt8]
    ) throws(CompiledTokenizerError) -> [CompiledFormat.Section: UnsafeRawBufferPointer] {
        let sectionCount = CompiledFormat.Section.allCases.count
        let tableEnd = CompiledFormat.headerSize + sectionCount * CompiledFormat.sectionEntrySize
        guard bytes.count >= tableEnd else { throw reject(bytes.count, "truncated: \(bytes.count) bytes, the header and section table need \(tableEnd)") }
        guard bytes.prefix(8).elementsEqual(CompiledFormat.magic) else { throw reject(0, "not a compiled tokenizer (magic)") }
        guard u32(8) == CompiledFormat.version else { throw reject(8, "format version \(u32(8)), expected \(CompiledFormat.version)") }
        guard u32(12) == UInt32(sectionCount) else { throw reject(12, "\(u32(12)) sections, expected \(sectionCount)") }
        guard u64(16) == UInt64(sourceSize) else { throw reject(16, "compiled from \(u64(16)) bytes, the tokenizer.json has \(sourceSize)") }
        guard bytes[24..<56].elementsEqual(sourceSHA256) else { throw reject(24, "compiled from a tokenizer.json with another SHA-256") }
        let payloadCount = bytes.count - CompiledFormat.headerSize
        guard u64(56) == UInt64(payloadCount) else { throw reject(56, "payload of \(u64(56)) bytes recorded, \(payloadCount) present") }
        let payload = UnsafeRawBufferPointer(rebasing: bytes[CompiledFormat.headerSize...])
        guard CompiledFormat.checksum(payload) == u64(64) else { throw reject(64, "payload checksum mismatch") }

        var sections: [CompiledFormat.Section: UnsafeRawBufferPointer] = [:]
        var previousEnd = tableEnd
        for (i, section) in CompiledFormat.Section.allCases.enumerated() {
            let entry = CompiledFormat.headerSize + i * CompiledFormat.sectionEntrySize
            guard u32(entry) == section.rawValue, u32(entry + 4) == UInt32(section.elementSize) else {
                throw reject(entry, "section \(i) is id \(u32(entry)) of element size \(u32(entry + 4)), expected \(section)")
            }
            let offset = u64(entry + 8)
            let count = u64(entry + 16)
            guard offset >= UInt64(previousEnd), offset <= UInt64(bytes.count), count <= UInt64(bytes.count) - offset,
                  offset % UInt64(CompiledFormat.alignment) == 0, count % UInt64(section.elementSize) == 0
            else {
                throw reject(entry + 8, "section \(section) at \(offset) of \(count) bytes is outside the file, overlapping or misaligned")
            }
            sections[section] = UnsafeRawBufferPointer(rebasing: bytes[Int(offset)..<Int(offset + count)])
            previousEnd = Int(offset + count)
        }
        return sections
    }

    private func decodeSections(
        _ sections: [CompiledFormat.Section: UnsafeRawBufferPointer]
    ) throws(CompiledTokenizerError) -> (json: JSONValue, model: BPEModel) {
        func section(_ s: CompiledFormat.Section) -> UnsafeRawBufferPointer { sections[s]! }
        func offset(_ s: CompiledFormat.Section) -> Int { section(s).baseAddress.map { $0 - bytes.baseAddress! } ?? 0 }
        func array<T: FixedWidthInteger>(_ s: CompiledFormat.Section, as: T.Type) -> [T] {
            let raw = section(s)
            let n = raw.count / MemoryLayout<T>.size
            // A memcpy of the section: the tables are used in place of
            // what `BPEModel(json:)` builds (little-endian host only).
            return [T](unsafeUninitializedCapacity: n) { buffer, initialized in
                if n > 0 { UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: raw.baseAddress!, byteCount: raw.count) }
                initialized = n
            }
        }
        let json: JSONValue
        do {
            json = try JSONParser.parse(section(.json))
        } catch {
            throw reject(offset(.json), "the tokenizer JSON does not parse: \(error)")
        }
        let scalars = array(.scalars, as: UInt64.self)
        guard scalars.count == CompiledFormat.Scalar.allCases.count else {
            throw reject(offset(.scalars), "\(scalars.count) scalars, expected \(CompiledFormat.Scalar.allCases.count)")
        }
        guard let idToString = TokenNames(list: [UInt8](section(.idToString))) else {
            throw reject(offset(.idToString), "malformed list of vocabulary strings")
        }
        guard let untranslatableKeys = StringList.decode(unsafeBytes: section(.untranslatableKeys)), !untranslatableKeys.contains(nil) else {
            throw reject(offset(.untranslatableKeys), "malformed list of untranslatable vocabulary strings")
        }
        let parts = CompiledTables(
            scalars: scalars,
            prefix: [UInt8](section(.continuingSubwordPrefix)),
            suffix: [UInt8](section(.endOfWordSuffix)),
            vocabArena: array(.vocabArena, as: UInt8.self),
            vocabStarts: array(.vocabStarts, as: Int32.self),
            vocabLengths: array(.vocabLengths, as: Int32.self),
            vocabValues: array(.vocabValues, as: UInt32.self),
            vocabSlots: array(.vocabSlots, as: Int32.self),
            idToString: idToString,
            untranslatableKeys: untranslatableKeys.map { $0! },
            untranslatableIds: array(.untranslatableIds, as: UInt32.self),
            pairSlots: .unsafeAdopting(section(.pairSlots), owner: owner),
            pairMergedByRank: .unsafeAdopting(section(.pairMergedByRank), owner: owner),
            byteFallbackIds: array(.byteFallbackIds, as: UInt32.self),
            byteIds: array(.byteIds, as: UInt32.self),
            reachable: array(.reachable, as: UInt8.self),
            bytePairs: array(.bytePairs, as: UInt64.self))
        do {
            return (json, try parts.model())
        } catch {
            switch error {
            case let .table(section, reason): throw reject(offset(section), reason)
            }
        }
    }
}
