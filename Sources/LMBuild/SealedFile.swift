import LMIO
import LMShard

/// A staged bookkeeping file (a map or shard receipt in the staging
/// directory) with its own checksum: the bytes, then one line
/// `xxh3 <16 hex digits>` of the XXH3-64 of those bytes.
///
/// Why: a resumed build trusts the receipts it finds to skip work. The
/// shard files are checked against their receipt's sizes and hashes, but a
/// flipped digit in a receipt's own counters would otherwise be believed
/// (and then fail the finalize's document count on every rerun). A receipt
/// whose seal does not match is treated as missing: its work is redone.
/// Receipts printed on stdout for an engine stay plain lines.
enum SealedFile {
    /// `bytes` followed by their seal line.
    static func seal(_ bytes: [UInt8]) -> [UInt8] {
        bytes + Array("xxh3 \(Checksum.hex(Checksum.xxh3(bytes)))\n".utf8)
    }

    /// The bytes before the seal line, if the seal matches them.
    ///
    /// - Throws: `BuildError.staging` naming `path` for a missing or
    ///   mismatched seal.
    static func open(_ sealed: [UInt8], path: String) throws -> [UInt8] {
        let sealLength = 5 + 16 + 1
        guard sealed.count >= sealLength, sealed.last == 0x0A,
            sealed.count == sealLength || sealed[sealed.count - sealLength - 1] == 0x0A
        else { throw BuildError.staging(path: path, message: "is damaged: it has no checksum line") }
        let body = Array(sealed[..<(sealed.count - sealLength)])
        let line = String(decoding: sealed[(sealed.count - sealLength)...].dropLast(), as: UTF8.self)
        guard line == "xxh3 " + Checksum.hex(Checksum.xxh3(body)) else {
            throw BuildError.staging(path: path, message: "is damaged: its checksum does not match its contents")
        }
        return body
    }

    /// Reads `path` (at most `limit` bytes) and opens its seal.
    static func read(_ path: String, limit: Int) throws -> [UInt8] {
        try open(FileSystem.readFile(path, limit: limit), path: path)
    }
}
