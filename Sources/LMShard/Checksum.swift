import CXXHash

/// XXH3-64 (seed 0) helpers: whole buffers and fixed-size blocks.
///
/// XXH3 was chosen over CRC32C or SHA-256 because it hashes at memory speed
/// (~10 GB/s per core in xxhash's own benchmarks), so `verify --all` is bound
/// by the disk, and 64 bits make an undetected random corruption a 2^-64 event.
public enum Checksum {
    /// XXH3-64 of `bytes`.
    public static func xxh3(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        XXH3_64bits(bytes.baseAddress, bytes.count)
    }

    /// XXH3-64 of a byte array.
    public static func xxh3(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { xxh3($0) }
    }

    /// Number of `blockSize` blocks covering `size` bytes (last one may be
    /// short). Written without `size + blockSize - 1`, which overflows for a
    /// size near `Int.max` read from a damaged file.
    public static func blockCount(size: Int, blockSize: Int) -> Int {
        size / blockSize + (size % blockSize == 0 ? 0 : 1)
    }

    /// Hash of block `i` of `bytes`.
    static func blockHash(_ bytes: UnsafeRawBufferPointer, block i: Int, blockSize: Int) -> UInt64 {
        let start = i * blockSize
        let end = min(start + blockSize, bytes.count)
        return xxh3(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
    }

    /// Formats a hash the way the manifest stores it: 16 lowercase hex digits.
    public static func hex(_ value: UInt64) -> String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    /// Parses 16 hex digits back; `nil` for anything else.
    public static func parseHex(_ text: String) -> UInt64? {
        guard text.utf8.count == 16, text.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) })
        else { return nil }
        return UInt64(text, radix: 16)
    }
}
