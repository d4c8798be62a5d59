import CCurlLoader
import Foundation

/// One HTTP response, whole: tokenizer files are at most tens of MB.
public struct HubResponse: Sendable {
    /// The HTTP status code after redirects.
    public var status: Int
    /// Response headers, keys lowercased.
    public var headers: [String: String]
    /// The body.
    public var body: Data

    /// Creates a response.
    public init(status: Int, headers: [String: String], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Fetches a URL; `HubResolver` uses it to download files it has not cached.
/// Tests and callers with their own HTTP stack can supply their own.
public protocol HubDownloader: Sendable {
    /// Performs a GET of `url` with `headers`, following redirects. The
    /// response's headers are the final response's plus any that only a
    /// redirect response carried. Throws only when no HTTP response arrived
    /// (DNS, connection, timeout).
    func get(_ url: URL, headers: [String: String]) throws -> HubResponse
}

/// The default downloader: libcurl, opened with `dlopen` on the first
/// download (`CCurlLoader`), redirects followed here.
///
/// Not Foundation's `URLSession`: that is FoundationNetworking, which links
/// libcurl and ~30 libraries behind it (TLS, Kerberos, LDAP, ...) into every
/// lmshard process, and with them the Swift runtime cannot be linked
/// statically; loading and resolving them cost ~4 ms of each start (of a
/// ~20 ms process floor, measured with `perf`), paid by every map task,
/// while only a hub download uses them. Not running `curl`: that needs a
/// program, and libcurl is what was linked before, so any machine that ran
/// lmshard has it.
///
/// The hub answers `resolve/main/tokenizer.json` for large files with a
/// redirect to a CDN whose URL is already signed; like `huggingface_hub`
/// (through `requests`), the `Authorization` header is dropped when a
/// redirect leaves the original host, so the token never reaches the CDN.
public struct CurlHubDownloader: HubDownloader {
    /// Seconds to wait for a connection, or for the next byte, before giving up.
    public var timeout: Int
    /// Redirects followed before giving up (`requests` allows 30, curl 50).
    public var maxRedirects: Int

    /// Creates a downloader with the given timeout.
    public init(timeout: Int = 60, maxRedirects: Int = 30) {
        self.timeout = timeout
        self.maxRedirects = maxRedirects
    }

    /// Why no HTTP response arrived.
    public struct Failure: Error, CustomStringConvertible {
        /// The URL asked for.
        public var url: String
        /// libcurl's reason, or why a redirect could not be followed.
        public var reason: String
        /// The reason alone: `HubResolver` names the URL already.
        public var description: String { reason }
    }

    /// Performs the GET, following redirects, and waits for the whole body.
    public func get(_ url: URL, headers: [String: String]) throws -> HubResponse {
        var current = url
        var sent = headers
        /// Headers of the redirect responses: the hub's 302 carries
        /// X-Repo-Commit and X-Linked-Etag, which the CDN's 200 lacks.
        var redirectHeaders: [String: String] = [:]
        var redirects = 0
        while true {
            var response = try Self.fetch(current, headers: sent, timeout: timeout)
            guard [301, 302, 303, 307, 308].contains(response.status), let location = response.headers["location"] else {
                response.headers.merge(redirectHeaders) { final, _ in final }
                return response
            }
            guard redirects < maxRedirects else {
                throw Failure(url: url.absoluteString, reason: "more than \(maxRedirects) redirects")
            }
            guard let next = URL(string: location, relativeTo: current)?.absoluteURL else {
                throw Failure(url: current.absoluteString, reason: "redirect to an invalid URL \(location)")
            }
            redirects += 1
            redirectHeaders.merge(response.headers) { _, later in later }
            if next.host != url.host { sent = sent.filter { $0.key.lowercased() != "authorization" } }
            current = next
        }
    }

    /// One GET, no redirects followed.
    static func fetch(_ url: URL, headers: [String: String], timeout: Int) throws -> HubResponse {
        let lines = headers.map { "\($0.key): \($0.value)" }
        var raw = lmshard_http_response()
        let code = url.absoluteString.withCString { urlPointer in
            withCStrings(lines) { lmshard_http_get(urlPointer, $0, lines.count, timeout, &raw) }
        }
        defer { lmshard_http_free(&raw) }
        guard code == 0 else {
            let reason = withUnsafeBytes(of: raw.error) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            throw Failure(url: url.absoluteString, reason: reason)
        }
        let head = raw.headers.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: raw.headers_length), as: UTF8.self) } ?? ""
        let body = raw.body.map { Data(bytes: $0, count: raw.body_length) } ?? Data()
        return HubResponse(status: raw.status, headers: parseHeaders(head), body: body)
    }

    /// The header fields of the last header block in `head` (a `100
    /// Continue` or a proxy's answer can come first), keys lowercased.
    static func parseHeaders(_ head: String) -> [String: String] {
        let blocks = head.components(separatedBy: "\r\n\r\n").filter { !$0.isEmpty }
        var fields: [String: String] = [:]
        for line in (blocks.last ?? "").components(separatedBy: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            fields[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    /// Calls `body` with a C array of the strings, valid for the call only.
    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { $0.map { UnsafePointer($0) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
