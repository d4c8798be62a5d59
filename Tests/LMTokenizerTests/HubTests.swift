import Foundation
import Testing

@testable import LMTokenizer

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A one-connection-at-a-time HTTP/1.1 server on 127.0.0.1 for the download
/// tests: serves fixed routes and records each request's header block.
final class ExtraTestHTTPServer: @unchecked Sendable {
    struct Route {
        var status: Int
        var headers: [String: String] = [:]
        var body: String = ""
    }

    let port: UInt16
    private let listener: Int32
    private var table: [String: Route]
    private let lock = NSLock()
    private var recorded: [String] = []

    /// Request header blocks received so far (request line first).
    var requests: [String] { lock.withLock { recorded } }

    /// The routes served; settable after start, when the port is known.
    var routes: [String: Route] {
        get { lock.withLock { table } }
        set { lock.withLock { table = newValue } }
    }

    init(routes: [String: Route]) throws {
        self.table = routes
        #if canImport(Glibc)
            let stream = Int32(SOCK_STREAM.rawValue)
        #else
            let stream = SOCK_STREAM
        #endif
        let fd = socket(AF_INET, stream, 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 8) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    private func serve() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }  // listener closed by stop()
            var request: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !request.suffix(4).elementsEqual([13, 10, 13, 10]) {
                let n = read(client, &buffer, buffer.count)
                guard n > 0 else { break }
                request.append(contentsOf: buffer[0..<n])
            }
            let text = String(decoding: request, as: UTF8.self)
            lock.withLock { recorded.append(text) }
            let path = text.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
            let route = self.routes[path] ?? Route(status: 404, body: "Entry not found")
            var head = "HTTP/1.1 \(route.status) X\r\nContent-Length: \(route.body.utf8.count)\r\nConnection: close\r\n"
            for (name, value) in route.headers { head += "\(name): \(value)\r\n" }
            let response = Array((head + "\r\n" + route.body).utf8)
            _ = response.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
            close(client)
        }
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}

struct ExtraHubTests {
    /// A fresh directory under the system temporary directory.
    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lmshard-hub-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func write(_ text: String, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    @Test func filesAndDirectories() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("tokenizer.json")
        try write("{}", to: file)
        #expect(try HubResolver.resolve(file.path, environment: [:]).path == file.path)
        #expect(try HubResolver.resolve(dir.path, environment: [:]).path == file.path)
        let empty = dir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        #expect(throws: TokenizerError.notFound(name: empty.path, reason: "directory has no tokenizer.json")) {
            try HubResolver.resolve(empty.path, environment: [:])
        }
        // A missing .json path is reported as a path, never looked up on the hub.
        #expect(throws: TokenizerError.self) { try HubResolver.resolve("missing/tokenizer.json", environment: ["HF_HUB_OFFLINE": "1"]) }
    }

    @Test func cacheLookupFollowsRefsMain() throws {
        let cache = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let repo = cache.appendingPathComponent("models--Org--Model")
        try write("old", to: repo.appendingPathComponent("snapshots/aaa111/tokenizer.json"))
        try write("new", to: repo.appendingPathComponent("snapshots/bbb222/tokenizer.json"))
        try write("aaa111\n", to: repo.appendingPathComponent("refs/main"))
        let env = ["HF_HUB_CACHE": cache.path, "HF_HUB_OFFLINE": "1"]
        // refs/main names aaa111, even though bbb222 is newer.
        let found = try HubResolver.resolve("Org/Model", environment: env)
        #expect(try String(contentsOf: found, encoding: .utf8) == "old")
        // With refs/main pointing at a snapshot without the file, any snapshot that has it serves.
        try write("ccc333", to: repo.appendingPathComponent("refs/main"))
        #expect(FileManager.default.fileExists(atPath: try HubResolver.resolve("Org/Model", environment: env).path))
        // HF_HOME/hub is used when HF_HUB_CACHE is unset.
        let home = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        try write("home", to: home.appendingPathComponent("hub/models--gpt2/snapshots/c0/tokenizer.json"))
        let viaHome = try HubResolver.resolve("gpt2", environment: ["HF_HOME": home.path, "HF_HUB_OFFLINE": "1"])
        #expect(try String(contentsOf: viaHome, encoding: .utf8) == "home")
    }

    @Test func offlineAndNotCachedIsNotFound() throws {
        let cache = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        do {
            _ = try HubResolver.resolve("Org/Absent", environment: ["HF_HUB_CACHE": cache.path, "HF_HUB_OFFLINE": "1"])
            Issue.record("expected notFound")
        } catch let TokenizerError.notFound(name, reason) {
            #expect(name == "Org/Absent")
            #expect(reason.contains("HF_HUB_OFFLINE"))
        }
    }

    @Test func downloadsIntoTheCacheLayoutWithTheToken() throws {
        let server = try ExtraTestHTTPServer(routes: [
            "/Org/Model/resolve/main/tokenizer.json": .init(
                status: 200, headers: ["X-Repo-Commit": "abc123", "ETag": "\"etag42\""], body: "{\"model\":{}}"),
            "/Org/Model/resolve/main/tokenizer_config.json": .init(
                status: 200, headers: ["X-Repo-Commit": "abc123", "ETag": "\"etag43\""], body: "{\"eos_token\":\"</s>\"}"),
        ])
        defer { server.stop() }
        let cache = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let env = ["HF_HUB_CACHE": cache.path, "HF_ENDPOINT": "http://127.0.0.1:\(server.port)/", "HF_TOKEN": "hf_secret"]
        let path = try HubResolver.resolve("Org/Model", environment: env)

        let repo = cache.appendingPathComponent("models--Org--Model")
        #expect(path.path == repo.appendingPathComponent("snapshots/abc123/tokenizer.json").path)
        #expect(try String(contentsOf: path, encoding: .utf8) == "{\"model\":{}}")
        #expect(try String(contentsOf: repo.appendingPathComponent("refs/main"), encoding: .utf8) == "abc123")
        #expect(try String(contentsOf: repo.appendingPathComponent("blobs/etag42"), encoding: .utf8) == "{\"model\":{}}")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: path.path) == "../../blobs/etag42")
        #expect(FileManager.default.fileExists(atPath: repo.appendingPathComponent("snapshots/abc123/tokenizer_config.json").path))

        let requests = server.requests
        #expect(requests.count == 2)
        #expect(requests.first?.hasPrefix("GET /Org/Model/resolve/main/tokenizer.json ") == true)
        #expect(requests.allSatisfy { $0.lowercased().contains("authorization: bearer hf_secret\r\n") })

        // Now cached: found offline without asking the server again.
        var offline = env
        offline["HF_HUB_OFFLINE"] = "1"
        #expect(try HubResolver.resolve("Org/Model", environment: offline).path == path.path)
        #expect(server.requests.count == 2)
    }

    @Test func redirectsKeepHubHeadersAndDropTheTokenOffHost() throws {
        // The hub answers with a 302 carrying X-Repo-Commit and X-Linked-Etag
        // and sends large files to a CDN host: "localhost" is another host
        // than "127.0.0.1", so the token must not follow the redirect.
        let server = try ExtraTestHTTPServer(routes: [:])
        defer { server.stop() }
        server.routes = [
            "/Org/Big/resolve/main/tokenizer.json": .init(
                status: 302,
                headers: [
                    "Location": "http://localhost:\(server.port)/cdn/blob", "X-Repo-Commit": "def456",
                    "X-Linked-Etag": "\"linked9\"",
                ]),
            "/cdn/blob": .init(status: 200, headers: ["ETag": "\"cdn-etag\""], body: "{\"big\":true}"),
        ]
        let cache = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let env = ["HF_HUB_CACHE": cache.path, "HF_ENDPOINT": "http://127.0.0.1:\(server.port)", "HF_TOKEN": "hf_secret"]
        let path = try HubResolver.resolve("Org/Big", environment: env)
        let repo = cache.appendingPathComponent("models--Org--Big")
        #expect(path.path == repo.appendingPathComponent("snapshots/def456/tokenizer.json").path)
        #expect(try String(contentsOf: repo.appendingPathComponent("blobs/linked9"), encoding: .utf8) == "{\"big\":true}")
        let requests = server.requests
        let hub = requests.filter { $0.hasPrefix("GET /Org/Big/resolve/main/tokenizer.json ") }
        let cdn = requests.filter { $0.hasPrefix("GET /cdn/blob ") }
        #expect(hub.count == 1 && cdn.count == 1)
        #expect(hub.allSatisfy { $0.lowercased().contains("authorization: bearer hf_secret") })
        #expect(cdn.allSatisfy { !$0.lowercased().contains("authorization:") })
    }

    @Test func httpErrorsCarryTheStatus() throws {
        let server = try ExtraTestHTTPServer(routes: [
            "/Org/Gated/resolve/main/tokenizer.json": .init(status: 401, body: "Unauthorized")
        ])
        defer { server.stop() }
        let cache = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let env = ["HF_HUB_CACHE": cache.path, "HF_ENDPOINT": "http://127.0.0.1:\(server.port)"]
        for (name, status) in [("Org/Gated", "HTTP 401"), ("Org/Missing", "HTTP 404")] {
            do {
                _ = try HubResolver.resolve(name, environment: env)
                Issue.record("expected notFound for \(name)")
            } catch let TokenizerError.notFound(_, reason) {
                #expect(reason.hasPrefix(status))
            }
        }
        // No token set: no Authorization header is sent.
        #expect(server.requests.allSatisfy { !$0.lowercased().contains("authorization:") })
        // Nothing half-written was left in the cache.
        #expect(!FileManager.default.fileExists(atPath: cache.appendingPathComponent("models--Org--Gated/snapshots").path))
    }

    @Test func relativeRedirectsAreFollowedAndLoopsStop() throws {
        let server = try ExtraTestHTTPServer(routes: [
            "/a": .init(status: 301, headers: ["Location": "/b"]),
            "/b": .init(status: 200, headers: ["ETag": "\"b\""], body: "B"),
            "/loop": .init(status: 302, headers: ["Location": "/loop"]),
        ])
        defer { server.stop() }
        let downloader = CurlHubDownloader(timeout: 10, maxRedirects: 3)
        let base = "http://127.0.0.1:\(server.port)"
        let response = try downloader.get(URL(string: "\(base)/a")!, headers: [:])
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "B")
        #expect(response.headers["etag"] == "\"b\"")
        #expect(throws: CurlHubDownloader.Failure.self) { try downloader.get(URL(string: "\(base)/loop")!, headers: [:]) }
        // The first request and 3 redirects, then it gives up.
        #expect(server.requests.filter { $0.hasPrefix("GET /loop ") }.count == 4)
    }

    /// Port 1 (tcpmux) has no listener: the connection is refused. (Not a
    /// test server stopped at once: its thread could still be on its way
    /// to `accept` when another test's listener reuses the descriptor.)
    @Test func noServerIsAFailureNotAResponse() throws {
        #expect(throws: CurlHubDownloader.Failure.self) {
            try CurlHubDownloader(timeout: 10).get(URL(string: "http://127.0.0.1:1/x")!, headers: [:])
        }
    }

    /// A `100 Continue` (or a proxy's answer) comes before the response's
    /// own header block: only the last block counts.
    @Test func headersOfTheLastBlockOnly() {
        let head = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nETag: \"x\"\r\nX-Repo-Commit:  abc \r\n\r\n"
        #expect(CurlHubDownloader.parseHeaders(head) == ["etag": "\"x\"", "x-repo-commit": "abc"])
    }

    @Test func hubIDShapes() {
        #expect(HubResolver.isHubID("JetBrains/Mellum-4b-base"))
        #expect(HubResolver.isHubID("gpt2"))
        #expect(!HubResolver.isHubID("/abs/path"))
        #expect(!HubResolver.isHubID("a/b/c"))
        #expect(!HubResolver.isHubID("../x"))
        #expect(!HubResolver.isHubID("dir/tokenizer.json"))
        #expect(HubResolver.normalizedETag("W/\"abc-1\"") == "abc-1")
        #expect(HubResolver.normalizedETag("\"../x\"") == nil)
    }
}

/// `Tokenizer.fromPretrained` on a real tokenizer placed in a temporary hub cache.
struct ExtraFromPretrainedTests {
    // Needs the shared test tokenizers; skipped with a message when
    // LMSHARD_SHARED is unset.
    static let shared = ProcessInfo.processInfo.environment["LMSHARD_SHARED"]

    @Test(.enabled(if: shared != nil, "set LMSHARD_SHARED to the folder holding tokenizers/gpt2/tokenizer.json"))
    func loadsFromTheHubCacheOffline() throws {
        let source = URL(fileURLWithPath: try #require(Self.shared)).appendingPathComponent("tokenizers/gpt2/tokenizer.json")
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("lmshard-hub-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let snapshot = cache.appendingPathComponent("models--openai-community--gpt2/snapshots/0123abc")
        try FileManager.default.createDirectory(at: snapshot, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            at: snapshot.appendingPathComponent("tokenizer.json"), withDestinationURL: source)
        let tokenizer = try Tokenizer.fromPretrained(
            "openai-community/gpt2", environment: ["HF_HUB_CACHE": cache.path, "HF_HUB_OFFLINE": "1"])
        // GPT-2: "Hello" = 15496, " world" = 995 (Python tokenizers gives [15496, 995]).
        #expect(tokenizer.encode("Hello world") == [15496, 995])
    }
}
