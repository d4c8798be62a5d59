/// Shows one packed sequence the way the model saw it: decoded text, where
/// each packed document starts, which tokens carry loss, and the padding.
///
/// On a terminal, loss-masked text is dimmed and segment starts are marked in
/// colour; elsewhere (pipes, files, tests) the same marks are brackets:
/// `⟪masked text⟫` for tokens without loss, `│segment N│` at each start, and
/// `<pad×K>` for a padding run, so the output stays greppable.
public struct SequenceRenderer: Sendable {
    public var color: Bool
    public var padTokenId: UInt32?

    public init(color: Bool, padTokenId: UInt32?) {
        self.color = color
        self.padTokenId = padTokenId
    }

    /// `decode` turns a run of ids into text (the tokenizer's decoder), so
    /// multi-byte characters split across tokens decode whole.
    public func render(
        tokens: [UInt32], positions: [UInt32], lossMask: [Bool], decode: ([UInt32]) -> String
    ) -> String {
        precondition(tokens.count == positions.count && tokens.count == lossMask.count, "planes must align")
        var out = ""
        let n = tokens.count
        // Trailing padding: pad id at position 0 with no loss (no_incomplete's padding).
        var end = n
        if let pad = padTokenId {
            while end > 0, tokens[end - 1] == pad, positions[end - 1] == 0, !lossMask[end - 1] { end -= 1 }
            // A run that is the whole tail but starts a real 1-token document is impossible to
            // tell from padding; treat the first token of the sequence as real.
            if end == 0 && n > 0 { end = 1 }
        }
        var segment = 0
        var i = 0
        while i < end {
            if i == 0 || positions[i] == 0 {
                segment += 1
                out += color ? "\u{1B}[1;36m│segment \(segment)│\u{1B}[0m" : "│segment \(segment)│"
            }
            // A run of tokens in one segment with the same loss flag.
            var j = i + 1
            while j < end, positions[j] != 0, lossMask[j] == lossMask[i] { j += 1 }
            let text = decode(Array(tokens[i..<j]))
            if lossMask[i] {
                out += text
            } else {
                out += color ? "\u{1B}[2m\(text)\u{1B}[0m" : "⟪\(text)⟫"
            }
            i = j
        }
        if end < n {
            let mark = "<pad×\(n - end)>"
            out += color ? "\u{1B}[2;33m\(mark)\u{1B}[0m" : mark
        }
        return out
    }
}
