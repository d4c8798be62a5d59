import CZlib

/// gzip- (or zlib-) decompressed bytes of another source, concatenated
/// members included (what `cat a.gz b.gz` makes).
///
/// `~Copyable`: it owns the allocated `z_stream`, ended and freed exactly
/// once when it goes.
public struct GzipSource<Inner: ByteSource & ~Copyable>: ByteSource, ~Copyable {
    private var input: CompressedInput<Inner>
    private let stream: UnsafeMutablePointer<z_stream>
    private var memberOpen = false
    public let name: String

    /// Decompresses `inner`, named in errors by its `name`.
    ///
    /// - Throws: `DecompressionError` if zlib cannot be initialised.
    public init(_ inner: consuming Inner) throws {
        let name = inner.name
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 15 + 32: maximum window, detect gzip or zlib headers automatically.
        let status = inflateInit2_(stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            throw DecompressionError(file: name, offset: 0, reason: "cannot initialise zlib (\(status))")
        }
        self.stream = stream
        self.name = name
        input = CompressedInput(inner, capacity: 1 << 16)
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// Decompresses into `buffer`.
    ///
    /// - Throws: `DecompressionError` for corrupt data or a stream that
    ///   ends inside a member; the inner source's errors.
    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            guard try input.refillIfEmpty(truncatedIfDone: memberOpen, format: "gzip") else { return 0 }
            var produced = 0
            let (start, end) = (input.start, input.end)
            var position = start
            let stream = self.stream
            let status: Int32 = input.buffer.withUnsafeBytes { src in
                stream.pointee.next_in = UnsafeMutablePointer(
                    mutating: src.baseAddress!.assumingMemoryBound(to: Bytef.self) + start)
                stream.pointee.avail_in = UInt32(end - start)
                stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                // avail_out is 32-bit: a larger buffer is filled in several reads.
                let room = min(buffer.count, Int(UInt32.max))
                stream.pointee.avail_out = UInt32(room)
                let status = inflate(stream, Z_NO_FLUSH)
                position = end - Int(stream.pointee.avail_in)
                produced = room - Int(stream.pointee.avail_out)
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
                throw DecompressionError(file: name, offset: input.consumed, reason: "corrupt gzip data (\(message))")
            }
            if produced > 0 { return produced }
        }
    }
}
