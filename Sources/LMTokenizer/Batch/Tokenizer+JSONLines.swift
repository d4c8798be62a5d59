import LMIO
import LMJSON

/// A JSONL line whose field could not be read, located in its input:
/// `<stdin>:2: invalid JSON at column 10: invalid UTF-8`.
public struct JSONLinesFieldError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The input's name (a path, `<stdin>`).
    public let source: String
    /// 1-based line.
    public let line: Int
    /// What is wrong with the line.
    public let reason: JSONFieldError

    public var description: String { "\(source):\(line): \(reason)" }
}

/// A JSONL line whose text the tokenizer could not encode (a Split or
/// Replace regex hit Oniguruma's retry limit, as HF raises), located in its
/// input: `<stdin>:7: regex ... retry-limit-in-match over`.
public struct JSONLinesEncodeError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The input's name (a path, `<stdin>`).
    public let source: String
    /// 1-based line.
    public let line: Int
    /// The tokenizer's message.
    public let reason: String

    public var description: String { "\(source):\(line): \(reason)" }
}

/// What an `encodeJSONLines` run read and wrote.
public struct JSONLinesSummary: Equatable, Sendable {
    /// Lines encoded.
    public var lines = 0
    /// Input bytes of those lines, plus one per line for its `\n`.
    public var inputBytes = 0
    /// Token ids written.
    public var tokens = 0
}

extension Tokenizer {
    /// Input bytes per read block: the work between two serial read steps.
    static let jsonLinesBlockBytes = 8 << 20
    /// Target input bytes per chunk of lines handed to one worker: many more
    /// chunks than workers, so one long document does not idle the rest.
    static let jsonLinesChunkBytes = 64 << 10

    /// Encodes the string `field` of every JSONL line of `input` and writes
    /// one `{"ids":[...]}` line per input line to `output`, in input order:
    /// the engine behind `lmshard tokenize`.
    ///
    /// Input is read in 8 MiB blocks (LMIO's `LineBatches`); each block's
    /// lines are cut into chunks of about 64 KiB, and every chunk is parsed,
    /// encoded and rendered on a worker into its own reused buffer. Chunk
    /// outputs go to `output` in input order as soon as a chunk and all
    /// before it are done, so writing overlaps encoding; only reading is
    /// serial. At most `threads` workers encode at once.
    ///
    /// From a pipe, a block starts as soon as a short read leaves it a few
    /// chunks per worker, so the process feeding the pipe refills it while
    /// the block encodes, instead of encoding waiting for 8 MiB to arrive.
    ///
    /// - Returns: counts of what was encoded.
    /// - Throws: `JSONLinesFieldError` for the first line whose field cannot
    ///   be read (after writing the output of every line before it); the
    ///   input's and the output's errors (`FileError`: a full disk, a closed
    ///   pipe) as soon as they happen.
    public func encodeJSONLines<Source: ByteSource & ~Copyable>(
        from input: consuming Source, to output: BufferedWriter, field: String = "text",
        addSpecialTokens: Bool = false, threads: Int
    ) throws -> JSONLinesSummary {
        precondition(threads >= 1, "threads must be at least 1")
        let job = JSONLinesJob(
            tokenizer: self, output: output, field: field, addSpecialTokens: addSpecialTokens, workers: threads)
        var batches = LineBatches(
            input, blockSize: Self.jsonLinesBlockBytes, minimumFill: Self.jsonLinesChunkBytes * threads * 4)
        while let batch = try batches.nextBatch(maxRows: .max) {
            try job.process(batch, source: batches.name)
        }
        try output.flush()
        return job.summary
    }
}
