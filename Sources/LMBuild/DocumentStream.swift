import Foundation
import LMIO
import LMJSON

/// One document as read from disk, before parsing: a JSONL line or a whole
/// text file, with where it starts. Parsing happens later, on the map
/// workers, so the reading thread only splits lines.
public struct RawDocument: Sendable {
    public enum Kind: Sendable { case jsonLine, textFile }
    /// Index into the build's input files.
    public let file: Int
    /// 1-based line of a JSONL row; 1 for a text file; nil inside a byte
    /// range that starts mid-file, where it is found only when needed
    /// (`LineLocator`).
    public let line: Int?
    /// Offset of the document's first byte in the (decompressed) file: with
    /// `file` and the emit index, the row's place in the build's order.
    public let offset: Int
    public let kind: Kind
    public let bytes: [UInt8]

    public init(file: Int, line: Int?, offset: Int = 0, kind: Kind, bytes: [UInt8]) {
        self.file = file
        self.line = line
        self.offset = offset
        self.kind = kind
        self.bytes = bytes
    }
}

/// What a `DocumentStream` reads: a whole input file, the rows of a plain
/// JSONL file whose first byte lies in a byte range (a plan's split), or
/// standard input standing for rows of one file from a known offset on.
public struct DocumentSegment: Sendable {
    public enum Source: Sendable {
        /// The whole file.
        case file
        /// Rows starting in `start..<end` of a plain JSONL file (`end` nil: to the end).
        case range(start: Int, end: Int?)
        /// JSONL rows on standard input; offsets count from `base`.
        case standardInput(base: Int)
    }
    /// Index of the file in the build's inputs (rows are tagged with it).
    public let fileIndex: Int
    public let file: InputFile
    public let source: Source

    public init(fileIndex: Int, file: InputFile, source: Source) {
        self.fileIndex = fileIndex
        self.file = file
        self.source = source
    }

    /// Every file whole, in order: the local build's input.
    public static func wholeFiles(_ files: [InputFile]) -> [DocumentSegment] {
        files.enumerated().map { DocumentSegment(fileIndex: $0.offset, file: $0.element, source: .file) }
    }
}

/// Reads segments in order and yields their documents: JSONL rows (blank
/// lines skipped) from plain, zstd or gzip files, byte ranges of plain files
/// and stdin, and whole text files.
///
/// A byte range `start..<end` yields exactly the rows whose first byte lies
/// in it: reading starts at `start - 1`, and what precedes the first newline
/// from there is the end of a row owned by the range before (or, when byte
/// `start - 1` is itself a newline, nothing). Ranges that tile a file
/// therefore yield each of its rows once, wherever the cuts fall.
///
/// A `Sequence` cannot throw, and the runner pulls documents from it, so a
/// read failure (I/O error, truncated zstd stream, over-long line) ends the
/// stream and is kept in `failure`; the caller checks it after the run and
/// discards everything the run wrote. Files are opened, decompressed and
/// split by LMIO (`FileDescriptor`, `ZstdSource`, `GzipSource`, `LineReader`).
///
/// `@unchecked Sendable`: the runner's reading thread is the only one that
/// iterates, and the other properties (`failure`, `documentsRead`,
/// `bytesRead`) are read by the caller only after the run, once the runner
/// has joined that thread.
public final class DocumentStream: Sequence, IteratorProtocol, @unchecked Sendable {
    public let segments: [DocumentSegment]
    /// Why reading stopped early, if it did.
    public private(set) var failure: (any Error)?
    /// Documents read so far.
    public private(set) var documentsRead = 0
    /// Bytes of the documents read so far (JSONL lines without line ends).
    public private(set) var bytesRead: Int64 = 0
    /// Bytes read from standard input so far, line ends and blank lines
    /// included: where rows fed on stdin end.
    public var standardInputBytes: Int { stdinCounter.count }
    private let stdinCounter = ByteCounter()
    /// Called once per document, on the reading thread (to count and report
    /// progress: it must be safe to call from there).
    private let onDocument: @Sendable (RawDocument) -> Void
    /// Called once, on the reading thread, when the last document has been read.
    private let onEnd: @Sendable () -> Void
    /// Largest text file or JSONL line accepted, in bytes.
    private let maximumDocumentBytes: Int

    private var segmentIndex = -1
    private var reader: LineReader<AnyByteSource>?
    /// The current segment's offset of the reader's byte 0, and where its
    /// rows stop (`Int.max`: the end of the file).
    private var base = 0
    private var stop = Int.max
    /// Line numbers of the reader are the file's (false inside a range
    /// that starts mid-file, and on stdin standing for part of a file).
    private var linesAreFileLines = true
    /// The first line read from a mid-file range belongs to the range before.
    private var skipFirstLine = false
    private var ended = false

    public init(
        segments: [DocumentSegment], maximumDocumentBytes: Int = 1 << 30,
        onDocument: @escaping @Sendable (RawDocument) -> Void = { _ in }, onEnd: @escaping @Sendable () -> Void = {}
    ) {
        self.segments = segments
        self.maximumDocumentBytes = maximumDocumentBytes
        self.onDocument = onDocument
        self.onEnd = onEnd
    }

    /// Every file whole, in order.
    public convenience init(
        files: [InputFile], maximumDocumentBytes: Int = 1 << 30,
        onDocument: @escaping @Sendable (RawDocument) -> Void = { _ in }, onEnd: @escaping @Sendable () -> Void = {}
    ) {
        self.init(
            segments: DocumentSegment.wholeFiles(files), maximumDocumentBytes: maximumDocumentBytes,
            onDocument: onDocument, onEnd: onEnd)
    }

    public func next() -> RawDocument? {
        guard !ended else { return nil }
        do {
            if let document = try read() {
                documentsRead += 1
                bytesRead += Int64(document.bytes.count)
                onDocument(document)
                return document
            }
        } catch {
            failure = error
        }
        end()
        return nil
    }

    private func end() {
        reader = nil
        ended = true
        onEnd()
    }

    private func read() throws -> RawDocument? {
        while true {
            if var lines = reader.take() {
                let row = try lines.next { bytes, line -> (bytes: [UInt8]?, line: Int) in
                    guard bytes.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { return (nil, line) }
                    return ([UInt8](bytes), line)
                }
                // Past the end of this segment (or of its range): the reader, and its file, go.
                guard let row, base + lines.lineOffset < stop else { continue }
                let offset = base + lines.lineOffset
                reader = consume lines
                if skipFirstLine {
                    skipFirstLine = false  // the end of a row the range before owns
                    continue
                }
                guard let bytes = row.bytes else { continue }  // blank line
                return RawDocument(
                    file: segments[segmentIndex].fileIndex, line: linesAreFileLines ? row.line : nil, offset: offset,
                    kind: .jsonLine, bytes: bytes)
            }
            segmentIndex += 1
            guard segmentIndex < segments.count else { return nil }
            let segment = segments[segmentIndex]
            switch (segment.source, segment.file.format) {
            case (.file, .text):
                return RawDocument(
                    file: segment.fileIndex, line: 1, offset: 0, kind: .textFile,
                    bytes: try FileSystem.readFile(segment.file.path, limit: maximumDocumentBytes))
            default:
                try open(segment)
            }
        }
    }

    private func open(_ segment: DocumentSegment) throws {
        base = 0
        stop = Int.max
        linesAreFileLines = true
        skipFirstLine = false
        let raw: FileDescriptor
        switch segment.source {
        case .standardInput(let offset):
            raw = FileDescriptor.standardInput()
            base = offset
            linesAreFileLines = offset == 0 && segment.file.isStdin
        case .file:
            raw = segment.file.isStdin ? FileDescriptor.standardInput() : try FileDescriptor.openForReading(segment.file.path)
        case .range(let start, let end):
            raw = try FileDescriptor.openForReading(segment.file.path)
            stop = end ?? Int.max
            if start > 0 {
                try raw.seek(to: start - 1)
                base = start - 1
                skipFirstLine = true
                linesAreFileLines = false
            }
        }
        let source: AnyByteSource
        switch (segment.source, segment.file.format) {
        case (.standardInput, _): source = AnyByteSource(CountingSource(base: raw, counter: stdinCounter))
        case (.file, .jsonlZstd): source = AnyByteSource(try ZstdSource(raw))
        case (.file, .jsonlGzip): source = AnyByteSource(try GzipSource(raw))
        default: source = AnyByteSource(raw)
        }
        reader = LineReader(source, maximumLineLength: maximumDocumentBytes)
    }
}

/// Counts the bytes a source hands out.
private final class ByteCounter: @unchecked Sendable {
    var count = 0
}

private struct CountingSource: ByteSource, ~Copyable {
    var base: FileDescriptor
    let counter: ByteCounter
    var name: String { base.name }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try base.read(into: buffer)
        counter.count += n
        return n
    }
}
