import ArgumentParser
import Foundation
import LMFuzz

/// `lmshard-fuzz`: the seeded mutation fuzzer and the damage sweep.
///
///     lmshard-fuzz run --target all --cases 1000000 --seed 1 --tokenizer sample/tokenizer/tokenizer.json
///     lmshard-fuzz replay --target dataset --seed 1 --case 4711 --keep /tmp/case
///     lmshard-fuzz sweep --corpus fuzz-corpus
///
/// See tools/fuzz/README.md.
struct FuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lmshard-fuzz",
        abstract: "Fuzz lmshard's dataset, manifest and tokenizer readers; sweep single-byte damage.",
        subcommands: [Run.self, Replay.self, Sweep.self, Worker.self])
}

/// Seeds and scratch space shared by every subcommand.
struct SeedOptions: ParsableArguments {
    @Option(name: .long, help: "Directory of datasets (or one dataset) to use as seeds, besides the built-in ones. Repeatable.")
    var corpus: [String] = []

    @Option(name: .long, help: "A tokenizer.json to use as a seed for the tokenizer target. Repeatable.")
    var tokenizer: [String] = []

    @Option(name: .long, help: "Scratch directory (default: /dev/shm when writable, else the temporary directory).")
    var scratch: String?

    var scratchRoot: URL {
        if let scratch { return URL(fileURLWithPath: scratch) }
        let shm = "/dev/shm"
        let base = FileManager.default.isWritableFile(atPath: shm) ? URL(fileURLWithPath: shm) : FileManager.default.temporaryDirectory
        return base.appendingPathComponent("lmshard-fuzz-\(getpid())")
    }

    func generator(_ target: FuzzTarget, seed: UInt64, scratch: URL) throws -> CaseGenerator {
        var datasets = try Seeds.handBuilt(scratch: scratch)
        for c in corpus { datasets += try Seeds.load(corpus: URL(fileURLWithPath: c)) }
        let tokenizers = try tokenizer.map { (label: $0, bytes: Array(try Data(contentsOf: URL(fileURLWithPath: $0)))) }
        if target == .tokenizer, tokenizers.isEmpty {
            throw ValidationError("the tokenizer target needs at least one --tokenizer FILE as a seed")
        }
        return CaseGenerator(target: target, seed: seed, datasets: datasets, tokenizers: tokenizers)
    }
}

extension FuzzCommand {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run cases under a crash and hang watchdog.")

        @Option(help: "dataset, manifest, tokenizer or all.") var target = "all"
        @Option(help: "Cases per target.") var cases = 100_000
        @Option(help: "Run seed: the same seed and seeds give the same cases.") var seed: UInt64 = 1
        @Option(help: "Stop each target after this many seconds.") var timeLimit: Double = 3600
        @Option(help: "A case that uses this many CPU seconds is a hang.") var timeout: Double = 10
        @Option(help: "Address-space limit of a worker, MiB.") var memoryMb = 4096
        @Option(help: "Cases per worker process.") var batch = 200_000
        @Option(help: "Where findings (and summary.json) go.") var out = "fuzz-out"
        @Option(help: .hidden) var selftestCrashAt: Int?
        @Option(help: .hidden) var selftestHangAt: Int?
        @OptionGroup var seeds: SeedOptions

        func validate() throws {
            guard target == "all" || FuzzTarget(rawValue: target) != nil else { throw ValidationError("unknown --target \(target)") }
            guard cases >= 0, batch > 0, timeout > 0, timeLimit > 0, (256...1 << 20).contains(memoryMb) else {
                throw ValidationError("--cases, --batch, --timeout, --time-limit must be positive, --memory-mb in 256...1048576")
            }
        }

        func run() throws {
            let targets = target == "all" ? FuzzTarget.allCases.filter { $0 != .tokenizer || !seeds.tokenizer.isEmpty }
                : [FuzzTarget(rawValue: target)!]
            let scratch = seeds.scratchRoot
            defer { try? FileManager.default.removeItem(at: scratch) }
            let outURL = URL(fileURLWithPath: out)
            var forward: [String] = ["--memory-mb", "\(memoryMb)"]
            if let c = selftestCrashAt { forward += ["--selftest-crash-at", "\(c)"] }
            if let h = selftestHangAt { forward += ["--selftest-hang-at", "\(h)"] }
            for c in seeds.corpus { forward += ["--corpus", c] }
            for t in seeds.tokenizer { forward += ["--tokenizer", t] }
            print("lmshard-fuzz run: seed \(seed), \(cases) cases per target, targets \(targets.map(\.rawValue).joined(separator: ", "))")
            var summary: [String: Any] = ["seed": seed]
            var failed = false
            for t in targets {
                let supervisor = Supervisor(target: t, seed: seed, workerArguments: forward, scratchRoot: scratch, out: outURL,
                                            timeout: timeout, batch: batch)
                let tally = try supervisor.run(cases: cases, deadline: Date().addingTimeInterval(timeLimit)) { print($0) }
                let rate = tally.seconds > 0 ? Double(tally.cases) / tally.seconds : 0
                print("\(t.rawValue): \(tally.cases) cases in \(Int(tally.seconds)) s (\(Int(rate))/s): "
                      + "\(tally.crashes) crashes, \(tally.hangs) hangs, \(tally.violations) violations; "
                      + "peak worker memory \(tally.peakMemoryMB) MiB")
                summary[t.rawValue] = ["cases": tally.cases, "seconds": Int(tally.seconds), "crashes": tally.crashes,
                                       "hangs": tally.hangs, "violations": tally.violations, "findings": tally.findings,
                                       "peak_memory_mb": tally.peakMemoryMB]
                failed = failed || !tally.findings.isEmpty
            }
            try FileManager.default.createDirectory(at: outURL, withIntermediateDirectories: true)
            try JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys])
                .write(to: outURL.appendingPathComponent("summary.json"))
            if failed { throw ExitCode.failure }
        }
    }

    /// Internal: runs a range of cases for `run`.
    struct Worker: ParsableCommand {
        static let configuration = CommandConfiguration(shouldDisplay: false)

        @Option var target: String
        @Option var seed: UInt64
        @Option var from: Int
        @Option var to: Int
        @Option var deadline: Double
        @Option var out: String
        @Option var memoryMb = 4096
        @Option var selftestCrashAt: Int?
        @Option var selftestHangAt: Int?
        @OptionGroup var seeds: SeedOptions

        func run() throws {
            FuzzWorker.limitMemory(megabytes: memoryMb)
            guard let t = FuzzTarget(rawValue: target), let scratch = seeds.scratch else { throw ExitCode(2) }
            let scratchURL = URL(fileURLWithPath: scratch)
            var worker = FuzzWorker(generator: try seeds.generator(t, seed: seed, scratch: scratchURL), scratch: scratchURL,
                                    out: URL(fileURLWithPath: out))
            worker.crashAt = selftestCrashAt
            worker.hangAt = selftestHangAt
            try worker.run(from..<to, deadline: Date(timeIntervalSince1970: deadline)) { line in
                // Unbuffered: the supervisor must see a case before it runs.
                let bytes = Array((line + "\n").utf8)
                _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
            }
        }
    }

    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Regenerate one case, save its input and run it here.")

        @Option(help: "dataset, manifest or tokenizer.") var target: String
        @Option(help: "The run's seed.") var seed: UInt64
        @Option(name: .customLong("case"), help: "The case number.") var index: Int
        @Option(help: "Keep the case's input in this directory.") var keep: String?
        @OptionGroup var seeds: SeedOptions

        func run() throws {
            guard let t = FuzzTarget(rawValue: target) else { throw ValidationError("unknown --target \(target)") }
            let scratch = keep.map { URL(fileURLWithPath: $0) } ?? seeds.scratchRoot
            defer { if keep == nil { try? FileManager.default.removeItem(at: scratch) } }
            let worker = FuzzWorker(generator: try seeds.generator(t, seed: seed, scratch: scratch), scratch: scratch,
                                    out: scratch.appendingPathComponent("findings"))
            let c = worker.generator.generate(index)
            print(c.log.joined(separator: "\n"))
            var violations: [String] = []
            try worker.run(index..<(index + 1), deadline: .distantFuture) { line in
                if line.hasPrefix("v ") { violations.append(line) }
            }
            print(violations.isEmpty ? "ok: no violation" : violations.joined(separator: "\n"))
            if keep != nil { print("input kept in \(scratch.path)") }
            if !violations.isEmpty { throw ExitCode.failure }
        }
    }

    struct Sweep: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every single-byte header edit and truncation of each seed dataset; exit 1 if any is not caught.")

        @OptionGroup var seeds: SeedOptions

        func run() throws {
            let scratch = seeds.scratchRoot
            defer { try? FileManager.default.removeItem(at: scratch) }
            var images = try Seeds.handBuilt(scratch: scratch)
            for c in seeds.corpus { images += try Seeds.load(corpus: URL(fileURLWithPath: c)) }
            var total = DamageSweep.Outcome()
            for image in images {
                let outcome = DamageSweep(image: image, scratch: scratch.appendingPathComponent("sweep")).run()
                print("\(image.label): \(outcome)")
                for miss in outcome.misses.prefix(20) { print("  missed: \(miss)") }
                total.add(outcome)
            }
            print("total: \(total)")
            if !total.misses.isEmpty { throw ExitCode.failure }
        }
    }
}

FuzzCommand.main()
