import LMJSON

/// The post-processors, keyed by the `"type"` HF writes in `tokenizer.json`.
let postProcessorFactories: [String: ComponentFactory<any PostProcessor>] = [
    "TemplateProcessing": { json, path in try TemplateProcessor(json, path: path) },
    "BertProcessing": { json, path in try BertRobertaProcessor(json, path: path, doubleSeparator: false) },
    "RobertaProcessing": { json, path in try BertRobertaProcessor(json, path: path, doubleSeparator: true) },
    "ByteLevel": { _, _ in ByteLevelPostProcessor() },
    "Sequence": { json, path in
        PostProcessorSequence(
            try children(json, path, key: "processors", kind: "post-processor", factories: postProcessorFactories))
    },
]
