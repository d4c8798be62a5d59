import Foundation
import TestSupport
import Testing

@testable import LMIO

/// One zstd decoder for inputs and spills: what `ZstdFileWriter` writes
/// (frames, cut and resumed) reads back through `ZstdSource`, and a damaged
/// stream is an error naming the file and compressed offset.
@Suite struct DecompressionTests {
    func decompress(_ path: String, chunk: Int = 1 << 16) throws -> [UInt8] {
        var source = try ZstdSource(FileDescriptor.openForReading(path))
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { return out }
            out += buffer[0..<n]
        }
    }

    @Test func framesRoundTripAndACutFileResumes() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = dir.path("run.zst")
        var rng = SplitMix64(seed: 11)
        let first = (0..<300_000).map { _ in UInt8.random(in: 97...100, using: &rng) }
        let writer = try ZstdFileWriter(path: path)
        try writer.write(first)
        try writer.endFrame()
        let committed = writer.length
        try writer.write([1, 2, 3])  // never committed
        try writer.finish()
        #expect(try decompress(path) == first + [1, 2, 3])
        // Reopened after the committed frame, as a resumed reduce does.
        let resumed = try ZstdFileWriter(path: path, keepingFirst: committed)
        try resumed.write(Array("tail".utf8))
        try resumed.finish()
        #expect(try decompress(path, chunk: 7) == first + Array("tail".utf8))
        // An empty file still holds one (empty) frame and reads as nothing.
        let empty = try ZstdFileWriter(path: dir.path("empty.zst"))
        try empty.finish()
        #expect(try decompress(dir.path("empty.zst")) == [])
    }

    @Test func truncatedAndCorruptStreamsNameTheFile() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = dir.path("in.jsonl.zst")
        let writer = try ZstdFileWriter(path: path)
        try writer.write([UInt8](repeating: 65, count: 100_000))
        try writer.finish()
        let whole = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        try dir.write("in.jsonl.zst", Array(whole.dropLast(3)))
        #expect { try decompress(path) } throws: { error in
            guard let e = error as? DecompressionError else { return false }
            return e.file == path && e.reason == "truncated zstd stream" && e.offset == Int64(whole.count - 3)
        }
        var corrupt = whole
        corrupt[corrupt.count / 2] ^= 0xFF
        corrupt[corrupt.count / 2 + 1] ^= 0xFF
        try dir.write("in.jsonl.zst", corrupt)
        #expect { try decompress(path) } throws: { error in
            (error as? DecompressionError)?.description.hasPrefix("\(path): at compressed byte ") == true
        }
    }
}
