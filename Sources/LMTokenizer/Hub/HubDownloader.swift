import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

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

/// The default downloader: Foundation's `URLSession`, made synchronous with
/// a semaphore. Chosen over running `curl` because it needs no external
/// program and FoundationNetworking ships with the Linux toolchain.
///
/// The hub answers `resolve/main/tokenizer.json` for large files with a
/// redirect to a CDN whose URL is already signed; like `huggingface_hub`
/// (through `requests`), the `Authorization` header is dropped when a
/// redirect leaves the original host, so the token never reaches the CDN.
public struct URLSessionHubDownloader: HubDownloader {
    /// Seconds to wait for the server before giving up.
    public var timeout: TimeInterval

    /// Creates a downloader with the given timeout.
    public init(timeout: TimeInterval = 60) { self.timeout = timeout }

    /// Performs the GET and waits for the whole body.
    public func get(_ url: URL, headers: [String: String]) throws -> HubResponse {
        var request = URLRequest(url: url, timeoutInterval: timeout)
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let delegate = Delegate(originalHost: url.host)
        let session = URLSession(configuration: .ephemeral, delegate: delegate, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        session.dataTask(with: request).resume()
        return try delegate.wait().get()
    }

    /// Collects the body, strips credentials on cross-host redirects, and
    /// hands the result to the waiting thread.
    private final class Delegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
        // @unchecked: URLSession calls these methods one at a time on its
        // delegate queue; `result` is written before `signal` and read after
        // `wait`, which orders the two.
        private let originalHost: String?
        private var body = Data()
        /// Headers of the redirect responses: the hub's 302 carries
        /// X-Repo-Commit and X-Linked-Etag, which the CDN's 200 lacks.
        private var redirectHeaders: [String: String] = [:]
        private var result: Result<HubResponse, Error>?
        private let done = DispatchSemaphore(value: 0)

        init(originalHost: String?) { self.originalHost = originalHost }

        func urlSession(
            _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
            newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
        ) {
            for (key, value) in response.allHeaderFields {
                if let key = key as? String, let value = value as? String { redirectHeaders[key.lowercased()] = value }
            }
            var next = request
            if request.url?.host != originalHost { next.setValue(nil, forHTTPHeaderField: "Authorization") }
            completionHandler(next)
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
            body.append(data)
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
            if let http = task.response as? HTTPURLResponse, error == nil {
                var lowered: [String: String] = [:]
                for (key, value) in http.allHeaderFields {
                    if let key = key as? String, let value = value as? String { lowered[key.lowercased()] = value }
                }
                lowered.merge(redirectHeaders) { final, _ in final }
                result = .success(HubResponse(status: http.statusCode, headers: lowered, body: body))
            } else {
                result = .failure(error ?? URLError(.badServerResponse))
            }
            done.signal()
        }

        func wait() -> Result<HubResponse, Error> {
            done.wait()
            return result ?? .failure(URLError(.unknown))
        }
    }
}
