import Foundation
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
/// discards everything the run wrote.
public final class DocumentStream: Sequence, IteratorProtocol, @unchecked Sendable {
    public let files: [InputFile]
    /// Why reading stopped early, if it did.
    public private(set) var failure: (any Error)?
    /// Called once per document with its size in bytes, on the reading thread.
    private let onDocument: (Int) -> Void
    /// Called once when the last document has been read.
    private let onEnd: () -> Void
    /// Largest text file or JSONL line accepted, in bytes.
    private let maximumDocumentBytes: Int

    private var fileIndex = -1
    private var reader: LineReader<AnyByteSource>?
    private var closeCurrent: () -> Void = {}
    private var ended = false

    public init(
        files: [InputFile], maximumDocumentBytes: Int = 1 << 30,
        onDocument: @escaping (Int) -> Void = { _ in }, onEnd: @escaping () -> Void = {}
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
        closeCurrent()
        closeCurrent = {}
        reader = nil
        ended = true
        onEnd()
    }

    private func read() throws -> RawDocument? {
        while true {
            if var lines = reader {
                reader = nil  // keep the reader's buffer uniquely referenced while reading
                let row = try lines.next { bytes, line -> RawDocument? in
                    guard bytes.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { return nil }
                    return RawDocument(file: fileIndex, line: line, kind: .jsonLine, bytes: [UInt8](bytes))
                }
                reader = lines
                switch row {
                case .some(.some(let document)): return document
                case .some(.none): continue  // blank line
                case .none: break  // end of this file
                }
                closeCurrent()
                closeCurrent = {}
                reader = nil
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
        let raw = file.isStdin ? FileByteSource.standardInput() : try FileByteSource(path: file.path)
        let source: any ByteSource
        switch file.format {
        case .jsonlZstd:
            let z = try ZstdSource(raw, file: file.path)
            closeCurrent = { z.close() }
            source = z
        case .jsonlGzip:
            let g = try GzipSource(raw, file: file.path)
            closeCurrent = { g.close() }
            source = g
        case .jsonl, .text:
            source = raw
        }
        reader = LineReader(AnyByteSource(source), maximumLineLength: maximumDocumentBytes)
    }

    private func readText(_ path: String) throws -> [UInt8] {
        var source = try FileByteSource(path: path)
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { break }
            bytes += chunk[0..<n]
            guard bytes.count <= maximumDocumentBytes else {
                throw BuildError.input(file: path, line: nil, message: "text file is larger than \(maximumDocumentBytes) bytes")
            }
        }
        return bytes
    }
}

/// Any `ByteSource`, so one line reader type serves plain and compressed files.
struct AnyByteSource: ByteSource {
    var base: any ByteSource
    init(_ base: any ByteSource) { self.base = base }
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int { try base.read(into: buffer) }
}
