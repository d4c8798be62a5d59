/// Encoding and parsing of a shard's `.sum` file (FORMAT.md, "Checksum file").
///
/// Layout: 24-byte header (magic, u32 version, u32 file count, u64 block
/// size), then one 32-byte entry per checksummed file (u64 size, u64 whole
/// file XXH3, u64 block count, u64 offset of its block hashes), then the
/// block hashes (u64 each) of all files back to back in table order.
struct ChecksumFile: Equatable {
    /// One file's entry.
    struct Entry: Equatable {
        var size: Int
        var hash: UInt64
        var blocks: [UInt64]
    }

    var blockSize: Int
    /// Entries in `ShardFile.checksummed` order.
    var entries: [Entry]

    /// Serializes the table.
    static func encode(blockSize: Int, files: [(size: Int, hash: UInt64, blocks: [UInt64])]) -> [UInt8] {
        var out = Format.Checksums.magic
        LittleEndian.append(Format.Checksums.version, to: &out)
        LittleEndian.append(UInt32(files.count), to: &out)
        LittleEndian.append(UInt64(blockSize), to: &out)
        var offset = Format.Checksums.tableOffset + files.count * Format.Checksums.entrySize
        for f in files {
            LittleEndian.append(UInt64(f.size), to: &out)
            LittleEndian.append(f.hash, to: &out)
            LittleEndian.append(UInt64(f.blocks.count), to: &out)
            LittleEndian.append(UInt64(offset), to: &out)
            offset += 8 * f.blocks.count
        }
        for f in files { for b in f.blocks { LittleEndian.append(b, to: &out) } }
        return out
    }

    /// Parses and validates a `.sum` file; every inconsistency is a typed
    /// error naming `file` and the offending offset.
    static func parse(_ bytes: UnsafeRawBufferPointer, file: String) throws -> ChecksumFile {
        typealias C = Format.Checksums
        let r = ByteReader(bytes: bytes, file: file)
        try r.expectMagic(C.magic)
        let version = try r.read(UInt32.self, at: C.versionOffset)
        guard version == C.version else {
            throw ShardError.unsupportedVersion(file: file, offset: C.versionOffset, version: UInt64(version))
        }
        let count = try r.read(UInt32.self, at: C.fileCountOffset)
        guard count == C.fileCount else {
            throw ShardError.badField(file: file, offset: C.fileCountOffset, field: "file count",
                                      value: Int64(count), reason: "expected \(C.fileCount)")
        }
        let blockSize = try r.read(UInt64.self, at: C.blockSizeOffset)
        guard blockSize > 0, blockSize <= 1 << 40 else {
            throw ShardError.badField(file: file, offset: C.blockSizeOffset, field: "block size",
                                      value: Int64(truncatingIfNeeded: blockSize), reason: "must be in 1...2^40")
        }
        let tableEnd = C.tableOffset + C.fileCount * C.entrySize
        guard bytes.count >= tableEnd else {
            throw ShardError.sizeMismatch(file: file, expected: tableEnd, actual: bytes.count)
        }
        var entries: [Entry] = []
        var expectedOffset = tableEnd
        for i in 0..<C.fileCount {
            let e = C.tableOffset + i * C.entrySize
            let size = try r.read(UInt64.self, at: e)
            let hash = try r.read(UInt64.self, at: e + 8)
            let blocks = try r.read(UInt64.self, at: e + 16)
            let offset = try r.read(UInt64.self, at: e + 24)
            guard size <= 1 << 56 else {
                throw ShardError.badField(file: file, offset: e, field: "file size",
                                          value: Int64(truncatingIfNeeded: size), reason: "implausibly large")
            }
            let want = Checksum.blockCount(size: Int(size), blockSize: Int(blockSize))
            guard blocks == UInt64(want) else {
                throw ShardError.badField(file: file, offset: e + 16, field: "block count",
                                          value: Int64(truncatingIfNeeded: blocks), reason: "expected \(want)")
            }
            guard offset == UInt64(expectedOffset) else {
                throw ShardError.badField(file: file, offset: e + 24, field: "block hash offset",
                                          value: Int64(truncatingIfNeeded: offset), reason: "expected \(expectedOffset)")
            }
            guard expectedOffset + 8 * want <= bytes.count else {
                throw ShardError.sizeMismatch(file: file, expected: expectedOffset + 8 * want, actual: bytes.count)
            }
            let hashes = try (0..<want).map { try r.read(UInt64.self, at: expectedOffset + 8 * $0) }
            entries.append(Entry(size: Int(size), hash: hash, blocks: hashes))
            expectedOffset += 8 * want
        }
        guard expectedOffset == bytes.count else {
            throw ShardError.sizeMismatch(file: file, expected: expectedOffset, actual: bytes.count)
        }
        return ChecksumFile(blockSize: Int(blockSize), entries: entries)
    }
}
