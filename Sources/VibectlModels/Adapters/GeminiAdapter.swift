import Foundation
import VibectlCore

/// Speaks the Gemini API: `POST {base}/models/{model}:generateContent`, and
/// `:streamGenerateContent?alt=sse` for streaming, with the key in `x-goog-api-key`.
///
/// Structured output sets `responseMimeType` to `application/json` and `responseSchema` to the schema
/// translated into Gemini's Schema object (a subset of OpenAPI 3.0); see ``geminiSchema(_:)``.
public struct GeminiAdapter: ProviderAdapter {
    /// The provider this adapter speaks to.
    public var provider: Provider { .gemini }

    /// Creates the adapter.
    public init() {}

    /// Builds `POST {base}/models/{model}:generateContent` (or `:streamGenerateContent?alt=sse`).
    public func completionRequest(_ request: ModelRequest, model: String, stream: Bool, endpoint: ProviderEndpoint) throws
        -> HTTPRequestSpec
    {
        let fragments = try AdapterSupport.userFragments(request)
        var body: [String: JSONValue] = [
            "contents": [["role": "user", "parts": .array(fragments.map { ["text": .string($0)] })]]
        ]
        if let system = AdapterSupport.joinedSystem(request) {
            body["systemInstruction"] = ["parts": [["text": .string(system)]]]
        }
        var config: [String: JSONValue] = ["maxOutputTokens": .int(request.maxTokens)]
        if let temperature = request.temperature { config["temperature"] = .double(temperature) }
        if let schema = request.schema {
            config["responseMimeType"] = "application/json"
            config["responseSchema"] = Self.geminiSchema(schema)
        }
        body["generationConfig"] = .object(config)
        let method = stream ? ":streamGenerateContent?alt=sse" : ":generateContent"
        var headers = headers(endpoint)
        headers.append(("content-type", "application/json"))
        return HTTPRequestSpec(
            method: "POST", url: AdapterSupport.url(endpoint.baseURL, "/models/" + Self.pathModel(model) + method),
            headers: headers, body: WireJSON.encode(.object(body)))
    }

    /// Decodes `candidates[0].content.parts[].text`, `finishReason` and `usageMetadata`.
    public func decodeCompletion(_ body: Data, request: ModelRequest) throws -> ProviderReply {
        guard let json = WireJSON.parse(body), json.objectValue != nil else {
            throw AdapterSupport.unusableReply(.gemini, "is not a JSON object", body: body)
        }
        if WireJSON.get(json, "error") != nil { throw Self.embeddedError(json, model: "") }
        if let reason = WireJSON.string(json, "promptFeedback", "blockReason") { throw Self.blocked(prompt: true, reason: reason) }
        guard let candidate = WireJSON.get(json, "candidates", "0") else {
            throw AdapterSupport.unusableReply(.gemini, "has no candidates", body: body)
        }
        let text = Self.text(of: candidate)
        let finishReason = WireJSON.string(candidate, "finishReason")
        if text.isEmpty, let finishReason, Self.blockingReasons.contains(finishReason) {
            throw Self.blocked(prompt: false, reason: finishReason)
        }
        return ProviderReply(text: text, usage: Self.usage(WireJSON.get(json, "usageMetadata")), stopReason: finishReason)
    }

    /// A decoder for the `alt=sse` stream of `GenerateContentResponse` chunks.
    public func streamDecoder(for request: ModelRequest) -> any StreamDecoder {
        GeminiStreamDecoder()
    }

    /// Classifies `{"error":{"code","message","status","details"}}` replies by `status` first, then HTTP status.
    ///
    /// Gemini reports a bad key as 400 `INVALID_ARGUMENT` with reason `API_KEY_INVALID`; that is `.auth`.
    public func classifyError(status: Int, headers: [String: String], body: Data, model: String) -> VibectlError {
        let json = WireJSON.parse(body)
        let isAPIError = WireJSON.get(json, "error")?.objectValue != nil
        let rpcStatus = WireJSON.string(json, "error", "status")
        let message = WireJSON.string(json, "error", "message")
        var kind = Self.kind(rpcStatus: rpcStatus, json: json) ?? ProviderFailure.kind(forStatus: status, location: headers["location"])
        if status == 404 || rpcStatus == "NOT_FOUND" {
            kind =
                ProviderFailure.meansUnknownModel(isAPIError: isAPIError, message: message, model: model)
                ? .unknownModel : .endpointNotFound
        }
        let detail = ProviderFailure.detail(status: status, type: rpcStatus, message: message, body: isAPIError ? Data() : body)
        return ProviderFailure.error(kind, provider: .gemini, model: model, detail: detail)
    }

    /// Builds `GET {base}/models?pageSize=1000`.
    public func listModelsRequest(endpoint: ProviderEndpoint) throws -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", url: AdapterSupport.url(endpoint.baseURL, "/models?pageSize=1000"), headers: headers(endpoint))
    }

    /// Decodes `{"models":[{"name":"models/..."}]}`, keeping models that can `generateContent`, without the `models/` prefix.
    public func decodeModelList(_ body: Data) throws -> [String] {
        guard let models = WireJSON.array(WireJSON.parse(body), "models") else {
            throw AdapterSupport.unusableReply(.gemini, "to the model list has no models array", body: body)
        }
        return models.compactMap { model -> String? in
            guard let name = WireJSON.string(model, "name") else { return nil }
            if let methods = WireJSON.array(model, "supportedGenerationMethods"),
                !methods.contains(.string("generateContent"))
            {
                return nil
            }
            return name.hasPrefix("models/") ? String(name.dropFirst("models/".count)) : name
        }
    }

    private func headers(_ endpoint: ProviderEndpoint) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        if let key = endpoint.apiKey, !key.isEmpty { headers.append(("x-goog-api-key", key)) }
        headers.append(("user-agent", AdapterSupport.userAgent))
        return headers
    }

    /// The model id as a path segment: without a `models/` prefix, percent-encoded where needed.
    static func pathModel(_ model: String) -> String {
        let bare = model.hasPrefix("models/") ? String(model.dropFirst("models/".count)) : model
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return bare.addingPercentEncoding(withAllowedCharacters: allowed) ?? bare
    }

    /// The text of a candidate: its parts' `text`, without thought summaries.
    static func text(of candidate: JSONValue?) -> String {
        (WireJSON.array(candidate, "content", "parts") ?? []).compactMap { part -> String? in
            if part.objectValue?["thought"]?.boolValue == true { return nil }
            return WireJSON.string(part, "text")
        }.joined()
    }

    /// `promptTokenCount`, and `candidatesTokenCount` plus `thoughtsTokenCount` (thinking is billed as output).
    static func usage(_ metadata: JSONValue?) -> TokenUsage {
        var output = WireJSON.int(metadata, "candidatesTokenCount")
        if let thoughts = WireJSON.int(metadata, "thoughtsTokenCount") { output = (output ?? 0) + thoughts }
        return TokenUsage(inputTokens: WireJSON.int(metadata, "promptTokenCount"), outputTokens: output)
    }

    /// Finish reasons that mean the reply was withheld.
    static let blockingReasons: Set<String> = [
        "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY",
    ]

    static func blocked(prompt: Bool, reason: String) -> VibectlError {
        VibectlError(
            .model, prompt ? "Gemini blocked the prompt (\(reason))" : "Gemini withheld the reply (\(reason))",
            hint: "rephrase the request or use another model")
    }

    /// The failure kind for a google.rpc status name, if it decides one.
    static func kind(rpcStatus: String?, json: JSONValue?) -> ProviderFailureKind? {
        switch rpcStatus {
        case "UNAUTHENTICATED": return .keyRejected
        case "PERMISSION_DENIED": return .permissionDenied
        case "RESOURCE_EXHAUSTED": return .rateLimited
        case "UNAVAILABLE": return .overloaded
        case "INTERNAL", "DEADLINE_EXCEEDED", "UNKNOWN": return .serverError
        case "NOT_FOUND": return .unknownModel
        case "INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE":
            let reasons = (WireJSON.array(json, "error", "details") ?? []).compactMap { WireJSON.string($0, "reason") }
            let message = (WireJSON.string(json, "error", "message") ?? "").lowercased()
            if reasons.contains("API_KEY_INVALID") || message.contains("api key not valid") || message.contains("api key not found") {
                return .keyRejected
            }
            if message.contains("token count") && message.contains("exceeds") { return .tooLarge }
            return .invalidRequest
        default: return nil
        }
    }

    /// The error for an `{"error":{...}}` document inside a stream or a 200 body.
    static func embeddedError(_ json: JSONValue, model: String) -> VibectlError {
        let rpcStatus = WireJSON.string(json, "error", "status")
        let kind = kind(rpcStatus: rpcStatus, json: json) ?? .serverError
        let detail = ProviderFailure.detail(
            status: nil, type: rpcStatus.map { "stream error \($0)" } ?? "stream error",
            message: WireJSON.string(json, "error", "message"), body: Data())
        return ProviderFailure.error(kind, provider: .gemini, model: model, detail: detail)
    }

    // MARK: - Schema translation

    /// Translates a JSON schema into Gemini's `responseSchema` (a subset of OpenAPI 3.0).
    ///
    /// Kept: `type` (upper-cased: `OBJECT`, `STRING`, ...), `format`, `description`, `nullable`, string
    /// `enum`, `items`, `properties`, `required` (only names that are properties), `minItems`, `maxItems`,
    /// `minimum`, `maximum`, `anyOf`, `propertyOrdering`.
    /// Rewritten: `$ref` to `#/$defs/...` or `#/definitions/...` is inlined (8 levels at most, deeper
    /// references become an untyped schema); `"type": [T, "null"]` becomes `T` with `nullable`; `oneOf`
    /// becomes `anyOf`; a `null` member of `anyOf` becomes `nullable`; a one-member `anyOf` or `allOf` is
    /// merged into its parent; `const` becomes a one-value `enum`.
    /// Stripped: `$schema`, `$id`, `$defs`, `definitions`, `title`, `additionalProperties`, `default`,
    /// `examples`, `pattern`, `minLength`, `maxLength`, `exclusiveMinimum`, `exclusiveMaximum`, `not`,
    /// non-string `enum`s, and every other keyword.
    public static func geminiSchema(_ schema: JSONValue) -> JSONValue {
        var definitions: [String: JSONValue] = [:]
        if let members = schema.objectValue {
            for key in ["definitions", "$defs"] {
                for (name, value) in members[key]?.objectValue ?? [:] { definitions["#/\(key)/\(name)"] = value }
            }
        }
        return translate(schema, definitions: definitions, depth: 0)
    }

    private static func translate(_ schema: JSONValue, definitions: [String: JSONValue], depth: Int) -> JSONValue {
        guard var source = schema.objectValue else { return [:] }
        if let reference = source["$ref"]?.stringValue {
            guard depth < 8, let target = definitions[reference]?.objectValue else { return [:] }
            source.removeValue(forKey: "$ref")
            source = target.merging(source) { _, sibling in sibling }
            return translate(.object(source), definitions: definitions, depth: depth + 1)
        }
        var result: [String: JSONValue] = [:]
        var nullable = source["nullable"]?.boolValue == true

        switch source["type"] {
        case .string(let type):
            if type == "null" { nullable = true } else { result["type"] = .string(type.uppercased()) }
        case .array(let types):
            let names = types.compactMap(\.stringValue)
            if names.contains("null") { nullable = true }
            let concrete = names.filter { $0 != "null" }
            if concrete.count == 1, let only = concrete.first {
                result["type"] = .string(only.uppercased())
            } else if concrete.count > 1 {
                result["anyOf"] = .array(concrete.map { ["type": .string($0.uppercased())] })
            }
        default:
            break
        }
        for key in ["format", "description"] {
            if let value = source[key]?.stringValue { result[key] = .string(value) }
        }
        for key in ["minItems", "maxItems", "minimum", "maximum"] {
            if let value = source[key], value.doubleValue != nil { result[key] = value }
        }
        if let ordering = source["propertyOrdering"]?.arrayValue { result["propertyOrdering"] = .array(ordering) }

        var enumValues = source["enum"]?.arrayValue
        if let constant = source["const"] { enumValues = [constant] }
        if let values = enumValues {
            if values.contains(.null) { nullable = true }
            let strings = values.filter { $0 != .null }
            if !strings.isEmpty, strings.allSatisfy({ $0.stringValue != nil }) {
                result["enum"] = .array(strings)
                if result["type"] == nil { result["type"] = "STRING" }
            }
        }

        if let properties = source["properties"]?.objectValue {
            result["properties"] = .object(properties.mapValues { translate($0, definitions: definitions, depth: depth) })
            let required = (source["required"]?.arrayValue ?? []).filter { name in
                name.stringValue.map { properties[$0] != nil } ?? false
            }
            if !required.isEmpty { result["required"] = .array(required) }
            if result["type"] == nil { result["type"] = "OBJECT" }
        }
        switch source["items"] {
        case .object?:
            result["items"] = translate(source["items"] ?? [:], definitions: definitions, depth: depth)
        case .array(let tuple)?:
            if let first = tuple.first { result["items"] = translate(first, definitions: definitions, depth: depth) }
        default:
            break
        }
        if result["type"] == .string("ARRAY"), result["items"] == nil { result["items"] = ["type": "STRING"] }

        var alternatives = (source["anyOf"]?.arrayValue ?? []) + (source["oneOf"]?.arrayValue ?? [])
        if alternatives.contains(where: { $0.objectValue?["type"] == .string("null") && $0.objectValue?.count == 1 }) {
            nullable = true
            alternatives.removeAll { $0.objectValue?["type"] == .string("null") && $0.objectValue?.count == 1 }
        }
        let translated = alternatives.map { translate($0, definitions: definitions, depth: depth) }
        if translated.count == 1, let only = translated.first?.objectValue {
            result = only.merging(result) { _, own in own }
        } else if translated.count > 1 {
            result["anyOf"] = .array(translated)
        }
        for part in source["allOf"]?.arrayValue ?? [] {
            guard let merged = translate(part, definitions: definitions, depth: depth).objectValue else { continue }
            result = Self.merge(result, merged)
        }
        if nullable { result["nullable"] = true }
        return .object(result)
    }

    /// Merges two translated schemas: properties and required lists are combined, other keys keep `base`'s value.
    private static func merge(_ base: [String: JSONValue], _ other: [String: JSONValue]) -> [String: JSONValue] {
        var result = other.merging(base) { _, own in own }
        if let left = base["properties"]?.objectValue, let right = other["properties"]?.objectValue {
            result["properties"] = .object(right.merging(left) { _, own in own })
        }
        let required = (base["required"]?.arrayValue ?? []) + (other["required"]?.arrayValue ?? [])
        if !required.isEmpty {
            var seen = Set<JSONValue>()
            result["required"] = .array(required.filter { seen.insert($0).inserted })
        }
        return result
    }
}

/// Decodes the `alt=sse` stream: each `data:` is a `GenerateContentResponse` with more text; the last
/// carries `finishReason` and `usageMetadata`. Gemini sends no end marker, so the stream is complete when
/// the body ends after a `finishReason`.
struct GeminiStreamDecoder: StreamDecoder {
    private var parser = SSEParser()
    private var finishReason: String?
    private var sentText = false
    private var model = ""

    mutating func feed(_ chunk: Data) throws -> [StreamPiece] {
        var pieces: [StreamPiece] = []
        for event in try parser.feed(chunk) { try handle(event, into: &pieces) }
        return pieces
    }

    mutating func finish() throws -> [StreamPiece] {
        var pieces: [StreamPiece] = []
        for event in parser.finish() { try handle(event, into: &pieces) }
        guard let finishReason else {
            throw VibectlError(
                .transient, "the Gemini stream ended without a finishReason; the connection was probably cut",
                hint: "vibectl retries transient failures (llm.max_retries)")
        }
        if !sentText, GeminiAdapter.blockingReasons.contains(finishReason) {
            throw GeminiAdapter.blocked(prompt: false, reason: finishReason)
        }
        pieces.append(.finished(stopReason: finishReason))
        return pieces
    }

    private mutating func handle(_ event: SSEEvent, into pieces: inout [StreamPiece]) throws {
        guard let json = WireJSON.parse(event.data), json.objectValue != nil else {
            throw VibectlError(
                .model, "the Gemini stream sent a chunk that is not a JSON object",
                hint: "the endpoint may not speak the Gemini API; check providers.gemini.base_url or GEMINI_BASE_URL",
                cause: AdapterSupport.excerpt(event.data))
        }
        if WireJSON.get(json, "error") != nil { throw GeminiAdapter.embeddedError(json, model: model) }
        if let reason = WireJSON.string(json, "promptFeedback", "blockReason") {
            throw GeminiAdapter.blocked(prompt: true, reason: reason)
        }
        model = WireJSON.string(json, "modelVersion") ?? model
        if let candidate = WireJSON.get(json, "candidates", "0") {
            let text = GeminiAdapter.text(of: candidate)
            if !text.isEmpty {
                sentText = true
                pieces.append(.text(text))
            }
            if let reason = WireJSON.string(candidate, "finishReason") { finishReason = reason }
        }
        if let metadata = WireJSON.get(json, "usageMetadata") {
            let usage = GeminiAdapter.usage(metadata)
            if usage != TokenUsage() { pieces.append(.usage(usage)) }
        }
    }
}
