import Foundation
import VibectlCore

/// Speaks the Anthropic Messages API (`POST /v1/messages`).
///
/// Structured output forces a tool: the request declares one tool named after the schema whose
/// `input_schema` is the response schema, and sets `tool_choice` to that tool, so the reply is a
/// `tool_use` block whose `input` is the JSON document (streamed as `input_json_delta` pieces).
/// The schema is sent unchanged; its top level must be an object, as the API requires.
public struct AnthropicAdapter: ProviderAdapter {
    /// The `anthropic-version` header value.
    public static let apiVersion = "2023-06-01"

    /// The description given to the forced tool.
    static let toolDescription =
        "Give your reply by calling this tool: its input is the reply, as a JSON object that follows the input schema."

    /// The provider this adapter speaks to.
    public var provider: Provider { .anthropic }

    /// Creates the adapter.
    public init() {}

    /// Builds `POST {base}/v1/messages`.
    public func completionRequest(_ request: ModelRequest, model: String, stream: Bool, endpoint: ProviderEndpoint) throws
        -> HTTPRequestSpec
    {
        let fragments = try AdapterSupport.userFragments(request)
        var body: [String: JSONValue] = [
            "model": .string(model),
            "max_tokens": .int(request.maxTokens),
            "messages": [
                ["role": "user", "content": .array(fragments.map { ["type": "text", "text": .string($0)] })]
            ],
        ]
        if let system = AdapterSupport.joinedSystem(request) { body["system"] = .string(system) }
        if let temperature = request.temperature { body["temperature"] = .double(temperature) }
        if stream { body["stream"] = true }
        if let schema = request.schema {
            let name = AdapterSupport.schemaName(request.schemaName)
            body["tools"] = [
                [
                    "name": .string(name), "description": .string(Self.toolDescription),
                    "input_schema": try Self.inputSchema(schema),
                ]
            ]
            body["tool_choice"] = ["type": "tool", "name": .string(name)]
        }
        return HTTPRequestSpec(
            method: "POST", url: AdapterSupport.url(endpoint.baseURL, "/v1/messages"),
            headers: headers(endpoint) + [("content-type", "application/json")],
            body: WireJSON.encode(.object(body)))
    }

    /// Decodes a Messages API reply: text blocks joined, or the forced tool's `input` as JSON text.
    public func decodeCompletion(_ body: Data, request: ModelRequest) throws -> ProviderReply {
        guard let json = WireJSON.parse(body), let content = WireJSON.array(json, "content") else {
            if let json = WireJSON.parse(body), WireJSON.get(json, "error") != nil {
                throw Self.streamError(json, model: WireJSON.string(json, "model") ?? "")
            }
            throw AdapterSupport.unusableReply(.anthropic, "has no content", body: body)
        }
        let stopReason = WireJSON.string(json, "stop_reason")
        let usage = Self.usage(WireJSON.get(json, "usage"))
        if request.schema != nil {
            let name = AdapterSupport.schemaName(request.schemaName)
            let toolUses = content.filter { WireJSON.string($0, "type") == "tool_use" }
            let chosen = toolUses.first { WireJSON.string($0, "name") == name } ?? toolUses.first
            guard let input = WireJSON.get(chosen, "input") else {
                if stopReason == "max_tokens" {
                    throw VibectlError(
                        .model, "the Anthropic reply reached max_tokens before the structured output was complete",
                        hint: "raise the token limit for this call")
                }
                throw AdapterSupport.unusableReply(.anthropic, "has no tool_use block with the structured output", body: body)
            }
            return ProviderReply(text: input.jsonString(), usage: usage, stopReason: stopReason)
        }
        let text = content.compactMap { block -> String? in
            WireJSON.string(block, "type") == "text" ? WireJSON.string(block, "text") : nil
        }.joined()
        return ProviderReply(text: text, usage: usage, stopReason: stopReason)
    }

    /// A decoder for the Messages API event stream.
    public func streamDecoder(for request: ModelRequest) -> any StreamDecoder {
        AnthropicStreamDecoder(structured: request.schema != nil)
    }

    /// Classifies `{"type":"error","error":{"type":...,"message":...}}` replies.
    public func classifyError(status: Int, headers: [String: String], body: Data, model: String) -> VibectlError {
        let json = WireJSON.parse(body)
        let type = WireJSON.string(json, "error", "type")
        let message = WireJSON.string(json, "error", "message")
        let isAPIError = WireJSON.string(json, "type") == "error" || type != nil
        var kind = ProviderFailure.kind(forStatus: status, location: headers["location"])
        switch type {
        case "overloaded_error": kind = .overloaded
        case "rate_limit_error": kind = .rateLimited
        case "authentication_error": kind = .keyRejected
        case "permission_error": kind = .permissionDenied
        case "billing_error": kind = .quotaExhausted
        case "request_too_large": kind = .tooLarge
        default: break
        }
        if status == 404 || type == "not_found_error" {
            kind =
                ProviderFailure.meansUnknownModel(isAPIError: isAPIError, message: message, model: model)
                ? .unknownModel : .endpointNotFound
        }
        if kind == .invalidRequest, let message, message.lowercased().contains("credit balance") { kind = .quotaExhausted }
        let detail = ProviderFailure.detail(status: status, type: type, message: message, body: isAPIError ? Data() : body)
        return ProviderFailure.error(kind, provider: .anthropic, model: model, detail: detail)
    }

    /// Builds `GET {base}/v1/models?limit=1000`.
    public func listModelsRequest(endpoint: ProviderEndpoint) throws -> HTTPRequestSpec {
        HTTPRequestSpec(
            method: "GET", url: AdapterSupport.url(endpoint.baseURL, "/v1/models?limit=1000"), headers: headers(endpoint))
    }

    /// Decodes `{"data":[{"id":...}]}`.
    public func decodeModelList(_ body: Data) throws -> [String] {
        guard let data = WireJSON.array(WireJSON.parse(body), "data") else {
            throw AdapterSupport.unusableReply(.anthropic, "to the model list has no data array", body: body)
        }
        return data.compactMap { WireJSON.string($0, "id") }
    }

    private func headers(_ endpoint: ProviderEndpoint) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        if let key = endpoint.apiKey, !key.isEmpty { headers.append(("x-api-key", key)) }
        headers.append(("anthropic-version", Self.apiVersion))
        headers.append(("user-agent", AdapterSupport.userAgent))
        return headers
    }

    /// The schema as a tool `input_schema`: an object schema, with `"type": "object"` added when missing.
    static func inputSchema(_ schema: JSONValue) throws -> JSONValue {
        guard var members = schema.objectValue else {
            throw VibectlError(
                .invalidArgument, "the response schema is not a JSON object",
                hint: "pass a JSON schema such as {\"type\": \"object\", \"properties\": {...}}")
        }
        switch members["type"] {
        case nil:
            members["type"] = "object"
        case .string("object"):
            break
        default:
            throw VibectlError(
                .invalidArgument, "Anthropic structured output needs a schema whose top level is an object",
                hint: "wrap the value in an object property, e.g. {\"type\": \"object\", \"properties\": {\"items\": ...}}")
        }
        return .object(members)
    }

    /// Token usage from a `usage` object; cache reads and writes count as input.
    static func usage(_ usage: JSONValue?) -> TokenUsage {
        var input = WireJSON.int(usage, "input_tokens")
        let cached = (WireJSON.int(usage, "cache_creation_input_tokens") ?? 0) + (WireJSON.int(usage, "cache_read_input_tokens") ?? 0)
        if cached > 0 { input = (input ?? 0) + cached }
        return TokenUsage(inputTokens: input, outputTokens: WireJSON.int(usage, "output_tokens"))
    }

    /// The error for an `{"type":"error","error":{...}}` document that arrived inside a stream (or a 200 body).
    static func streamError(_ json: JSONValue, model: String) -> VibectlError {
        let type = WireJSON.string(json, "error", "type")
        let message = WireJSON.string(json, "error", "message")
        let kind: ProviderFailureKind =
            switch type {
            case "overloaded_error": .overloaded
            case "rate_limit_error": .rateLimited
            case "api_error", "timeout_error": .serverError
            case "authentication_error": .keyRejected
            case "permission_error": .permissionDenied
            case "billing_error": .quotaExhausted
            case "not_found_error": .unknownModel
            case "request_too_large": .tooLarge
            default: .invalidRequest
            }
        let detail = ProviderFailure.detail(status: nil, type: type.map { "stream error \($0)" } ?? "stream error", message: message, body: Data())
        return ProviderFailure.error(kind, provider: .anthropic, model: model, detail: detail)
    }
}

/// Decodes the Messages API event stream: `message_start` (input usage), `content_block_delta`
/// (`text_delta`, or `input_json_delta` for structured output), `message_delta` (output usage, stop
/// reason), `message_stop`, `ping`, and `error` events.
struct AnthropicStreamDecoder: StreamDecoder {
    let structured: Bool
    private var parser = SSEParser()
    private var stopReason: String?
    private var model = ""
    private var done = false

    init(structured: Bool) {
        self.structured = structured
    }

    mutating func feed(_ chunk: Data) throws -> [StreamPiece] {
        var pieces: [StreamPiece] = []
        for event in try parser.feed(chunk) { try handle(event, into: &pieces) }
        return pieces
    }

    mutating func finish() throws -> [StreamPiece] {
        var pieces: [StreamPiece] = []
        for event in parser.finish() { try handle(event, into: &pieces) }
        guard done else {
            throw VibectlError(
                .transient, "the Anthropic stream ended before message_stop; the connection was probably cut",
                hint: "vibectl retries transient failures (llm.max_retries)")
        }
        return pieces
    }

    private mutating func handle(_ event: SSEEvent, into pieces: inout [StreamPiece]) throws {
        guard !done else { return }
        guard let json = WireJSON.parse(event.data) else {
            throw VibectlError(
                .model, "the Anthropic stream sent an event that is not JSON",
                hint: "the endpoint may not speak the Anthropic API; check providers.anthropic.base_url",
                cause: AdapterSupport.excerpt(event.data))
        }
        switch WireJSON.string(json, "type") ?? event.event {
        case "message_start":
            model = WireJSON.string(json, "message", "model") ?? model
            let usage = AnthropicAdapter.usage(WireJSON.get(json, "message", "usage"))
            if usage.inputTokens != nil { pieces.append(.usage(TokenUsage(inputTokens: usage.inputTokens))) }
        case "content_block_delta":
            switch WireJSON.string(json, "delta", "type") {
            case "text_delta" where !structured:
                if let text = WireJSON.string(json, "delta", "text"), !text.isEmpty { pieces.append(.text(text)) }
            case "input_json_delta" where structured:
                if let text = WireJSON.string(json, "delta", "partial_json"), !text.isEmpty { pieces.append(.text(text)) }
            default:
                break
            }
        case "message_delta":
            if let reason = WireJSON.string(json, "delta", "stop_reason") { stopReason = reason }
            let usage = AnthropicAdapter.usage(WireJSON.get(json, "usage"))
            if usage != TokenUsage() { pieces.append(.usage(usage)) }
        case "message_stop":
            done = true
            pieces.append(.finished(stopReason: stopReason))
        case "error":
            throw AnthropicAdapter.streamError(json, model: model)
        default:
            // ping, content_block_start, content_block_stop, and event types added later.
            break
        }
    }
}
