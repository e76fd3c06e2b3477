import Foundation
import Testing
import VibectlCore

@testable import VibectlModels

@Suite("Anthropic adapter")
struct AdapterAnthropicTests {
    let adapter = AnthropicAdapter()
    let endpoint = ProviderEndpoint(provider: .anthropic, baseURL: "http://127.0.0.1:9/anthropic", apiKey: AdapterTestSupport.secretKey)
    typealias S = AdapterTestSupport

    // MARK: Requests

    @Test("a plain request is POST /v1/messages with the key, version and content blocks")
    func plainRequest() throws {
        let spec = try adapter.completionRequest(S.request(temperature: 0.2), model: "claude-sonnet-4-20250514", stream: false, endpoint: endpoint)
        #expect(spec.method == "POST")
        #expect(spec.url == "http://127.0.0.1:9/anthropic/v1/messages")
        #expect(spec.header("x-api-key") == AdapterTestSupport.secretKey)
        #expect(spec.header("anthropic-version") == "2023-06-01")
        #expect(spec.header("content-type") == "application/json")
        #expect(spec.header("authorization") == nil)
        let body = try S.body(spec)
        #expect(S.value(body, "model") == "claude-sonnet-4-20250514")
        #expect(S.value(body, "max_tokens") == 512)
        #expect(S.value(body, "system") == "You are a Kubernetes assistant.\n\nAnswer briefly.")
        #expect(S.value(body, "temperature")?.doubleValue == 0.2)
        #expect(S.value(body, "messages", "0", "role") == "user")
        #expect(
            S.value(body, "messages", "0", "content")
                == [["type": "text", "text": "Cluster state: 3 pods."], ["type": "text", "text": "Are they healthy?"]])
        #expect(S.value(body, "stream") == nil)
        #expect(S.value(body, "tools") == nil)
        #expect(S.value(body, "tool_choice") == nil)
    }

    @Test("a structured request forces a tool whose input_schema is the schema")
    func structuredRequest() throws {
        let spec = try adapter.completionRequest(S.request(schema: S.schema), model: "claude-x", stream: false, endpoint: endpoint)
        let body = try S.body(spec)
        #expect(S.value(body, "tools", "0", "name") == "vibe_plan")
        #expect(S.value(body, "tools", "0", "input_schema") == S.schema)
        #expect(S.value(body, "tools", "0", "description")?.stringValue?.isEmpty == false)
        #expect(S.value(body, "tool_choice") == ["type": "tool", "name": "vibe_plan"])
        #expect(S.value(body, "temperature") == nil)
    }

    @Test("a streamed request sets stream: true; no system fragments means no system field")
    func streamedRequest() throws {
        let request = ModelRequest(userFragments: ["hi", ""], maxTokens: 64)
        let spec = try adapter.completionRequest(request, model: "claude-x", stream: true, endpoint: endpoint)
        let body = try S.body(spec)
        #expect(S.value(body, "stream") == true)
        #expect(S.value(body, "system") == nil)
        #expect(S.value(body, "messages", "0", "content") == [["type": "text", "text": "hi"]])
    }

    @Test("a schema whose top level is not an object is refused before sending")
    func nonObjectSchema() {
        let error = S.error {
            _ = try adapter.completionRequest(S.request(schema: ["type": "array"]), model: "m", stream: false, endpoint: endpoint)
        }
        #expect(error?.code == .invalidArgument)
    }

    @Test("a request without user text is refused")
    func emptyUser() {
        let error = S.error {
            _ = try adapter.completionRequest(ModelRequest(userFragments: [""]), model: "m", stream: false, endpoint: endpoint)
        }
        #expect(error?.code == .invalidArgument)
    }

    @Test("the model list is GET /v1/models with the key and yields data[].id")
    func modelList() throws {
        let spec = try adapter.listModelsRequest(endpoint: endpoint)
        #expect(spec.method == "GET")
        #expect(spec.url == "http://127.0.0.1:9/anthropic/v1/models?limit=1000")
        #expect(spec.header("x-api-key") == AdapterTestSupport.secretKey)
        #expect(spec.header("anthropic-version") == "2023-06-01")
        let body = #"{"data":[{"type":"model","id":"claude-sonnet-4-20250514","display_name":"Claude Sonnet 4"},{"type":"model","id":"claude-3-5-haiku-20241022"}],"has_more":false}"#
        #expect(try adapter.decodeModelList(Data(body.utf8)) == ["claude-sonnet-4-20250514", "claude-3-5-haiku-20241022"])
        #expect(S.error { _ = try adapter.decodeModelList(Data("{}".utf8)) }?.code == .model)
    }

    // MARK: Replies

    @Test("a plain reply yields the text blocks, usage and stop reason")
    func plainReply() throws {
        let body = #"""
            {"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-20250514",
             "content":[{"type":"text","text":"All 3 pods "},{"type":"text","text":"are Running."}],
             "stop_reason":"end_turn","stop_sequence":null,
             "usage":{"input_tokens":42,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":9}}
            """#
        let reply = try adapter.decodeCompletion(Data(body.utf8), request: S.request())
        #expect(reply == ProviderReply(text: "All 3 pods are Running.", usage: TokenUsage(inputTokens: 42, outputTokens: 9), stopReason: "end_turn"))
    }

    @Test("a structured reply yields the tool_use input as JSON text")
    func structuredReply() throws {
        let body = #"""
            {"id":"msg_02","type":"message","role":"assistant","model":"claude-x",
             "content":[{"type":"tool_use","id":"toolu_01","name":"vibe_plan","input":{"action":"COMMAND","commands":["get","pods"]}}],
             "stop_reason":"tool_use","usage":{"input_tokens":100,"output_tokens":20}}
            """#
        let reply = try adapter.decodeCompletion(Data(body.utf8), request: S.request(schema: S.schema))
        #expect(try JSONValue.parse(reply.text) == ["action": "COMMAND", "commands": ["get", "pods"]])
        #expect(reply.stopReason == "tool_use")
        #expect(reply.usage == TokenUsage(inputTokens: 100, outputTokens: 20))
    }

    @Test("a structured reply cut at max_tokens without a tool_use block says so")
    func structuredCut() {
        let body = #"{"type":"message","content":[],"stop_reason":"max_tokens","usage":{"input_tokens":1,"output_tokens":512}}"#
        let error = S.error { _ = try adapter.decodeCompletion(Data(body.utf8), request: S.request(schema: S.schema)) }
        #expect(error?.code == .model)
        #expect(error?.message.contains("max_tokens") == true)
    }

    @Test("a reply that is not the documented shape is a .model error quoting it")
    func unexpectedShape() {
        let error = S.error { _ = try adapter.decodeCompletion(Data(#"{"hello":"world"}"#.utf8), request: S.request()) }
        #expect(error?.code == .model)
        #expect(error?.cause?.contains("hello") == true)
    }

    // MARK: Streams

    static let plainStream = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-20250514","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

        event: ping
        data: {"type": "ping"}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Pods are "}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"healthy ✓ — café"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}

        event: message_stop
        data: {"type":"message_stop"}


        """

    @Test("a streamed reply gives text, usage and the stop reason however the bytes are split")
    func plainStreamDecoding() throws {
        let pieces = try S.decodeEveryWay({ adapter.streamDecoder(for: S.request()) }, Self.plainStream)
        #expect(
            pieces == [
                .usage(TokenUsage(inputTokens: 25)), .text("Pods are "), .text("healthy ✓ — café"),
                .usage(TokenUsage(outputTokens: 15)), .finished(stopReason: "end_turn"),
            ])
    }

    @Test("a stream split inside a multi-byte character and inside 'data:' decodes the same")
    func awkwardSplits() throws {
        let text = Self.plainStream
        let bytes = Array(text.utf8)
        let check = Array("✓".utf8)
        let checkOffset = try #require((0..<bytes.count).first { Array(bytes[$0..<min($0 + 3, bytes.count)]) == check })
        let dataOffset = try #require(text.range(of: "data: {\"type\":\"content_block_delta\"").map { text.utf8.distance(from: text.startIndex, to: $0.lowerBound) })
        let chunks = S.split(text, at: [checkOffset + 1, checkOffset + 2, dataOffset + 2, dataOffset + 4])
        let pieces = try S.decode(adapter.streamDecoder(for: S.request()), chunks)
        #expect(S.text(pieces) == "Pods are healthy ✓ — café")
    }

    @Test("a structured stream gives the input_json_delta pieces as the text")
    func structuredStream() throws {
        let stream = """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_2","type":"message","role":"assistant","content":[],"model":"claude-x","usage":{"input_tokens":472,"output_tokens":2}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"vibe_plan","input":{}}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\\"action\\": \\"COMM"}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"AND\\", \\"commands\\": []}"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}

            event: message_stop
            data: {"type":"message_stop"}


            """
        let pieces = try S.decodeEveryWay({ adapter.streamDecoder(for: S.request(schema: S.schema)) }, stream)
        #expect(try JSONValue.parse(S.text(pieces)) == ["action": "COMMAND", "commands": []])
        #expect(S.usage(pieces) == TokenUsage(inputTokens: 472, outputTokens: 89))
        #expect(pieces.last == .finished(stopReason: "tool_use"))
    }

    @Test("an overloaded_error event in the stream is transient; the text before it was delivered")
    func overloadedEvent() throws {
        let stream = """
            event: message_start
            data: {"type":"message_start","message":{"model":"claude-x","usage":{"input_tokens":5}}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}

            event: error
            data: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}


            """
        var decoder = adapter.streamDecoder(for: S.request())
        let errorStart = try #require(stream.range(of: "event: error"))
        let half = S.split(stream, at: [stream.utf8.distance(from: stream.startIndex, to: errorStart.lowerBound)])
        let first = try decoder.feed(half[0])
        #expect(S.text(first) == "Hel")
        let error = S.error { _ = try decoder.feed(half[1]) }
        #expect(error?.code == .transient)
        #expect(error?.message.contains("overloaded") == true)
        #expect(error?.message.contains("Overloaded") == true)
    }

    @Test("an invalid_request_error event in the stream is permanent")
    func invalidEvent() {
        let stream = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"bad\"}}\n\n"
        let error = S.error { _ = try S.decode(adapter.streamDecoder(for: S.request()), [Data(stream.utf8)]) }
        #expect(error?.code == .model)
    }

    @Test("a stream cut before message_stop is transient")
    func cutStream() throws {
        let cut = String(Self.plainStream.prefix(while: { $0 != "✓" }))
        let error = S.error { _ = try S.decode(adapter.streamDecoder(for: S.request()), [Data(cut.utf8)]) }
        #expect(error?.code == .transient)
    }

    @Test("a stream event that is not JSON is a .model error")
    func malformedStream() {
        let error = S.error { _ = try S.decode(adapter.streamDecoder(for: S.request()), [Data("event: message_start\ndata: {oops\n\n".utf8)]) }
        #expect(error?.code == .model)
    }

    // MARK: Errors

    static let errorTable: [ErrorCase] = [
        ErrorCase(
            status: 401, body: #"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#,
            code: .auth, mentions: ["rejected the configured key", "invalid x-api-key"]),
        ErrorCase(
            status: 403, body: #"{"type":"error","error":{"type":"permission_error","message":"Your API key does not have permission"}}"#,
            code: .auth, mentions: ["claude-x", "permission_error"]),
        ErrorCase(
            status: 404, body: #"{"type":"error","error":{"type":"not_found_error","message":"model: claude-x"}}"#,
            code: .model, mentions: ["unknown model 'claude-x'"]),
        ErrorCase(status: 404, body: "<html>404 Not Found</html>", code: .model, mentions: ["endpoint was not found", "404 Not Found"]),
        ErrorCase(
            status: 400, body: #"{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: must be positive"}}"#,
            code: .model, mentions: ["invalid", "max_tokens: must be positive"]),
        ErrorCase(
            status: 400, body: #"{"type":"error","error":{"type":"invalid_request_error","message":"Your credit balance is too low to access the Anthropic API."}}"#,
            code: .auth, mentions: ["credit"]),
        ErrorCase(
            status: 413, body: #"{"type":"error","error":{"type":"request_too_large","message":"Request exceeds the maximum allowed number of bytes."}}"#,
            code: .model, mentions: ["too large"]),
        ErrorCase(
            status: 429, body: #"{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}"#,
            code: .transient, mentions: ["rate limiting", "per-minute"], headers: ["retry-after": "7"]),
        ErrorCase(
            status: 500, body: #"{"type":"error","error":{"type":"api_error","message":"Internal server error"}}"#,
            code: .transient, mentions: ["server error"]),
        ErrorCase(status: 503, body: "upstream connect error", code: .transient, mentions: ["overloaded", "upstream connect error"]),
        ErrorCase(
            status: 529, body: #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
            code: .transient, mentions: ["overloaded", "529"]),
        ErrorCase(status: 301, body: "", code: .model, mentions: ["redirect", "https://elsewhere.example/v1"], headers: ["location": "https://elsewhere.example/v1"]),
    ]

    @Test("HTTP errors are classified", arguments: errorTable)
    func classify(_ row: ErrorCase) {
        let error = adapter.classifyError(status: row.status, headers: row.headers, body: Data(row.body.utf8), model: "claude-x")
        #expect(error.code == row.code)
        for text in row.mentions { #expect(error.message.contains(text), "\(error.message) lacks \(text)") }
        #expect(error.hint?.isEmpty == false)
    }

    @Test("a 404 for an unknown model is recognisable as such")
    func unknownModelFlag() {
        let error = adapter.classifyError(
            status: 404, headers: [:], body: Data(#"{"type":"error","error":{"type":"not_found_error","message":"model: claude-x"}}"#.utf8),
            model: "claude-x")
        #expect(error.isUnknownModel)
        #expect(!adapter.classifyError(status: 500, headers: [:], body: Data(), model: "claude-x").isUnknownModel)
    }

    @Test("a key echoed back in an error body never reaches the message")
    func redaction() {
        let body = #"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key: \#(AdapterTestSupport.secretKey)"}}"#
        let error = adapter.classifyError(status: 401, headers: [:], body: Data(body.utf8), model: "claude-x")
        #expect(error.code == .auth)
        #expect(!error.description.contains(AdapterTestSupport.secretKey))
        #expect(!error.description.contains("Zx9QfL2mB7vK4pR8tY1uW6oE3aS5dG0hJ"))
    }
}
