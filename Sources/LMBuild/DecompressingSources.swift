import CZlib
import CZstd
import LMJSON

/// Streaming decompression for `.jsonl.zst` and `.jsonl.gz` inputs, as
/// `ByteSource`s that wrap another source, so the line reader never knows the
/// file was compressed and memory stays bounded by the buffers here.

/// Errors name the file and the compressed byte offset reached.
public struct DecompressionError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let offset: Int64
    public let reason: String
    public var description: String { "\(file): at compressed byte \(offset): \(reason)" }
}

/// The compressed side of a decoder: a buffer refilled from the wrapped
/// source, with the count of compressed bytes consumed for error messages.
/// Both decoders below drive the same loop over it: refill when empty,
/// let the library consume some input, report how far it got.
struct CompressedInput<Inner: ByteSource> {
    private var inner: Inner
    private(set) var buffer: [UInt8]
    /// Unconsumed input is `buffer[start..<end]`.
    var start = 0
    private(set) var end = 0
    /// Compressed bytes consumed so far (the offset errors report).
    private(set) var consumed: Int64 = 0
    /// The wrapped source returned 0: no more input will come.
    private(set) var innerDone = false

    init(_ inner: Inner, capacity: Int) {
        self.inner = inner
        buffer = [UInt8](repeating: 0, count: capacity)
    }

    /// Refills the buffer when it is empty and more input may come.
    /// Returns false when the input is exhausted.
    mutating func refillIfEmpty() throws -> Bool {
        if start == end && !innerDone {
            let n = try buffer.withUnsafeMutableBytes { try inner.read(into: $0) }
            start = 0
            end = n
            if n == 0 { innerDone = true }
        }
        return start < end
    }

    /// Records that the decoder advanced the input to `newStart`.
    mutating func advance(to newStart: Int) {
        consumed += Int64(newStart - start)
        start = newStart
    }
}

/// zstd frames, concatenated frames included (what `zstd` and `pzstd` write).
public struct ZstdSource<Inner: ByteSource>: ByteSource {
    private var input: CompressedInput<Inner>
    private let stream: OpaquePointer
    /// `ZSTD_decompressStream`'s last hint: 0 exactly when a frame just ended.
    private var frameOpen = false
    private let file: String

    public init(_ inner: Inner, file: String) throws {
        guard let stream = ZSTD_createDStream() else {
            throw DecompressionError(file: file, offset: 0, reason: "cannot allocate a zstd stream")
        }
        self.stream = stream
        self.file = file
        self.input = CompressedInput(inner, capacity: ZSTD_DStreamInSize())
        ZSTD_initDStream(stream)
    }

    /// Call once the source is exhausted or abandoned (structs have no deinit).
    public func close() { ZSTD_freeDStream(stream) }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            guard try input.refillIfEmpty() else {
                if frameOpen {
                    throw DecompressionError(file: file, offset: input.consumed, reason: "truncated zstd stream")
                }
                return 0
            }
            var produced = 0
            var hint = 0
            var position = input.start
            input.buffer.withUnsafeBytes { src in
                var inBuf = ZSTD_inBuffer(src: src.baseAddress! + 0, size: input.end, pos: position)
                var outBuf = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
                hint = ZSTD_decompressStream(stream, &outBuf, &inBuf)
                position = inBuf.pos
                produced = outBuf.pos
            }
            input.advance(to: position)
            if ZSTD_isError(hint) != 0 {
                let name = String(cString: ZSTD_getErrorName(hint))
                throw DecompressionError(file: file, offset: input.consumed, reason: "corrupt zstd data (\(name))")
            }
            frameOpen = hint != 0
            if produced > 0 { return produced }
        }
    }
}

/// gzip (and zlib) members, concatenated members included (what `cat a.gz b.gz` makes).
public struct GzipSource<Inner: ByteSource>: ByteSource {
    private var input: CompressedInput<Inner>
    private var stream: UnsafeMutablePointer<z_stream>
    private var memberOpen = false
    private let file: String

    public init(_ inner: Inner, file: String) throws {
        self.file = file
        self.input = CompressedInput(inner, capacity: 1 << 16)
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 15 + 32: maximum window, detect gzip or zlib headers automatically.
        let status = inflateInit2_(stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            throw DecompressionError(file: file, offset: 0, reason: "cannot initialise zlib (\(status))")
        }
    }

    /// Call once the source is exhausted or abandoned (structs have no deinit).
    public func close() {
        inflateEnd(stream)
        stream.deallocate()
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            guard try input.refillIfEmpty() else {
                if memberOpen {
                    throw DecompressionError(file: file, offset: input.consumed, reason: "truncated gzip stream")
                }
                return 0
            }
            var produced = 0
            let (start, end) = (input.start, input.end)
            var position = start
            let status: Int32 = input.buffer.withUnsafeBytes { src in
                stream.pointee.next_in = UnsafeMutablePointer(
                    mutating: src.baseAddress!.assumingMemoryBound(to: Bytef.self) + start)
                stream.pointee.avail_in = UInt32(end - start)
                stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = UInt32(buffer.count)
                let status = inflate(stream, Z_NO_FLUSH)
                position = end - Int(stream.pointee.avail_in)
                produced = buffer.count - Int(stream.pointee.avail_out)
                return status
            }
            input.advance(to: position)
            switch status {
            case Z_OK, Z_BUF_ERROR:
                memberOpen = true
            case Z_STREAM_END:
                memberOpen = false
                inflateReset(stream)  // another member may follow
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "error \(status)"
                throw DecompressionError(file: file, offset: input.consumed, reason: "corrupt gzip data (\(message))")
            }
            if produced > 0 { return produced }
        }
    }
}
