import ArgumentParser
import Foundation
import LMIO

/// The steps `lmshard build --stage` runs one at a time.
enum BuildStage: String, CaseIterable {
    case plan, map, reduce, finalize
}

/// Which flags each build step needs and refuses, checked in `validate()`
/// so a wrong combination is a usage error before any work starts.
enum StageFlagRules {
    /// Checks `command`'s flags for its stage (or for a whole build).
    static func check(_ command: BuildCommand) throws {
        let stageOnly: [(String, Bool)] = [
            ("--plan", command.plan != nil), ("--plan-out", command.planOut != nil),
            ("--split-bytes", command.splitBytes != nil), ("--split", command.split != nil),
            ("--splits", command.splits != nil), ("--seq-base", command.seqBase != nil),
            ("--attempt", command.attempt != nil), ("--receipts", command.receipts != nil),
        ]
        func refuse(_ allowed: Set<String>, in what: String) throws {
            if let flag = stageOnly.first(where: { $0.1 && !allowed.contains($0.0) })?.0 {
                throw ValidationError("\(flag) does not apply to \(what)")
            }
        }
        switch command.buildStage {
        case nil:
            try refuse([], in: "a build without --stage")
            guard !command.input.isEmpty else { throw ValidationError("--input needs at least one file, directory or -") }
            guard command.output != nil else { throw ValidationError("--output is required") }
        case .plan?:
            try refuse(["--plan-out", "--split-bytes"], in: "--stage plan")
            guard !command.input.isEmpty else { throw ValidationError("--input needs at least one file or directory") }
            guard command.output != nil else { throw ValidationError("--output is required") }
            guard command.planOut != nil else { throw ValidationError("--stage plan needs --plan-out PLAN.json") }
        case .map?:
            try refuse(["--plan", "--split", "--splits", "--seq-base"], in: "--stage map")
            try requirePlan(command)
            let sources = [command.split != nil, command.splits != nil, command.seqBase != nil].filter { $0 }.count
            guard sources == 1 else {
                throw ValidationError("--stage map needs one of --split ID[,ID...], --splits - or --input - --seq-base FILE[:OFFSET]")
            }
            if let splits = command.splits, splits != "-" {
                throw ValidationError("--splits takes - (split ids on stdin); name splits with --split ID[,ID...]")
            }
            if let split = command.split {
                let ids = splitIDs(split)
                guard !ids.isEmpty, ids.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else {
                    throw ValidationError("--split takes split ids from the plan, comma-separated, got \(split)")
                }
            }
            if command.seqBase != nil {
                guard command.input == ["-"] else { throw ValidationError("--seq-base goes with --input - (rows on stdin)") }
                _ = try parseSeqBase(command.seqBase ?? "")
            } else if command.input.contains("-") {
                throw ValidationError("rows on stdin (--input -) need --seq-base FILE[:OFFSET]: where they come from in the plan")
            }
        case .reduce?:
            try refuse(["--plan", "--attempt"], in: "--stage reduce")
            try requirePlan(command)
            if let attempt = command.attempt, !isValidAttempt(attempt) {
                throw ValidationError("--attempt must match [A-Za-z0-9._-]{1,64} (it names files), got \(attempt)")
            }
        case .finalize?:
            try refuse(["--plan", "--receipts"], in: "--stage finalize")
            try requirePlan(command)
            guard command.receipts != nil else { throw ValidationError("--stage finalize needs --receipts FILE|DIR|-") }
        }
    }

    private static func requirePlan(_ command: BuildCommand) throws {
        guard command.plan != nil else {
            throw ValidationError("--stage \(command.stage ?? "") needs --plan PLAN.json (made by --stage plan)")
        }
    }

    /// `3,4` -> `["3", "4"]`.
    static func splitIDs(_ text: String) -> [String] {
        text.split(separator: ",", omittingEmptySubsequences: false).map {
            String($0).trimmingCharacters(in: .whitespaces)
        }
    }

    /// Split ids on stdin, one per line (`--splits -`: Hadoop's
    /// `NLineInputFormat`, a YTsaurus table of ids); blank lines ignored.
    static func splitIDsFromStandardInput() throws -> [String] {
        var lines = LineReader(FileDescriptor.standardInput())
        var ids: [String] = []
        while let (_, bytes) = try lines.nextLine() {
            let id = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            if !id.isEmpty { ids.append(id) }
        }
        return ids
    }

    /// `FILE[:OFFSET]`, both non-negative integers.
    static func parseSeqBase(_ text: String) throws -> (file: Int, offset: Int) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let file = Int(parts[0]), file >= 0, file <= 9_999_999_999,
            let offset = parts.count == 2 ? Int(parts[1]) : 0, offset >= 0
        else {
            throw ValidationError("--seq-base must be FILE[:OFFSET] (a plan file index and a byte offset), got \(text)")
        }
        return (file, offset)
    }

    /// An attempt id is part of file names: `[A-Za-z0-9._-]{1,64}`, and not `.` or `..`.
    static func isValidAttempt(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count) && id != "." && id != ".."
            && id.utf8.allSatisfy { b in
                (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) || b == 0x2E
                    || b == 0x5F || b == 0x2D
            }
    }

    /// Without `--attempt`: this host and process, unique among attempts running at once.
    static var defaultAttempt: String {
        var name = [CChar](repeating: 0, count: 256)
        let host = gethostname(&name, name.count) == 0
            ? String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "host"
        let safe = String(host.unicodeScalars.map { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-") ? Character($0) : "-" })
        return String("\(safe.prefix(40))-p\(getpid())".prefix(64))
    }
}
