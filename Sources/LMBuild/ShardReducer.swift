import Foundation
import LMPrep
import LMShard
import MapReduce

/// The reduce step of every build stage: one reduce group's tokenized
/// examples, in input order, packed and written as the group's shard in the
/// staging directory, then its receipt staged; the local build and the
/// distributed reduce stage both reduce through this, so a group gives the
/// same shard bytes and the same receipt wherever it is reduced.
///
/// Streaming: the packer holds one sequence and the shard writer one
/// length per sequence, so memory does not grow with the group. The shard
/// is opened at the group's first packed sequence (a group that packs
/// nothing writes no files) under this attempt's temporary names and
/// renamed into place by `ShardWriter.finish`; when packing fails the
/// writer's temporary files are removed.
struct ShardReducer: Sendable {
    let config: PrepareForTrainingConfig
    let padTokenId: UInt32
    let staging: BuildStaging
    let tokenDType: TokenDType
    let positionDType: PositionDType
    /// Part of the temporary file names; `local` for the local build.
    let attempt: String

    /// Packs `values` into group `group`'s shard and returns its (staged) receipt.
    ///
    /// - Throws: what reading `values` throws (the shard is then abandoned),
    ///   `ShardError`, `FileError`.
    func reduce<S: ValueStream>(group: Int, values: inout S) throws -> ShardReceipt where S.Element == TokenizedRow {
        let open = OpenShard()
        let name = ShardNaming.name(group: group)
        let stats = try PrepareForTrainingTransform.pack(&values, config: config, padTokenId: padTokenId) { row in
            if open.writer == nil {
                open.writer = try ShardWriter(
                    directory: staging.url, name: name, tokenDType: tokenDType, positionDType: positionDType,
                    attempt: attempt)
            }
            try open.append(row)
            TestHooks.shared.sequenceWritten()
        }
        let shard = try open.finish()
        let receipt = ShardReceipt(group: group, shard: shard, packing: stats)
        try staging.record(receipt)
        TestHooks.shared.shardDone()
        return receipt
    }
}

/// The shard being written, if any; dropping it unfinished removes its
/// temporary files (`ShardWriter` is `~Copyable` and cleans up on `deinit`).
private final class OpenShard {
    var writer: ShardWriter?

    func append(_ row: TokenizedRow) throws {
        // Moved out and back: a failed append drops (and so aborts) the shard.
        guard var w = writer.take() else { return }
        try w.append(tokens: row.inputIds, positions: row.positionIds, lossMask: row.lossMask)
        writer = consume w
    }

    func finish() throws -> ShardSummary? {
        guard let w = writer.take() else { return nil }
        return try w.finish()
    }
}
