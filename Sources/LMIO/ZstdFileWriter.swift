import CZstd

/// A zstd-compressed file written as a stream of frames: the shuffle's
/// spill runs and reduce outputs (read back with `ZstdSource`).
///
/// Level 1: spills are written once and read once, so compression speed
/// matters more than ratio; level 1 still shrinks count_chars spills
/// (small varints, repeated keys) several-fold, which is disk bandwidth
/// saved on both sides of the shuffle.
///
/// A class holding the `~Copyable` descriptor and the compression context,
/// both released exactly once in `deinit`.
public final class ZstdFileWriter {
    /// The file, for errors.
    public let path: String
    private var file: FileDescriptor
    private let context: OpaquePointer
    private var input: [UInt8] = []
    private var output: [UInt8]
    /// Whether bytes went into the current frame since it began, so ending
    /// a frame with nothing in it writes nothing.
    private var frameHasData = false
    /// Compressed bytes in the file so far (its length, as everything
    /// compressed is written out at once).
    public private(set) var length: UInt64
    /// Bytes buffered before a compression call; 128 KiB = zstd's block size.
    static let inputChunk = 1 << 17

    /// Creates (truncating) `path`, or with `keepingFirst` reopens it, cuts
    /// it to that many bytes and appends after them: a resumed reduce keeps
    /// its committed frames and drops whatever followed them.
    ///
    /// - Throws: `FileError` when the file cannot be opened or is shorter
    ///   than `keepingFirst`, or zstd cannot allocate a context.
    public init(path: String, level: Int32 = 1, keepingFirst kept: UInt64? = nil) throws {
        self.path = path
        length = kept ?? 0
        if let kept {
            file = try FileDescriptor.openForAppending(path, keepingFirst: kept)
        } else {
            file = try FileDescriptor.create(path)
        }
        guard let context = ZSTD_createCCtx() else {
            throw FileError(path: path, operation: "compress", reason: "zstd cannot allocate a compression context")
        }
        self.context = context
        ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level)
        output = [UInt8](repeating: 0, count: ZSTD_CStreamOutSize())
        input.reserveCapacity(Self.inputChunk * 2)
    }

    deinit { ZSTD_freeCCtx(context) }

    /// Buffers `bytes`, compressing whenever a block's worth is waiting.
    public func write<C: Collection>(_ bytes: C) throws where C.Element == UInt8 {
        if bytes.isEmpty { return }
        frameHasData = true
        input.append(contentsOf: bytes)
        if input.count >= Self.inputChunk { try compress(end: false) }
    }

    /// Ends the current zstd frame and writes it out, so the file's `length`
    /// bytes are a complete stream (concatenated frames decompress as one)
    /// that later writes only extend. Nothing is written for an empty frame.
    public func endFrame() throws {
        if frameHasData { try compress(end: true) }
    }

    /// Ends the frame and closes the file. A file that has frames already
    /// gets no trailing empty one; an empty file still gets one empty frame.
    public func finish() throws {
        if frameHasData || length == 0 { try compress(end: true) }
        try file.close()
    }

    private func compress(end: Bool) throws {
        let mode = end ? ZSTD_e_end : ZSTD_e_continue
        let context = self.context
        try input.withUnsafeBytes { src in
            var inBuf = ZSTD_inBuffer(src: src.baseAddress, size: src.count, pos: 0)
            while true {
                let (remaining, produced): (Int, Int) = try output.withUnsafeMutableBytes { dst in
                    var outBuf = ZSTD_outBuffer(dst: dst.baseAddress, size: dst.count, pos: 0)
                    let r = ZSTD_compressStream2(context, &outBuf, &inBuf, mode)
                    if ZSTD_isError(r) != 0 {
                        throw FileError(path: path, operation: "compress", reason: String(cString: ZSTD_getErrorName(r)))
                    }
                    return (r, outBuf.pos)
                }
                try output.withUnsafeBytes { try file.writeAll(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) }
                length += UInt64(produced)
                if end ? remaining == 0 : inBuf.pos == inBuf.size { break }
            }
        }
        input.removeAll(keepingCapacity: true)
        if end { frameHasData = false }
    }
}
