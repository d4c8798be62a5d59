import ArgumentParser
import Foundation
import LMTokenizer

/// `lmshard tokenize`: JSONL on stdin -> `{"ids":[...]}` per line on stdout.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Tokenize the text field of each JSONL line on stdin, writing {\"ids\":[...]} lines in order.")

    @Option(name: .long, help: "Path to a tokenizer.json or a directory holding one.")
    var tokenizer: String

    @Option(name: .long, help: "The string field to tokenize.")
    var field: String = "text"

    @Flag(name: .long, help: "Apply the tokenizer's post-processor (BOS/EOS templates).")
    var addSpecialTokens = false

    @Option(name: .long, help: "Worker threads (default: all cores; 1 = single-threaded).")
    var threads: Int?

    /// Lines per `encodeBatch` call: big enough to keep every core busy,
    /// small enough that memory stays bounded whatever the input size.
    static let batchLines = 4096

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if field.isEmpty { throw ValidationError("--field must not be empty") }
    }

    func run() throws {
        let tok: Tokenizer
        do {
            tok = try Tokenizer(contentsOf: URL(fileURLWithPath: tokenizer))
        } catch {
            FileHandle.standardError.write(Data("lmshard tokenize: \(error)\n".utf8))
            throw ExitCode(1)
        }
        var texts: [String] = []
        texts.reserveCapacity(Self.batchLines)
        var lineNumber = 0
        let out = FileHandle.standardOutput
        func flush() {
            let batch = tok.encodeBatch(texts, addSpecialTokens: addSpecialTokens, threads: threads)
            out.write(IdsLineWriter.render(batch))
            texts.removeAll(keepingCapacity: true)
        }
        while let line = readLine(strippingNewline: true) {
            lineNumber += 1
            do {
                texts.append(try JSONLField.string(field, in: line))
            } catch let error as JSONLField.Failure {
                flush()
                FileHandle.standardError.write(Data("stdin:\(lineNumber): \(error.message)\n".utf8))
                throw ExitCode(1)
            }
            if texts.count >= Self.batchLines { flush() }
        }
        if !texts.isEmpty { flush() }
    }
}

/// Reads one string field from a JSONL line.
enum JSONLField {
    struct Failure: Error { let message: String }

    static func string(_ field: String, in line: String) throws -> String {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(line.utf8), options: [])
        } catch {
            throw Failure(message: "not valid JSON")
        }
        guard let dict = object as? [String: Any] else { throw Failure(message: "expected a JSON object") }
        guard let value = dict[field] else { throw Failure(message: "missing field \"\(field)\"") }
        guard let text = value as? String else { throw Failure(message: "field \"\(field)\" is not a string") }
        return text
    }
}

/// Renders `{"ids":[...]}` lines as bytes, without going through `String`
/// per number.
enum IdsLineWriter {
    static func render(_ batch: [[UInt32]]) -> Data {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(batch.reduce(0) { $0 + $1.count * 7 + 12 })
        var digits = [UInt8](repeating: 0, count: 10)
        for ids in batch {
            bytes.append(contentsOf: Array(#"{"ids":["#.utf8))
            for (k, id) in ids.enumerated() {
                if k > 0 { bytes.append(UInt8(ascii: ",")) }
                var v = id
                var n = 0
                repeat {
                    digits[n] = UInt8(ascii: "0") + UInt8(v % 10)
                    v /= 10
                    n += 1
                } while v > 0
                while n > 0 {
                    n -= 1
                    bytes.append(digits[n])
                }
            }
            bytes.append(contentsOf: Array("]}\n".utf8))
        }
        return Data(bytes)
    }
}
