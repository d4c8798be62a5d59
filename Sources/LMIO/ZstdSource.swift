import CZstd

/// zstd-decompressed bytes of another source: concatenated frames included
/// (what `zstd` and `pzstd` write, and what lmshard's spill files are), so
/// `.jsonl.zst` inputs and spill runs share this one decoder.
///
/// `~Copyable`: it owns the zstd stream, freed exactly once when it goes.
public struct ZstdSource<Inner: ByteSource & ~Copyable>: ByteSource, ~Copyable {
    private var input: CompressedInput<Inner>
    private let stream: OpaquePointer
    /// `ZSTD_decompressStream`'s last hint was nonzero: a frame is open,
    /// so the input ending now means it was cut off.
    private var frameOpen = false
    public let name: String

    /// Decompresses `inner`, named in errors by its `name`.
    ///
    /// - Throws: `DecompressionError` if zstd cannot allocate a stream.
    public init(_ inner: consuming Inner) throws {
        let name = inner.name
        guard let stream = ZSTD_createDStream() else {
            throw DecompressionError(file: name, offset: 0, reason: "cannot allocate a zstd stream")
        }
        ZSTD_initDStream(stream)
        self.stream = stream
        self.name = name
        input = CompressedInput(inner, capacity: ZSTD_DStreamInSize())
    }

    deinit { ZSTD_freeDStream(stream) }

    /// Compressed bytes consumed so far.
    public var compressedOffset: Int64 { input.consumed }

    /// Decompresses into `buffer`.
    ///
    /// - Throws: `DecompressionError` for corrupt data or a stream that
    ///   ends inside a frame; the inner source's errors.
    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            guard try input.refillIfEmpty(truncatedIfDone: frameOpen, format: "zstd") else { return 0 }
            var produced = 0
            var hint = 0
            var position = input.start
            let end = input.end
            input.buffer.withUnsafeBytes { src in
                var inBuf = ZSTD_inBuffer(src: src.baseAddress, size: end, pos: position)
                var outBuf = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
                hint = ZSTD_decompressStream(stream, &outBuf, &inBuf)
                position = inBuf.pos
                produced = outBuf.pos
            }
            input.advance(to: position)
            if ZSTD_isError(hint) != 0 {
                let reason = String(cString: ZSTD_getErrorName(hint))
                throw DecompressionError(file: name, offset: input.consumed, reason: "corrupt zstd data (\(reason))")
            }
            frameOpen = hint != 0
            if produced > 0 { return produced }
        }
    }
}
