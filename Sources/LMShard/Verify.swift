import Foundation
import LMIO

/// Checks the dataset in `directory` against FORMAT.md: the manifest, the
/// structure of every shard (exactly what `ShardedDataset` checks when it
/// opens one), every block checksum (or a seeded sample of blocks), and the
/// values no header describes: every token id `< vocab_size` and every
/// position id `< seq_len` in the blocks hashed. Only a missing or invalid
/// manifest throws: damage in shard files is reported as values so a caller
/// can list all of it.
///
/// Trust chain: the manifest holds each file's size and XXH3, including
/// the `.sum` file's; the `.sum` file (checked first) holds the block
/// hashes. So flipping any byte of any shard file is detected in `.all`
/// mode; and a shard whose checksums were recomputed after an edit is still
/// caught when the edit breaks the structure or puts a value out of range.
///
/// - Parameter shards: names of the shards to check (all when `nil`); an
///   unknown name throws `ShardError.badManifest`.
public func verify(directory: URL, mode: VerifyMode = .all, shards: Set<String>? = nil) throws -> VerifyReport {
    let manifest = try DatasetManifest.read(from: directory)
    if let wanted = shards, let unknown = wanted.subtracting(manifest.shards.map(\.name)).sorted().first {
        throw ShardError.badManifest(file: directory.appendingPathComponent(Format.manifestFileName).path,
                                     field: "shards", reason: "no shard named \(unknown)")
    }
    var report = VerifyReport()
    var sampler: SplitMix64?
    if case let .sampled(_, seed) = mode { sampler = SplitMix64(seed: seed) }
    for shard in manifest.shards where shards?.contains(shard.name) ?? true {
        var check = ShardCheck(shard: shard, manifest: manifest, directory: directory.path)
        check.run(mode: mode, sampler: &sampler, report: &report)
    }
    return report
}

/// The checks of one shard, in the order FORMAT.md section 5 gives: sizes,
/// structure, `.sum` against the manifest, blocks against `.sum`, values.
private struct ShardCheck {
    let shard: ShardSummary
    let manifest: DatasetManifest
    let directory: String

    init(shard: ShardSummary, manifest: DatasetManifest, directory: String) {
        self.shard = shard
        self.manifest = manifest
        self.directory = directory
    }

    private func damage(_ file: ShardFile, block: Int? = nil, range: Range<Int>? = nil, _ kind: Damage.Kind,
                        into report: inout VerifyReport) {
        report.damage.append(Damage(shard: shard.name, file: file, block: block, byteRange: range, kind: kind))
    }

    /// Maps `part` when it has the manifest's size; else records why not
    /// and returns nil. (LMIO maps only regular files: a FIFO or device is
    /// reported, never opened for reading.)
    private func open(_ part: ShardFile, report: inout VerifyReport) -> MappedFile? {
        let path = directory + "/" + part.fileName(shard: shard.name)
        switch FileSystem.kind(of: path) {
        case nil:
            damage(part, .missing, into: &report)
            return nil
        case .regularFile?:
            break
        case let other?:
            let kind: String
            if case let .other(name) = other { kind = name } else { kind = "a directory" }
            damage(part, .unreadable("\(FileError(path: path, operation: "open", reason: "not a regular file (\(kind))"))"),
                   into: &report)
            return nil
        }
        guard let size = FileSystem.fileSize(path) else {
            damage(part, .missing, into: &report)
            return nil
        }
        let want = shard.files[part].size
        guard size == want else {
            damage(part, .size(expected: want, actual: size), into: &report)
            return nil
        }
        do {
            return try ShardReader.map(path)
        } catch {
            damage(part, .unreadable("\(error)"), into: &report)
            return nil
        }
    }

    /// Which of the shard's files `path` is (the `.idx` when it cannot tell).
    private static func part(of path: String?) -> ShardFile {
        path.flatMap { p in ShardFile.allCases.first { p.hasSuffix(".\($0.rawValue)") } } ?? .idx
    }

    mutating func run(mode: VerifyMode, sampler: inout SplitMix64?, report: inout VerifyReport) {
        var files: [ShardFile: MappedFile] = [:]
        for part in ShardFile.allCases { files[part] = open(part, report: &report) }

        // Structure: what every reader checks on open. Skipped when a file is
        // missing or has the wrong size (already reported: that is exactly
        // what a reader would refuse it for).
        if ShardFile.checksummed.allSatisfy({ files[$0] != nil }) {
            report.shardsChecked += 1
            do {
                _ = try ShardReader(directory: directory, shard: shard, manifest: manifest)
            } catch let e as ShardError {
                damage(Self.part(of: e.file), .structure(e), into: &report)
            } catch let e as FileError {
                damage(Self.part(of: e.path), .unreadable("\(e)"), into: &report)
            } catch {
                damage(.idx, .unreadable("\(error)"), into: &report)
            }
        }

        // The checksum file first: every block is checked against it.
        guard let sumFile = files[.sum] else { return }
        let sumHash = Checksum.xxh3(sumFile.unsafeBytes)
        report.bytesChecked += sumFile.count
        let expectedSum = Checksum.parseHex(shard.files.sum.xxh3) ?? 0
        guard sumHash == expectedSum else {
            damage(.sum, range: 0..<sumFile.count, .checksum(expected: expectedSum, actual: sumHash), into: &report)
            return
        }
        let table: ChecksumFile
        do {
            table = try ChecksumFile.parse(sumFile.unsafeBytes, file: sumFile.path)
        } catch {
            damage(.sum, .unreadable("\(error)"), into: &report)
            return
        }
        guard table.blockSize == manifest.checksum.blockSize else {
            damage(.sum, .unreadable("block size \(table.blockSize) disagrees with the manifest's \(manifest.checksum.blockSize)"),
                   into: &report)
            return
        }
        var tokens = ValueScan(limit: UInt64(manifest.vocabSize), width: manifest.tokenType.size, headerSize: 0)
        var positions = ValueScan(limit: UInt64(manifest.seqLen), width: manifest.positionType.size,
                                  headerSize: Format.Plane.headerSize)
        for (k, part) in ShardFile.checksummed.enumerated() {
            let entry = table.entries[k]
            let summary = shard.files[part]
            guard entry.size == summary.size, Checksum.hex(entry.hash) == summary.xxh3 else {
                damage(.sum, .unreadable("entry for .\(part.rawValue) disagrees with the manifest"), into: &report)
                continue
            }
            guard let m = files[part] else { continue }
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
                let range = start..<min(start + table.blockSize, m.count)
                report.blocksChecked += 1
                report.bytesChecked += range.count
                guard h == entry.blocks[b] else {
                    damage(part, block: b, range: range, .checksum(expected: entry.blocks[b], actual: h), into: &report)
                    continue
                }
                // Values only in intact blocks: a damaged block is reported above,
                // and an intact out-of-range value means the writer or the manifest is wrong.
                if part == .bin { report.tokensChecked += tokens.scan(m.unsafeBytes, range) }
                if part == .pos { positions.scan(m.unsafeBytes, range) }
            }
        }
        if let d = tokens.tokenDamage(shard: shard.name, dtype: manifest.tokenType, vocabSize: manifest.vocabSize) {
            report.damage.append(d)
        }
        if let d = positions.positionDamage(shard: shard.name, seqLen: manifest.seqLen) { report.damage.append(d) }
    }
}
