/// HF's `Sequence` normalizer: each normalizer in turn.
public struct NormalizerSequence: Normalizer {
    /// The normalizers, applied first to last.
    public let normalizers: [any Normalizer]

    /// Creates a sequence applying `normalizers` in order.
    public init(_ normalizers: [any Normalizer]) { self.normalizers = normalizers }

    /// Returns `text` after every normalizer.
    public func normalize(_ text: String) throws -> String {
        try normalizers.reduce(text) { try $1.normalize($0) }
    }

    /// Each step moves the count of leading scalars that come from the
    /// input's first character: Replace("f", "") after NFKC turned "ﬁ" into
    /// "fi" leaves "i", which still does.
    public func normalizeTrackingOrigin(_ text: String, fromFirst: Int) throws -> (text: String, fromFirst: Int) {
        try normalizers.reduce((text, fromFirst)) { acc, step in
            try step.normalizeTrackingOrigin(acc.text, fromFirst: acc.fromFirst)
        }
    }

    public func normalizeTrackingStart(_ text: String) throws -> (text: String, keepsStart: Bool) {
        try trackingStart(text)
    }
}
