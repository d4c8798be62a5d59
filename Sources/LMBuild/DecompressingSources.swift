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

/// zstd frames, concatenated frames included (what `zstd` and `pzstd` write).
public struct ZstdSource<Inner: ByteSource>: ByteSource {
    private var inner: Inner
    private let stream: OpaquePointer
    private var input: [UInt8]
    private var inputStart = 0
    private var inputEnd = 0
    private var consumed: Int64 = 0
    private var innerDone = false
    /// `ZSTD_decompressStream`'s last hint: 0 exactly when a frame just ended.
    private var frameOpen = false
    private let file: String

    public init(_ inner: Inner, file: String) throws {
        guard let stream = ZSTD_createDStream() else {
            throw DecompressionError(file: file, offset: 0, reason: "cannot allocate a zstd stream")
        }
        self.inner = inner
        self.stream = stream
        self.file = file
        self.input = [UInt8](repeating: 0, count: ZSTD_DStreamInSize())
        ZSTD_initDStream(stream)
    }

    /// Call once the source is exhausted or abandoned (structs have no deinit).
    public func close() { ZSTD_freeDStream(stream) }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            if inputStart == inputEnd && !innerDone {
                let n = try input.withUnsafeMutableBytes { try inner.read(into: $0) }
                inputStart = 0
                inputEnd = n
                if n == 0 { innerDone = true }
            }
            if inputStart == inputEnd && innerDone {
                if frameOpen {
                    throw DecompressionError(file: file, offset: consumed, reason: "truncated zstd stream")
                }
                return 0
            }
            var produced = 0
            var hint = 0
            let before = inputStart
            input.withUnsafeBytes { src in
                var inBuf = ZSTD_inBuffer(src: src.baseAddress! + 0, size: inputEnd, pos: inputStart)
                var outBuf = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
                hint = ZSTD_decompressStream(stream, &outBuf, &inBuf)
                inputStart = inBuf.pos
                produced = outBuf.pos
            }
            consumed += Int64(inputStart - before)
            if ZSTD_isError(hint) != 0 {
                let name = String(cString: ZSTD_getErrorName(hint))
                throw DecompressionError(file: file, offset: consumed, reason: "corrupt zstd data (\(name))")
            }
            frameOpen = hint != 0
            if produced > 0 { return produced }
        }
    }
}

/// gzip (and zlib) members, concatenated members included (what `cat a.gz b.gz` makes).
public struct GzipSource<Inner: ByteSource>: ByteSource {
    private var inner: Inner
    private var stream: UnsafeMutablePointer<z_stream>
    private var input: [UInt8]
    private var inputStart = 0
    private var inputEnd = 0
    private var consumed: Int64 = 0
    private var innerDone = false
    private var memberOpen = false
    private let file: String

    public init(_ inner: Inner, file: String) throws {
        self.inner = inner
        self.file = file
        self.input = [UInt8](repeating: 0, count: 1 << 16)
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
            if inputStart == inputEnd && !innerDone {
                let n = try input.withUnsafeMutableBytes { try inner.read(into: $0) }
                inputStart = 0
                inputEnd = n
                if n == 0 { innerDone = true }
            }
            if inputStart == inputEnd && innerDone {
                if memberOpen {
                    throw DecompressionError(file: file, offset: consumed, reason: "truncated gzip stream")
                }
                return 0
            }
            let before = inputStart
            var produced = 0
            let status: Int32 = input.withUnsafeMutableBytes { src in
                stream.pointee.next_in = src.baseAddress!.assumingMemoryBound(to: Bytef.self) + inputStart
                stream.pointee.avail_in = UInt32(inputEnd - inputStart)
                stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = UInt32(buffer.count)
                let status = inflate(stream, Z_NO_FLUSH)
                inputStart = inputEnd - Int(stream.pointee.avail_in)
                produced = buffer.count - Int(stream.pointee.avail_out)
                return status
            }
            consumed += Int64(inputStart - before)
            switch status {
            case Z_OK, Z_BUF_ERROR:
                memberOpen = true
            case Z_STREAM_END:
                memberOpen = false
                inflateReset(stream)  // another member may follow
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "error \(status)"
                throw DecompressionError(file: file, offset: consumed, reason: "corrupt gzip data (\(message))")
            }
            if produced > 0 { return produced }
            if status == Z_BUF_ERROR && inputStart == inputEnd && innerDone {
                throw DecompressionError(file: file, offset: consumed, reason: "truncated gzip stream")
            }
        }
    }
}
