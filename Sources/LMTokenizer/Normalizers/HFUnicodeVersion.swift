/// The Unicode versions HF `tokenizers` (0.23) effectively uses, per table.
///
/// Swift's tables follow a newer Unicode than the crates behind HF, and a
/// character HF's table does not know is treated as unassigned there (no
/// category, no decomposition). Comparing every scalar U+0000...U+10FFFF
/// through Python `tokenizers` 0.23.3 against these components showed:
///
/// - Punctuation (`unicode_categories` crate): Unicode 8.0 categories:
///   no scalar newer than 8.0 counts, and U+166D and U+111C9, which were Po
///   in 8.0, still count (they are So and Mn today).
/// - `\w` in the Whitespace pre-tokenizer (Oniguruma): Unicode 16.0, so the
///   4,700 letters added in Unicode 17 are not word characters.
/// - NFC/NFD/NFKC/NFKD (`unicode-normalization-alignments`): Unicode 11.0;
///   newer scalars keep their form (U+32FF "㋿" is not expanded by NFKC).
///   Those forms use tables generated from HF (`UnicodeNormalizationData`),
///   not this check.
/// - Split / Replace regexes (Oniguruma 6.9.10): Unicode 16.0, through
///   `OnigUnicode16` over the system library's 14.0.
/// - StripAccents (`is_combining_mark`): Unicode 9.0 marks, which include
///   U+1CF2 and U+1CF3 (Mc then, Lo now) but not U+111C9 (Po then).
///
/// With these rules all five tables agree with HF on every scalar.
///
/// Digits (Rust's `char::is_numeric`) and Lowercase (`char::to_lowercase`)
/// matched Swift on every scalar, so they use Swift's tables directly.
enum HFUnicodeVersion {
    /// True when `scalar` was assigned in Unicode `major.minor` or earlier.
    @inline(__always)
    static func isAssigned(_ scalar: Unicode.Scalar, by major: Int, _ minor: Int) -> Bool {
        guard let age = scalar.properties.age else { return false }
        return age.major < major || (age.major == major && age.minor <= minor)
    }
}
