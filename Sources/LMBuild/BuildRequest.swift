import LMJSON

/// Everything `lmshard build` was asked to do, gathered from flags and the
/// config file before any work starts.
///
/// The preparation settings stay a JSON object under the notebook's field
/// names until `Builder` decodes them, so a config file and flags are merged
/// the same way (flags win) and every mistake is reported by field name.
public struct BuildRequest: Sendable {
    /// Files, directories, or `-` for JSONL on stdin.
    public var inputs: [String]
    /// The dataset directory to create.
    public var output: String
    /// `--config` file (JSON or YAML), read first.
    public var configFile: String?
    /// Flag values under the notebook's config names (`processing_strategy`,
    /// `packing_strategy`, `tokenizer_name`, `seq_len`, `pad_token_id`,
    /// `fim_kwargs`, `num_reduce_chunks`, and the `*_field` input column
    /// names); they override the config file.
    public var overrides: JSONObject
    /// Map and reduce workers; defaults to every core.
    public var workers: Int?
    /// Skip and count malformed rows instead of stopping at the first.
    public var skipBadRows: Bool
    public var progress: ProgressReporter.Mode?
    /// Shuffle memory budget before spilling to disk.
    public var memoryBudgetMB: Int
    /// Replace an existing dataset at `output`.
    public var overwrite: Bool

    public init(
        inputs: [String], output: String, configFile: String? = nil, overrides: JSONObject = JSONObject(),
        workers: Int? = nil, skipBadRows: Bool = false,
        progress: ProgressReporter.Mode? = nil, memoryBudgetMB: Int = 512, overwrite: Bool = false
    ) {
        self.inputs = inputs
        self.output = output
        self.configFile = configFile
        self.overrides = overrides
        self.workers = workers
        self.skipBadRows = skipBadRows
        self.progress = progress
        self.memoryBudgetMB = memoryBudgetMB
        self.overwrite = overwrite
    }
}
