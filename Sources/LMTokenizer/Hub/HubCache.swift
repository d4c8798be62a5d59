import Foundation
import LMIO

/// The Hugging Face hub cache layout, as `huggingface_hub` writes it:
///
///     <cache>/models--ORG--NAME/refs/main              the commit hash of "main"
///     <cache>/models--ORG--NAME/blobs/<etag>           file contents, by ETag
///     <cache>/models--ORG--NAME/snapshots/<commit>/F   symlink to ../../blobs/<etag>
///
/// `<cache>` is `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else
/// `$XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`.
struct HubCache {
    let root: URL

    init(environment: [String: String]) {
        if let hub = environment["HF_HUB_CACHE"], !hub.isEmpty {
            root = URL(fileURLWithPath: Self.expandTilde(hub, environment))
        } else if let home = environment["HF_HOME"], !home.isEmpty {
            root = URL(fileURLWithPath: Self.expandTilde(home, environment)).appendingPathComponent("hub")
        } else if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            root = URL(fileURLWithPath: Self.expandTilde(xdg, environment)).appendingPathComponent("huggingface/hub")
        } else {
            let home = environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
            root = URL(fileURLWithPath: home).appendingPathComponent(".cache/huggingface/hub")
        }
    }

    static func expandTilde(_ path: String, _ environment: [String: String]) -> String {
        guard path.hasPrefix("~/"), let home = environment["HOME"] else { return path }
        return home + path.dropFirst()
    }

    /// `models--ORG--NAME` for `ORG/NAME`.
    func repoDirectory(_ repoID: String) -> URL {
        root.appendingPathComponent("models--" + repoID.replacingOccurrences(of: "/", with: "--"))
    }

    /// The cached `file` of `repoID`: the snapshot `refs/main` names, else
    /// the most recently modified snapshot that has it.
    func cachedFile(_ repoID: String, file: String) -> URL? {
        let fm = FileManager.default
        let repo = repoDirectory(repoID)
        let snapshots = repo.appendingPathComponent("snapshots")
        // A ref is a 40-digit commit hash; anything but a small regular file is ignored.
        if let ref = try? FileSystem.readFile(repo.appendingPathComponent("refs/main").path, limit: 4096) {
            let commit = String(decoding: ref, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let candidate = snapshots.appendingPathComponent(commit).appendingPathComponent(file)
            if !commit.isEmpty, fm.fileExists(atPath: candidate.path) { return candidate }
        }
        guard let names = try? fm.contentsOfDirectory(atPath: snapshots.path) else { return nil }
        let found = names.map { snapshots.appendingPathComponent($0).appendingPathComponent(file) }
            .filter { fm.fileExists(atPath: $0.path) }
        func modified(_ url: URL) -> Date {
            ((try? fm.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date) ?? .distantPast
        }
        // Newest first; name order breaks ties so the choice is deterministic.
        return found.max { (modified($0), $1.path) < (modified($1), $0.path) }
    }

    /// Stores a downloaded `file` of `repoID` and returns its snapshot path.
    ///
    /// With an ETag the bytes go to `blobs/<etag>` and the snapshot entry is
    /// a relative symlink, as `huggingface_hub` does; without one (a plain
    /// HTTP server) the snapshot file holds the bytes itself. Without an
    /// `X-Repo-Commit` header the snapshot is named after the revision,
    /// `main`. Every file is written to a temporary name and renamed, so a
    /// concurrent reader never sees half a file.
    func store(_ body: Data, repoID: String, file: String, commit: String?, etag: String?) throws -> URL {
        let fm = FileManager.default
        let repo = repoDirectory(repoID)
        let commit = commit ?? "main"
        let snapshotDirectory = repo.appendingPathComponent("snapshots").appendingPathComponent(commit)
        try fm.createDirectory(at: snapshotDirectory, withIntermediateDirectories: true)
        let target = snapshotDirectory.appendingPathComponent(file)
        if let etag {
            let blobs = repo.appendingPathComponent("blobs")
            try fm.createDirectory(at: blobs, withIntermediateDirectories: true)
            try Self.atomicWrite(body, to: blobs.appendingPathComponent(etag))
            let temporary = Self.temporaryName(for: target)
            try? fm.removeItem(at: temporary)
            do {
                try fm.createSymbolicLink(atPath: temporary.path, withDestinationPath: "../../blobs/\(etag)")
                // rename(2) replaces an existing entry atomically, symlinks included.
                try FileSystem.rename(temporary.path, to: target.path)
            } catch {
                // File systems without symlinks get a copy.
                try? fm.removeItem(at: temporary)
                try Self.atomicWrite(body, to: target)
            }
        } else {
            try Self.atomicWrite(body, to: target)
        }
        let refs = repo.appendingPathComponent("refs")
        try fm.createDirectory(at: refs, withIntermediateDirectories: true)
        try Self.atomicWrite(Data(commit.utf8), to: refs.appendingPathComponent("main"))
        return target
    }

    static func temporaryName(for url: URL) -> URL {
        url.deletingLastPathComponent().appendingPathComponent(
            ".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).\(UInt32.random(in: 0...UInt32.max)).tmp")
    }

    /// Durable, all-or-nothing write (LMIO's `AtomicFile`).
    static func atomicWrite(_ data: Data, to url: URL) throws {
        try AtomicFile.write([UInt8](data), to: url.path)
    }
}
