import Foundation

/// Finds a `tokenizer.json` from what a user typed: a file, a directory, or
/// a Hugging Face hub id such as `JetBrains/Mellum-4b-base`.
///
/// Hub ids are looked up in the local hub cache first, so machines that
/// already ran `transformers` work offline; otherwise the file is downloaded
/// into that same cache, where Python tools will find it too.
public enum HubResolver {
    /// The file a tokenizer is read from.
    public static let tokenizerFile = "tokenizer.json"
    /// Downloaded alongside when present (it names special tokens such as
    /// EOS); a missing one is not an error.
    public static let configFile = "tokenizer_config.json"

    /// Returns the path of the `tokenizer.json` that `nameOrPath` means.
    ///
    /// - An existing file is returned as is.
    /// - An existing directory must contain `tokenizer.json`.
    /// - Anything else is a hub id (`ORG/NAME` or `NAME`): the cached
    ///   snapshot of `main` is used (see `HubCache`), else, unless
    ///   `HF_HUB_OFFLINE` is set to 1, `{HF_ENDPOINT}/{id}/resolve/main/tokenizer.json`
    ///   is downloaded with `Authorization: Bearer $HF_TOKEN` when set.
    ///
    /// - Throws: `TokenizerError.notFound` naming why (offline and not
    ///   cached, the HTTP status, a network error, a directory without the file).
    public static func resolve(
        _ nameOrPath: String,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        session: HubDownloader? = nil
    ) throws -> URL {
        let fm = FileManager.default
        let expanded = HubCache.expandTilde(nameOrPath, environment)
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: expanded, isDirectory: &isDirectory) {
            let url = URL(fileURLWithPath: expanded)
            guard isDirectory.boolValue else { return url }
            let file = url.appendingPathComponent(tokenizerFile)
            guard fm.fileExists(atPath: file.path) else {
                throw TokenizerError.notFound(name: nameOrPath, reason: "directory has no \(tokenizerFile)")
            }
            return file
        }
        guard isHubID(nameOrPath) else {
            throw TokenizerError.notFound(name: nameOrPath, reason: "no such file or directory, and not a hub id (ORG/NAME)")
        }
        let cache = HubCache(environment: environment)
        if let cached = cache.cachedFile(nameOrPath, file: tokenizerFile) { return cached }
        if isOffline(environment) {
            throw TokenizerError.notFound(
                name: nameOrPath, reason: "HF_HUB_OFFLINE is set and it is not in the hub cache at \(cache.root.path)")
        }
        let downloader = session ?? CurlHubDownloader()
        let stored = try download(nameOrPath, file: tokenizerFile, cache: cache, environment: environment, downloader: downloader)
        // Best effort: the tokenizer works without its config.
        _ = try? download(nameOrPath, file: configFile, cache: cache, environment: environment, downloader: downloader)
        return stored
    }

    /// `ORG/NAME` or `NAME`: letters, digits, `-`, `_`, `.`, at most one
    /// slash, no `..`, no leading `/`, `.` or `~`, and not ending in `.json`
    /// (a mistyped file name should say "no such file", not HTTP 404).
    static func isHubID(_ name: String) -> Bool {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !name.contains(".."), !name.hasSuffix(".json") else { return false }
        return parts.allSatisfy { part in
            guard let first = part.first, first != ".", first != "-" else { return false }
            return part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        }
    }

    /// `huggingface_hub` treats 1, ON, YES and TRUE (any case) as set.
    static func isOffline(_ environment: [String: String]) -> Bool {
        guard let value = environment["HF_HUB_OFFLINE"]?.uppercased() else { return false }
        return ["1", "ON", "YES", "TRUE"].contains(value)
    }

    static func download(
        _ repoID: String, file: String, cache: HubCache, environment: [String: String], downloader: HubDownloader
    ) throws -> URL {
        var endpoint = environment["HF_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://huggingface.co"
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        guard let url = URL(string: "\(endpoint)/\(repoID)/resolve/main/\(file)") else {
            throw TokenizerError.notFound(name: repoID, reason: "invalid endpoint \(endpoint)")
        }
        var headers = ["User-Agent": "lmshard"]
        if let token = environment["HF_TOKEN"], !token.isEmpty { headers["Authorization"] = "Bearer \(token)" }
        let response: HubResponse
        do {
            response = try downloader.get(url, headers: headers)
        } catch {
            throw TokenizerError.notFound(name: repoID, reason: "download of \(url.absoluteString) failed: \(error)")
        }
        switch response.status {
        case 200:
            break
        case 401, 403:
            throw TokenizerError.notFound(
                name: repoID,
                reason: "HTTP \(response.status) from \(url.absoluteString): gated or private; set HF_TOKEN to a token with access")
        case 404:
            throw TokenizerError.notFound(name: repoID, reason: "HTTP 404 from \(url.absoluteString): no such repository or file")
        default:
            throw TokenizerError.notFound(name: repoID, reason: "HTTP \(response.status) from \(url.absoluteString)")
        }
        let etag = (response.headers["x-linked-etag"] ?? response.headers["etag"]).flatMap(normalizedETag)
        let commit = response.headers["x-repo-commit"].flatMap { isSafeName($0) ? $0 : nil }
        do {
            return try cache.store(response.body, repoID: repoID, file: file, commit: commit, etag: etag)
        } catch {
            throw TokenizerError.notFound(name: repoID, reason: "cannot write to the hub cache \(cache.root.path): \(error)")
        }
    }

    /// `W/"abc"` -> `abc`; nil unless the rest is a safe file name.
    static func normalizedETag(_ raw: String) -> String? {
        var tag = Substring(raw)
        if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
        tag = tag.drop(while: { $0 == "\"" })
        while tag.hasSuffix("\"") { tag = tag.dropLast() }
        let s = String(tag)
        return isSafeName(s) ? s : nil
    }

    /// Server-sent names become paths: allow only `[A-Za-z0-9._-]`, no `..`.
    static func isSafeName(_ s: String) -> Bool {
        !s.isEmpty && !s.hasPrefix(".") && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }
}
