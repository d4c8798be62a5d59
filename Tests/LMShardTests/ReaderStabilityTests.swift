import Foundation
import TestSupport
import Testing

@testable import LMShard

/// What an open dataset reads comes from what was validated when it was
/// opened: an index rewritten in place afterwards (another process, a bad
/// disk) cannot send a read out of bounds.
@Suite struct ReaderStabilityTests {
    @Test func anIndexChangedAfterOpeningIsNotReadAgain() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let seqs = randomSequences(count: 6, length: 5, vocab: 300, seed: 21)
        try writeDataset(dir.url, shards: [seqs], vocab: 300, seqLen: 5)
        let dataset = try ShardedDataset(directory: dir.url)
        // Overwrite every length and pointer of the mapped .idx in place
        // (a MAP_PRIVATE map sees such writes to pages it has not copied).
        let idx = dir.path("shard-0.idx")
        let file = open(idx, O_WRONLY)
        try #require(file >= 0)
        let garbage = [UInt8](repeating: 0x7F, count: 12 * seqs.count)
        _ = garbage.withUnsafeBytes { pwrite(file, $0.baseAddress, $0.count, off_t(Format.Index.headerSize)) }
        close(file)
        // Same lengths and contents as written.
        for (i, s) in seqs.enumerated() {
            #expect(try dataset.length(of: i) == 5)
            let back = try dataset.sequence(at: i)
            #expect(back.tokens == s.tokens && back.positions == s.positions && back.lossMask == s.mask)
        }
        // Reopened, the damage is found.
        #expect(throws: ShardError.self) { _ = try ShardedDataset(directory: dir.url) }
    }
}
