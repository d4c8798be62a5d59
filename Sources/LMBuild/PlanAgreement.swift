import Foundation
import LMJSON

/// The build flags a map, reduce or finalize stage was given besides
/// `--plan`. The plan fixes what the dataset will be; a stage takes the
/// same flags as `lmshard build` (so a recipe may pass the same command
/// line to every stage), and each one that bears on the dataset must say
/// what the plan says, or the stage stops before doing anything.
/// `--tokenizer` is the exception: at a stage it names where this machine
/// has the plan's tokenizer, which is checked by its SHA-256 instead.
public struct StageFlags: Sendable {
    public var configFile: String?
    /// Flags under the config's names, `tokenizer_name` excluded.
    public var overrides: JSONObject
    public var inputs: [String]
    public var output: String?
    public var skipBadRows: Bool
    public var overwrite: Bool

    public init(
        configFile: String?, overrides: JSONObject, inputs: [String], output: String?, skipBadRows: Bool, overwrite: Bool
    ) {
        self.configFile = configFile
        self.overrides = overrides
        self.inputs = inputs
        self.output = output
        self.skipBadRows = skipBadRows
        self.overwrite = overwrite
    }

    /// Throws `BuildError.plan` naming the first setting that differs from `plan`'s.
    public func check(against plan: BuildPlan, planPath: String) throws {
        func differs(_ what: String, _ here: String, _ planned: String) -> BuildError {
            .plan(file: planPath, message: "\(what) is \(here) here, the plan has \(planned) (make a new plan to change it)")
        }
        if configFile != nil || !overrides.entries.isEmpty {
            let (merged, source) = try ConfigResolver.merged(configFile: configFile, overrides: overrides)
            guard case let .object(planned) = plan.config else { return }
            for (key, value) in merged.entries where planned[key] != value {
                throw differs("\(source): \(key)", value.serialized(), planned[key]?.serialized() ?? "no \(key)")
            }
        }
        if let output, let planned = plan.output, URL(fileURLWithPath: output).standardizedFileURL.path != planned {
            throw differs("--output", output, planned)
        }
        if !inputs.isEmpty && inputs != ["-"] {
            let paths = try InputCatalog.discover(inputs).map { URL(fileURLWithPath: $0.path).standardizedFileURL.path }
            if paths != plan.files.map(\.path) {
                throw differs("--input", "\(paths.count) files", "\(plan.files.count) other files")
            }
        }
        if skipBadRows && !plan.skipBadRows { throw differs("--skip-bad-rows", "set", "it unset") }
        if overwrite && !plan.overwrite { throw differs("--overwrite", "set", "it unset") }
    }
}
