/// Anything that hands out bytes in chunks: a file, standard input, a
/// decompressor over either. The line splitters (`LineBatches`,
/// `LineReader`) read any source, so a compressed file is read like a
/// plain one with no intermediate copy of the whole file.
///
/// `~Copyable` sources (the file descriptor, the decoders holding C
/// contexts) are owned by exactly one reader.
public protocol ByteSource: ~Copyable {
    /// The source's name in errors: a path, or `<stdin>`.
    var name: String { get }
    /// Fills a prefix of `buffer` with the next bytes and returns how many;
    /// returns 0 only at the end of the data. May return fewer bytes than
    /// asked for at any time.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

extension FileDescriptor: ByteSource {
    /// The path opened, or `<stdin>`.
    public var name: String { path }

    /// One `read(2)` (see `readSome(into:)`).
    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try readSome(into: buffer)
    }
}

/// Serves bytes from memory, optionally in small chunks: for tests of
/// chunk-boundary handling and for callers that already hold the data.
public struct MemorySource: ByteSource, Sendable {
    /// All the bytes served.
    public let bytes: [UInt8]
    /// The most bytes handed out per `read` call.
    public let chunkSize: Int
    /// How many bytes have been served so far.
    public private(set) var position = 0
    public let name: String

    /// Serves `bytes`, at most `chunkSize` per read.
    public init(_ bytes: [UInt8], chunkSize: Int = .max, name: String = "<memory>") {
        precondition(chunkSize > 0, "chunkSize must be positive")
        self.bytes = bytes
        self.chunkSize = chunkSize
        self.name = name
    }

    /// Copies the next chunk into `buffer`.
    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, chunkSize, bytes.count - position)
        guard n > 0, let dst = buffer.baseAddress else { return 0 }
        bytes.withUnsafeBytes { src in
            if let s = src.baseAddress { dst.copyMemory(from: s + position, byteCount: n) }
        }
        position += n
        return n
    }
}

/// Any source behind one type, chosen at run time (plain, zstd or gzip by
/// file name): one dynamic call per read of a whole block, nothing per
/// line. A class, so the source it owns is closed once, when the last
/// reference goes.
public final class AnyByteSource: ByteSource {
    private var base: any ByteSource & ~Copyable
    public let name: String

    /// Takes ownership of `base`.
    public init(_ base: consuming some ByteSource & ~Copyable) {
        name = base.name
        self.base = consume base
    }

    /// Reads from the wrapped source.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try base.read(into: buffer)
    }
}
