import Foundation
import VibectlCore

/// Speaks the Ollama chat API (`POST {base}/api/chat`), streaming as newline-delimited JSON.
///
/// Structured output sets `format` to the JSON schema, unchanged; the reply's `message.content` is the
/// JSON text. No key is needed; when one is configured (an Ollama behind an authenticating proxy, or
/// ollama.com) it is sent as `Authorization: Bearer`.
public struct OllamaAdapter: ProviderAdapter {
    /// The provider this adapter speaks to.
    public var provider: Provider { .ollama }

    /// Creates the adapter.
    public init() {}

    /// Builds `POST {base}/api/chat`.
    public func completionRequest(_ request: ModelRequest, model: String, stream: Bool, endpoint: ProviderEndpoint) throws
        -> HTTPRequestSpec
    {
        let user = try AdapterSupport.userFragments(request).joined(separator: "\n\n")
        var messages: [JSONValue] = []
        if let system = AdapterSupport.joinedSystem(request) {
            messages.append(["role": "system", "content": .string(system)])
        }
        messages.append(["role": "user", "content": .string(user)])
        var options: [String: JSONValue] = ["num_predict": .int(request.maxTokens)]
        if let temperature = request.temperature { options["temperature"] = .double(temperature) }
        var body: [String: JSONValue] = [
            "model": .string(model), "messages": .array(messages), "stream": .bool(stream), "options": .object(options),
        ]
        if let schema = request.schema { body["format"] = schema }
        var headers = headers(endpoint)
        headers.append(("content-type", "application/json"))
        return HTTPRequestSpec(
            method: "POST", url: Self.url(endpoint.baseURL, "/api/chat"), headers: headers, body: WireJSON.encode(.object(body)))
    }

    /// Decodes `{"message":{"content"},"done_reason","prompt_eval_count","eval_count"}`.
    public func decodeCompletion(_ body: Data, request: ModelRequest) throws -> ProviderReply {
        let json = WireJSON.parse(body)
        if let json, let message = WireJSON.string(json, "error") { throw Self.embeddedError(message, model: WireJSON.string(json, "model") ?? "") }
        guard let text = WireJSON.string(json, "message", "content") else {
            throw AdapterSupport.unusableReply(.ollama, "has no message content", body: body)
        }
        return ProviderReply(text: text, usage: Self.usage(json), stopReason: WireJSON.string(json, "done_reason"))
    }

    /// A decoder for the NDJSON stream.
    public func streamDecoder(for request: ModelRequest) -> any StreamDecoder {
        OllamaStreamDecoder()
    }

    /// Classifies `{"error":"..."}` replies; a 404 naming the model is an unknown model.
    public func classifyError(status: Int, headers: [String: String], body: Data, model: String) -> VibectlError {
        let message = WireJSON.string(WireJSON.parse(body), "error")
        var kind = ProviderFailure.kind(forStatus: status, location: headers["location"])
        if status == 404 {
            kind =
                ProviderFailure.meansUnknownModel(isAPIError: message != nil, message: message, model: model)
                ? .unknownModel : .endpointNotFound
        }
        let detail = ProviderFailure.detail(status: status, type: nil, message: message, body: message == nil ? body : Data())
        return ProviderFailure.error(kind, provider: .ollama, model: model, detail: detail)
    }

    /// Builds `GET {base}/api/tags`.
    public func listModelsRequest(endpoint: ProviderEndpoint) throws -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", url: Self.url(endpoint.baseURL, "/api/tags"), headers: headers(endpoint))
    }

    /// Decodes `{"models":[{"name":...}]}`.
    public func decodeModelList(_ body: Data) throws -> [String] {
        guard let models = WireJSON.array(WireJSON.parse(body), "models") else {
            throw AdapterSupport.unusableReply(.ollama, "to the model list has no models array", body: body)
        }
        return models.compactMap { WireJSON.string($0, "name") ?? WireJSON.string($0, "model") }
    }

    private func headers(_ endpoint: ProviderEndpoint) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        if let key = endpoint.apiKey, !key.isEmpty { headers.append(("authorization", "Bearer \(key)")) }
        headers.append(("user-agent", AdapterSupport.userAgent))
        return headers
    }

    /// `base` + `path`; a base without a scheme (`OLLAMA_HOST=host:11434`, as Ollama itself accepts) gets `http://`.
    static func url(_ base: String, _ path: String) -> String {
        let withScheme = base.contains("://") ? base : "http://" + base
        return AdapterSupport.url(withScheme, path)
    }

    /// `prompt_eval_count` and `eval_count`.
    static func usage(_ json: JSONValue?) -> TokenUsage {
        TokenUsage(inputTokens: WireJSON.int(json, "prompt_eval_count"), outputTokens: WireJSON.int(json, "eval_count"))
    }

    /// The error for `{"error":"..."}` inside a stream or a 200 body.
    static func embeddedError(_ message: String, model: String) -> VibectlError {
        let lowered = message.lowercased()
        let kind: ProviderFailureKind = lowered.contains("not found") && lowered.contains("model") ? .unknownModel : .serverError
        let detail = ProviderFailure.detail(status: nil, type: "stream error", message: message, body: Data())
        return ProviderFailure.error(kind, provider: .ollama, model: model, detail: detail)
    }
}

/// Decodes Ollama's NDJSON stream: one object per line with `message.content`; the last has `done: true`,
/// `done_reason` and the token counts; `{"error":"..."}` lines are errors.
struct OllamaStreamDecoder: StreamDecoder {
    private var parser = NDJSONParser()
    private var model = ""
    private var done = false

    mutating func feed(_ chunk: Data) throws -> [StreamPiece] {
        var pieces: [StreamPiece] = []
        for line in try parser.feed(chunk) { try handle(line, into: &pieces) }
        return pieces
    }

    mutating func finish() throws -> [StreamPiece] {
        var pieces: [StreamPiece] = []
        for line in parser.finish() {
            // A last line without its line break that is not JSON was cut off mid-way.
            guard WireJSON.parse(line) != nil else { break }
            try handle(line, into: &pieces)
        }
        guard done else {
            throw VibectlError(
                .transient, "the Ollama stream ended before done; the connection was probably cut",
                hint: "vibectl retries transient failures (llm.max_retries)")
        }
        return pieces
    }

    private mutating func handle(_ line: Data, into pieces: inout [StreamPiece]) throws {
        guard !done else { return }
        guard let json = WireJSON.parse(line) else {
            throw VibectlError(
                .model, "the Ollama stream sent a line that is not JSON",
                hint: "the endpoint may not speak the Ollama API; check providers.ollama.base_url or OLLAMA_HOST",
                cause: AdapterSupport.excerpt(line))
        }
        if let message = WireJSON.string(json, "error") { throw OllamaAdapter.embeddedError(message, model: model) }
        model = WireJSON.string(json, "model") ?? model
        if let text = WireJSON.string(json, "message", "content"), !text.isEmpty { pieces.append(.text(text)) }
        if json.objectValue?["done"]?.boolValue == true {
            done = true
            let usage = OllamaAdapter.usage(json)
            if usage != TokenUsage() { pieces.append(.usage(usage)) }
            pieces.append(.finished(stopReason: WireJSON.string(json, "done_reason")))
        }
    }
}
