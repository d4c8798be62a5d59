/// HF's `Prepend` normalizer: puts `prepend` in front of non-empty text
/// (empty text stays empty, as HF).
public struct PrependNormalizer: Normalizer {
    /// The text put in front.
    public let prepend: String

    /// Creates a normalizer that prepends `prepend`.
    public init(prepend: String) { self.prepend = prepend }

    /// Returns `prepend + text`, or `text` when it is empty.
    public func normalize(_ text: String) -> String {
        text.isEmpty ? text : prepend + text
    }

    /// HF gives the prepended scalars the first scalar's origin.
    public func normalizeTrackingOrigin(_ text: String, fromFirst: Int) -> (text: String, fromFirst: Int) {
        (normalize(text), fromFirst > 0 && !text.isEmpty ? fromFirst + prepend.unicodeScalars.count : 0)
    }
}
