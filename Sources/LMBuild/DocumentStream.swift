import Foundation
import LMIO
import LMJSON

/// One document as read from disk, before parsing: a JSONL line or a whole
/// text file. Parsing happens later, on the map workers, so the reading
/// thread only splits lines.
public struct RawDocument: Sendable {
    public enum Kind: Sendable { case jsonLine, textFile }
    /// Index into the build's input files.
    public let file: Int
    /// 1-based line of a JSONL row; 1 for a text file.
    public let line: Int
    public let kind: Kind
    public let bytes: [UInt8]
}

/// Reads every input file in order and yields its documents: JSONL rows
/// (blank lines skipped) from plain, zstd or gzip files and stdin, and whole
/// text files.
///
/// A `Sequence` cannot throw, and the runner pulls documents from it, so a
/// read failure (I/O error, truncated zstd stream, over-long line) ends the
/// stream and is kept in `failure`; the builder checks it after the run and
/// discards everything the run wrote. Files are opened, decompressed and
/// split by LMIO (`FileDescriptor`, `ZstdSource`, `GzipSource`, `LineReader`).
///
/// `@unchecked Sendable`: the runner's reading thread is the only one that
/// iterates, and the other properties (`failure`, `documentsRead`,
/// `bytesRead`) are read by the builder only after the run, once the
/// runner has joined that thread.
public final class DocumentStream: Sequence, IteratorProtocol, @unchecked Sendable {
    public let files: [InputFile]
    /// Why reading stopped early, if it did.
    public private(set) var failure: (any Error)?
    /// Documents read so far.
    public private(set) var documentsRead = 0
    /// Bytes of the documents read so far (JSONL lines without line ends).
    public private(set) var bytesRead: Int64 = 0
    /// Called once per document with its size in bytes, on the reading
    /// thread (to report progress: it must be safe to call from there).
    private let onDocument: @Sendable (Int) -> Void
    /// Called once, on the reading thread, when the last document has been read.
    private let onEnd: @Sendable () -> Void
    /// Largest text file or JSONL line accepted, in bytes.
    private let maximumDocumentBytes: Int

    private var fileIndex = -1
    private var reader: LineReader<AnyByteSource>?
    private var ended = false

    public init(
        files: [InputFile], maximumDocumentBytes: Int = 1 << 30,
        onDocument: @escaping @Sendable (Int) -> Void = { _ in }, onEnd: @escaping @Sendable () -> Void = {}
    ) {
        self.files = files
        self.maximumDocumentBytes = maximumDocumentBytes
        self.onDocument = onDocument
        self.onEnd = onEnd
    }

    public func next() -> RawDocument? {
        guard !ended else { return nil }
        do {
            if let document = try read() {
                documentsRead += 1
                bytesRead += Int64(document.bytes.count)
                onDocument(document.bytes.count)
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
                let index = fileIndex
                let row = try lines.next { bytes, line -> RawDocument? in
                    guard bytes.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { return nil }
                    return RawDocument(file: index, line: line, kind: .jsonLine, bytes: [UInt8](bytes))
                }
                switch row {
                case .some(.some(let document)):
                    reader = consume lines
                    return document
                case .some(.none):
                    reader = consume lines
                    continue  // blank line
                case .none: break  // end of this file: the reader (and its file) goes
                }
            }
            fileIndex += 1
            guard fileIndex < files.count else { return nil }
            let file = files[fileIndex]
            switch file.format {
            case .text:
                return RawDocument(file: fileIndex, line: 1, kind: .textFile, bytes: try readText(file.path))
            case .jsonl, .jsonlZstd, .jsonlGzip:
                try open(file)
            }
        }
    }

    private func open(_ file: InputFile) throws {
        let raw = file.isStdin ? FileDescriptor.standardInput() : try FileDescriptor.openForReading(file.path)
        let source: AnyByteSource
        switch file.format {
        case .jsonlZstd: source = AnyByteSource(try ZstdSource(raw))
        case .jsonlGzip: source = AnyByteSource(try GzipSource(raw))
        case .jsonl, .text: source = AnyByteSource(raw)
        }
        reader = LineReader(source, maximumLineLength: maximumDocumentBytes)
    }

    /// A whole text file, at most `maximumDocumentBytes` (a larger one is
    /// a `FileError` saying so).
    private func readText(_ path: String) throws -> [UInt8] {
        try FileSystem.readFile(path, limit: maximumDocumentBytes)
    }
}
