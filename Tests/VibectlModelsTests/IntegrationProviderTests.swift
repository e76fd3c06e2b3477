import Foundation
import Testing
import VibectlCore
import VibectlModels
import VibectlTestSupport

/// The whole model stack against the fake server: plain, structured and streamed calls for every
/// provider, and the exact request each provider documents on the wire.
@Suite("Integration: providers")
struct IntegrationProviderTests {
    @Test("a plain completion returns the provider's text, usage and the model that answered", arguments: Provider.allCases)
    func plain(provider: Provider) async throws {
        try await IntegrationFixture.run { fixture in
            let api = FakeProviderAPI(provider)
            fixture.server.enqueue(.reply(text: "Three pods are running.", usage: FakeUsage(inputTokens: 21, outputTokens: 6)), for: api)
            let result = try await fixture.complete(model: provider.integrationModel)
            #expect(result.text == "Three pods are running.")
            #expect(result.model.provider == provider)
            #expect(result.model.modelID == provider.integrationModelID)
            #expect(result.metrics.inputTokens == 21)
            #expect(result.metrics.outputTokens == 6)
            #expect(result.metrics.retries == 0)
            #expect(result.metrics.fallbackUsed == false)
            #expect(result.parsedJSON == nil)
            #expect(fixture.server.requests(for: api).count == 1)
        }
    }

    @Test("a structured completion returns the JSON document, parsed", arguments: Provider.allCases)
    func structured(provider: Provider) async throws {
        try await IntegrationFixture.run { fixture in
            let api = FakeProviderAPI(provider)
            fixture.server.enqueue(.structured(json: #"{"answer": 42}"#), for: api)
            let result = try await fixture.complete(IntegrationFixture.structuredRequest, model: provider.integrationModel)
            #expect(result.parsedJSON == ["answer": 42])
            #expect(try JSONValue.parse(result.text) == ["answer": 42])
            let sent = try #require(fixture.server.requests(for: api).first)
            switch provider {
            case .anthropic:
                #expect(sent.bodyValue("tools", 0, "name") == "answer")
                #expect(sent.bodyValue("tools", 0, "input_schema") == IntegrationFixture.answerSchema)
                #expect(sent.bodyValue("tool_choice") == ["type": "tool", "name": "answer"])
            case .openai:
                #expect(sent.bodyValue("response_format", "type") == "json_schema")
                #expect(sent.bodyValue("response_format", "json_schema", "name") == "answer")
                #expect(sent.bodyValue("response_format", "json_schema", "schema") == IntegrationFixture.answerSchema)
                #expect(sent.bodyValue("response_format", "json_schema", "strict") == true)
            case .ollama:
                #expect(sent.bodyValue("format") == IntegrationFixture.answerSchema)
            case .gemini:
                #expect(sent.bodyValue("generationConfig", "responseMimeType") == "application/json")
                #expect(sent.bodyValue("generationConfig", "responseSchema", "properties", "answer") != nil)
            }
        }
    }

    @Test("a streamed completion delivers the text as events, in order, once", arguments: Provider.allCases)
    func streamed(provider: Provider) async throws {
        try await IntegrationFixture.run { fixture in
            let api = FakeProviderAPI(provider)
            let chunks = ["Three ", "pods ", "are ", "running."]
            fixture.server.enqueue(.stream(chunks: chunks, usage: FakeUsage(inputTokens: 30, outputTokens: 4)), for: api)
            let result = try await fixture.complete(model: provider.integrationModel, stream: true)
            #expect(result.text == chunks.joined())
            #expect(fixture.streamedTexts.joined() == chunks.joined())
            #expect(fixture.streamedTexts.count == chunks.count)
            #expect(result.metrics.inputTokens == 30)
            #expect(result.metrics.outputTokens == 4)
            #expect(fixture.server.requests(for: api).first?.isStream == true)
        }
    }

    @Test("a streamed structured completion parses the streamed JSON", arguments: Provider.allCases)
    func streamedStructured(provider: Provider) async throws {
        try await IntegrationFixture.run { fixture in
            fixture.server.enqueue(.structured(json: #"{"answer": 42}"#), for: FakeProviderAPI(provider))
            let result = try await fixture.complete(IntegrationFixture.structuredRequest, model: provider.integrationModel, stream: true)
            #expect(result.parsedJSON == ["answer": 42])
            #expect(try JSONValue.parse(fixture.streamedTexts.joined()) == ["answer": 42])
        }
    }

    @Test("Anthropic: POST /v1/messages with x-api-key, anthropic-version and the documented body")
    func anthropicRequestShape() async throws {
        try await IntegrationFixture.run { fixture in
            _ = try await fixture.complete(model: Provider.anthropic.integrationModel, stream: true)
            let sent = try #require(fixture.server.requests(for: .anthropic).first)
            #expect(sent.method == "POST")
            #expect(sent.path == "/v1/messages")
            #expect(sent.query.isEmpty)
            #expect(sent.header("x-api-key") == integrationKeys[.anthropic])
            #expect(sent.header("anthropic-version") == "2023-06-01")
            #expect(sent.header("content-type") == "application/json")
            #expect(sent.header("authorization") == nil)
            #expect(sent.bodyValue("model") == "claude-sonnet-4-20250514")
            #expect(sent.bodyValue("max_tokens") == 256)
            #expect(sent.bodyValue("stream") == true)
            #expect(sent.bodyValue("system") == "You are a Kubernetes assistant.")
            #expect(sent.bodyValue("messages", 0, "role") == "user")
            let content = try #require(sent.bodyValue("messages", 0, "content")?.arrayValue)
            #expect(content == [["type": "text", "text": "List the pods."], ["type": "text", "text": "Namespace: default."]])
            #expect(sent.bodyValue("messages", 1) == nil)
        }
    }

    @Test("OpenAI: POST /v1/chat/completions with a Bearer key, system + user messages, usage in streams")
    func openAIRequestShape() async throws {
        try await IntegrationFixture.run { fixture in
            _ = try await fixture.complete(model: Provider.openai.integrationModel, stream: true)
            let sent = try #require(fixture.server.requests(for: .openai).first)
            #expect(sent.method == "POST")
            #expect(sent.path == "/v1/chat/completions")
            #expect(sent.header("authorization") == "Bearer \(integrationKeys[.openai] ?? "")")
            #expect(sent.header("content-type") == "application/json")
            #expect(sent.bodyValue("model") == "gpt-4o")
            #expect(sent.bodyValue("messages", 0) == ["role": "system", "content": "You are a Kubernetes assistant."])
            #expect(sent.bodyValue("messages", 1, "role") == "user")
            let user = try #require(sent.bodyValue("messages", 1, "content")?.stringValue)
            #expect(user.contains("List the pods.") && user.contains("Namespace: default."))
            #expect(sent.bodyValue("stream") == true)
            #expect(sent.bodyValue("stream_options", "include_usage") == true)
            let limit = sent.bodyValue("max_tokens") ?? sent.bodyValue("max_completion_tokens")
            #expect(limit == 256)
        }
    }

    @Test("Ollama: POST /api/chat without a key, stream flag explicit, num_predict as the limit")
    func ollamaRequestShape() async throws {
        try await IntegrationFixture.run { fixture in
            _ = try await fixture.complete(model: Provider.ollama.integrationModel)
            let sent = try #require(fixture.server.requests(for: .ollama).first)
            #expect(sent.method == "POST")
            #expect(sent.path == "/api/chat")
            #expect(sent.header("authorization") == nil)
            #expect(sent.bodyValue("model") == "llama3.2:latest")
            #expect(sent.bodyValue("stream") == false)
            #expect(sent.isStream == false)
            #expect(sent.bodyValue("messages", 0) == ["role": "system", "content": "You are a Kubernetes assistant."])
            #expect(sent.bodyValue("messages", 1, "role") == "user")
            #expect(sent.bodyValue("options", "num_predict") == 256)
        }
    }

    @Test("Gemini: POST models/{model}:generateContent (streamGenerateContent?alt=sse) with x-goog-api-key, never the key in the URL")
    func geminiRequestShape() async throws {
        try await IntegrationFixture.run { fixture in
            _ = try await fixture.complete(model: Provider.gemini.integrationModel)
            _ = try await fixture.complete(model: Provider.gemini.integrationModel, stream: true)
            let requests = fixture.server.requests(for: .gemini)
            #expect(requests.count == 2)
            let plain = try #require(requests.first)
            #expect(plain.method == "POST")
            #expect(plain.path == "/v1beta/models/gemini-2.0-flash:generateContent")
            #expect(plain.query.isEmpty)
            #expect(plain.header("x-goog-api-key") == integrationKeys[.gemini])
            #expect(plain.bodyValue("contents", 0, "role") == "user")
            #expect(plain.bodyValue("contents", 0, "parts") == [["text": "List the pods."], ["text": "Namespace: default."]])
            #expect(plain.bodyValue("systemInstruction", "parts", 0, "text") == "You are a Kubernetes assistant.")
            #expect(plain.bodyValue("generationConfig", "maxOutputTokens") == 256)
            let streamed = try #require(requests.last)
            #expect(streamed.path == "/v1beta/models/gemini-2.0-flash:streamGenerateContent")
            #expect(streamed.query == ["alt": "sse"])
            for request in requests {
                #expect(!request.rawPath.contains(integrationKeys[.gemini] ?? "-"))
            }
        }
    }

    @Test("model lists and checks go to each provider's list endpoint", arguments: Provider.allCases)
    func check(provider: Provider) async throws {
        try await IntegrationFixture.run { fixture in
            let api = FakeProviderAPI(provider)
            let report = try await fixture.service.check(model: provider.integrationModel)
            #expect(report.objectValue?["status"] == "ok", "\(report.jsonString())")
            #expect(report.objectValue?["model_found"] == true)
            let sent = try #require(fixture.server.requests(for: api).first)
            #expect(sent.method == "GET")
            let expectedPath =
                switch provider {
                case .anthropic, .openai: "/v1/models"
                case .ollama: "/api/tags"
                case .gemini: "/v1beta/models"
                }
            #expect(sent.path == expectedPath)
            #expect(!report.jsonString().contains(integrationKeys[provider] ?? "-"))
        }
    }
}
