import LMShard

/// What a fuzz run feeds: whole datasets (every reader, `verify` and
/// `inspect` over a directory), manifests alone (decode, validate, round
/// trip; no files, so ~20x more cases per second), or `tokenizer.json`.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case dataset, manifest, tokenizer
}

/// How a mutated dataset's checksums are treated before it is read.
public enum SealMode: String, Sendable {
    /// As mutated: checksums no longer match the bytes.
    case none
    /// Every `.sum` and the manifest's hashes recomputed: only the
    /// structural and value checks can catch the damage.
    case all
    /// The manifest's hashes recomputed over a mutated `.sum`, so the `.sum`
    /// parser sees it.
    case manifestOnly
}

/// One generated case: the input and the list of mutations that made it.
public struct FuzzCase: Sendable {
    public enum Input: Sendable {
        case dataset(DatasetImage, seal: SealMode)
        case bytes([UInt8])
    }

    public let target: FuzzTarget
    public let index: Int
    public let input: Input
    /// Where the input came from and what was done to it, for reports.
    public let log: [String]

    public init(target: FuzzTarget, index: Int, input: Input, log: [String]) {
        self.target = target
        self.index = index
        self.input = input
        self.log = log
    }
}

/// Generates case `index` of a run from the seeds, deterministically.
public struct CaseGenerator: Sendable {
    public let target: FuzzTarget
    public let seed: UInt64
    public let datasets: [DatasetImage]
    public let tokenizers: [(label: String, bytes: [UInt8])]

    public init(target: FuzzTarget, seed: UInt64, datasets: [DatasetImage], tokenizers: [(label: String, bytes: [UInt8])]) {
        self.target = target
        self.seed = seed
        self.datasets = datasets
        self.tokenizers = tokenizers
    }

    public func generate(_ index: Int) -> FuzzCase {
        var rng = FuzzRandom(seed: seed, index: index)
        switch target {
        case .dataset:
            return datasetCase(index, rng: &rng)
        case .manifest:
            let base = rng.pick(datasets)
            var bytes = base.files[Format.manifestFileName] ?? []
            var log = ["seed \(base.label) manifest.json"]
            for _ in 0..<(1 + rng.below(3)) {
                let (b, what) = JSONMutator.mutate(bytes, rng: &rng)
                bytes = b
                log.append(what)
            }
            return FuzzCase(target: target, index: index, input: .bytes(bytes), log: log)
        case .tokenizer:
            let base = rng.pick(tokenizers)
            var bytes = base.bytes
            var log = ["seed \(base.label)"]
            if rng.chance(1, in: 3), let (b, what) = TokenizerVariants.swapComponent(bytes, rng: &rng) {
                bytes = b
                log.append(what)
            }
            for _ in 0..<rng.below(3) {
                let (b, what) = JSONMutator.mutate(bytes, rng: &rng)
                bytes = b
                log.append(what)
            }
            return FuzzCase(target: target, index: index, input: .bytes(bytes), log: log)
        }
    }

    private func datasetCase(_ index: Int, rng: inout FuzzRandom) -> FuzzCase {
        var image = rng.pick(datasets)
        var log = ["seed \(image.label)"]
        var touchedManifest = false, touchedSum = false
        for _ in 0..<(1 + rng.below(3)) {
            let names = image.files.keys.sorted()
            let name = rng.chance(1, in: 4) ? Format.manifestFileName : rng.pick(names)
            guard var bytes = image.files[name] else { continue }
            if rng.chance(1, in: 40) {
                image.files[name] = nil
                log.append("removed \(name)")
                touchedManifest = touchedManifest || name == Format.manifestFileName
                continue
            }
            let what: String
            if name == Format.manifestFileName {
                (bytes, what) = JSONMutator.mutate(bytes, rng: &rng)
                touchedManifest = true
            } else {
                let part = DatasetImage.part(of: name)
                var fields = part.map { HeaderFields.of($0, bytes: bytes) } ?? []
                if part == .bin, bytes.count >= 4 {
                    // Token ids: a few random elements, as 2- or 4-byte values.
                    let width = rng.chance(1, in: 2) ? 2 : 4
                    fields = (0..<4).map { _ in Field(offset: rng.below(bytes.count / width) * width, width: width, name: "token") }
                }
                what = ByteMutator.mutate(&bytes, fields: fields, rng: &rng)
                touchedSum = touchedSum || part == .sum
            }
            image.files[name] = bytes
            log.append("\(name): \(what)")
        }
        // Half the cases with an intact manifest get their checksums recomputed,
        // so the damage meets the structural and value checks instead of a hash.
        var seal = SealMode.none
        if !touchedManifest, rng.chance(1, in: 2) { seal = touchedSum ? .manifestOnly : .all }
        if seal != .none { log.append("resealed: \(seal.rawValue)") }
        return FuzzCase(target: .dataset, index: index, input: .dataset(image, seal: seal), log: log)
    }
}
