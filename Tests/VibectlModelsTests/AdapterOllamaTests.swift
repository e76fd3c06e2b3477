import Foundation
import Testing
import VibectlCore

@testable import VibectlModels

@Suite("Ollama adapter")
struct AdapterOllamaTests {
    let adapter = OllamaAdapter()
    let endpoint = ProviderEndpoint(provider: .ollama, baseURL: "http://127.0.0.1:9/ollama", apiKey: nil)
    typealias S = AdapterTestSupport

    // MARK: Requests

    @Test("a plain request is POST /api/chat without a key, stream false and options")
    func plainRequest() throws {
        let spec = try adapter.completionRequest(S.request(temperature: 0.7), model: "llama3.2", stream: false, endpoint: endpoint)
        #expect(spec.method == "POST")
        #expect(spec.url == "http://127.0.0.1:9/ollama/api/chat")
        #expect(spec.header("authorization") == nil)
        #expect(spec.header("content-type") == "application/json")
        let body = try S.body(spec)
        #expect(S.value(body, "model") == "llama3.2")
        #expect(S.value(body, "stream") == false)
        #expect(
            S.value(body, "messages")
                == [
                    ["role": "system", "content": "You are a Kubernetes assistant.\n\nAnswer briefly."],
                    ["role": "user", "content": "Cluster state: 3 pods.\n\nAre they healthy?"],
                ])
        #expect(S.value(body, "options", "num_predict") == 512)
        #expect(S.value(body, "options", "temperature")?.doubleValue == 0.7)
        #expect(S.value(body, "format") == nil)
    }

    @Test("a structured streamed request sets format to the schema and stream true")
    func structuredStreamedRequest() throws {
        let body = try S.body(adapter.completionRequest(S.request(schema: S.schema), model: "llama3.2", stream: true, endpoint: endpoint))
        #expect(S.value(body, "format") == S.schema)
        #expect(S.value(body, "stream") == true)
        #expect(S.value(body, "options", "temperature") == nil)
    }

    @Test("an OLLAMA_HOST without a scheme gets http://; a configured key is sent as a bearer token")
    func hostAndKey() throws {
        let bare = ProviderEndpoint(provider: .ollama, baseURL: "gpu-box:11434", apiKey: "sk-ollama-0123456789abcdef")
        let spec = try adapter.completionRequest(S.request(), model: "m", stream: false, endpoint: bare)
        #expect(spec.url == "http://gpu-box:11434/api/chat")
        #expect(spec.header("authorization") == "Bearer sk-ollama-0123456789abcdef")
    }

    @Test("the model list is GET /api/tags and yields models[].name")
    func modelList() throws {
        let spec = try adapter.listModelsRequest(endpoint: endpoint)
        #expect(spec.method == "GET")
        #expect(spec.url == "http://127.0.0.1:9/ollama/api/tags")
        let body = #"{"models":[{"name":"llama3.2:latest","model":"llama3.2:latest","size":2019393189},{"name":"qwen2.5-coder:7b","model":"qwen2.5-coder:7b"}]}"#
        #expect(try adapter.decodeModelList(Data(body.utf8)) == ["llama3.2:latest", "qwen2.5-coder:7b"])
    }

    // MARK: Replies

    @Test("a plain reply yields message.content, the counts and done_reason")
    func plainReply() throws {
        let body = #"""
            {"model":"llama3.2","created_at":"2024-12-06T00:48:09.983619Z","message":{"role":"assistant","content":"All pods are Running."},
             "done_reason":"stop","done":true,"total_duration":1075509083,"prompt_eval_count":28,"eval_count":16}
            """#
        let reply = try adapter.decodeCompletion(Data(body.utf8), request: S.request())
        #expect(reply == ProviderReply(text: "All pods are Running.", usage: TokenUsage(inputTokens: 28, outputTokens: 16), stopReason: "stop"))
    }

    @Test("a structured reply is the JSON text in message.content")
    func structuredReply() throws {
        let body = #"{"model":"llama3.2","message":{"role":"assistant","content":"{\n  \"action\": \"COMMAND\",\n  \"commands\": []\n}"},"done":true,"done_reason":"stop","eval_count":12}"#
        let reply = try adapter.decodeCompletion(Data(body.utf8), request: S.request(schema: S.schema))
        #expect(try JSONValue.parse(reply.text) == ["action": "COMMAND", "commands": []])
        #expect(reply.usage == TokenUsage(outputTokens: 12))
    }

    static let stream =
        #"{"model":"llama3.2","created_at":"2023-08-04T08:52:19.385406455-07:00","message":{"role":"assistant","content":"Los pods "},"done":false}"#
        + "\n"
        + #"{"model":"llama3.2","created_at":"2023-08-04T08:52:19.4Z","message":{"role":"assistant","content":"están bien ✅"},"done":false}"#
        + "\r\n\n"
        + #"{"model":"llama3.2","created_at":"2023-08-04T19:22:45.499127Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","total_duration":4883583458,"prompt_eval_count":26,"eval_count":282}"#
        + "\n"

    @Test("an NDJSON stream gives text, counts and done_reason however the bytes are split")
    func streamDecoding() throws {
        let pieces = try S.decodeEveryWay({ adapter.streamDecoder(for: S.request()) }, Self.stream)
        #expect(
            pieces == [
                .text("Los pods "), .text("están bien ✅"), .usage(TokenUsage(inputTokens: 26, outputTokens: 282)),
                .finished(stopReason: "stop"),
            ])
    }

    @Test("a stream split inside a multi-byte character decodes the same")
    func awkwardSplit() throws {
        let text = Self.stream
        let mark = try #require(text.utf8.firstRange(of: "✅".utf8))
        let start = text.utf8.distance(from: text.utf8.startIndex, to: mark.lowerBound)
        let pieces = try S.decode(adapter.streamDecoder(for: S.request()), S.split(text, at: [start + 1, start + 2]))
        #expect(S.text(pieces) == "Los pods están bien ✅")
    }

    @Test("a stream cut before done, even mid-line, is transient")
    func cutStream() {
        let cut = String(Self.stream.prefix(while: { $0 != "✅" }))
        #expect(S.error { _ = try S.decode(adapter.streamDecoder(for: S.request()), [Data(cut.utf8)]) }?.code == .transient)
        let firstLine = String(Self.stream.prefix(while: { $0 != "\n" })) + "\n"
        #expect(S.error { _ = try S.decode(adapter.streamDecoder(for: S.request()), [Data(firstLine.utf8)]) }?.code == .transient)
    }

    @Test("an error line in the stream is classified; a missing model is an unknown model")
    func streamErrors() {
        let notFound = #"{"error":"model 'llama9' not found"}"# + "\n"
        let error = S.error { _ = try S.decode(adapter.streamDecoder(for: S.request()), [Data(notFound.utf8)]) }
        #expect(error?.code == .model)
        #expect(error?.isUnknownModel == true)
        let crash = #"{"error":"an error was encountered while running the model: unexpected EOF"}"# + "\n"
        #expect(S.error { _ = try S.decode(adapter.streamDecoder(for: S.request()), [Data(crash.utf8)]) }?.code == .transient)
    }

    @Test("a line that is not JSON is a .model error")
    func malformedLine() {
        #expect(S.error { _ = try S.decode(adapter.streamDecoder(for: S.request()), [Data("not json\n".utf8)]) }?.code == .model)
    }

    // MARK: Errors

    static let errorTable: [ErrorCase] = [
        ErrorCase(status: 404, body: #"{"error":"model 'llama9' not found"}"#, code: .model, mentions: ["unknown model 'llama9'"]),
        ErrorCase(status: 404, body: #"{"error":"model \"llama9\" not found, try pulling it first"}"#, code: .model, mentions: ["unknown model 'llama9'"]),
        ErrorCase(status: 404, body: "404 page not found", code: .model, mentions: ["endpoint was not found", "page not found"]),
        ErrorCase(status: 400, body: #"{"error":"invalid format: expected \"json\" or a JSON schema"}"#, code: .model, mentions: ["invalid format"]),
        ErrorCase(status: 401, body: #"{"error":"unauthorized"}"#, code: .auth, mentions: ["rejected"]),
        ErrorCase(status: 403, body: "", code: .auth, mentions: ["llama9"]),
        ErrorCase(status: 429, body: #"{"error":"too many requests"}"#, code: .transient, mentions: ["rate limiting"]),
        ErrorCase(status: 500, body: #"{"error":"model requires more system memory (8.0 GiB) than is available (4.0 GiB)"}"#, code: .transient, mentions: ["system memory"]),
        ErrorCase(status: 503, body: #"{"error":"server busy, please try again.  maximum pending requests exceeded"}"#, code: .transient, mentions: ["overloaded"]),
    ]

    @Test("HTTP errors are classified", arguments: errorTable)
    func classify(_ row: ErrorCase) {
        let error = adapter.classifyError(status: row.status, headers: row.headers, body: Data(row.body.utf8), model: "llama9")
        #expect(error.code == row.code)
        for text in row.mentions { #expect(error.message.contains(text), "\(error.message) lacks \(text)") }
    }

    @Test("an unknown Ollama model hints at ollama pull and is recognisable for the :latest retry")
    func unknownModelHint() {
        let error = adapter.classifyError(status: 404, headers: [:], body: Data(#"{"error":"model 'llama9' not found"}"#.utf8), model: "llama9")
        #expect(error.isUnknownModel)
        #expect(error.hint?.contains("ollama pull llama9") == true)
    }
}
