import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import VibectlCore

/// Sends requests with AsyncHTTPClient, streaming response bodies as they arrive.
///
/// - Redirects are **not** followed: a 3xx comes back as a response, and the adapter reports it with
///   the target, so a key is never sent to a host the user did not configure.
/// - A failed connection is not retried here (the pool's own retry is switched off); it fails at once
///   with `.transient`, and ``ModelService``'s retry policy decides what happens next.
/// - `timeout` bounds the wait for the response head (`.timeout`), and then every wait for the next
///   body chunk (`.timeout` again): a model may take minutes to finish as long as it keeps sending.
/// - Cancelling the calling task cancels the request (`.canceled`); ending or abandoning the iteration
///   of the body cancels it too.
/// - Errors name the host, never a header.
public final class AsyncHTTPClientTransport: HTTPTransport {
    /// The client shared by every transport made with ``init()``; it lives as long as the process.
    private static let processClient = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: defaultConfiguration())

    /// A transport on the process-wide client, for callers that do not need their own.
    public static let shared = AsyncHTTPClientTransport()

    private let client: HTTPClient
    private let ownsClient: Bool

    /// Creates a transport on the process-wide client (singleton event loop group); no shutdown needed.
    public init() {
        client = Self.processClient
        ownsClient = false
    }

    /// Creates a transport with its own client; call ``shutdown()`` before releasing it.
    public init(configuration: HTTPClient.Configuration) {
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        ownsClient = true
    }

    /// The configuration ``init()`` uses: no redirects, no connection retry, no idle read timeout
    /// (the per-call timeout does that job), a 10 s connect timeout.
    public static func defaultConfiguration() -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10), read: nil), decompression: .disabled)
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }

    /// Shuts down a client this transport created; does nothing for the process-wide one.
    public func shutdown() async throws {
        if ownsClient { try await client.shutdown() }
    }

    /// Sends `request` and returns once the response head has arrived; the body streams afterwards.
    public func send(_ request: HTTPRequestSpec, timeout: Duration) async throws -> HTTPStreamingResponse {
        let host = try Self.validatedHost(request.url)
        if Task.isCancelled { throw Self.canceled(host) }
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for header in request.headers { outgoing.headers.add(name: header.name, value: header.value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }

        let response: HTTPClientResponse
        do {
            response = try await client.execute(outgoing, timeout: Self.timeAmount(timeout))
        } catch {
            throw Self.mapHeadError(error, host: host, timeout: timeout)
        }
        var headers: [String: String] = [:]
        for (name, value) in response.headers {
            let key = name.lowercased()
            headers[key] = headers[key].map { "\($0), \(value)" } ?? value
        }
        let head = HTTPResponseHead(status: Int(response.status.code), headers: headers)
        return HTTPStreamingResponse(head: head, body: Self.bodyStream(response.body, idleTimeout: timeout, host: host))
    }

    // MARK: - Body streaming

    /// When the last body chunk arrived.
    private final class Activity: Sendable {
        private let last = Mutex(ContinuousClock.now)
        func touch() { last.withLock { $0 = .now } }
        var instant: ContinuousClock.Instant { last.withLock { $0 } }
    }

    /// Re-streams `body`, failing with `.timeout` when no chunk arrives for `idleTimeout`.
    private static func bodyStream(_ body: HTTPClientResponse.Body, idleTimeout: Duration, host: String)
        -> AsyncThrowingStream<Data, any Error>
    {
        let (stream, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        let activity = Activity()
        let reader = Task {
            do {
                for try await buffer in body {
                    activity.touch()
                    continuation.yield(Data(buffer.readableBytesView))
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: mapBodyError(error, host: host))
            }
        }
        let watchdog = Task {
            while true {
                do {
                    try await Task.sleep(until: activity.instant + idleTimeout, clock: .continuous)
                } catch {
                    return
                }
                if ContinuousClock.now - activity.instant >= idleTimeout {
                    continuation.finish(
                        throwing: VibectlError(
                            .timeout, "\(host) sent nothing for \(describe(idleTimeout)) in the middle of the reply",
                            hint: "raise the call's timeout, or retry: the model or the network may be stalled"))
                    reader.cancel()
                    return
                }
            }
        }
        continuation.onTermination = { _ in
            reader.cancel()
            watchdog.cancel()
        }
        return stream
    }

    // MARK: - Errors

    private static func validatedHost(_ url: String) throws -> String {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = parsed.host, !host.isEmpty
        else {
            throw VibectlError(
                .config, "'\(AdapterSupport.excerpt(url, limit: 200))' is not an http(s) URL",
                hint: "check the provider's base_url setting (providers.<provider>.base_url) or its environment variable")
        }
        return parsed.port.map { "\(host):\($0)" } ?? host
    }

    private static func canceled(_ host: String) -> VibectlError {
        VibectlError(.canceled, "the request to \(host) was cancelled")
    }

    private static func mapHeadError(_ error: any Error, host: String, timeout: Duration) -> VibectlError {
        if let error = error as? VibectlError { return error }
        if error is CancellationError || Task.isCancelled { return canceled(host) }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout:
                return VibectlError(
                    .timeout, "\(host) did not answer within \(describe(timeout))",
                    hint: "raise the call's timeout, or retry later: the provider may be slow or overloaded")
            case .cancelled:
                return canceled(host)
            case .connectTimeout, .tlsHandshakeTimeout:
                return VibectlError(
                    .transient, "could not connect to \(host): the connection attempt timed out",
                    hint: "check the network and the provider's base_url", cause: String(describing: error))
            default:
                break
            }
        }
        return VibectlError(
            .transient, "could not reach \(host)",
            hint: "check the network, that the server is running, and the provider's base_url",
            cause: connectionCause(error))
    }

    /// A short reason for a connection failure; NIO's own descriptions nest several layers deep.
    static func connectionCause(_ error: any Error) -> String {
        let text = String(describing: error)
        let known: [(needle: String, reason: String)] = [
            ("Connection refused", "connection refused: nothing listens there"),
            ("Connection reset", "the connection was reset"),
            ("Network is unreachable", "the network is unreachable"),
            ("No route to host", "no route to host"),
            ("getaddrinfo", "the host name does not resolve"),
            ("NXDOMAIN", "the host name does not resolve"),
            ("unableToResolve", "the host name does not resolve"),
            ("handshakeFailed", "the TLS handshake failed"),
            ("certificate", "the server's TLS certificate was not accepted"),
        ]
        if let match = known.first(where: { text.localizedCaseInsensitiveContains($0.needle) }) {
            return match.reason
        }
        return Redaction.redactSecrets(text)
    }

    private static func mapBodyError(_ error: any Error, host: String) -> VibectlError {
        if let error = error as? VibectlError { return error }
        if error is CancellationError || (error as? HTTPClientError) == .cancelled { return canceled(host) }
        return VibectlError(
            .transient, "the connection to \(host) broke in the middle of the reply",
            hint: "vibectl retries transient failures (llm.max_retries)",
            cause: Redaction.redactSecrets(String(describing: error)))
    }

    // MARK: - Durations

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        guard seconds < 1_000_000_000 else { return .seconds(1_000_000_000) }
        guard seconds >= 0, attoseconds >= 0 else { return .zero }
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    static func describe(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds == 0 { return "\(seconds) s" }
        let value = Double(seconds) + Double(attoseconds) / 1e18
        return String(format: "%.1f s", value)
    }
}
