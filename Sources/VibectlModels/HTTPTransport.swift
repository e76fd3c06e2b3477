import Foundation
import VibectlCore

/// An HTTP request an adapter wants sent: method, absolute URL, headers, body.
public struct HTTPRequestSpec: Sendable, Equatable {
    /// `GET` or `POST`.
    public var method: String
    /// The absolute URL.
    public var url: String
    /// Header fields, in order. Secret values (keys) appear only here, never in errors or logs.
    public var headers: [(name: String, value: String)]
    /// The body, if any.
    public var body: Data?

    /// Creates a request.
    public init(method: String, url: String, headers: [(name: String, value: String)] = [], body: Data? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    public static func == (lhs: HTTPRequestSpec, rhs: HTTPRequestSpec) -> Bool {
        lhs.method == rhs.method && lhs.url == rhs.url && lhs.body == rhs.body
            && lhs.headers.map { "\($0.name)\u{0}\($0.value)" } == rhs.headers.map { "\($0.name)\u{0}\($0.value)" }
    }

    /// The value of the first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// The head of an HTTP response.
public struct HTTPResponseHead: Sendable, Equatable {
    /// The status code.
    public var status: Int
    /// Header fields, names lower-cased.
    public var headers: [String: String]

    /// Creates a head.
    public init(status: Int, headers: [String: String] = [:]) {
        self.status = status
        self.headers = headers
    }
}

/// A response whose body arrives in chunks, as the server sends them.
public struct HTTPStreamingResponse: Sendable {
    /// Status and headers.
    public var head: HTTPResponseHead
    /// The body chunks; finishing normally means the body is complete.
    public var body: AsyncThrowingStream<Data, any Error>

    /// Creates a response.
    public init(head: HTTPResponseHead, body: AsyncThrowingStream<Data, any Error>) {
        self.head = head
        self.body = body
    }

    /// Collects the whole body, up to `limit` bytes.
    /// - Throws: `.transient` when the connection breaks mid-body; `.model` when the body exceeds `limit`.
    public func collect(limit: Int = 32 << 20) async throws -> Data {
        var data = Data()
        for try await chunk in body {
            data.append(chunk)
            if data.count > limit {
                throw VibectlError(.model, "the provider's reply is larger than \(limit >> 20) MiB")
            }
        }
        return data
    }
}

/// Sends HTTP requests; the real one is AsyncHTTPClient, tests may script one.
///
/// Implementations throw `VibectlError` with code `.transient` for connection failures
/// (refused, reset, DNS, TLS handshake), `.timeout` when `timeout` passes before the response
/// head arrives or between body chunks, and `.canceled` when the task is cancelled. They never
/// include header values in errors.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns once the response head has arrived.
    func send(_ request: HTTPRequestSpec, timeout: Duration) async throws -> HTTPStreamingResponse
}
