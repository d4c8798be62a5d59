import Crypto

/// The notebook's `array_hash` of a `uint32` NumPy array: SHA-256 over
/// `f"{arr.shape}-{arr.dtype}"` followed by the array's bytes.
///
/// For a 1-D `uint32` array of `n` items the prefix is `"(n,)-uint32"`
/// (NumPy prints a one-element shape tuple with a trailing comma, also for
/// `n == 0`: `"(0,)-uint32"`), and the bytes are the ids in little-endian
/// order (NumPy's native order on every machine lmshard runs on; converted
/// explicitly here so a big-endian host still agrees).
///
/// Returns the 32-byte digest. O(n).
public func arrayHash(_ ids: [UInt32]) -> [UInt8] {
    var hasher = SHA256()
    hasher.update(data: Array("(\(ids.count),)-uint32".utf8))
    #if _endian(little)
        ids.withUnsafeBytes { hasher.update(bufferPointer: $0) }
    #else
        let le = ids.map(\.littleEndian)
        le.withUnsafeBytes { hasher.update(bufferPointer: $0) }
    #endif
    return Array(hasher.finalize())
}

/// The reduce group of an example: `array_hash(input_ids) % count`, with the
/// digest read as a big-endian 256-bit integer as in the notebook.
///
/// The modulus is taken one byte at a time (`r = (r * 256 + byte) % count`),
/// in 128-bit intermediate arithmetic, so any `count` up to `Int.max` gives
/// Python's exact result without a big-integer type.
///
/// - Precondition: `count >= 1` (configs are validated before this).
public func reduceChunk(of ids: [UInt32], count: Int) -> Int {
    precondition(count >= 1, "the number of reduce chunks must be at least 1")
    return reduceChunk(ofDigest: arrayHash(ids), count: count)
}

/// `digest` (big-endian) modulo `count`; see `reduceChunk(of:count:)`.
public func reduceChunk(ofDigest digest: [UInt8], count: Int) -> Int {
    precondition(count >= 1, "the number of reduce chunks must be at least 1")
    let m = UInt64(count)
    var r: UInt64 = 0
    for byte in digest {
        // r < m, so r * 256 + byte < 256 * m and the high word is < m, which
        // is what dividingFullWidth needs.
        let (high, low) = r.multipliedFullWidth(by: 256)
        let (sum, carry) = low.addingReportingOverflow(UInt64(byte))
        r = m.dividingFullWidth((high + (carry ? 1 : 0), sum)).remainder
    }
    return Int(r)
}
