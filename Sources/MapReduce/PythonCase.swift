/// Python's `str.lower()` and `str.upper()`.
///
/// Both are full Unicode case mappings ("ß".upper() == "SS",
/// "İ".lower() == "i̇"), which Swift's `lowercased()`/`uppercased()` also
/// do. The one difference is Python's Final_Sigma rule: capital sigma
/// lowers to final "ς" at the end of a word ("ΟΔΟΣ" -> "οδος"), while
/// Swift maps it to "σ" everywhere. `lower` applies that rule the way
/// CPython's `handle_capital_sigma` does.
enum PythonCase {
    static let capitalSigma: Unicode.Scalar = "\u{03A3}"
    static let finalSigma: Unicode.Scalar = "\u{03C2}"

    /// Python `s.upper()`.
    static func upper(_ s: String) -> String { s.uppercased() }

    /// Python `s.lower()`.
    static func lower(_ s: String) -> String {
        guard s.unicodeScalars.contains(capitalSigma) else { return s.lowercased() }
        let scalars = Array(s.unicodeScalars)
        var out = String.UnicodeScalarView()
        for (i, scalar) in scalars.enumerated() {
            if scalar == capitalSigma && isFinalSigma(scalars, at: i) {
                out.append(finalSigma)
            } else {
                out.append(contentsOf: String(scalar).lowercased().unicodeScalars)
            }
        }
        return String(out)
    }

    /// CPython: preceded by a cased letter and not followed by one, skipping
    /// case-ignorable scalars on both sides.
    private static func isFinalSigma(_ scalars: [Unicode.Scalar], at i: Int) -> Bool {
        var j = i - 1
        while j >= 0 && scalars[j].properties.isCaseIgnorable { j -= 1 }
        guard j >= 0 && scalars[j].properties.isCased else { return false }
        j = i + 1
        while j < scalars.count && scalars[j].properties.isCaseIgnorable { j += 1 }
        return j == scalars.count || !scalars[j].properties.isCased
    }
}
