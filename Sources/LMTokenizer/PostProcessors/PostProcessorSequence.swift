/// HF's `Sequence` post-processor: each processor in turn.
///
/// HF passes the *list* of encodings through the chain; ByteLevel keeps a
/// pair as two encodings and the first merging processor (Template, Bert,
/// Roberta) joins them. So a pair stays a pair until a merging processor
/// sees it, and later processors see one sequence (llama3 files use
/// `[ByteLevel, TemplateProcessing]`).
public struct PostProcessorSequence: PostProcessor {
    /// The processors, first to last.
    public let processors: [any PostProcessor]

    /// Creates the chain.
    public init(_ processors: [any PostProcessor]) { self.processors = processors }

    /// Runs the chain over `ids` and `pair`.
    public func process(_ ids: [UInt32], pair: [UInt32]?) -> [UInt32] {
        var first = ids
        var second = pair
        for processor in processors where !(processor is ByteLevelPostProcessor) {
            first = processor.process(first, pair: second)
            second = nil
        }
        if let second { first += second }
        return first
    }
}
