import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import VibectlCore
import VibectlTestSupport

/// Self-tests of the fake provider server, talking to it with AsyncHTTPClient directly (no adapters).
@Suite("Fake provider server")
struct FakeProviderServerTests {
    /// What a raw HTTP exchange returned.
    struct Fetched {
        var status: Int
        var headers: [String: String]
        var chunks: [String]
        var error: (any Error)?
        var body: String { chunks.joined() }
        var json: JSONValue? { try? JSONValue.parse(body) }
    }

    /// Sends one request with AsyncHTTPClient and reads the body chunk by chunk, keeping a body error instead of throwing it.
    static func fetch(
        _ method: String, _ url: String, json: String? = nil, headers: [(String, String)] = [], timeout: TimeAmount = .seconds(20)
    ) async throws -> Fetched {
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        var result = Fetched(status: Int(response.status.code), headers: [:], chunks: [])
        for (name, value) in response.headers { result.headers[name.lowercased()] = value }
        do {
            for try await buffer in response.body { result.chunks.append(String(buffer: buffer)) }
        } catch {
            result.error = error
        }
        return result
    }

    /// The completion URL and a minimal body for `api`, as the real client libraries send them.
    static func completion(_ server: FakeProviderServer, _ api: FakeProviderAPI, model: String? = nil, stream: Bool)
        -> (url: String, body: String)
    {
        let base = server.baseURL(for: api)
        switch api {
        case .anthropic:
            let model = model ?? "claude-sonnet-4-20250514"
            return (
                base + "/v1/messages",
                #"{"model":"\#(model)","max_tokens":64,"stream":\#(stream),"messages":[{"role":"user","content":"hi"}]}"#
            )
        case .openai:
            let model = model ?? "gpt-4o"
            return (
                base + "/chat/completions",
                #"{"model":"\#(model)","stream":\#(stream),"stream_options":\#(stream ? #"{"include_usage":true}"# : "null"),"messages":[{"role":"user","content":"hi"}]}"#
            )
        case .ollama:
            let model = model ?? "llama3.2:latest"
            return (base + "/api/chat", #"{"model":"\#(model)","stream":\#(stream),"messages":[{"role":"user","content":"hi"}]}"#)
        case .gemini:
            let model = model ?? "gemini-2.0-flash"
            let action = stream ? "streamGenerateContent?alt=sse" : "generateContent"
            return (base + "/models/\(model):\(action)", #"{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}"#)
        }
    }

    /// The SSE `data:` payloads of a body, parsed (the `[DONE]` marker is returned as a string).
    static func sseData(_ body: String) -> [JSONValue] {
        body.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n").compactMap { line in
            guard line.hasPrefix("data: ") else { return nil }
            let payload = String(line.dropFirst("data: ".count))
            return payload == "[DONE]" ? .string("[DONE]") : try? JSONValue.parse(payload)
        }
    }

    @Test("base URLs are loopback and have the shape each adapter expects")
    func baseURLs() async throws {
        try await withFakeProviderServer { server in
            let origin = "http://127.0.0.1:\(server.port)"
            #expect(server.port > 0)
            #expect(server.baseURL(for: .anthropic) == origin + "/anthropic")
            #expect(server.baseURL(for: .openai) == origin + "/openai/v1")
            #expect(server.baseURL(for: .ollama) == origin + "/ollama")
            #expect(server.baseURL(for: .gemini) == origin + "/gemini/v1beta")
        }
    }

    @Test("plain replies use each provider's documented JSON body", arguments: FakeProviderAPI.allCases)
    func plainReply(api: FakeProviderAPI) async throws {
        try await withFakeProviderServer { server in
            server.enqueue(.reply(text: "two words", usage: FakeUsage(inputTokens: 7, outputTokens: 3)), for: api)
            let (url, body) = Self.completion(server, api, stream: false)
            let reply = try await Self.fetch("POST", url, json: body)
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"] == "application/json")
            let json = try #require(reply.json)
            let object = try #require(json.objectValue)
            switch api {
            case .anthropic:
                #expect(object["type"] == "message")
                #expect(object["content"] == [["type": "text", "text": "two words"]])
                #expect(object["stop_reason"] == "end_turn")
                #expect(object["usage"] == ["input_tokens": 7, "output_tokens": 3])
            case .openai:
                let choice = try #require(object["choices"]?.arrayValue?.first?.objectValue)
                #expect(choice["message"]?.objectValue?["content"] == "two words")
                #expect(choice["finish_reason"] == "stop")
                #expect(object["usage"]?.objectValue?["prompt_tokens"] == 7)
                #expect(object["usage"]?.objectValue?["completion_tokens"] == 3)
            case .ollama:
                #expect(object["message"] == ["role": "assistant", "content": "two words"])
                #expect(object["done"] == true)
                #expect(object["prompt_eval_count"] == 7)
                #expect(object["eval_count"] == 3)
            case .gemini:
                let candidate = try #require(object["candidates"]?.arrayValue?.first?.objectValue)
                #expect(candidate["content"]?.objectValue?["parts"] == [["text": "two words"]])
                #expect(candidate["finishReason"] == "STOP")
                #expect(object["usageMetadata"]?.objectValue?["promptTokenCount"] == 7)
                #expect(object["usageMetadata"]?.objectValue?["candidatesTokenCount"] == 3)
            }
        }
    }

    @Test("structured replies: Anthropic answers with the forced tool, the others with JSON text", arguments: FakeProviderAPI.allCases)
    func structuredReply(api: FakeProviderAPI) async throws {
        try await withFakeProviderServer { server in
            server.enqueue(.structured(json: #"{"answer":42}"#), for: api)
            var (url, body) = Self.completion(server, api, stream: false)
            if api == .anthropic {
                body =
                    #"{"model":"claude-sonnet-4-20250514","max_tokens":64,"tools":[{"name":"plan","input_schema":{"type":"object"}}],"tool_choice":{"type":"tool","name":"plan"},"messages":[{"role":"user","content":"hi"}]}"#
            }
            let json = try #require(try await Self.fetch("POST", url, json: body).json)
            switch api {
            case .anthropic:
                let block = json.objectValue?["content"]?.arrayValue?.first?.objectValue
                #expect(block?["type"] == "tool_use")
                #expect(block?["name"] == "plan")
                #expect(block?["input"] == ["answer": 42])
                #expect(json.objectValue?["stop_reason"] == "tool_use")
            case .openai:
                let message = json.objectValue?["choices"]?.arrayValue?.first?.objectValue?["message"]?.objectValue
                #expect(message?["content"] == #"{"answer":42}"#)
            case .ollama:
                #expect(json.objectValue?["message"]?.objectValue?["content"] == #"{"answer":42}"#)
            case .gemini:
                let parts = json.objectValue?["candidates"]?.arrayValue?.first?.objectValue?["content"]?.objectValue?["parts"]
                #expect(parts == [["text": #"{"answer":42}"#]])
            }
        }
    }

    @Test("Anthropic streams the documented SSE event sequence")
    func anthropicStream() async throws {
        try await withFakeProviderServer { server in
            server.enqueue(.stream(chunks: ["Hel", "lo"]), for: .anthropic)
            let (url, body) = Self.completion(server, .anthropic, stream: true)
            let reply = try await Self.fetch("POST", url, json: body)
            #expect(reply.headers["content-type"] == "text/event-stream")
            let events = reply.body.components(separatedBy: "\n").filter { $0.hasPrefix("event: ") }.map { $0.dropFirst(7) }
            #expect(
                events == [
                    "message_start", "content_block_start", "ping", "content_block_delta", "content_block_delta",
                    "content_block_stop", "message_delta", "message_stop",
                ])
            let deltas = Self.sseData(reply.body).compactMap { $0.objectValue?["delta"]?.objectValue?["text"]?.stringValue }
            #expect(deltas == ["Hel", "lo"])
        }
    }

    @Test("OpenAI streams chat.completion.chunk events, a usage chunk when asked, then [DONE]")
    func openAIStream() async throws {
        try await withFakeProviderServer { server in
            server.enqueue(.stream(chunks: ["Hel", "lo"], usage: FakeUsage(inputTokens: 5, outputTokens: 2)), for: .openai)
            let (url, body) = Self.completion(server, .openai, stream: true)
            let reply = try await Self.fetch("POST", url, json: body)
            let data = Self.sseData(reply.body)
            #expect(data.last == "[DONE]")
            let texts = data.compactMap {
                $0.objectValue?["choices"]?.arrayValue?.first?.objectValue?["delta"]?.objectValue?["content"]?.stringValue
            }
            #expect(texts.joined() == "Hello")
            let usage = data.compactMap { $0.objectValue?["usage"]?.objectValue }.last
            #expect(usage?["prompt_tokens"] == 5)
            #expect(usage?["completion_tokens"] == 2)
        }
    }

    @Test("Ollama streams NDJSON lines ending with done:true, and streams when 'stream' is absent")
    func ollamaStream() async throws {
        try await withFakeProviderServer { server in
            server.enqueue(.stream(chunks: ["Hel", "lo"]), for: .ollama)
            let url = server.baseURL(for: .ollama) + "/api/chat"
            let reply = try await Self.fetch("POST", url, json: #"{"model":"llama3.2:latest","messages":[]}"#)
            #expect(reply.headers["content-type"] == "application/x-ndjson")
            let lines = reply.body.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
            #expect(lines.count == 3)
            #expect(lines.compactMap { $0.objectValue?["message"]?.objectValue?["content"]?.stringValue }.joined() == "Hello")
            #expect(lines.last?.objectValue?["done"] == true)
            #expect(server.requests.last?.isStream == true)
        }
    }

    @Test("Gemini streams SSE with CRLF line ends under alt=sse, a JSON array without it")
    func geminiStream() async throws {
        try await withFakeProviderServer { server in
            server.enqueue(.stream(chunks: ["Hel", "lo"]), for: .gemini)
            server.enqueue(.stream(chunks: ["Hel", "lo"]), for: .gemini)
            let (url, body) = Self.completion(server, .gemini, stream: true)
            let sse = try await Self.fetch("POST", url, json: body)
            #expect(sse.headers["content-type"] == "text/event-stream")
            #expect(sse.body.contains("\r\n\r\n"))
            let events = Self.sseData(sse.body)
            #expect(events.count == 2)
            #expect(events.last?.objectValue?["candidates"]?.arrayValue?.first?.objectValue?["finishReason"] == "STOP")

            let arrayURL = url.replacingOccurrences(of: "?alt=sse", with: "")
            let array = try await Self.fetch("POST", arrayURL, json: body)
            let parsed = try #require(array.json?.arrayValue)
            #expect(parsed.count == 2)
        }
    }

    @Test("a plain reply is streamed word by word when the request streams", arguments: FakeProviderAPI.allCases)
    func replyStreamsWhenAsked(api: FakeProviderAPI) async throws {
        try await withFakeProviderServer { server in
            server.enqueue(.reply(text: "one two three"), for: api)
            let (url, body) = Self.completion(server, api, stream: true)
            let reply = try await Self.fetch("POST", url, json: body)
            #expect(reply.status == 200)
            #expect(reply.error == nil)
            #expect(reply.body.contains("three"))
            #expect(server.requests.last?.isStream == true)
        }
    }

    @Test("every request is recorded with path, headers, JSON body and model")
    func recordsRequests() async throws {
        try await withFakeProviderServer { server in
            let (url, body) = Self.completion(server, .anthropic, stream: false)
            _ = try await Self.fetch("POST", url, json: body, headers: [("x-api-key", "test-key"), ("anthropic-version", "2023-06-01")])
            let geminiURL = Self.completion(server, .gemini, stream: true).url
            _ = try await Self.fetch("POST", geminiURL, json: "{}", headers: [("x-goog-api-key", "g-key")])

            let requests = server.requests
            #expect(requests.count == 2)
            let first = try #require(requests.first)
            #expect(first.api == .anthropic)
            #expect(first.method == "POST")
            #expect(first.path == "/v1/messages")
            #expect(first.header("X-API-Key") == "test-key")
            #expect(first.header("anthropic-version") == "2023-06-01")
            #expect(first.model == "claude-sonnet-4-20250514")
            #expect(first.bodyValue("messages", 0, "role") == "user")
            #expect(first.isStream == false)
            let second = try #require(requests.last)
            #expect(second.path == "/v1beta/models/gemini-2.0-flash:streamGenerateContent")
            #expect(second.query == ["alt": "sse"])
            #expect(second.model == "gemini-2.0-flash")
            #expect(second.isStream)
            #expect(server.requests(for: .gemini).count == 1)
        }
    }

    @Test("queued replies are answered in order, then the configurable default")
    func queueThenDefault() async throws {
        try await withFakeProviderServer { server in
            server.enqueue([.reply(text: "first"), .reply(text: "second")], for: .ollama)
            server.setDefaultReply(.reply(text: "default"), for: .ollama)
            let (url, body) = Self.completion(server, .ollama, stream: false)
            var texts: [String] = []
            for _ in 0..<3 {
                let json = try await Self.fetch("POST", url, json: body).json
                texts.append(json?.objectValue?["message"]?.objectValue?["content"]?.stringValue ?? "?")
            }
            #expect(texts == ["first", "second", "default"])
            #expect(server.pendingReplies(for: .ollama) == 0)
        }
    }

    @Test("429 carries Retry-After and the provider's error body", arguments: FakeProviderAPI.allCases)
    func rateLimited(api: FakeProviderAPI) async throws {
        try await withFakeProviderServer { server in
            server.enqueue(.status(429, retryAfter: 3), for: api)
            let (url, body) = Self.completion(server, api, stream: false)
            let reply = try await Self.fetch("POST", url, json: body)
            #expect(reply.status == 429)
            #expect(reply.headers["retry-after"] == "3")
            let object = try #require(reply.json?.objectValue)
            switch api {
            case .anthropic: #expect(object["error"]?.objectValue?["type"] == "rate_limit_error")
            case .openai: #expect(object["error"]?.objectValue?["code"] == "rate_limit_exceeded")
            case .ollama: #expect(object["error"]?.stringValue != nil)
            case .gemini: #expect(object["error"]?.objectValue?["status"] == "RESOURCE_EXHAUSTED")
            }
        }
    }

    @Test("overloaded is Anthropic's 529 overloaded_error and 503 elsewhere", arguments: FakeProviderAPI.allCases)
    func overloaded(api: FakeProviderAPI) async throws {
        try await withFakeProviderServer { server in
            server.enqueue(.overloaded, for: api)
            let (url, body) = Self.completion(server, api, stream: false)
            let reply = try await Self.fetch("POST", url, json: body)
            #expect(reply.status == (api == .anthropic ? 529 : 503))
            if api == .anthropic {
                #expect(reply.json == ["type": "error", "error": ["type": "overloaded_error", "message": "Overloaded"]])
            }
        }
    }

    @Test("model not found answers 404 naming the model; known models restrict completions and the list")
    func modelNotFound() async throws {
        try await withFakeProviderServer { server in
            server.setKnownModels(["llama3.2:latest"], for: .ollama)
            let missing = Self.completion(server, .ollama, model: "llama3.2", stream: false)
            let reply = try await Self.fetch("POST", missing.url, json: missing.body)
            #expect(reply.status == 404)
            #expect(reply.body.contains("llama3.2"))
            let found = Self.completion(server, .ollama, model: "llama3.2:latest", stream: false)
            #expect(try await Self.fetch("POST", found.url, json: found.body).status == 200)
            let tags = try await Self.fetch("GET", server.baseURL(for: .ollama) + "/api/tags")
            #expect(tags.json?.objectValue?["models"]?.arrayValue?.compactMap { $0.objectValue?["name"]?.stringValue } == ["llama3.2:latest"])

            server.enqueue(.modelNotFound, for: .openai)
            let openai = Self.completion(server, .openai, model: "gpt-9", stream: false)
            let notFound = try await Self.fetch("POST", openai.url, json: openai.body)
            #expect(notFound.status == 404)
            #expect(notFound.json?.objectValue?["error"]?.objectValue?["code"] == "model_not_found")
        }
    }

    @Test("model lists are served at each provider's documented path")
    func modelLists() async throws {
        try await withFakeProviderServer { server in
            let anthropic = try await Self.fetch("GET", server.baseURL(for: .anthropic) + "/v1/models")
            #expect(anthropic.json?.objectValue?["data"]?.arrayValue?.first?.objectValue?["id"] == "claude-sonnet-4-20250514")
            let openai = try await Self.fetch("GET", server.baseURL(for: .openai) + "/models")
            #expect(openai.json?.objectValue?["object"] == "list")
            let gemini = try await Self.fetch("GET", server.baseURL(for: .gemini) + "/models")
            #expect(gemini.json?.objectValue?["models"]?.arrayValue?.first?.objectValue?["name"] == "models/gemini-2.0-flash")
            server.enqueue(.unauthorized, for: .openai)
            #expect(try await Self.fetch("GET", server.baseURL(for: .openai) + "/models").status == 401)
        }
    }

    @Test("a rejected key gets 401, or Gemini's documented 400 API_KEY_INVALID; OpenAI echoes the key masked")
    func unauthorized() async throws {
        try await withFakeProviderServer { server in
            let key = "sk-test-0123456789abcdefghij"
            server.enqueue(.unauthorized, for: .openai)
            let openai = Self.completion(server, .openai, stream: false)
            let reply = try await Self.fetch("POST", openai.url, json: openai.body, headers: [("authorization", "Bearer \(key)")])
            #expect(reply.status == 401)
            #expect(!reply.body.contains(key))
            #expect(reply.body.contains("sk-test-"))

            server.enqueue(.unauthorized, for: .gemini)
            let gemini = Self.completion(server, .gemini, stream: false)
            let geminiReply = try await Self.fetch("POST", gemini.url, json: gemini.body)
            #expect(geminiReply.status == 400)
            #expect(geminiReply.body.contains("API_KEY_INVALID"))
        }
    }

    @Test("a stream cut sends the first chunks and then drops the connection", arguments: FakeProviderAPI.allCases)
    func streamCut(api: FakeProviderAPI) async throws {
        try await withFakeProviderServer { server in
            server.enqueue(.streamCut(after: 2, chunks: ["alpha ", "beta ", "gamma"]), for: api)
            let (url, body) = Self.completion(server, api, stream: true)
            let reply = try await Self.fetch("POST", url, json: body)
            #expect(reply.status == 200)
            #expect(reply.error != nil, "the body should end in an error, not normally")
            #expect(reply.body.contains("beta"))
            #expect(!reply.body.contains("gamma"))
        }
    }

    @Test("a plain request that is cut gets part of a body that declared more")
    func plainCut() async throws {
        try await withFakeProviderServer { server in
            server.enqueue(.streamCut(after: 1), for: .openai)
            let (url, body) = Self.completion(server, .openai, stream: false)
            let reply = try await Self.fetch("POST", url, json: body)
            #expect(reply.error != nil)
            #expect(reply.json == nil)
        }
    }

    @Test("an overload error can arrive in the middle of a stream", arguments: FakeProviderAPI.allCases)
    func errorMidStream(api: FakeProviderAPI) async throws {
        try await withFakeProviderServer { server in
            server.enqueue(.errorMidStream(after: 1), for: api)
            let (url, body) = Self.completion(server, api, stream: true)
            let reply = try await Self.fetch("POST", url, json: body)
            #expect(reply.status == 200)
            #expect(reply.error == nil)
            #expect(reply.body.contains("The quick"))
            #expect(reply.body.lowercased().contains("overloaded") || reply.body.contains("server busy"))
        }
    }

    @Test("a slow first byte delays the response head")
    func slowFirstByte() async throws {
        try await withFakeProviderServer { server in
            server.enqueue(.slowFirstByte(0.5, then: .reply(text: "late")), for: .anthropic)
            let (url, body) = Self.completion(server, .anthropic, stream: false)
            let clock = ContinuousClock()
            let start = clock.now
            let reply = try await Self.fetch("POST", url, json: body)
            #expect(clock.now - start >= .milliseconds(450))
            #expect(reply.body.contains("late"))
        }
    }

    @Test("a client that gives up on a slow reply is counted as abandoned")
    func abandonedWhenClientTimesOut() async throws {
        try await withFakeProviderServer { server in
            server.enqueue(.slowFirstByte(30), for: .openai)
            let (url, body) = Self.completion(server, .openai, stream: false)
            await #expect(throws: (any Error).self) {
                _ = try await Self.fetch("POST", url, json: body, timeout: .milliseconds(300))
            }
            #expect(await server.waitForAbandonedResponses(1, timeout: .seconds(10)))
        }
    }

    @Test("malformed JSON and unexpected shapes are 200s that do not parse as the API's reply")
    func malformed() async throws {
        try await withFakeProviderServer { server in
            server.enqueue(.malformedJSON, for: .anthropic)
            server.enqueue(.unexpectedShape, for: .anthropic)
            let (url, body) = Self.completion(server, .anthropic, stream: false)
            let broken = try await Self.fetch("POST", url, json: body)
            #expect(broken.status == 200)
            #expect(broken.json == nil)
            let odd = try await Self.fetch("POST", url, json: body)
            #expect(odd.status == 200)
            #expect(odd.json?.objectValue?["content"] == nil)
        }
    }

    @Test("the failure-rate mode fails about the given share, the same requests for the same seed")
    func failureRate() async throws {
        func pattern(seed: UInt64) async throws -> [Int] {
            try await withFakeProviderServer { server in
                server.failureRate(0.5, seed: seed)
                let (url, body) = Self.completion(server, .anthropic, stream: false)
                var statuses: [Int] = []
                for _ in 0..<100 { statuses.append(try await Self.fetch("POST", url, json: body).status) }
                return statuses
            }
        }
        let first = try await pattern(seed: 7)
        let again = try await pattern(seed: 7)
        #expect(first == again)
        #expect(Set(first) == [200, 529])
        let failures = first.filter { $0 == 529 }.count
        #expect((30...70).contains(failures), "\(failures) of 100 failed")
    }

    @Test("unknown paths get a 404 and are still recorded")
    func unknownPath() async throws {
        try await withFakeProviderServer { server in
            let reply = try await Self.fetch("GET", server.origin + "/nowhere")
            #expect(reply.status == 404)
            #expect(server.requests.first?.api == nil)
            #expect(server.requests.first?.path == "/nowhere")
        }
    }

    @Test("stop() returns promptly while a slow reply is in flight")
    func stopWhileBusy() async throws {
        let server = try await FakeProviderServer.start()
        server.enqueue(.slowFirstByte(60), for: .gemini)
        let (url, body) = Self.completion(server, .gemini, stream: false)
        let pending = Task { try await Self.fetch("POST", url, json: body) }
        while server.requests.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        let clock = ContinuousClock()
        let start = clock.now
        await server.stop()
        #expect(clock.now - start < .seconds(30))
        if case .success = await pending.result {
            Issue.record("the in-flight request must fail once the server stops")
        }
    }
}
