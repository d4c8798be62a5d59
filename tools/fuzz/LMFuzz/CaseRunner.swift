import Foundation
import LMBuild
import LMIO
import LMJSON
@_spi(Testing) import LMShard
import LMTokenizer

/// Runs generated cases through the library the way the commands do
/// (`verify`, `export`, `inspect`, the training-loop reads), and
/// checks what must hold whatever the input. A crash, trap or hang is
/// caught by the process running this (see the driver's supervisor);
/// everything else that is wrong comes back as violations:
///
/// - every error is a typed `ShardError` naming a file, or LMIO's
///   `FileError` (which always does), or a `TokenizerError` for tokenizers:
///   no untyped error, no error without a file;
/// - a dataset that `verify` calls clean opens in `ShardedDataset`, every
///   sequence reads, every token id is below `vocab_size` and every
///   position below `seq_len`, and sampled verification agrees;
/// - a manifest that decodes re-encodes to one that decodes equal.
public struct CaseRunner {
    /// Scratch directory for dataset cases (emptied and rewritten per case).
    public let scratch: URL

    public init(scratch: URL) {
        self.scratch = scratch
    }

    /// Runs `c`; returns the violations found (empty when all is well).
    public func run(_ c: FuzzCase) -> [String] {
        switch c.input {
        case let .dataset(image, seal):
            return runDataset(image, seal: seal)
        case let .bytes(bytes):
            return c.target == .manifest ? runManifest(bytes) : runTokenizer(bytes)
        }
    }

    func runDataset(_ image: DatasetImage, seal: SealMode) -> [String] {
        var violations: [String] = []
        do {
            try image.write(to: scratch)
        } catch {
            return ["cannot write the case to \(scratch.path): \(error)"]
        }
        if seal != .none { try? Reseal.dataset(directory: scratch, sums: seal == .all) }

        func check(_ what: String, _ error: Error) {
            if let e = error as? FileError, !e.path.isEmpty { return }
            guard let e = error as? ShardError else { return violations.append("\(what): untyped error \(type(of: error)): \(error)") }
            if e.file == nil { violations.append("\(what): error names no file: \(e)") }
        }

        var report: VerifyReport?
        do { report = try verify(directory: scratch) } catch { check("verify", error) }
        var sampled: VerifyReport?
        do { sampled = try verify(directory: scratch, mode: .sampled(fraction: 0.5, seed: 7)) } catch { check("verify --sample", error) }

        let dataset: ShardedDataset
        do {
            dataset = try ShardedDataset(directory: scratch)
        } catch {
            check("open", error)
            if report?.isClean == true { violations.append("verify says clean but the dataset does not open: \(error)") }
            return violations
        }
        if report?.isClean == true, sampled?.isClean != true {
            violations.append("verify --all is clean but verify --sample reports \(sampled.map { "\($0.damage)" } ?? "an error")")
        }
        // Every sequence through every read path the commands use.
        let vocab = dataset.manifest.vocabSize, seqLen = dataset.manifest.seqLen
        var outOfRange = 0
        do {
            for i in 0..<dataset.count {
                try dataset.withSequence(at: i) { t, p, _ in
                    for k in 0..<t.count where Int(t[k]) >= vocab || Int(p[k]) >= seqLen { outOfRange += 1 }
                }
                if i < 4 || i == dataset.count - 1 {
                    let item = try dataset.item(at: i)
                    _ = (item.attentionMask().count, item.segmentIds().count, item.cuSeqlens().maxSeqlen)
                    _ = try dataset.verifySequence(at: i)
                }
            }
            if dataset.count > 0 {
                let n = try dataset.length(of: 0)
                let same = (0..<min(dataset.count, 8)).filter { (try? dataset.length(of: $0)) == n }
                _ = try dataset.batch(indices: same, attentionMask: n <= 2049)
            }
            let exported = BufferedWriter(try FileDescriptor.create(scratch.path + "-export.jsonl"))
            try dataset.exportJSONLines(to: exported)
            let inspect = try DatasetReport(dataset: dataset, sampleCount: 2, topN: 5)
            _ = inspect.renderText(tokenText: { _ in nil }) { s in "\(s.tokens.count)" }
            _ = inspect.json(tokenText: { _ in nil }, decode: nil).serializedBytes()
        } catch {
            check("read", error)
        }
        // Out-of-range values are damage verify must report.
        if report?.isClean == true, outOfRange > 0 {
            violations.append("verify says clean but \(outOfRange) token ids or positions are out of range")
        }
        return violations
    }

    func runManifest(_ bytes: [UInt8]) -> [String] {
        let m: DatasetManifest
        do {
            m = try DatasetManifest.decode(bytes, file: "manifest.json")
        } catch let e as ShardError {
            if case .badManifest = e { return [] }
            return ["decode threw \(e), not badManifest"]
        } catch {
            return ["decode threw an untyped error \(type(of: error)): \(error)"]
        }
        do {
            let again = try DatasetManifest.decode(try m.encoded(), file: "manifest.json")
            return again == m ? [] : ["re-encoded manifest decodes differently"]
        } catch {
            return ["a valid manifest re-encodes to an invalid one: \(error)"]
        }
    }

    /// Texts every tokenizer case encodes: ASCII, whitespace runs, multi-byte
    /// scripts, an emoji, special tokens, a long run, code.
    static let texts = [
        "Hello, world! 123 4567", "  leading spaces\n\ttabs  ", "héllo wörld 日本語 🎉", "<|endoftext|>x<fim_prefix>",
        "", String(repeating: "a", count: 300), "def f(x):\n    return x ** 2  # done\r\n", "\u{0}\u{FFFD}\u{10FFFF}",
    ]

    func runTokenizer(_ bytes: [UInt8]) -> [String] {
        let tokenizer: Tokenizer
        do {
            tokenizer = try Tokenizer(json: try JSONParser.parse(bytes), source: "tokenizer.json")
        } catch is TokenizerError {
            return []
        } catch is JSONParseError {
            return []
        } catch {
            return ["untyped error \(type(of: error)): \(error)"]
        }
        for text in Self.texts {
            for special in [false, true] {
                let ids = tokenizer.encode(text, addSpecialTokens: special)
                _ = tokenizer.decode(ids)
                _ = tokenizer.decode(ids, skipSpecialTokens: true)
            }
        }
        _ = tokenizer.decode([0, 1, 2, 255, 4095, 65_535, 1 << 31, UInt32.max])
        return []
    }
}
