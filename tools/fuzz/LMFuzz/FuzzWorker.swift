import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process that runs cases. It reports each case on `progress` before
/// running it (`c INDEX`), so when it dies or stops answering the
/// supervisor knows which case did it; its scratch directory then holds
/// that case's input (`case.txt` and `dataset/` or `input.json`).
/// Violations it finds itself it saves to `out` and reports (`v INDEX`).
public struct FuzzWorker {
    public let generator: CaseGenerator
    public let scratch: URL
    public let out: URL
    /// Self-test of the watchdog: trap at this case.
    public var crashAt: Int?
    /// Self-test of the watchdog: spin forever at this case.
    public var hangAt: Int?

    public init(generator: CaseGenerator, scratch: URL, out: URL) {
        self.generator = generator
        self.scratch = scratch
        self.out = out
    }

    /// Limits the address space of this process to `megabytes`, so an
    /// allocation the data asks for but the machine cannot give fails here
    /// (a crash the supervisor records) instead of swapping the machine.
    public static func limitMemory(megabytes: Int) {
        var limit = rlimit(rlim_cur: rlim_t(megabytes) << 20, rlim_max: rlim_t(megabytes) << 20)
        #if canImport(Glibc)
        setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit)
        #else
        setrlimit(RLIMIT_AS, &limit)
        #endif
    }

    /// Runs cases `range`, stopping early at `deadline`; returns the number run.
    @discardableResult
    public func run(_ range: Range<Int>, deadline: Date, progress: (String) -> Void) throws -> Int {
        let runner = CaseRunner(scratch: scratch.appendingPathComponent("dataset"))
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        var done = 0
        var spin = 0
        defer { if spin == 1 { print(spin) } }  // keeps the self-test loop from being optimized away
        for index in range {
            if done % 64 == 0, Date() >= deadline { break }
            // Announced before it is generated: the mutators parse what they
            // mutate, so a parser bug can crash generation too (then the
            // scratch directory has no case.txt; `replay` regenerates it).
            try? FileManager.default.removeItem(at: scratch.appendingPathComponent("case.txt"))
            progress("c \(index)")
            let c = generator.generate(index)
            try record(c)
            if index == crashAt { fatalError("self-test crash at case \(index)") }
            if index == hangAt { while true { spin &+= Int(getpid()) } }
            let violations = runner.run(c)
            if !violations.isEmpty {
                let dir = try save(c, kind: "violation", detail: violations.joined(separator: "\n"))
                progress("v \(index) \(dir.lastPathComponent): \(violations[0].prefix(300))")
            }
            done += 1
        }
        return done
    }

    /// Writes the case's description (and a bytes input) to the scratch
    /// directory before it runs; a dataset input is written by the runner.
    func record(_ c: FuzzCase) throws {
        let header = "target \(c.target.rawValue)\nseed \(generator.seed)\ncase \(c.index)\n" + c.log.joined(separator: "\n") + "\n"
        try Data(header.utf8).write(to: scratch.appendingPathComponent("case.txt"))
        if case let .bytes(bytes) = c.input {
            try Data(bytes).write(to: scratch.appendingPathComponent("input.json"))
        }
    }

    /// Copies the scratch directory to `out/TARGET-SEED-INDEX/` with `kind`
    /// and `detail` appended to its `case.txt`; returns the directory.
    public static func saveScratch(_ scratch: URL, to out: URL, name: String, kind: String, detail: String) throws -> URL {
        let fm = FileManager.default
        let dir = out.appendingPathComponent(name)
        try? fm.removeItem(at: dir)
        try fm.createDirectory(at: out, withIntermediateDirectories: true)
        try fm.copyItem(at: scratch, to: dir)
        let caseFile = dir.appendingPathComponent("case.txt")
        let text = ((try? String(contentsOf: caseFile, encoding: .utf8)) ?? "") + "\(kind):\n\(detail)\n"
        try Data(text.utf8).write(to: caseFile)
        return dir
    }

    func save(_ c: FuzzCase, kind: String, detail: String) throws -> URL {
        try Self.saveScratch(scratch, to: out, name: "\(c.target.rawValue)-\(generator.seed)-\(c.index)", kind: kind, detail: detail)
    }
}
