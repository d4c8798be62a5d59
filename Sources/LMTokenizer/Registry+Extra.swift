/// Normalizers, the simpler pre-tokenizers, post-processors and decoders.
/// Add entries here as they land.
let extraPreTokenizers: [String: ComponentFactory<any PreTokenizer>] = [:]
let normalizerFactories: [String: ComponentFactory<any Normalizer>] = [:]
let postProcessorFactories: [String: ComponentFactory<any PostProcessor>] = [:]
let decoderFactories: [String: ComponentFactory<any TokenDecoder>] = [:]
