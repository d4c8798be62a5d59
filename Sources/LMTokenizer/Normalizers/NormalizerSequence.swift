/// HF's `Sequence` normalizer: each normalizer in turn.
public struct NormalizerSequence: Normalizer {
    /// The normalizers, applied first to last.
    public let normalizers: [any Normalizer]

    /// Creates a sequence applying `normalizers` in order.
    public init(_ normalizers: [any Normalizer]) { self.normalizers = normalizers }

    /// Returns `text` after every normalizer.
    public func normalize(_ text: String) -> String {
        normalizers.reduce(text) { $1.normalize($0) }
    }

    /// Each step keeps the start only if every step before it did.
    /// (Approximation: HF would also keep it when a step deletes the
    /// first of several characters an earlier step made from the input's
    /// first one, such as Replace("f", "") after NFKC turned "ﬁ" into "fi".)
    public func normalizeTrackingStart(_ text: String) -> (text: String, keepsStart: Bool) {
        normalizers.reduce((text, true)) { acc, step in
            let (out, keeps) = step.normalizeTrackingStart(acc.text)
            return (out, acc.keepsStart && keeps)
        }
    }
}
