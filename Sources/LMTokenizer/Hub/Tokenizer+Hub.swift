import Foundation

extension Tokenizer {
    /// Loads a tokenizer the way `AutoTokenizer.from_pretrained` finds one:
    /// `nameOrPath` is a `tokenizer.json`, a directory holding one, or a hub
    /// id (`ORG/NAME`) looked up in the Hugging Face cache and downloaded
    /// into it when missing (see `HubResolver.resolve`). A
    /// `tokenizer_config.json` next to the file supplies eos / bos / pad.
    /// `computingSHA256` fills `sourceSHA256`.
    ///
    /// - Throws: `TokenizerError.notFound` when nothing can be found or
    ///   fetched; the loader's errors for a file that is there but invalid.
    public static func fromPretrained(
        _ nameOrPath: String,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        session: HubDownloader? = nil,
        computingSHA256: Bool = false
    ) throws -> Tokenizer {
        try Tokenizer(
            contentsOf: HubResolver.resolve(nameOrPath, environment: environment, session: session),
            computingSHA256: computingSHA256)
    }
}
