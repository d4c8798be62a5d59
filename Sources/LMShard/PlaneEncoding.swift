import LMIO

/// Writing plane values straight into a `BufferedWriter`'s buffer, each
/// narrowed to the plane's element type, little-endian: no intermediate
/// array per sequence. Writing 4-byte values one syscall at a time is
/// >100x slower; one store per value into the buffer is what a plane costs.
enum PlaneEncoding {
    /// Appends each value truncated to `T`, little-endian. Callers have
    /// already checked that every value fits `T`.
    static func append<T: FixedWidthInteger>(_ values: UnsafeBufferPointer<UInt32>, as _: T.Type, to out: BufferedWriter)
        throws
    {
        let width = MemoryLayout<T>.size
        var i = 0
        while i < values.count {
            try out.withUnsafeAppendRoom(atLeast: width) { room in
                let n = min(room.count / width, values.count - i)
                let base = room.baseAddress!
                for k in 0..<n {
                    base.storeBytes(of: T(truncatingIfNeeded: values[i + k]).littleEndian, toByteOffset: k * width, as: T.self)
                }
                i += n
                return n * width
            }
        }
    }

    /// Appends one byte per flag (0 or 1).
    static func append(_ flags: UnsafeBufferPointer<Bool>, to out: BufferedWriter) throws {
        var i = 0
        while i < flags.count {
            try out.withUnsafeAppendRoom(atLeast: 1) { room in
                let n = min(room.count, flags.count - i)
                let base = room.baseAddress!.assumingMemoryBound(to: UInt8.self)
                for k in 0..<n { base[k] = flags[i + k] ? 1 : 0 }
                i += n
                return n
            }
        }
    }
}
