import Foundation
import LMIO

/// How much of a dataset `verify` reads.
public enum VerifyMode: Equatable, Sendable {
    /// Every byte of every file, block by block.
    case all
    /// A seeded random `fraction` of the blocks of every file (each block
    /// kept when `SplitMix64` draws below `fraction`), plus every `.sum`
    /// file and every file size.
    case sampled(fraction: Double, seed: UInt64)
}

/// One piece of damage found by `verify`.
public struct Damage: Equatable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public enum Kind: Equatable, Sendable {
        /// The file does not exist.
        case missing
        /// The file's size differs from the manifest.
        case size(expected: Int, actual: Int)
        /// A whole-file or block hash differs.
        case checksum(expected: UInt64, actual: UInt64)
        /// The `.sum` file cannot be parsed or disagrees with the manifest.
        case unreadable(String)
        /// A token id is not below the manifest's `vocab_size` (`.all` mode
        /// scans every id: the manifest or the tokens are wrong).
        case outOfVocabulary(tokenId: UInt32, vocabSize: Int)
    }

    /// Shard name.
    public var shard: String
    /// Which file.
    public var file: ShardFile
    /// Block index, or `nil` for the whole file.
    public var block: Int?
    /// Byte range of the block (or file) in the file.
    public var byteRange: Range<Int>?
    /// What is wrong.
    public var kind: Kind

    /// `shard.file block k [a, b): kind`.
    public var description: String {
        var s = "\(shard).\(file.rawValue)"
        if let b = block { s += " block \(b)" }
        if let r = byteRange { s += " bytes \(r.lowerBound)..<\(r.upperBound)" }
        switch kind {
        case .missing: s += ": missing"
        case let .size(e, a): s += ": size \(a), expected \(e)"
        case let .checksum(e, a): s += ": xxh3 \(Checksum.hex(a)), expected \(Checksum.hex(e))"
        case let .unreadable(why): s += ": \(why)"
        case let .outOfVocabulary(id, vocab): s += ": token id \(id) >= vocab_size \(vocab)"
        }
        return s
    }
}

/// Result of `verify`.
public struct VerifyReport: Equatable, Sendable {
    /// Everything found, in shard, file, block order.
    public var damage: [Damage]
    /// Blocks hashed.
    public var blocksChecked: Int
    /// Bytes hashed.
    public var bytesChecked: Int

    /// True when nothing is damaged.
    public var isClean: Bool { damage.isEmpty }
}

/// Recomputes checksums of the dataset in `directory` against its manifest
/// and `.sum` files. Only a missing or invalid manifest throws: damage in
/// shard files is reported as values so a caller can list all of it.
///
/// Trust chain: the manifest holds each file's size and XXH3, including
/// the `.sum` file's; the `.sum` file (checked first) holds the block
/// hashes. So flipping any byte of any shard file is detected in `.all` mode.
///
/// - Parameter shards: names of the shards to check (all when `nil`); an
///   unknown name throws `ShardError.badManifest`.
public func verify(directory: URL, mode: VerifyMode = .all, shards: Set<String>? = nil) throws -> VerifyReport {
    let manifest = try DatasetManifest.read(from: directory)
    if let wanted = shards, let unknown = wanted.subtracting(manifest.shards.map(\.name)).sorted().first {
        throw ShardError.badManifest(file: directory.appendingPathComponent(Format.manifestFileName).path,
                                     field: "shards", reason: "no shard named \(unknown)")
    }
    var report = VerifyReport(damage: [], blocksChecked: 0, bytesChecked: 0)
    var sampler: SplitMix64?
    if case let .sampled(_, seed) = mode { sampler = SplitMix64(seed: seed) }
    for shard in manifest.shards where shards?.contains(shard.name) ?? true {
        verifyShard(shard, manifest: manifest, directory: directory.path, mode: mode, sampler: &sampler, report: &report)
    }
    return report
}

private func verifyShard(_ shard: ShardSummary, manifest: DatasetManifest, directory: String, mode: VerifyMode, sampler: inout SplitMix64?,
                         report: inout VerifyReport) {
    func damage(_ file: ShardFile, block: Int? = nil, range: Range<Int>? = nil, _ kind: Damage.Kind) {
        report.damage.append(Damage(shard: shard.name, file: file, block: block, byteRange: range, kind: kind))
    }
    func open(_ part: ShardFile) -> MappedFile? {
        let path = directory + "/" + part.fileName(shard: shard.name)
        guard let m = try? MappedFile(path: path) else { damage(part, .missing); return nil }
        let want = shard.files[part].size
        guard m.count == want else { damage(part, .size(expected: want, actual: m.count)); return nil }
        return m
    }

    // The checksum file first: everything else is checked against it.
    guard let sumFile = open(.sum) else { return }
    let sumHash = Checksum.xxh3(sumFile.unsafeBytes)
    report.bytesChecked += sumFile.count
    let expectedSum = Checksum.parseHex(shard.files.sum.xxh3) ?? 0
    guard sumHash == expectedSum else {
        damage(.sum, range: 0..<sumFile.count, .checksum(expected: expectedSum, actual: sumHash))
        return
    }
    let table: ChecksumFile
    do {
        table = try ChecksumFile.parse(sumFile.unsafeBytes, file: sumFile.path)
    } catch {
        damage(.sum, .unreadable("\(error)"))
        return
    }
    guard table.blockSize == manifest.checksum.blockSize else {
        damage(.sum, .unreadable("block size \(table.blockSize) disagrees with the manifest's \(manifest.checksum.blockSize)"))
        return
    }
    for (k, part) in ShardFile.checksummed.enumerated() {
        let entry = table.entries[k]
        let summary = shard.files[part]
        guard entry.size == summary.size, Checksum.hex(entry.hash) == summary.xxh3 else {
            damage(.sum, .unreadable("entry for .\(part.rawValue) disagrees with the manifest"))
            continue
        }
        guard let m = open(part) else { continue }
        let damagedBefore = report.damage.count
        // Blocks only: the `.sum` was just authenticated against the
        // manifest, so matching every block implies the whole-file hash
        // matches too; hashing twice would double `verify --all` time.
        for b in 0..<entry.blocks.count {
            if case let .sampled(fraction, _) = mode, var rng = sampler {
                let draw = Double(rng.next() >> 11) / Double(1 << 53)
                sampler = rng
                if draw >= fraction { continue }
            }
            let h = Checksum.blockHash(m.unsafeBytes, block: b, blockSize: table.blockSize)
            let start = b * table.blockSize
            report.blocksChecked += 1
            report.bytesChecked += min(table.blockSize, m.count - start)
            if h != entry.blocks[b] {
                damage(part, block: b, range: start..<min(start + table.blockSize, m.count),
                       .checksum(expected: entry.blocks[b], actual: h))
            }
        }
        // Intact tokens that are out of range mean the manifest's vocab_size is wrong.
        if part == .bin, mode == .all, report.damage.count == damagedBefore,
           let id = maxTokenId(m.unsafeBytes, dtype: manifest.tokenType), Int(id) >= manifest.vocabSize {
            damage(.bin, .outOfVocabulary(tokenId: id, vocabSize: manifest.vocabSize))
        }
    }
}

/// Largest token id in a `.bin` (nil when empty). A branch-free max over the
/// mapped values; cheap next to hashing the same bytes.
private func maxTokenId(_ bytes: UnsafeRawBufferPointer, dtype: TokenDType) -> UInt32? {
    guard !bytes.isEmpty else { return nil }
    var best: UInt32 = 0
    switch dtype {
    case .uint16:
        for k in 0..<(bytes.count / 2) {
            best = max(best, UInt32(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * k, as: UInt16.self))))
        }
    case .int32:
        for k in 0..<(bytes.count / 4) {
            best = max(best, UInt32(bitPattern: Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * k, as: Int32.self))))
        }
    }
    return best
}
