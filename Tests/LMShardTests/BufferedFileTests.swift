import Foundation
import TestSupport
import Testing
@testable import LMShard

@Suite struct BufferedFileTests {
    /// Past several writeback strides (each flush may start writeback of
    /// what was written), a header overwrite after the fact, and a tail
    /// shorter than the buffer: the file holds exactly what was appended.
    @Test func bytesSurviveEarlyWritebackAndOverwrite() throws {
        let tmp = try TempDir()
        defer { tmp.remove() }
        let path = tmp.path + "/f"
        let file = try BufferedFile(creating: path, capacity: 1 << 20)
        let total = 3 * BufferedFile.writebackStride + 12345
        var expected = [UInt8](repeating: 0, count: total)
        var rng = TestSupport.SplitMix64(seed: 3)
        var offset = 0
        while offset < total {
            let n = min(Int.random(in: 1...300_000, using: &rng), total - offset)
            for i in offset..<(offset + n) { expected[i] = UInt8(truncatingIfNeeded: i &* 31 &+ i >> 11) }
            try expected[offset..<(offset + n)].withUnsafeBytes { try file.append($0) }
            offset += n
        }
        try file.overwrite([9, 8, 7, 6], at: 0)
        expected[0..<4] = [9, 8, 7, 6]
        try file.finish()
        #expect(file.size == total)
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == expected)
    }
}
