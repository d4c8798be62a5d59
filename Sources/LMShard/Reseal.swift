import Foundation
import LMIO
import LMJSON

/// Recomputes a dataset's checksums from its files as they are now: each
/// shard's `.sum`, and the manifest's per-file sizes and hashes and
/// `totals.bytes` (counts and everything else left as they were).
///
/// Only for tests and the fuzzer. Checksums vouch that bytes are the ones
/// written; resealing an edited dataset makes them vouch for the edit, so
/// that only the structural and value checks stand between the edit and a
/// reader: the damage FORMAT.md says `verify` must still catch (a version
/// byte changed and the checksums recomputed must not verify "ok").
@_spi(Testing)
public enum Reseal {
    /// Reseals every shard the manifest names and rewrites the manifest.
    /// The manifest is decoded without validation (an edited one may not
    /// validate) and re-encoded in the canonical layout. With `sums: false`
    /// the `.sum` files are left as they are (to test an edited `.sum`
    /// behind a manifest that vouches for it) and only the manifest changes.
    public static func dataset(directory: URL, sums: Bool = true) throws {
        let path = directory.appendingPathComponent(Format.manifestFileName).path
        var manifest = try JSONValueDecoder().decode(
            DatasetManifest.self, fromJSON: FileSystem.readFile(path, limit: DatasetManifest.maximumFileSize))
        var bytes = 0
        for i in manifest.shards.indices {
            let name = manifest.shards[i].name
            if sums { try writeSum(directory: directory.path, name: name, blockSize: manifest.checksum.blockSize) }
            manifest.shards[i].files = try summaries(directory: directory.path, name: name)
            for part in ShardFile.allCases { bytes &+= manifest.shards[i].files[part].size }
        }
        manifest.totals.bytes = bytes
        try write(try manifest.encoded(), to: path)
    }

    /// Rewrites `NAME.sum` for the four data files of shard `name` as they are.
    public static func writeSum(directory: String, name: String, blockSize: Int) throws {
        var table: [(size: Int, hash: UInt64, blocks: [UInt64])] = []
        for part in ShardFile.checksummed {
            let m = try MappedFile(path: directory + "/" + part.fileName(shard: name))
            let blocks = (0..<Checksum.blockCount(size: m.count, blockSize: blockSize)).map {
                Checksum.blockHash(m.unsafeBytes, block: $0, blockSize: blockSize)
            }
            table.append((m.count, Checksum.xxh3(m.unsafeBytes), blocks))
        }
        try write(ChecksumFile.encode(blockSize: blockSize, files: table), to: directory + "/" + ShardFile.sum.fileName(shard: name))
    }

    private static func write(_ bytes: [UInt8], to path: String) throws {
        let file = try AtomicFileWriter(path: path)
        try file.output.write(bytes)
        try file.commit()
    }

    /// Size and XXH3 of each of the shard's five files as they are.
    static func summaries(directory: String, name: String) throws -> ShardFiles {
        func summary(_ part: ShardFile) throws -> FileSummary {
            let m = try MappedFile(path: directory + "/" + part.fileName(shard: name))
            return FileSummary(size: m.count, xxh3: Checksum.hex(Checksum.xxh3(m.unsafeBytes)))
        }
        return ShardFiles(bin: try summary(.bin), idx: try summary(.idx), pos: try summary(.pos),
                          mask: try summary(.mask), sum: try summary(.sum))
    }
}
