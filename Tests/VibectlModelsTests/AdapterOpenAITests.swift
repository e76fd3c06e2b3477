import Foundation
import Testing
import VibectlCore

@testable import VibectlModels

@Suite("OpenAI adapter")
struct AdapterOpenAITests {
    let adapter = OpenAIAdapter()
    static let key = "sk-proj-Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LzXcVbNm"
    let endpoint = ProviderEndpoint(provider: .openai, baseURL: "http://127.0.0.1:9/openai/v1", apiKey: key)
    typealias S = AdapterTestSupport

    // MARK: Requests

    @Test("a plain request is POST {base}/chat/completions with a bearer key and system + user messages")
    func plainRequest() throws {
        let spec = try adapter.completionRequest(S.request(temperature: 0), model: "gpt-4o", stream: false, endpoint: endpoint)
        #expect(spec.method == "POST")
        #expect(spec.url == "http://127.0.0.1:9/openai/v1/chat/completions")
        #expect(spec.header("authorization") == "Bearer \(Self.key)")
        #expect(spec.header("content-type") == "application/json")
        let body = try S.body(spec)
        #expect(S.value(body, "model") == "gpt-4o")
        #expect(
            S.value(body, "messages")
                == [
                    ["role": "system", "content": "You are a Kubernetes assistant.\n\nAnswer briefly."],
                    ["role": "user", "content": "Cluster state: 3 pods.\n\nAre they healthy?"],
                ])
        #expect(S.value(body, "max_tokens") == 512)
        #expect(S.value(body, "max_completion_tokens") == nil)
        #expect(S.value(body, "temperature")?.doubleValue == 0)
        #expect(S.value(body, "stream") == nil)
        #expect(S.value(body, "response_format") == nil)
    }

    @Test("api.openai.com gets max_completion_tokens; compatible servers get max_tokens")
    func maxTokensField() throws {
        let official = ProviderEndpoint(provider: .openai, baseURL: "https://api.openai.com/v1", apiKey: Self.key)
        let body = try S.body(adapter.completionRequest(S.request(), model: "gpt-4o", stream: false, endpoint: official))
        #expect(S.value(body, "max_completion_tokens") == 512)
        #expect(S.value(body, "max_tokens") == nil)
        let groq = ProviderEndpoint(provider: .openai, baseURL: "https://api.groq.com/openai/v1", apiKey: Self.key)
        #expect(S.value(try S.body(adapter.completionRequest(S.request(), model: "m", stream: false, endpoint: groq)), "max_tokens") == 512)
    }

    @Test("without a key (a local server) there is no Authorization header")
    func noKey() throws {
        let local = ProviderEndpoint(provider: .openai, baseURL: "http://127.0.0.1:8080/v1", apiKey: nil)
        let spec = try adapter.completionRequest(S.request(), model: "local", stream: false, endpoint: local)
        #expect(spec.header("authorization") == nil)
        #expect(try adapter.listModelsRequest(endpoint: local).header("authorization") == nil)
    }

    @Test("a structured request sends response_format json_schema, strict when the schema allows it")
    func structuredRequest() throws {
        let spec = try adapter.completionRequest(S.request(schema: S.schema), model: "gpt-4o", stream: false, endpoint: endpoint)
        let body = try S.body(spec)
        #expect(
            S.value(body, "response_format")
                == ["type": "json_schema", "json_schema": ["name": "vibe_plan", "schema": S.schema, "strict": true]])
        let loose: JSONValue = ["type": "object", "properties": ["a": ["type": "string"], "b": ["type": "string"]], "required": ["a"]]
        let looseBody = try S.body(adapter.completionRequest(S.request(schema: loose), model: "gpt-4o", stream: false, endpoint: endpoint))
        #expect(S.value(looseBody, "response_format", "json_schema", "strict") == false)
        #expect(S.value(looseBody, "response_format", "json_schema", "schema") == loose)
    }

    @Test("strict compatibility looks into nested objects, items and $defs")
    func strictCheck() {
        let nested: JSONValue = [
            "type": "object", "additionalProperties": false, "required": ["items"],
            "properties": ["items": ["type": "array", "items": ["type": "object", "properties": ["x": ["type": "integer"]]]]],
        ]
        #expect(!OpenAIAdapter.isStrictCompatible(nested))
        let fixed: JSONValue = [
            "type": "object", "additionalProperties": false, "required": ["items"],
            "properties": [
                "items": [
                    "type": "array",
                    "items": ["type": "object", "additionalProperties": false, "required": ["x"], "properties": ["x": ["type": "integer"]]],
                ]
            ],
        ]
        #expect(OpenAIAdapter.isStrictCompatible(fixed))
    }

    @Test("a streamed request asks for usage in the stream")
    func streamedRequest() throws {
        let body = try S.body(adapter.completionRequest(S.request(), model: "gpt-4o", stream: true, endpoint: endpoint))
        #expect(S.value(body, "stream") == true)
        #expect(S.value(body, "stream_options") == ["include_usage": true])
    }

    @Test("the model list is GET {base}/models and yields data[].id")
    func modelList() throws {
        let spec = try adapter.listModelsRequest(endpoint: endpoint)
        #expect(spec.method == "GET")
        #expect(spec.url == "http://127.0.0.1:9/openai/v1/models")
        #expect(spec.header("authorization") == "Bearer \(Self.key)")
        let body = #"{"object":"list","data":[{"id":"gpt-4o","object":"model","owned_by":"system"},{"id":"gpt-4o-mini","object":"model"}]}"#
        #expect(try adapter.decodeModelList(Data(body.utf8)) == ["gpt-4o", "gpt-4o-mini"])
    }

    // MARK: Replies

    @Test("a plain reply yields content, usage and finish_reason")
    func plainReply() throws {
        let body = #"""
            {"id":"chatcmpl-1","object":"chat.completion","created":1741570283,"model":"gpt-4o-2024-08-06",
             "choices":[{"index":0,"message":{"role":"assistant","content":"All pods are Running.","refusal":null},"logprobs":null,"finish_reason":"stop"}],
             "usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29}}
            """#
        let reply = try adapter.decodeCompletion(Data(body.utf8), request: S.request())
        #expect(reply == ProviderReply(text: "All pods are Running.", usage: TokenUsage(inputTokens: 19, outputTokens: 10), stopReason: "stop"))
    }

    @Test("a structured reply is the JSON text in content")
    func structuredReply() throws {
        let body = #"{"choices":[{"index":0,"message":{"role":"assistant","content":"{\"action\":\"COMMAND\",\"commands\":[]}"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":6}}"#
        let reply = try adapter.decodeCompletion(Data(body.utf8), request: S.request(schema: S.schema))
        #expect(try JSONValue.parse(reply.text) == ["action": "COMMAND", "commands": []])
    }

    @Test("a refusal is a .model error")
    func refusal() {
        let body = #"{"choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"I can't help with that."},"finish_reason":"stop"}]}"#
        let error = S.error { _ = try adapter.decodeCompletion(Data(body.utf8), request: S.request(schema: S.schema)) }
        #expect(error?.code == .model)
        #expect(error?.message.contains("refused") == true)
    }

    static let plainStream =
        "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}],\"usage\":null}\n\n"
        + ": keep-alive comment\n\n"
        + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Sí, todo \"},\"finish_reason\":null}],\"usage\":null}\r\n\r\n"
        + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"bien 👍\"},\"finish_reason\":null}],\"usage\":null}\n\n"
        + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n"
        + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":4,\"total_tokens\":16}}\n\n"
        + "data: [DONE]\n\n"

    @Test("a streamed reply gives text, the final usage chunk and finish_reason however the bytes are split")
    func plainStreamDecoding() throws {
        let pieces = try S.decodeEveryWay({ adapter.streamDecoder(for: S.request()) }, Self.plainStream)
        #expect(
            pieces == [
                .text("Sí, todo "), .text("bien 👍"), .usage(TokenUsage(inputTokens: 12, outputTokens: 4)), .finished(stopReason: "stop"),
            ])
    }

    @Test("a stream split inside the emoji and inside 'data:' decodes the same")
    func awkwardSplits() throws {
        let text = Self.plainStream
        let emoji = try #require(text.utf8.firstRange(of: "👍".utf8))
        let start = text.utf8.distance(from: text.utf8.startIndex, to: emoji.lowerBound)
        let chunks = S.split(text, at: [3, start + 1, start + 3])
        #expect(S.text(try S.decode(adapter.streamDecoder(for: S.request()), chunks)) == "Sí, todo bien 👍")
    }

    @Test("a stream that ends after finish_reason without [DONE] is complete; one without either is cut")
    func endings() throws {
        let noDone = Self.plainStream.replacingOccurrences(of: "data: [DONE]\n\n", with: "")
        let pieces = try S.decode(adapter.streamDecoder(for: S.request()), [Data(noDone.utf8)])
        #expect(pieces.last == .finished(stopReason: "stop"))
        let cut = String(Self.plainStream.prefix(while: { $0 != "👍" }))
        #expect(S.error { _ = try S.decode(adapter.streamDecoder(for: S.request()), [Data(cut.utf8)]) }?.code == .transient)
    }

    @Test("an error object in the stream is classified (overload → transient)")
    func streamError() {
        let overloaded = "data: {\"error\":{\"message\":\"The server is overloaded\",\"type\":\"server_error\",\"code\":null}}\n\n"
        #expect(S.error { _ = try S.decode(adapter.streamDecoder(for: S.request()), [Data(overloaded.utf8)]) }?.code == .transient)
        let invalid = "data: {\"error\":{\"message\":\"bad schema\",\"type\":\"invalid_request_error\",\"code\":null}}\n\n"
        #expect(S.error { _ = try S.decode(adapter.streamDecoder(for: S.request()), [Data(invalid.utf8)]) }?.code == .model)
    }

    @Test("a chunk that is not JSON is a .model error")
    func malformedChunk() {
        #expect(S.error { _ = try S.decode(adapter.streamDecoder(for: S.request()), [Data("data: {nope\n\n".utf8)]) }?.code == .model)
    }

    // MARK: Errors

    static let errorTable: [ErrorCase] = [
        ErrorCase(
            status: 401, body: #"{"error":{"message":"Incorrect API key provided: sk-proj-Qw8E************************","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#,
            code: .auth, mentions: ["rejected the configured key", "invalid_api_key"]),
        ErrorCase(
            status: 403, body: #"{"error":{"message":"Country, region, or territory not supported","type":"request_forbidden","code":"unsupported_country_region_territory"}}"#,
            code: .auth, mentions: ["gpt-x"]),
        ErrorCase(
            status: 404, body: #"{"error":{"message":"The model `gpt-x` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}"#,
            code: .model, mentions: ["unknown model 'gpt-x'"]),
        ErrorCase(status: 404, body: "404 page not found", code: .model, mentions: ["endpoint was not found", "404 page not found"]),
        ErrorCase(
            status: 404, body: #"{"error":{"message":"Invalid URL (POST /v1/chat/completion)","type":"invalid_request_error","code":null}}"#,
            code: .model, mentions: ["endpoint was not found"]),
        ErrorCase(
            status: 400, body: #"{"error":{"message":"Invalid schema for response_format 'vibe_plan'","type":"invalid_request_error","param":"response_format","code":null}}"#,
            code: .model, mentions: ["invalid", "Invalid schema"]),
        ErrorCase(
            status: 400, body: #"{"error":{"message":"This model's maximum context length is 128000 tokens.","type":"invalid_request_error","code":"context_length_exceeded"}}"#,
            code: .model, mentions: ["too large"]),
        ErrorCase(status: 422, body: #"{"detail":"max_tokens must be positive"}"#, code: .model, mentions: ["max_tokens must be positive"]),
        ErrorCase(
            status: 429, body: #"{"error":{"message":"Rate limit reached for gpt-4o","type":"requests","code":"rate_limit_exceeded"}}"#,
            code: .transient, mentions: ["rate limiting"]),
        ErrorCase(
            status: 429, body: #"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}"#,
            code: .auth, mentions: ["quota"]),
        ErrorCase(
            status: 500, body: #"{"error":{"message":"The server had an error while processing your request.","type":"server_error"}}"#,
            code: .transient, mentions: ["server error"]),
        ErrorCase(
            status: 503, body: #"{"error":{"message":"The engine is currently overloaded, please try again later","type":"server_error"}}"#,
            code: .transient, mentions: ["overloaded"]),
        ErrorCase(status: 529, body: "", code: .transient, mentions: ["overloaded"]),
    ]

    @Test("HTTP errors are classified", arguments: errorTable)
    func classify(_ row: ErrorCase) {
        let error = adapter.classifyError(status: row.status, headers: row.headers, body: Data(row.body.utf8), model: "gpt-x")
        #expect(error.code == row.code)
        for text in row.mentions { #expect(error.message.contains(text), "\(error.message) lacks \(text)") }
    }

    @Test("a key echoed back in an error body never reaches the message")
    func redaction() {
        let body = #"{"error":{"message":"Incorrect API key provided: \#(Self.key). You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","code":"invalid_api_key"}}"#
        let error = adapter.classifyError(status: 401, headers: [:], body: Data(body.utf8), model: "gpt-4o")
        #expect(error.code == .auth)
        #expect(!error.description.contains(Self.key))
        #expect(error.message.contains(Redaction.placeholder))
    }
}
