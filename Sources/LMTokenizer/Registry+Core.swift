/// Components implemented in the tokenizer core (model, ByteLevel, Split, Sequence).
/// Owned by the core: add entries here as they land.
let corePreTokenizers: [String: ComponentFactory<any PreTokenizer>] = [:]
