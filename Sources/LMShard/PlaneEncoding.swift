import LMIO

/// Writing plane values straight into a `BufferedWriter`'s buffer, each
/// narrowed to the plane's element type, little-endian: no intermediate
/// array per sequence. Writing 4-byte values one syscall at a time is
/// >100x slower; one store per value into the buffer is what a plane costs.
///
/// The loops run over plain pointers in functions of their own, not inside
/// the closure the writer calls: a loop that updated a variable captured
/// from outside it did not vectorize (16% more instructions for a build's
/// appends, measured with callgrind).
enum PlaneEncoding {
    /// Appends each value truncated to `T`, little-endian. Callers have
    /// already checked that every value fits `T`.
    static func append<T: FixedWidthInteger>(_ values: UnsafeBufferPointer<UInt32>, as _: T.Type, to out: BufferedWriter)
        throws
    {
        guard var next = values.baseAddress else { return }
        let width = MemoryLayout<T>.size
        var left = values.count
        while left > 0 {
            let from = next, count = left
            let written = try out.withUnsafeAppendRoom(atLeast: width) { room in
                let n = min(room.count / width, count)
                narrow(from, n, into: room.baseAddress!, as: T.self)
                return n * width
            }
            next += written / width
            left -= written / width
        }
    }

    @inline(__always)
    private static func narrow<T: FixedWidthInteger>(
        _ values: UnsafePointer<UInt32>, _ n: Int, into out: UnsafeMutableRawPointer, as _: T.Type
    ) {
        let width = MemoryLayout<T>.size
        for k in 0..<n {
            out.storeBytes(of: T(truncatingIfNeeded: values[k]).littleEndian, toByteOffset: k * width, as: T.self)
        }
    }

    /// Appends one byte per flag, 0 or 1: a `Bool` is stored as exactly
    /// that byte, so the flags are copied as they are.
    static func append(_ flags: UnsafeBufferPointer<Bool>, to out: BufferedWriter) throws {
        try out.write(UnsafeRawBufferPointer(flags))
    }
}
