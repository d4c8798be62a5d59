import ArgumentParser
import Foundation
import LMIO
import LMTokenizer

/// `lmshard tokenize`: JSONL on stdin -> `{"ids":[...]}` per line on stdout.
///
/// stdin is read in large blocks; each block's lines are cut into chunks of
/// about `chunkBytes`, and every chunk is parsed, encoded and rendered on a
/// worker into its own reused buffer. The chunks' output is then written in
/// input order, one `write` per chunk. Only reading and writing are serial.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Tokenize the text field of each JSONL line on stdin, writing {\"ids\":[...]} lines in order.")

    @Option(name: .long, help: "A tokenizer.json, a directory holding one, or a hub id (ORG/NAME).")
    var tokenizer: String

    @Option(name: .long, help: "The string field to tokenize.")
    var field: String = "text"

    @Flag(name: .long, help: "Apply the tokenizer's post-processor (BOS/EOS templates).")
    var addSpecialTokens = false

    @Option(name: .long, help: "Worker threads (default: all cores; 1 = single-threaded).")
    var threads: Int?

    /// For tools/bench/tokenizer: the process's own load and encode times,
    /// so the benchmark need not subtract a separately timed process start.
    @Flag(name: .long, help: .hidden)
    var reportTiming = false

    /// Input bytes per batch: the work between two serial read/write steps.
    static let batchBytes = 8 << 20
    /// Target input bytes per chunk of lines handed to one worker: many more
    /// chunks than workers, so one long document does not idle the rest.
    static let chunkBytes = 64 << 10

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if field.isEmpty { throw ValidationError("--field must not be empty") }
    }

    func run() throws {
        let clock = ContinuousClock()
        let loadStart = clock.now
        let tok: Tokenizer
        do {
            tok = try Tokenizer.fromPretrained(tokenizer)
        } catch {
            FileHandle.standardError.write(Data("lmshard tokenize: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let encodeStart = clock.now
        defer {
            if reportTiming {
                func seconds(_ d: Duration) -> Double {
                    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
                }
                let load = seconds(encodeStart - loadStart), encode = seconds(clock.now - encodeStart)
                FileHandle.standardError.write(Data("{\"load_seconds\": \(load), \"encode_seconds\": \(encode)}\n".utf8))
            }
        }
        let workers = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        FileDescriptor.standardInput().enlargePipeBuffer()
        FileDescriptor.standardOutput().enlargePipeBuffer()
        let job = TokenizeJob(tokenizer: tok, field: field, addSpecialTokens: addSpecialTokens, workers: workers)
        let input = ByteBuffer()
        var lineNumber = 0
        var eof = false
        // When stdin has nothing more ready (a read came back short, as
        // pipes do), a batch starts once it holds this much: the writer
        // then refills the pipe while the batch encodes, instead of
        // encoding waiting for a full batch to arrive.
        let readyBatch = Self.chunkBytes * workers * 4
        while !eof {
            // Fill to at least one batch, and at least one whole line.
            var drained = false
            while !eof && (input.count < Self.batchBytes || input.lastIndex(of: 0x0A) == nil) {
                if drained && input.count >= readyBatch && input.lastIndex(of: 0x0A) != nil { break }
                input.reserve(input.count + Self.batchBytes)
                let want = input.capacity - input.count
                let n = input.readAppending(fd: 0, max: want)
                if n < 0 { throw ExitCode(1) }
                if n == 0 { eof = true }
                drained = n < want
            }
            // Complete lines end at the last newline; at EOF the rest is a line too.
            let end: Int
            if eof {
                end = input.count
            } else {
                end = input.lastIndex(of: 0x0A)! + 1
            }
            if end > 0 {
                let failed = input.withBytes(0..<end) { job.process($0, firstLine: lineNumber + 1, final: eof) }
                lineNumber += job.lineCount
                if let (line, message) = failed {
                    FileHandle.standardError.write(Data("stdin:\(line): \(message)\n".utf8))
                    throw ExitCode(1)
                }
                if let error = job.writeError {
                    FileHandle.standardError.write(Data("lmshard: error: \(error)\n".utf8))
                    throw ExitCode(1)
                }
            }
            input.removeFirst(end)
        }
    }
}
