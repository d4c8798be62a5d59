import Foundation
import LMIO

/// `lmshard build --stage plan`: the plan step alone, for a distributed
/// build. Makes the plan (`BuildPlanner`, every input a file the map tasks
/// read themselves), creates the plan's staging directory next to the
/// output (the directory reducers write shards into; see `BuildStaging`)
/// and writes the plan atomically to `planOut`.
public enum PlanStage {
    /// Plans `request` and writes the plan; returns the one-line summary
    /// printed on stderr (`files, bytes, splits`).
    ///
    /// - Throws: what `BuildPlanner.plan` throws, `FileError`.
    public static func run(_ request: BuildRequest, splitBytes: Int, planOut: String) throws -> String {
        let plan = try BuildPlanner(request: request, splitBytes: splitBytes, distributed: true).plan().plan
        _ = try BuildStaging.openOrResume(plan: plan)
        try plan.write(to: planOut)
        let bytes = plan.files.reduce(Int64(0)) { $0 + ($1.size ?? 0) }
        return "lmshard: plan \(plan.planID): \(plan.files.count) files, \(LMBuild.Format.bytes(bytes)), "
            + "\(plan.splits.count) splits, \(plan.numReduceChunks ?? 0) reduce groups; staging \(plan.staging ?? "")\n"
    }
}

/// `lmshard build --stage finalize`: reads the reducers' receipts and
/// finalizes the plan's staging directory into the dataset
/// (`Finalizer`: every check, the manifest, the atomic publish).
public enum FinalizeStage {
    /// - Parameter receipts: a file, a directory (its non-hidden files, in
    ///   name order) or `-` for stdin, holding receipt lines (blank lines
    ///   and surrounding whitespace ignored).
    /// - Throws: `BuildError` naming what is missing or damaged; nothing is
    ///   published then.
    public static func run(build: PreparedBuild, receipts source: String) throws -> BuildSummary {
        let staging = try BuildStaging.open(plan: build.plan, file: build.planName)
        let receipts = try read(source)
        let started = Date(timeIntervalSince1970: build.plan.createdAt)
        return try Finalizer(build: build, staging: staging, report: { StandardError.write($0) })
            .finalize(receipts: receipts, source: source == "-" ? InputFile.stdinName : source, rehashing: true, started: started)
    }

    /// The receipts in `source`.
    static func read(_ source: String) throws -> [ShardReceipt] {
        var receipts: [ShardReceipt] = []
        func parse<S: ByteSource & ~Copyable>(_ lines: inout LineReader<S>, name: String) throws {
            while let (number, bytes) = try lines.nextLine() {
                guard bytes.contains(where: { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0D) }) else { continue }
                do {
                    receipts.append(try ShardReceipt.parse(bytes))
                } catch {
                    throw BuildError.receipts(source: "\(name):\(number)", message: "not a shard receipt: \(error)")
                }
            }
        }
        if source == "-" {
            var lines = LineReader(FileDescriptor.standardInput())
            try parse(&lines, name: InputFile.stdinName)
        } else if FileSystem.kind(of: source) == .directory {
            let names = try FileSystem.directoryEntries(source).filter { !$0.hasPrefix(".") && !$0.hasPrefix("_") }
            for name in names.sorted(by: { Array($0.utf8).lexicographicallyPrecedes($1.utf8) }) {
                let path = source.hasSuffix("/") ? source + name : source + "/" + name
                guard FileSystem.kind(of: path) == .regularFile else { continue }
                var lines = LineReader(try FileDescriptor.openForReading(path))
                try parse(&lines, name: path)
            }
        } else {
            var lines = LineReader(try FileDescriptor.openForReading(source))
            try parse(&lines, name: source)
        }
        return receipts
    }
}
