import Foundation
import Testing
import VibectlCore

@testable import VibectlModels

@Suite("Gemini adapter")
struct AdapterGeminiTests {
    let adapter = GeminiAdapter()
    static let key = "AIzaSyD3xAmPl3kEy0123456789abcdefGHIJK"
    let endpoint = ProviderEndpoint(provider: .gemini, baseURL: "http://127.0.0.1:9/gemini/v1beta", apiKey: key)
    typealias S = AdapterTestSupport

    // MARK: Requests

    @Test("a plain request is POST {base}/models/{model}:generateContent with x-goog-api-key")
    func plainRequest() throws {
        let spec = try adapter.completionRequest(S.request(temperature: 0.1), model: "gemini-2.0-flash", stream: false, endpoint: endpoint)
        #expect(spec.method == "POST")
        #expect(spec.url == "http://127.0.0.1:9/gemini/v1beta/models/gemini-2.0-flash:generateContent")
        #expect(spec.header("x-goog-api-key") == Self.key)
        #expect(spec.header("authorization") == nil)
        #expect(!spec.url.contains(Self.key))
        let body = try S.body(spec)
        #expect(S.value(body, "systemInstruction") == ["parts": [["text": "You are a Kubernetes assistant.\n\nAnswer briefly."]]])
        #expect(
            S.value(body, "contents")
                == [["role": "user", "parts": [["text": "Cluster state: 3 pods."], ["text": "Are they healthy?"]]]])
        #expect(S.value(body, "generationConfig", "maxOutputTokens") == 512)
        #expect(S.value(body, "generationConfig", "temperature")?.doubleValue == 0.1)
        #expect(S.value(body, "generationConfig", "responseMimeType") == nil)
        #expect(S.value(body, "generationConfig", "responseSchema") == nil)
    }

    @Test("a streamed request uses :streamGenerateContent?alt=sse; a models/ prefix is not doubled")
    func streamedRequest() throws {
        let spec = try adapter.completionRequest(S.request(), model: "models/gemini-2.5-pro", stream: true, endpoint: endpoint)
        #expect(spec.url == "http://127.0.0.1:9/gemini/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse")
    }

    @Test("a structured request sets responseMimeType and a translated responseSchema")
    func structuredRequest() throws {
        let body = try S.body(adapter.completionRequest(S.request(schema: S.schema), model: "gemini-2.0-flash", stream: false, endpoint: endpoint))
        #expect(S.value(body, "generationConfig", "responseMimeType") == "application/json")
        #expect(
            S.value(body, "generationConfig", "responseSchema")
                == [
                    "type": "OBJECT",
                    "properties": ["action": ["type": "STRING"], "commands": ["type": "ARRAY", "items": ["type": "STRING"]]],
                    "required": ["action", "commands"],
                ])
    }

    @Test("schema translation inlines $ref, turns null unions into nullable and strips unsupported keywords")
    func schemaTranslation() {
        let schema: JSONValue = [
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "Plan",
            "type": "object",
            "additionalProperties": false,
            "$defs": ["Action": ["type": "string", "enum": ["COMMAND", "DONE"], "title": "Action"]],
            "properties": [
                "action": ["$ref": "#/$defs/Action", "description": "what to do"],
                "note": ["anyOf": [["type": "string"], ["type": "null"]], "default": nil],
                "count": ["type": ["integer", "null"], "minimum": 0, "exclusiveMaximum": 10],
                "kind": ["const": "plan"],
                "tags": ["type": "array", "items": ["type": "string", "pattern": "^[a-z]+$", "maxLength": 5], "maxItems": 3],
            ],
            "required": ["action", "ghost"],
        ]
        let expected: JSONValue = [
            "type": "OBJECT",
            "properties": [
                "action": ["type": "STRING", "enum": ["COMMAND", "DONE"], "description": "what to do"],
                "note": ["type": "STRING", "nullable": true],
                "count": ["type": "INTEGER", "nullable": true, "minimum": 0],
                "kind": ["type": "STRING", "enum": ["plan"]],
                "tags": ["type": "ARRAY", "items": ["type": "STRING"], "maxItems": 3],
            ],
            "required": ["action"],
        ]
        #expect(GeminiAdapter.geminiSchema(schema) == expected)
    }

    @Test("a self-referencing schema is cut off instead of recursing forever")
    func recursiveSchema() {
        let schema: JSONValue = [
            "$defs": ["Node": ["type": "object", "properties": ["child": ["$ref": "#/$defs/Node"]]]],
            "$ref": "#/$defs/Node",
        ]
        let translated = GeminiAdapter.geminiSchema(schema)
        #expect(S.value(translated, "type") == "OBJECT")
        #expect(S.value(translated, "properties", "child", "type") == "OBJECT")
    }

    @Test("the model list is GET {base}/models and yields generateContent models without models/")
    func modelList() throws {
        let spec = try adapter.listModelsRequest(endpoint: endpoint)
        #expect(spec.method == "GET")
        #expect(spec.url == "http://127.0.0.1:9/gemini/v1beta/models?pageSize=1000")
        #expect(spec.header("x-goog-api-key") == Self.key)
        let body = #"""
            {"models":[
              {"name":"models/gemini-2.0-flash","supportedGenerationMethods":["generateContent","countTokens"]},
              {"name":"models/text-embedding-004","supportedGenerationMethods":["embedContent"]},
              {"name":"models/gemini-2.5-pro"}]}
            """#
        #expect(try adapter.decodeModelList(Data(body.utf8)) == ["gemini-2.0-flash", "gemini-2.5-pro"])
    }

    // MARK: Replies

    @Test("a plain reply joins the parts, skips thoughts, and reads usageMetadata")
    func plainReply() throws {
        let body = #"""
            {"candidates":[{"content":{"parts":[{"text":"thinking...","thought":true},{"text":"All pods "},{"text":"are Running."}],"role":"model"},
              "finishReason":"STOP","index":0}],
             "usageMetadata":{"promptTokenCount":21,"candidatesTokenCount":7,"thoughtsTokenCount":3,"totalTokenCount":31},
             "modelVersion":"gemini-2.0-flash"}
            """#
        let reply = try adapter.decodeCompletion(Data(body.utf8), request: S.request())
        #expect(reply == ProviderReply(text: "All pods are Running.", usage: TokenUsage(inputTokens: 21, outputTokens: 10), stopReason: "STOP"))
    }

    @Test("a structured reply is the JSON text in the parts")
    func structuredReply() throws {
        let body = #"{"candidates":[{"content":{"parts":[{"text":"{\"action\": \"COMMAND\", \"commands\": [\"get\"]}"}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":4}}"#
        let reply = try adapter.decodeCompletion(Data(body.utf8), request: S.request(schema: S.schema))
        #expect(try JSONValue.parse(reply.text) == ["action": "COMMAND", "commands": ["get"]])
    }

    @Test("a blocked prompt or a withheld reply is a .model error")
    func blocked() {
        let prompt = #"{"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":5}}"#
        let promptError = S.error { _ = try adapter.decodeCompletion(Data(prompt.utf8), request: S.request()) }
        #expect(promptError?.code == .model)
        #expect(promptError?.message.contains("SAFETY") == true)
        let reply = #"{"candidates":[{"finishReason":"SAFETY","index":0}]}"#
        #expect(S.error { _ = try adapter.decodeCompletion(Data(reply.utf8), request: S.request()) }?.code == .model)
    }

    static let stream =
        "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Todo \"}],\"role\": \"model\"},\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 9,\"totalTokenCount\": 9},\"modelVersion\": \"gemini-2.0-flash\"}\r\n\r\n"
        + "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"está bien 🚀\"}],\"role\": \"model\"},\"index\": 0}],\"modelVersion\": \"gemini-2.0-flash\"}\r\n\r\n"
        + "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \".\"}],\"role\": \"model\"},\"finishReason\": \"STOP\",\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 9,\"candidatesTokenCount\": 6,\"totalTokenCount\": 15},\"modelVersion\": \"gemini-2.0-flash\"}\r\n\r\n"

    @Test("an alt=sse stream gives text, usage and finishReason however the bytes are split")
    func streamDecoding() throws {
        let pieces = try S.decodeEveryWay({ adapter.streamDecoder(for: S.request()) }, Self.stream)
        #expect(
            pieces == [
                .text("Todo "), .usage(TokenUsage(inputTokens: 9)), .text("está bien 🚀"), .text("."),
                .usage(TokenUsage(inputTokens: 9, outputTokens: 6)), .finished(stopReason: "STOP"),
            ])
    }

    @Test("a stream split inside the emoji, between CR and LF, and inside 'data:' decodes the same")
    func awkwardSplits() throws {
        let text = Self.stream
        let rocket = try #require(text.utf8.firstRange(of: "🚀".utf8))
        let start = text.utf8.distance(from: text.utf8.startIndex, to: rocket.lowerBound)
        let crlf = try #require(text.utf8.firstRange(of: "\r\n".utf8))
        let cr = text.utf8.distance(from: text.utf8.startIndex, to: crlf.lowerBound)
        let chunks = S.split(text, at: [2, cr + 1, start + 2])
        #expect(S.text(try S.decode(adapter.streamDecoder(for: S.request()), chunks)) == "Todo está bien 🚀.")
    }

    @Test("a stream that ends without finishReason is transient")
    func cutStream() {
        let cut = String(Self.stream.prefix(while: { $0 != "🚀" }))
        #expect(S.error { _ = try S.decode(adapter.streamDecoder(for: S.request()), [Data(cut.utf8)]) }?.code == .transient)
    }

    @Test("an error object in the stream is classified (UNAVAILABLE → transient)")
    func streamError() {
        let event = "data: {\"error\": {\"code\": 503, \"message\": \"The model is overloaded. Please try again later.\", \"status\": \"UNAVAILABLE\"}}\r\n\r\n"
        let error = S.error { _ = try S.decode(adapter.streamDecoder(for: S.request()), [Data(event.utf8)]) }
        #expect(error?.code == .transient)
        #expect(error?.message.contains("overloaded") == true)
    }

    // MARK: Errors

    static let errorTable: [ErrorCase] = [
        ErrorCase(
            status: 400,
            body: #"{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com"}]}}"#,
            code: .auth, mentions: ["rejected the configured key"]),
        ErrorCase(
            status: 400, body: #"{"error":{"code":400,"message":"Invalid JSON payload received. Unknown name \"foo\"","status":"INVALID_ARGUMENT"}}"#,
            code: .model, mentions: ["invalid", "INVALID_ARGUMENT", "Unknown name"]),
        ErrorCase(
            status: 401, body: #"{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}"#,
            code: .auth, mentions: ["rejected"]),
        ErrorCase(
            status: 403, body: #"{"error":{"code":403,"message":"Method doesn't allow unregistered callers.","status":"PERMISSION_DENIED"}}"#,
            code: .auth, mentions: ["gemini-x"]),
        ErrorCase(
            status: 404, body: #"{"error":{"code":404,"message":"models/gemini-x is not found for API version v1beta, or is not supported for generateContent.","status":"NOT_FOUND"}}"#,
            code: .model, mentions: ["unknown model 'gemini-x'"]),
        ErrorCase(
            status: 429, body: #"{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}"#,
            code: .transient, mentions: ["rate limiting"]),
        ErrorCase(
            status: 500, body: #"{"error":{"code":500,"message":"An internal error has occurred.","status":"INTERNAL"}}"#,
            code: .transient, mentions: ["server error"]),
        ErrorCase(
            status: 503, body: #"{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}"#,
            code: .transient, mentions: ["overloaded"]),
        ErrorCase(status: 529, body: "", code: .transient, mentions: ["overloaded"]),
    ]

    @Test("HTTP errors are classified", arguments: errorTable)
    func classify(_ row: ErrorCase) {
        let error = adapter.classifyError(status: row.status, headers: row.headers, body: Data(row.body.utf8), model: "gemini-x")
        #expect(error.code == row.code)
        for text in row.mentions { #expect(error.message.contains(text), "\(error.message) lacks \(text)") }
    }

    @Test("a key echoed back in an error body never reaches the message")
    func redaction() {
        let body = #"{"error":{"code":400,"message":"API key not valid: \#(Self.key)","status":"INVALID_ARGUMENT","details":[{"reason":"API_KEY_INVALID"}]}}"#
        let error = adapter.classifyError(status: 400, headers: [:], body: Data(body.utf8), model: "gemini-x")
        #expect(error.code == .auth)
        #expect(!error.description.contains(Self.key))
    }
}
