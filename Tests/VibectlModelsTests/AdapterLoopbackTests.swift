import Foundation
import Testing
import VibectlCore
import VibectlTestSupport

@testable import VibectlModels

/// The transport against the loopback fake provider: streaming, timeouts, cancellation, redirects, and
/// each adapter's requests and decoders against the fake's rendering of the four wire formats.
@Suite("Adapters and transport against the fake provider")
struct AdapterLoopbackTests {
    typealias S = AdapterTestSupport

    static let adapters: [Provider: any ProviderAdapter] = [
        .anthropic: AnthropicAdapter(), .openai: OpenAIAdapter(), .ollama: OllamaAdapter(), .gemini: GeminiAdapter(),
    ]

    static let models: [Provider: String] = [
        .anthropic: "claude-sonnet-4-20250514", .openai: "gpt-4o", .ollama: "llama3.2:latest", .gemini: "gemini-2.0-flash",
    ]

    static func endpoint(_ server: FakeProviderServer, _ provider: Provider) throws -> ProviderEndpoint {
        let api = try #require(FakeProviderAPI(rawValue: provider.rawValue))
        return ProviderEndpoint(
            provider: provider, baseURL: server.baseURL(for: api), apiKey: provider.requiresKey ? "sk-loopback-0123456789" : nil)
    }

    /// Sends one completion through the transport and decodes it the way the service does.
    static func complete(
        _ server: FakeProviderServer, _ provider: Provider, _ request: ModelRequest, stream: Bool, timeout: Duration = .seconds(30)
    ) async throws -> (reply: ProviderReply, chunks: Int) {
        let adapter = try #require(adapters[provider])
        let model = try #require(models[provider])
        let spec = try adapter.completionRequest(request, model: model, stream: stream, endpoint: endpoint(server, provider))
        let response = try await AsyncHTTPClientTransport.shared.send(spec, timeout: timeout)
        guard response.head.status == 200 else {
            throw adapter.classifyError(
                status: response.head.status, headers: response.head.headers, body: try await response.collect(), model: model)
        }
        guard stream else { return (try adapter.decodeCompletion(try await response.collect(), request: request), 1) }
        var decoder = adapter.streamDecoder(for: request)
        var pieces: [StreamPiece] = []
        var chunks = 0
        for try await chunk in response.body {
            chunks += 1
            pieces += try decoder.feed(chunk)
        }
        pieces += try decoder.finish()
        let stop: String? = if case .finished(let reason)? = pieces.last { reason } else { nil }
        return (ProviderReply(text: S.text(pieces), usage: S.usage(pieces), stopReason: stop), chunks)
    }

    static func failure(_ body: () async throws -> Void) async -> VibectlError? {
        do {
            try await body()
            return nil
        } catch let error as VibectlError {
            return error
        } catch {
            return VibectlError(.internal, "unexpected error type: \(error)")
        }
    }

    @Test("plain, structured and streamed replies round-trip for every provider", arguments: Provider.allCases)
    func roundTrip(_ provider: Provider) async throws {
        try await withFakeProviderServer { server in
            let api = try #require(FakeProviderAPI(rawValue: provider.rawValue))
            let usage = FakeUsage(inputTokens: 11, outputTokens: 7)

            server.enqueue(.reply(text: "Three pods are Running.", usage: usage), for: api)
            let plain = try await Self.complete(server, provider, S.request(), stream: false)
            #expect(plain.reply.text == "Three pods are Running.")
            #expect(plain.reply.usage == TokenUsage(inputTokens: 11, outputTokens: 7))

            server.enqueue(.structured(json: #"{"action":"COMMAND","commands":["get","pods"]}"#, usage: usage), for: api)
            let structured = try await Self.complete(server, provider, S.request(schema: S.schema), stream: false)
            #expect(try JSONValue.parse(structured.reply.text) == ["action": "COMMAND", "commands": ["get", "pods"]])

            server.enqueue(.structured(json: #"{"action":"DONE","commands":[]}"#, usage: usage), for: api)
            let streamedJSON = try await Self.complete(server, provider, S.request(schema: S.schema), stream: true)
            #expect(try JSONValue.parse(streamedJSON.reply.text) == ["action": "DONE", "commands": []])

            server.enqueue(.stream(chunks: ["Héllo ", "wörld ", "✓"], usage: usage, interval: 0.05), for: api)
            let streamed = try await Self.complete(server, provider, S.request(), stream: true)
            #expect(streamed.reply.text == "Héllo wörld ✓")
            #expect(streamed.reply.usage == TokenUsage(inputTokens: 11, outputTokens: 7))
            #expect(streamed.reply.stopReason != nil)
            #expect(streamed.chunks > 1, "the body should arrive in pieces as the server sends them")

            let recorded = server.requests(for: api)
            #expect(recorded.count == 4)
            #expect(recorded.last?.isStream == true)
            #expect(recorded.first?.isStream == false)
        }
    }

    @Test("a provider's 'model not found' is an unknown model for every provider", arguments: Provider.allCases)
    func modelNotFound(_ provider: Provider) async throws {
        try await withFakeProviderServer { server in
            let api = try #require(FakeProviderAPI(rawValue: provider.rawValue))
            server.enqueue(.modelNotFound, for: api)
            let error = await Self.failure { _ = try await Self.complete(server, provider, S.request(), stream: false) }
            #expect(error?.code == .model)
            #expect(error?.isUnknownModel == true, "\(String(describing: error))")
        }
    }

    @Test("an overload answer is transient for every provider, and an overload mid-stream too", arguments: Provider.allCases)
    func overloaded(_ provider: Provider) async throws {
        try await withFakeProviderServer { server in
            let api = try #require(FakeProviderAPI(rawValue: provider.rawValue))
            server.enqueue(.overloaded, for: api)
            #expect(await Self.failure { _ = try await Self.complete(server, provider, S.request(), stream: false) }?.code == .transient)
            server.enqueue(.errorMidStream(after: 2), for: api)
            #expect(await Self.failure { _ = try await Self.complete(server, provider, S.request(), stream: true) }?.code == .transient)
            server.enqueue(.streamCut(after: 2), for: api)
            #expect(await Self.failure { _ = try await Self.complete(server, provider, S.request(), stream: true) }?.code == .transient)
        }
    }

    @Test("a rejected key is .auth for every provider and the key is not in the message", arguments: Provider.allCases)
    func unauthorized(_ provider: Provider) async throws {
        try await withFakeProviderServer { server in
            let api = try #require(FakeProviderAPI(rawValue: provider.rawValue))
            server.enqueue(.unauthorized, for: api)
            let error = await Self.failure { _ = try await Self.complete(server, provider, S.request(), stream: false) }
            #expect(error?.code == .auth)
            #expect(error?.description.contains("sk-loopback-0123456789") == false)
        }
    }

    @Test("no first byte within the timeout is .timeout, and the request is abandoned")
    func slowFirstByte() async throws {
        try await withFakeProviderServer { server in
            server.enqueue(.slowFirstByte(20), for: .openai)
            let start = ContinuousClock.now
            let error = await Self.failure { _ = try await Self.complete(server, .openai, S.request(), stream: false, timeout: .seconds(1)) }
            #expect(error?.code == .timeout)
            #expect(error?.message.contains("127.0.0.1") == true)
            #expect(ContinuousClock.now - start < .seconds(15), "the call must not wait for the slow server")
            #expect(await server.waitForAbandonedResponses(1, timeout: .seconds(30)))
        }
    }

    @Test("a stall between body chunks longer than the timeout is .timeout after the text already received")
    func stallMidBody() async throws {
        try await withFakeProviderServer { server in
            // Ollama streams one NDJSON line per chunk, so the first text arrives before the stall.
            server.enqueue(.stream(chunks: ["first ", "second"], interval: 60), for: .ollama)
            let spec = try OllamaAdapter().completionRequest(S.request(), model: "llama3.2", stream: true, endpoint: Self.endpoint(server, .ollama))
            // Generous enough for the head on a loaded machine, far shorter than the 60 s stall.
            let response = try await AsyncHTTPClientTransport.shared.send(spec, timeout: .seconds(5))
            var decoder = OllamaAdapter().streamDecoder(for: S.request())
            var text = ""
            let start = ContinuousClock.now
            let error = await Self.failure {
                for try await chunk in response.body { text += S.text(try decoder.feed(chunk)) }
            }
            #expect(text == "first ")
            #expect(error?.code == .timeout)
            #expect(error?.message.contains("in the middle of the reply") == true)
            #expect(ContinuousClock.now - start < .seconds(40), "the stall must end at the timeout, not when the server resumes")
            #expect(await server.waitForAbandonedResponses(1, timeout: .seconds(30)))
        }
    }

    @Test("cancelling the task that reads the body stops the HTTP request")
    func cancelMidBody() async throws {
        try await withFakeProviderServer { server in
            server.enqueue(.stream(chunks: ["a ", "b ", "c ", "d"], interval: 30), for: .anthropic)
            let spec = try AnthropicAdapter().completionRequest(
                S.request(), model: "claude-x", stream: true, endpoint: Self.endpoint(server, .anthropic))
            let firstChunk = AsyncStream<Void>.makeStream()
            let reader = Task {
                let response = try await AsyncHTTPClientTransport.shared.send(spec, timeout: .seconds(60))
                for try await _ in response.body { firstChunk.continuation.yield() }
            }
            var iterator = firstChunk.stream.makeAsyncIterator()
            _ = await iterator.next()
            let cancelled = ContinuousClock.now
            reader.cancel()
            _ = await reader.result
            #expect(ContinuousClock.now - cancelled < .seconds(20), "cancelling must not wait for the next chunk (30 s away)")
            #expect(await server.waitForAbandonedResponses(1, timeout: .seconds(30)))
        }
    }

    @Test("a redirect is returned, not followed, and the adapter names the target")
    func redirectNotFollowed() async throws {
        try await withFakeProviderServer { server in
            server.enqueue(.raw(status: 307, headers: ["location": "http://127.0.0.1:1/elsewhere"], body: ""), for: .anthropic)
            let error = await Self.failure { _ = try await Self.complete(server, .anthropic, S.request(), stream: false) }
            #expect(error?.code == .model)
            #expect(error?.message.contains("127.0.0.1:1/elsewhere") == true)
            #expect(server.requests.count == 1)
        }
    }

    @Test("model lists decode for every provider", arguments: Provider.allCases)
    func modelLists(_ provider: Provider) async throws {
        try await withFakeProviderServer { server in
            let api = try #require(FakeProviderAPI(rawValue: provider.rawValue))
            let adapter = try #require(Self.adapters[provider])
            let spec = try adapter.listModelsRequest(endpoint: Self.endpoint(server, provider))
            let response = try await AsyncHTTPClientTransport.shared.send(spec, timeout: .seconds(30))
            #expect(response.head.status == 200)
            #expect(try adapter.decodeModelList(try await response.collect()) == api.defaultModels)
        }
    }
}
