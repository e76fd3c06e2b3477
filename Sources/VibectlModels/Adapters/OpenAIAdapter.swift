import Foundation
import VibectlCore

/// Speaks OpenAI Chat Completions (`POST {base}/chat/completions`), so any OpenAI-compatible server
/// works: vLLM, llama.cpp server, LM Studio, OpenRouter, Groq, Mistral.
///
/// - The reply limit is sent as `max_completion_tokens` to api.openai.com (its current models reject
///   `max_tokens`) and as `max_tokens` to every other host, because compatible servers have long
///   accepted that name and several ignore or reject the newer one.
/// - Structured output uses `response_format` `{"type":"json_schema","json_schema":{name, schema, strict}}`.
///   The schema is sent unchanged; `strict` is `true` when the schema meets strict mode's rules (every
///   object lists all its properties in `required` and sets `additionalProperties: false`) and `false`
///   otherwise, because strict mode rejects any other schema with a 400.
/// - The `Authorization` header is left out when there is no key (local servers).
public struct OpenAIAdapter: ProviderAdapter {
    /// The provider this adapter speaks to.
    public var provider: Provider { .openai }

    /// Creates the adapter.
    public init() {}

    /// Builds `POST {base}/chat/completions`.
    public func completionRequest(_ request: ModelRequest, model: String, stream: Bool, endpoint: ProviderEndpoint) throws
        -> HTTPRequestSpec
    {
        let user = try AdapterSupport.userFragments(request).joined(separator: "\n\n")
        var messages: [JSONValue] = []
        if let system = AdapterSupport.joinedSystem(request) {
            messages.append(["role": "system", "content": .string(system)])
        }
        messages.append(["role": "user", "content": .string(user)])
        var body: [String: JSONValue] = ["model": .string(model), "messages": .array(messages)]
        body[Self.maxTokensField(baseURL: endpoint.baseURL)] = .int(request.maxTokens)
        if let temperature = request.temperature { body["temperature"] = .double(temperature) }
        if stream {
            body["stream"] = true
            body["stream_options"] = ["include_usage": true]
        }
        if let schema = request.schema {
            body["response_format"] = [
                "type": "json_schema",
                "json_schema": [
                    "name": .string(AdapterSupport.schemaName(request.schemaName)),
                    "schema": schema,
                    "strict": .bool(Self.isStrictCompatible(schema)),
                ],
            ]
        }
        var headers = Self.authHeaders(endpoint)
        headers.append(("content-type", "application/json"))
        return HTTPRequestSpec(
            method: "POST", url: AdapterSupport.url(endpoint.baseURL, "/chat/completions"), headers: headers,
            body: WireJSON.encode(.object(body)))
    }

    /// Decodes `choices[0].message.content`, `finish_reason` and `usage`.
    public func decodeCompletion(_ body: Data, request: ModelRequest) throws -> ProviderReply {
        let json = WireJSON.parse(body)
        guard let choice = WireJSON.get(json, "choices", "0") else {
            if let json, WireJSON.get(json, "error") != nil { throw Self.embeddedError(json, model: "") }
            throw AdapterSupport.unusableReply(.openai, "has no choices", body: body)
        }
        let stopReason = WireJSON.string(choice, "finish_reason")
        if let refusal = WireJSON.string(choice, "message", "refusal"), !refusal.isEmpty {
            throw Self.refusal(refusal)
        }
        guard let text = WireJSON.string(choice, "message", "content") else {
            throw AdapterSupport.unusableReply(.openai, "has no message content", body: body)
        }
        return ProviderReply(text: text, usage: Self.usage(WireJSON.get(json, "usage")), stopReason: stopReason)
    }

    /// A decoder for the `data: {chunk}` ... `data: [DONE]` stream.
    public func streamDecoder(for request: ModelRequest) -> any StreamDecoder {
        OpenAIStreamDecoder()
    }

    /// Classifies `{"error":{"message","type","code"}}` replies (and the looser shapes compatible servers use).
    public func classifyError(status: Int, headers: [String: String], body: Data, model: String) -> VibectlError {
        let json = WireJSON.parse(body)
        let fields = Self.errorFields(json)
        var kind = ProviderFailure.kind(forStatus: status, location: headers["location"])
        let code = fields.code ?? ""
        let type = fields.type ?? ""
        if status == 404 {
            kind =
                ProviderFailure.meansUnknownModel(isAPIError: fields.isAPIError, message: fields.message, model: model)
                ? .unknownModel : .endpointNotFound
        }
        if code == "model_not_found" { kind = .unknownModel }
        if code == "insufficient_quota" || type == "insufficient_quota" { kind = .quotaExhausted }
        if code == "invalid_api_key" { kind = .keyRejected }
        if code == "context_length_exceeded" { kind = .tooLarge }
        let label = [fields.type, fields.code].compactMap { $0 }.filter { !$0.isEmpty }
        let detail = ProviderFailure.detail(
            status: status, type: label.isEmpty ? nil : label.joined(separator: "/"), message: fields.message,
            body: fields.isAPIError ? Data() : body)
        return ProviderFailure.error(kind, provider: .openai, model: model, detail: detail)
    }

    /// Builds `GET {base}/models`.
    public func listModelsRequest(endpoint: ProviderEndpoint) throws -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", url: AdapterSupport.url(endpoint.baseURL, "/models"), headers: Self.authHeaders(endpoint))
    }

    /// Decodes `{"data":[{"id":...}]}`.
    public func decodeModelList(_ body: Data) throws -> [String] {
        guard let data = WireJSON.array(WireJSON.parse(body), "data") else {
            throw AdapterSupport.unusableReply(.openai, "to the model list has no data array", body: body)
        }
        return data.compactMap { WireJSON.string($0, "id") }
    }

    /// `max_completion_tokens` for api.openai.com, `max_tokens` for everything else.
    static func maxTokensField(baseURL: String) -> String {
        URL(string: baseURL)?.host?.lowercased() == "api.openai.com" ? "max_completion_tokens" : "max_tokens"
    }

    /// Whether strict mode accepts the schema: every object schema that has `properties` lists them all in
    /// `required` and sets `additionalProperties` to `false`, all the way down.
    static func isStrictCompatible(_ schema: JSONValue) -> Bool {
        switch schema {
        case .array(let elements):
            return elements.allSatisfy(isStrictCompatible)
        case .object(let members):
            if let properties = members["properties"]?.objectValue {
                guard members["additionalProperties"] == .bool(false) else { return false }
                let required = Set((members["required"]?.arrayValue ?? []).compactMap(\.stringValue))
                guard required == Set(properties.keys) else { return false }
            }
            return members.allSatisfy { key, value in
                // Only keys that hold schemas; `enum`, `const`, `default` and `examples` hold data.
                switch key {
                case "properties", "$defs", "definitions":
                    return (value.objectValue ?? [:]).values.allSatisfy(isStrictCompatible)
                case "items", "anyOf", "allOf", "oneOf", "not":
                    return isStrictCompatible(value)
                default:
                    return true
                }
            }
        default:
            return true
        }
    }

    static func authHeaders(_ endpoint: ProviderEndpoint) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        if let key = endpoint.apiKey, !key.isEmpty { headers.append(("authorization", "Bearer \(key)")) }
        headers.append(("user-agent", AdapterSupport.userAgent))
        return headers
    }

    /// `prompt_tokens` and `completion_tokens`.
    static func usage(_ usage: JSONValue?) -> TokenUsage {
        TokenUsage(inputTokens: WireJSON.int(usage, "prompt_tokens"), outputTokens: WireJSON.int(usage, "completion_tokens"))
    }

    static func refusal(_ text: String) -> VibectlError {
        VibectlError(
            .model, "the model refused to answer with the requested structure",
            hint: "rephrase the request or use another model", cause: AdapterSupport.excerpt(text))
    }

    /// The error fields of an OpenAI-style error body: `{"error":{...}}`, `{"error":"..."}`, `{"detail":"..."}` or `{"message":"..."}`.
    static func errorFields(_ json: JSONValue?) -> (message: String?, type: String?, code: String?, isAPIError: Bool) {
        if let error = WireJSON.get(json, "error") {
            if let text = error.stringValue { return (text, nil, nil, true) }
            let code = WireJSON.string(error, "code") ?? WireJSON.int(error, "code").map { String($0) }
            return (WireJSON.string(error, "message"), WireJSON.string(error, "type"), code, true)
        }
        if let detail = WireJSON.string(json, "detail") { return (detail, nil, nil, true) }
        if let message = WireJSON.string(json, "message") { return (message, WireJSON.string(json, "type"), nil, true) }
        return (nil, nil, nil, false)
    }

    /// The error for an error document inside a stream or a 200 body.
    static func embeddedError(_ json: JSONValue, model: String) -> VibectlError {
        let fields = errorFields(json)
        let label = [fields.type, fields.code].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "/")
        let kind: ProviderFailureKind
        switch label {
        case let text where text.contains("rate_limit"): kind = .rateLimited
        case let text where text.contains("insufficient_quota"): kind = .quotaExhausted
        case let text where text.contains("overloaded"): kind = .overloaded
        case let text where text.contains("server_error") || text.contains("internal"): kind = .serverError
        case let text where text.contains("model_not_found"): kind = .unknownModel
        case let text where text.contains("invalid_api_key"): kind = .keyRejected
        default: kind = label.isEmpty ? .serverError : .invalidRequest
        }
        let detail = ProviderFailure.detail(
            status: nil, type: label.isEmpty ? "stream error" : "stream error \(label)", message: fields.message, body: Data())
        return ProviderFailure.error(kind, provider: .openai, model: model, detail: detail)
    }
}

/// Decodes the Chat Completions stream: `choices[0].delta.content`, `finish_reason`, the final usage
/// chunk (`stream_options.include_usage`), and `data: [DONE]`.
///
/// A stream that ends after a `finish_reason` but without `[DONE]` still counts as complete, because
/// some compatible servers never send `[DONE]`.
struct OpenAIStreamDecoder: StreamDecoder {
    private var parser = SSEParser()
    private var finishReason: String?
    private var refusal = ""
    private var model = ""
    private var done = false

    mutating func feed(_ chunk: Data) throws -> [StreamPiece] {
        var pieces: [StreamPiece] = []
        for event in try parser.feed(chunk) { try handle(event, into: &pieces) }
        return pieces
    }

    mutating func finish() throws -> [StreamPiece] {
        var pieces: [StreamPiece] = []
        for event in parser.finish() { try handle(event, into: &pieces) }
        if !done {
            guard finishReason != nil else {
                throw VibectlError(
                    .transient, "the OpenAI stream ended before [DONE]; the connection was probably cut",
                    hint: "vibectl retries transient failures (llm.max_retries)")
            }
            try complete(into: &pieces)
        }
        return pieces
    }

    private mutating func complete(into pieces: inout [StreamPiece]) throws {
        done = true
        if !refusal.isEmpty { throw OpenAIAdapter.refusal(refusal) }
        pieces.append(.finished(stopReason: finishReason))
    }

    private mutating func handle(_ event: SSEEvent, into pieces: inout [StreamPiece]) throws {
        guard !done else { return }
        let data = event.data.trimmingCharacters(in: .whitespaces)
        if data == "[DONE]" {
            try complete(into: &pieces)
            return
        }
        guard let json = WireJSON.parse(data) else {
            throw VibectlError(
                .model, "the OpenAI stream sent a chunk that is not JSON",
                hint: "the endpoint may not speak the OpenAI API; check providers.openai.base_url",
                cause: AdapterSupport.excerpt(data))
        }
        if WireJSON.get(json, "error") != nil || event.event == "error" {
            throw OpenAIAdapter.embeddedError(json, model: model)
        }
        model = WireJSON.string(json, "model") ?? model
        if let choice = WireJSON.get(json, "choices", "0") {
            if let text = WireJSON.string(choice, "delta", "content"), !text.isEmpty { pieces.append(.text(text)) }
            if let text = WireJSON.string(choice, "delta", "refusal") { refusal += text }
            if let reason = WireJSON.string(choice, "finish_reason") { finishReason = reason }
        }
        if let usage = WireJSON.get(json, "usage") {
            let decoded = OpenAIAdapter.usage(usage)
            if decoded != TokenUsage() { pieces.append(.usage(decoded)) }
        }
    }
}
