import LMJSON

/// The decoders, keyed by the `"type"` HF writes in `tokenizer.json`.
let decoderFactories: [String: ComponentFactory<any TokenDecoder>] = [
    "ByteLevel": { _, _ in ByteLevelDecoder() },
    "ByteFallback": { _, _ in ByteFallbackDecoder() },
    "Fuse": { _, _ in FuseDecoder() },
    "Strip": { json, path in
        let fields = ComponentFields(json, path: path)
        return StripDecoder(
            content: Character(try fields.scalar("content")),
            start: try fields.int("start", default: 0), stop: try fields.int("stop", default: 0))
    },
    "Replace": { json, path in try ReplaceDecoder(json, path: path) },
    "Metaspace": { json, path in
        let pre = try MetaspacePreTokenizer(json, path: path)
        return MetaspaceDecoder(replacement: pre.replacement, prependScheme: pre.prependScheme)
    },
    "WordPiece": { json, path in
        let fields = ComponentFields(json, path: path)
        return WordPieceDecoder(
            prefix: try fields.optionalString("prefix") ?? "##", cleanup: try fields.bool("cleanup", default: true))
    },
    "BPEDecoder": { json, path in
        BPEWordDecoder(suffix: try ComponentFields(json, path: path).optionalString("suffix") ?? "</w>")
    },
    "CTC": { json, path in try CTCDecoder(json, path: path) },
    "Sequence": { json, path in
        DecoderSequence(try children(json, path, key: "decoders", kind: "decoder", factories: decoderFactories))
    },
]
