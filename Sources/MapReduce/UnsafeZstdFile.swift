import CZstd
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streaming zstd over a POSIX file descriptor: with `UnsafeAppendFile`
/// below, the only place in MapReduce that touches raw memory or C handles.
/// Spill and output files go through `RecordFileWriter` / `RecordFileReader`,
/// which sit on these.
///
/// Level 1: spills are written once and read once, so compression speed
/// matters more than ratio; level 1 still shrinks count_chars spills
/// (small varints, repeated keys) several-fold, which is disk bandwidth saved
/// on both sides of the shuffle.
final class UnsafeZstdFileWriter {
    let path: String
    private let fd: Int32
    private let cctx: OpaquePointer
    private var input: [UInt8] = []
    private var output: [UInt8]
    private var closed = false
    /// Whether bytes went into the current frame since it began, so ending
    /// a frame with nothing in it writes nothing.
    private var frameHasData = false
    /// Compressed bytes in the file so far (its length, as everything
    /// compressed is written out at once).
    private(set) var length: UInt64
    /// Bytes buffered before a compression call; 128 KiB = zstd's block size.
    static let inputChunk = 1 << 17

    /// Creates (truncating) `path`, or with `keepingFirst` reopens it,
    /// cuts it to that many bytes and appends after them: a resumed reduce
    /// keeps its committed frames and drops whatever followed them.
    ///
    /// - Throws: `MapReduceError.io` when the file cannot be opened, or is
    ///   shorter than `keepingFirst`.
    init(path: String, level: Int32 = 1, keepingFirst kept: UInt64? = nil) throws {
        self.path = path
        length = kept ?? 0
        fd = try openForWriting(path: path, keepingFirst: kept)
        guard let c = ZSTD_createCCtx() else {
            close(fd)
            throw MapReduceError.io(path: path, message: "zstd: cannot allocate a compression context")
        }
        cctx = c
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level)
        output = [UInt8](repeating: 0, count: ZSTD_CStreamOutSize())
        input.reserveCapacity(Self.inputChunk * 2)
    }

    deinit {
        ZSTD_freeCCtx(cctx)
        if !closed { close(fd) }
    }

    /// Buffers `bytes`, compressing whenever a block's worth is waiting.
    func write<C: Collection>(_ bytes: C) throws where C.Element == UInt8 {
        if bytes.isEmpty { return }
        frameHasData = true
        input.append(contentsOf: bytes)
        if input.count >= Self.inputChunk { try compress(end: false) }
    }

    /// Ends the current zstd frame and writes it out, so the file's `length`
    /// bytes are a complete stream (concatenated frames decompress as one)
    /// that later writes only extend. Nothing is written for an empty frame.
    func endFrame() throws {
        if frameHasData { try compress(end: true) }
    }

    /// Flushes, ends the zstd frame and closes the file. A file that has
    /// frames already gets no trailing empty one; an empty file still gets
    /// one empty frame.
    func finish() throws {
        if frameHasData || length == 0 { try compress(end: true) }
        closed = true
        guard close(fd) == 0 else { throw MapReduceError.io(path: path, message: "close: \(errnoText())") }
    }

    private func compress(end: Bool) throws {
        let mode = end ? ZSTD_e_end : ZSTD_e_continue
        try input.withUnsafeBytes { src in
            var inBuf = ZSTD_inBuffer(src: src.baseAddress, size: src.count, pos: 0)
            while true {
                let (remaining, produced): (Int, Int) = try output.withUnsafeMutableBytes { dst in
                    var outBuf = ZSTD_outBuffer(dst: dst.baseAddress, size: dst.count, pos: 0)
                    let r = ZSTD_compressStream2(cctx, &outBuf, &inBuf, mode)
                    if ZSTD_isError(r) != 0 {
                        throw MapReduceError.io(path: path, message: "zstd: \(String(cString: ZSTD_getErrorName(r)))")
                    }
                    return (r, outBuf.pos)
                }
                try writeAll(count: produced)
                let done = end ? remaining == 0 : inBuf.pos == inBuf.size
                if done { break }
            }
        }
        input.removeAll(keepingCapacity: true)
        if end { frameHasData = false }
    }

    private func writeAll(count: Int) throws {
        try output.withUnsafeBytes { try posixWriteAll(fd, UnsafeRawBufferPointer(rebasing: $0[0..<count]), path: path) }
        length += UInt64(count)
    }
}

/// A plain file written by appending: a resumable reduce's progress log.
final class UnsafeAppendFile {
    let path: String
    private let fd: Int32

    /// Opens `path` (creating it) and cuts it to its first `keepingFirst`
    /// bytes, so appends follow them.
    init(path: String, keepingFirst kept: UInt64) throws {
        self.path = path
        fd = try openForWriting(path: path, keepingFirst: kept)
    }

    deinit { close(fd) }

    /// Writes all of `bytes` with write(2): once it returns, a killed
    /// process loses none of them (no fsync, so power loss can).
    func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try posixWriteAll(fd, $0, path: path) }
    }
}

/// Opens `path` for writing: truncated when `kept` is nil, else cut to its
/// first `kept` bytes (created if missing and `kept` is 0) and positioned
/// after them.
///
/// - Throws: `MapReduceError.io` when it cannot be opened or is shorter than `kept`.
private func openForWriting(path: String, keepingFirst kept: UInt64?) throws -> Int32 {
    let fd = open(path, O_WRONLY | O_CREAT | (kept == nil ? O_TRUNC : 0), 0o644)
    guard fd >= 0 else { throw MapReduceError.io(path: path, message: "cannot create: \(errnoText())") }
    guard let kept else { return fd }
    var info = stat()
    var problem: String?
    if fstat(fd, &info) != 0 {
        problem = "stat: \(errnoText())"
    } else if UInt64(info.st_size) < kept {
        problem = "has \(info.st_size) bytes, fewer than the \(kept) to keep"
    } else if ftruncate(fd, off_t(kept)) != 0 || lseek(fd, off_t(kept), SEEK_SET) != off_t(kept) {
        problem = "cannot cut to \(kept) bytes: \(errnoText())"
    }
    if let problem {
        close(fd)
        throw MapReduceError.io(path: path, message: problem)
    }
    return fd
}

/// One `read(2)` into `buffer`, retried on EINTR (for every file MapReduce
/// reads: zstd runs, `FileLines`, `FileLineBatches`); 0 at the end of input.
///
/// - Throws: `MapReduceError.io` naming `path`.
func posixReadSome(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String) throws -> Int {
    while true {
        let n = posixRead(fd, buffer.baseAddress, buffer.count)
        if n >= 0 { return n }
        if errno != EINTR { throw MapReduceError.io(path: path, message: "read: \(errnoText())") }
    }
}

/// Writes all of `bytes` to `fd`, retrying short writes and EINTR (for
/// every file MapReduce writes: zstd runs, progress logs, `FileSink`).
func posixWriteAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
    var written = 0
    while written < bytes.count {
        let n = posixWrite(fd, bytes.baseAddress! + written, bytes.count - written)
        if n < 0 {
            if errno == EINTR { continue }
            throw MapReduceError.io(path: path, message: "write: \(errnoText())")
        }
        written += n
    }
}

/// Reads a zstd file (one or more frames) as a stream of decompressed bytes.
final class UnsafeZstdFileReader {
    let path: String
    private let fd: Int32
    private let dctx: OpaquePointer
    private var input: [UInt8]
    /// Decompression target, reused; copied out with one `memcpy`-backed
    /// append (appending zeros and trimming cost 5% of a debug test run).
    private var output: [UInt8]
    private var inputPos = 0
    private var inputEnd = 0
    private var eof = false
    /// Compressed bytes consumed so far, for error offsets.
    private(set) var compressedOffset = 0
    /// True once the last frame ended exactly; false means truncation.
    private var frameComplete = true

    /// Opens `path` for reading.
    init(path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw MapReduceError.io(path: path, message: "cannot open: \(errnoText())") }
        guard let d = ZSTD_createDCtx() else {
            close(fd)
            throw MapReduceError.io(path: path, message: "zstd: cannot allocate a decompression context")
        }
        dctx = d
        input = [UInt8](repeating: 0, count: ZSTD_DStreamInSize())
        output = [UInt8](repeating: 0, count: ZSTD_DStreamOutSize())
    }

    deinit {
        ZSTD_freeDCtx(dctx)
        close(fd)
    }

    /// Appends up to about `ZSTD_DStreamOutSize()` decompressed bytes to
    /// `out`; returns false at the clean end of the file.
    ///
    /// - Throws: `MapReduceError.corruptFile` for corrupt data or a file
    ///   that ends inside a frame.
    func read(into out: inout [UInt8]) throws -> Bool {
        while true {
            if inputPos == inputEnd && !eof {
                let n = try input.withUnsafeMutableBytes { try posixReadSome(fd, into: $0, path: path) }
                if n == 0 { eof = true } else {
                    inputPos = 0
                    inputEnd = n
                }
            }
            if inputPos == inputEnd && eof {
                guard frameComplete else {
                    throw MapReduceError.corruptFile(
                        path: path, offset: compressedOffset, message: "zstd stream ends inside a frame (truncated)")
                }
                return false
            }
            let (hint, consumed, produced): (Int, Int, Int) = try input.withUnsafeBytes { src in
                try output.withUnsafeMutableBytes { dst in
                    var inBuf = ZSTD_inBuffer(src: src.baseAddress! + inputPos, size: inputEnd - inputPos, pos: 0)
                    var outBuf = ZSTD_outBuffer(dst: dst.baseAddress, size: dst.count, pos: 0)
                    let r = ZSTD_decompressStream(dctx, &outBuf, &inBuf)
                    if ZSTD_isError(r) != 0 {
                        throw MapReduceError.corruptFile(
                            path: path, offset: compressedOffset,
                            message: "zstd: \(String(cString: ZSTD_getErrorName(r)))")
                    }
                    return (r, inBuf.pos, outBuf.pos)
                }
            }
            out.append(contentsOf: output[0..<produced])
            inputPos += consumed
            compressedOffset += consumed
            frameComplete = hint == 0
            if produced > 0 { return true }
        }
    }
}

func errnoText() -> String { String(cString: strerror(errno)) }

/// `write(2)`/`read(2)` under names that do not clash with the methods above.
@inline(__always)
func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, buffer, count) }

@inline(__always)
func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }
