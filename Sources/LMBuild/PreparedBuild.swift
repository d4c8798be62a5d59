import Foundation
import LMPrep
import LMShard
import LMTokenizer

/// A build plan with what its stages need loaded: the decoded config, and
/// for the stages that tokenize, the tokenizer and `prepare_for_training`
/// over it. The plan step makes one (`BuildPlanner.plan`); a distributed
/// stage loads one from the plan file (`load`), checking that the tokenizer
/// it was given is the plan's.
public struct PreparedBuild: Sendable {
    public let plan: BuildPlan
    let config: PrepareForTrainingConfig
    let tokenizer: Tokenizer?
    let prepare: PrepareForTrainingTransform?
    /// The plan file's path, for messages (nil for a plan made in this process).
    let planPath: String?

    /// Loads the plan at `planPath` for a stage.
    ///
    /// - Parameters:
    ///   - tokenizerOverride: where this machine has the plan's tokenizer
    ///     (a `tokenizer.json`, a folder with one, a hub id); default the
    ///     path the plan recorded.
    ///   - needsTokenizer: load it (the map stage tokenizes). Without it a
    ///     tokenizer is loaded and checked only when one is given.
    /// - Throws: `BuildError.plan` for a plan of another version or kind,
    ///   or a tokenizer whose SHA-256, vocabulary, EOS or padding id differ
    ///   from the plan's; `BuildError.config` when it cannot be loaded.
    public static func load(planPath: String, tokenizerOverride: String?, needsTokenizer: Bool) throws -> PreparedBuild {
        let plan = try BuildPlan.read(planPath)
        guard plan.kind == BuildPlan.buildKind, let recorded = plan.tokenizer else {
            throw BuildError.plan(file: planPath, message: "is a \(plan.kind) plan, not a build plan (lmshard build --stage plan)")
        }
        let config = try ConfigResolver.preparation(json: plan.config, source: planPath)
        guard config.numReduceChunks == plan.numReduceChunks else {
            throw BuildError.plan(file: planPath, message: "num_reduce_chunks disagrees with its config")
        }
        guard needsTokenizer || tokenizerOverride != nil else {
            return PreparedBuild(plan: plan, config: config, tokenizer: nil, prepare: nil, planPath: planPath)
        }
        let name = tokenizerOverride ?? recorded.path
        let (tokenizer, sha256) = try BuildPlanner.loadTokenizer(name)
        func differs(_ what: String, _ found: String, _ planned: String) -> BuildError {
            .plan(
                file: planPath,
                message: "tokenizer \(name) has \(what) \(found), the plan was made with \(planned) (ship the plan's tokenizer.json and tokenizer_config.json)")
        }
        guard sha256 == recorded.sha256 else { throw differs("sha256", sha256, recorded.sha256) }
        guard tokenizer.vocabSize == recorded.vocabSize else {
            throw differs("vocabulary size", "\(tokenizer.vocabSize)", "\(recorded.vocabSize)")
        }
        let eos = tokenizer.eosTokenId.map(Int.init)
        guard eos == recorded.eosID else {
            throw differs("EOS id", eos.map(String.init) ?? "none", recorded.eosID.map(String.init) ?? "none")
        }
        let prepare = try BuildPlanner.makeTransform(config: config, tokenizer: tokenizer, source: planPath)
        let pad = config.packingStrategy == .noIncomplete ? Int(prepare.padTokenId) : nil
        guard pad == recorded.padID else {
            throw differs("padding id", pad.map(String.init) ?? "none", recorded.padID.map(String.init) ?? "none")
        }
        return PreparedBuild(plan: plan, config: config, tokenizer: tokenizer, prepare: prepare, planPath: planPath)
    }

    /// Where messages say the plan is.
    var planName: String { planPath ?? "plan" }

    /// The plan's inputs, at their absolute paths.
    var inputFiles: [InputFile] {
        plan.files.map { f in
            InputFile(path: f.path, format: f.inputFormat ?? .jsonl, byteCount: f.size)
        }
    }

    /// Names rows by the input paths as the user gave them.
    var locator: RowLocator { RowLocator(files: inputFiles, names: plan.files.map(\.name)) }

    /// The id padding is written with (no-incomplete packing).
    var padTokenId: UInt32 {
        UInt32(clamping: plan.tokenizer?.padID ?? plan.tokenizer?.eosID ?? 0)
    }

    var tokenDType: TokenDType { .forVocabulary(size: plan.tokenizer?.vocabSize ?? 0) }
    var positionDType: PositionDType { .forSequenceLength(config.seqLen) }

    /// The reduce step writing into `staging` under `attempt`'s temporary names.
    func reducer(staging: BuildStaging, attempt: String) -> ShardReducer {
        ShardReducer(
            config: config, padTokenId: padTokenId, staging: staging, tokenDType: tokenDType,
            positionDType: positionDType, attempt: attempt)
    }

    /// The map step: `prepare_for_training`'s map with bad rows located by
    /// the plan's names and stopped or recorded.
    func mapper(rejects: (any RejectRecorder)?, progress: ProgressReporter?) -> DocumentMapper? {
        prepare.map { DocumentMapper(base: $0, locator: locator, rejects: plan.skipBadRows ? rejects : nil, progress: progress) }
    }
}
