import Foundation
import VibectlCore

/// Where and how to reach one provider: the endpoint and the key (if any).
public struct ProviderEndpoint: Sendable, Equatable {
    /// The provider.
    public var provider: Provider
    /// The base URL without a trailing slash, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:8080/v1`.
    public var baseURL: String
    /// The API key; `nil` for providers that need none. Never logged, never in an error.
    public var apiKey: String?

    /// Creates an endpoint.
    public init(provider: Provider, baseURL: String, apiKey: String?) {
        self.provider = provider
        self.baseURL = baseURL
        self.apiKey = apiKey
    }
}

/// Decodes a streamed body incrementally: bytes in, pieces out.
public protocol StreamDecoder: Sendable {
    /// Feeds the next chunk of body bytes; returns the pieces it completes.
    /// - Throws: `VibectlError` for an error event in the stream (e.g. Anthropic `overloaded_error` →
    ///   `.transient`) or malformed data (`.model`).
    mutating func feed(_ chunk: Data) throws -> [StreamPiece]
    /// Called at the end of the body; returns what remains.
    /// - Throws: `.transient` when the stream ended before the provider said it was done.
    mutating func finish() throws -> [StreamPiece]
}

/// Speaks one provider's wire format: builds requests, decodes replies and errors.
///
/// Adapters are pure: no I/O. ``ModelService`` sends what they build through an ``HTTPTransport``.
public protocol ProviderAdapter: Sendable {
    /// The provider this adapter speaks to.
    var provider: Provider { get }

    /// Builds the request for a completion (streamed when `stream` is true).
    func completionRequest(_ request: ModelRequest, model: String, stream: Bool, endpoint: ProviderEndpoint) throws
        -> HTTPRequestSpec

    /// Decodes a complete (non-streamed) success body.
    /// - Throws: `.model` when the body is not what the API documents (the message quotes a redacted excerpt).
    func decodeCompletion(_ body: Data, request: ModelRequest) throws -> ProviderReply

    /// A fresh decoder for a streamed success body.
    func streamDecoder(for request: ModelRequest) -> any StreamDecoder

    /// Classifies an error response: `.auth` (401/403), `.transient` (408/409/425/429/5xx/529, overloaded),
    /// `.model` (404 model not found → unknown model; other 4xx → request invalid). The message includes the
    /// provider's own error message (redacted of anything key-like), never the key.
    func classifyError(status: Int, headers: [String: String], body: Data, model: String) -> VibectlError

    /// Builds the request that lists the provider's models.
    func listModelsRequest(endpoint: ProviderEndpoint) throws -> HTTPRequestSpec

    /// Decodes the model-list body into model ids.
    func decodeModelList(_ body: Data) throws -> [String]
}
