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
    /// Performs a GET of `url` with `headers`, following redirects. Throws
    /// only when no HTTP response arrived (DNS, connection, timeout).
    func get(_ url: URL, headers: [String: String]) throws -> HubResponse
}

/// The default downloader: Foundation's `URLSession`, made synchronous with
/// a semaphore. Chosen over running `curl` because it needs no external
/// program and FoundationNetworking ships with the Linux toolchain.
public struct URLSessionHubDownloader: HubDownloader {
    /// Seconds to wait for the server before giving up.
    public var timeout: TimeInterval

    /// Creates a downloader with the given timeout.
    public init(timeout: TimeInterval = 60) { self.timeout = timeout }

    /// Performs the GET and waits for the whole body.
    public func get(_ url: URL, headers: [String: String]) throws -> HubResponse {
        var request = URLRequest(url: url, timeoutInterval: timeout)
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let box = ResultBox()
        let session = URLSession(configuration: .ephemeral)
        defer { session.finishTasksAndInvalidate() }
        let task = session.dataTask(with: request) { data, response, error in
            if let http = response as? HTTPURLResponse {
                var lowered: [String: String] = [:]
                for (key, value) in http.allHeaderFields {
                    if let key = key as? String, let value = value as? String { lowered[key.lowercased()] = value }
                }
                box.set(.success(HubResponse(status: http.statusCode, headers: lowered, body: data ?? Data())))
            } else {
                box.set(.failure(error ?? URLError(.badServerResponse)))
            }
        }
        task.resume()
        return try box.wait().get()
    }

    /// Hands the completion handler's result to the waiting thread.
    private final class ResultBox: @unchecked Sendable {
        // @unchecked: `result` is written once before `signal` and read
        // after `wait`, which orders the two accesses.
        private var result: Result<HubResponse, Error>?
        private let done = DispatchSemaphore(value: 0)

        func set(_ value: Result<HubResponse, Error>) {
            result = value
            done.signal()
        }

        func wait() -> Result<HubResponse, Error> {
            done.wait()
            return result ?? .failure(URLError(.unknown))
        }
    }
}
