import Foundation
import Testing
import VibectlCore
import VibectlModels
import VibectlTestSupport

/// The whole model stack against injected faults: retries, Retry-After, cut streams, timeouts,
/// unusable replies, fallback, keys and cancellation.
@Suite("Integration: faults")
struct IntegrationFaultTests {
    @Test("429 with Retry-After: the retry waits what the provider asked, then succeeds", arguments: Provider.allCases)
    func retryAfterHonoured(provider: Provider) async throws {
        try await IntegrationFixture.run { fixture in
            let api = FakeProviderAPI(provider)
            fixture.server.enqueue([.status(429, retryAfter: 1), .reply(text: "after the wait")], for: api)
            let clock = ContinuousClock()
            let start = clock.now
            let result = try await fixture.complete(model: provider.integrationModel)
            let elapsed = clock.now - start
            #expect(result.text == "after the wait")
            #expect(result.metrics.retries == 1)
            #expect(fixture.server.requests(for: api).count == 2)
            // llm.retry_delay_seconds is 1 ms here, so only Retry-After explains a wait of about a second.
            #expect(elapsed >= .milliseconds(950), "retried after \(elapsed)")
            let retry = fixture.events.compactMap { event -> Double? in
                if case .retrying(_, let delay, _) = event { delay } else { nil }
            }
            #expect(retry.count == 1)
            #expect((retry.first ?? 0) >= 1)
        }
    }

    @Test("overloaded (Anthropic 529 overloaded_error, 503 elsewhere) is retried", arguments: Provider.allCases)
    func overloadedRetried(provider: Provider) async throws {
        try await IntegrationFixture.run { fixture in
            let api = FakeProviderAPI(provider)
            fixture.server.enqueue([.overloaded, .overloaded, .reply(text: "third time")], for: api)
            let result = try await fixture.complete(model: provider.integrationModel)
            #expect(result.text == "third time")
            #expect(result.metrics.retries == 2)
            #expect(fixture.server.requests(for: api).count == 3)
        }
    }

    @Test("500 is retried", arguments: Provider.allCases)
    func serverErrorRetried(provider: Provider) async throws {
        try await IntegrationFixture.run { fixture in
            let api = FakeProviderAPI(provider)
            fixture.server.enqueue([.serverError(500), .reply(text: "recovered")], for: api)
            let result = try await fixture.complete(model: provider.integrationModel)
            #expect(result.text == "recovered")
            #expect(result.metrics.retries == 1)
        }
    }

    @Test("transient failures beyond llm.max_retries end in .transient after 1 + max_retries attempts")
    func retriesExhausted() async throws {
        try await IntegrationFixture.run(overrides: ["llm.max_retries": 2]) { fixture in
            fixture.server.setDefaultReply(.overloaded, for: .anthropic)
            let error = await expectError(.transient) {
                try await fixture.complete(model: Provider.anthropic.integrationModel)
            }
            #expect(fixture.server.requests(for: .anthropic).count == 3)
            #expect(error?.message.lowercased().contains("overload") == true, "\(String(describing: error))")
        }
    }

    @Test("a stream cut mid-way is retried and no text is delivered twice", arguments: Provider.allCases)
    func streamCutNoDuplicates(provider: Provider) async throws {
        try await IntegrationFixture.run { fixture in
            let api = FakeProviderAPI(provider)
            let chunks = ["Alpha ", "beta ", "gamma ", "delta."]
            fixture.server.enqueue([.streamCut(after: 2, chunks: chunks), .stream(chunks: chunks)], for: api)
            let result = try await fixture.complete(model: provider.integrationModel, stream: true)
            #expect(result.text == chunks.joined())
            #expect(fixture.streamedTexts.joined() == chunks.joined(), "delivered: \(fixture.streamedTexts)")
            #expect(result.metrics.retries == 1)
            #expect(fixture.server.requests(for: api).count == 2)
        }
    }

    @Test("an overload error event inside a stream is retried without duplicating text", arguments: Provider.allCases)
    func errorEventMidStream(provider: Provider) async throws {
        try await IntegrationFixture.run { fixture in
            let api = FakeProviderAPI(provider)
            let full = FakeReply.defaultCutChunks
            fixture.server.enqueue([.errorMidStream(after: 2), .stream(chunks: full)], for: api)
            let result = try await fixture.complete(model: provider.integrationModel, stream: true)
            #expect(result.text == full.joined())
            #expect(fixture.streamedTexts.joined() == full.joined(), "delivered: \(fixture.streamedTexts)")
            #expect(result.metrics.retries == 1)
        }
    }

    @Test("the call's timeout ends a slow first byte with .timeout, without waiting for the reply")
    func callTimeout() async throws {
        try await IntegrationFixture.run { fixture in
            fixture.server.enqueue(.slowFirstByte(30), for: .openai)
            let clock = ContinuousClock()
            let start = clock.now
            let error = await expectError(.timeout) {
                try await fixture.complete(model: Provider.openai.integrationModel, timeout: .seconds(1))
            }
            let elapsed = clock.now - start
            #expect(elapsed < .seconds(20), "waited \(elapsed) for a reply that takes 30 s")
            #expect(error?.message.contains("1 s") == true, "\(String(describing: error))")
        }
    }

    @Test("llm.timeout_seconds limits each attempt: a slow first byte fails the attempt after 1 s, not 30 s")
    func attemptTimeout() async throws {
        try await IntegrationFixture.run(overrides: ["llm.timeout_seconds": 1, "llm.max_retries": 0]) { fixture in
            fixture.server.enqueue(.slowFirstByte(30), for: .anthropic)
            let clock = ContinuousClock()
            let start = clock.now
            // docs/config.md: "A slower attempt fails as transient and is retried" (here: no retries left).
            let error = await expectError(.transient) {
                try await fixture.complete(model: Provider.anthropic.integrationModel)
            }
            let elapsed = clock.now - start
            #expect(elapsed < .seconds(20), "waited \(elapsed) for a reply that takes 30 s")
            #expect(error?.message.contains("llm.timeout_seconds") == true, "\(String(describing: error))")
            #expect(await fixture.server.waitForAbandonedResponses(1))
        }
    }

    @Test("a slow attempt is retried and the next one answers")
    func slowAttemptRetried() async throws {
        try await IntegrationFixture.run(overrides: ["llm.timeout_seconds": 1]) { fixture in
            fixture.server.enqueue([.slowFirstByte(5), .reply(text: "fast this time")], for: .gemini)
            let result = try await fixture.complete(model: Provider.gemini.integrationModel)
            #expect(result.text == "fast this time")
            #expect(result.metrics.retries == 1)
        }
    }

    @Test("malformed JSON is a .model error and is not retried", arguments: [false, true])
    func malformedJSON(stream: Bool) async throws {
        try await IntegrationFixture.run { fixture in
            fixture.server.enqueue(.malformedJSON, for: .anthropic)
            _ = await expectError(.model) {
                try await fixture.complete(model: Provider.anthropic.integrationModel, stream: stream)
            }
            #expect(fixture.server.requests(for: .anthropic).count == 1)
        }
    }

    @Test("a reply that is JSON but not the API's shape is a .model error", arguments: Provider.allCases)
    func unexpectedShape(provider: Provider) async throws {
        try await IntegrationFixture.run { fixture in
            fixture.server.enqueue(.unexpectedShape, for: FakeProviderAPI(provider))
            _ = await expectError(.model) {
                try await fixture.complete(model: provider.integrationModel)
            }
        }
    }

    @Test("a structured reply that does not match the schema is a .model error", arguments: Provider.allCases)
    func wrongSchema(provider: Provider) async throws {
        try await IntegrationFixture.run { fixture in
            let api = FakeProviderAPI(provider)
            fixture.server.enqueue(.wrongSchema(json: #"{"answer": "forty-two"}"#), for: api)
            let error = await expectError(.model) {
                try await fixture.complete(IntegrationFixture.structuredRequest, model: provider.integrationModel)
            }
            #expect(error?.message.contains("answer") == true, "\(String(describing: error))")
            #expect(fixture.server.requests(for: api).count == 1)
        }
    }

    @Test("an unknown model falls back to llm.fallback_models, and the result says which model answered")
    func fallbackOnModelNotFound() async throws {
        try await IntegrationFixture.run(overrides: ["llm.fallback_models": ["gemini:gemini-2.0-flash", "openai:gpt-4o"]]) { fixture in
            fixture.server.setKnownModels(["claude-sonnet-4-20250514"], for: .anthropic)
            fixture.server.enqueue(.modelNotFound, for: .gemini)
            fixture.server.enqueue(.reply(text: "from the second fallback"), for: .openai)
            let result = try await fixture.complete(model: "anthropic:claude-no-such-model")
            #expect(result.text == "from the second fallback")
            #expect(result.model.qualifiedName == "openai:gpt-4o")
            #expect(result.metrics.fallbackUsed)
            #expect(result.json().objectValue?["model"] == "openai:gpt-4o")
            #expect(fixture.server.requests(for: .anthropic).first?.model == "claude-no-such-model")
            let fallbacks = fixture.events.compactMap { event -> String? in
                if case .fallback(_, let to, _) = event { to } else { nil }
            }
            #expect(fallbacks == ["gemini:gemini-2.0-flash", "openai:gpt-4o"])
        }
    }

    @Test("without fallbacks an unknown model is a .model error naming the model")
    func modelNotFoundWithoutFallback() async throws {
        try await IntegrationFixture.run { fixture in
            fixture.server.enqueue(.modelNotFound, for: .openai)
            let error = await expectError(.model) {
                try await fixture.complete(model: "openai:gpt-no-such-model")
            }
            #expect(error?.message.contains("gpt-no-such-model") == true, "\(String(describing: error))")
            #expect(fixture.server.requests(for: .openai).count == 1)
        }
    }

    @Test("ollama:<name> that Ollama does not know is retried as <name>:latest")
    func ollamaLatest() async throws {
        try await IntegrationFixture.run { fixture in
            fixture.server.setKnownModels(["llama3.2:latest"], for: .ollama)
            fixture.server.enqueue(.reply(text: "from latest"), for: .ollama)
            let result = try await fixture.complete(model: "ollama:llama3.2")
            #expect(result.text == "from latest")
            #expect(result.model.modelID == "llama3.2:latest")
            #expect(fixture.server.requests(for: .ollama).map(\.model) == ["llama3.2", "llama3.2:latest"])
            #expect(result.warnings.contains { $0.contains("llama3.2:latest") })
        }
    }

    @Test("a missing key is .auth before any request is sent, and the hint says how to set one", arguments: [Provider.anthropic, .openai, .gemini])
    func missingKey(provider: Provider) async throws {
        try await IntegrationFixture.run(keys: [:]) { fixture in
            let error = await expectError(.auth) {
                try await fixture.complete(model: provider.integrationModel)
            }
            #expect(fixture.server.requests.isEmpty)
            let hint = error?.hint ?? ""
            #expect(hint.contains(provider.vibectlKeyVariable), "hint: \(hint)")
        }
    }

    @Test("a rejected key is .auth, and the key appears nowhere in the error", arguments: [Provider.anthropic, .openai, .gemini])
    func rejectedKey(provider: Provider) async throws {
        try await IntegrationFixture.run { fixture in
            let api = FakeProviderAPI(provider)
            fixture.server.enqueue(.unauthorized, for: api)
            let error = await expectError(.auth) {
                try await fixture.complete(model: provider.integrationModel)
            }
            let key = integrationKeys[provider] ?? "-"
            let text = [error?.message ?? "", error?.hint ?? "", error?.cause ?? "", error?.description ?? ""].joined(separator: "\n")
            #expect(!text.contains(key))
            #expect(!text.contains(String(key.dropFirst(8).prefix(16))), "part of the key leaked: \(text)")
            #expect(fixture.server.requests(for: api).count == 1, "a rejected key must not be retried")
        }
    }

    @Test("cancelling the task stops a pending request promptly, and the server sees the client hang up")
    func cancellationWhileWaiting() async throws {
        try await IntegrationFixture.run { fixture in
            fixture.server.enqueue(.slowFirstByte(30), for: .anthropic)
            let call = Task { try await fixture.complete(model: Provider.anthropic.integrationModel) }
            while fixture.server.requests.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
            let clock = ContinuousClock()
            let start = clock.now
            call.cancel()
            let outcome = await call.result
            #expect(clock.now - start < .seconds(20), "must not wait for the 30 s reply")
            switch outcome {
            case .success: Issue.record("a cancelled call must not succeed")
            case .failure(let error): #expect((error as? VibectlError)?.code == .canceled, "\(error)")
            }
            #expect(await fixture.server.waitForAbandonedResponses(1), "the connection stayed open after cancelling")
            #expect(fixture.server.requests.count == 1, "a cancelled call must not retry")
        }
    }

    @Test("cancelling during a stream stops it: no more text arrives")
    func cancellationWhileStreaming() async throws {
        try await IntegrationFixture.run { fixture in
            let chunks = (0..<40).map { "chunk\($0) " }
            fixture.server.enqueue(.stream(chunks: chunks, interval: 0.25), for: .openai)
            let call = Task { try await fixture.complete(model: Provider.openai.integrationModel, stream: true) }
            while fixture.streamedTexts.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
            call.cancel()
            let outcome = await call.result
            if case .success = outcome { Issue.record("a cancelled stream must not succeed") }
            let seen = fixture.streamedTexts.count
            try await Task.sleep(for: .milliseconds(600))
            #expect(fixture.streamedTexts.count == seen, "text kept arriving after the call ended")
            #expect(seen < chunks.count)
            #expect(await fixture.server.waitForAbandonedResponses(1))
        }
    }
}
