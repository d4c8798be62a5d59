import LMJSON

/// The normalizers, keyed by the `"type"` HF writes in `tokenizer.json`.
let normalizerFactories: [String: ComponentFactory<any Normalizer>] = [
    "NFC": { _, _ in UnicodeNormalizer(.nfc) },
    "NFD": { _, _ in UnicodeNormalizer(.nfd) },
    "NFKC": { _, _ in UnicodeNormalizer(.nfkc) },
    "NFKD": { _, _ in UnicodeNormalizer(.nfkd) },
    "Lowercase": { _, _ in LowercaseNormalizer() },
    "StripAccents": { _, _ in StripAccentsNormalizer() },
    "Replace": { json, path in try ReplaceNormalizer(json, path: path) },
    "Prepend": { json, path in PrependNormalizer(prepend: try ComponentFields(json, path: path).string("prepend")) },
    "Strip": { json, path in
        let fields = ComponentFields(json, path: path)
        return StripNormalizer(
            left: try fields.bool("strip_left", default: true), right: try fields.bool("strip_right", default: true))
    },
    "BertNormalizer": { json, path in try BertNormalizer(json, path: path) },
    "Nmt": { _, _ in NmtNormalizer() },
    "Precompiled": { json, path in try PrecompiledNormalizer(json, path: path) },
    "ByteLevel": { _, _ in ByteLevelNormalizer() },
    "Sequence": { json, path in
        NormalizerSequence(
            try children(json, path, key: "normalizers", kind: "normalizer", factories: normalizerFactories))
    },
]
