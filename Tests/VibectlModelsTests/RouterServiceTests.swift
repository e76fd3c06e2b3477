import Foundation
import Synchronization
import Testing
import VibectlCore

@testable import VibectlModels

@Suite("Router: fallback")
struct RouterFallbackTests {
    @Test("an unknown model (404) falls back to the first fallback, and the result says which model answered")
    func notFound() async throws {
        let fixture = try RouterFixture(
            [.status(404, body: "not_found_error"), .ok("from gpt")],
            overrides: ["llm.fallback_models": ["gpt-4o", "gemini-2.5-flash"]])
        let result = try await fixture.complete()
        #expect(result.text == "from gpt")
        #expect(result.model == ModelCatalog.aliases.first { $0.name == "gpt-4o" }?.reference)
        #expect(result.metrics.fallbackUsed)
        #expect(result.metrics.model == "openai:gpt-4o")
        #expect(result.json().objectValue?["model"] == "openai:gpt-4o")
        #expect(fixture.transport.sent.map(\.model) == ["claude-3-7-sonnet-20250219", "gpt-4o"])
        #expect(fixture.transport.sent.count == 2, "a 404 is not retried")
        guard case .fallback(let from, let to, let reason)? = fixture.events.all.first else {
            Issue.record("no fallback event: \(fixture.events.all)")
            return
        }
        #expect(from == "claude-3.7-sonnet" && to == "gpt-4o")
        #expect(reason.contains("does not know the model"))
        #expect(result.warnings.contains { $0.contains("gpt-4o answered instead") })
    }

    @Test("a model without a key falls back without sending anything for it")
    func noKey() async throws {
        var environment = testKeys
        environment["VIBECTL_ANTHROPIC_API_KEY"] = nil
        let fixture = try RouterFixture([.ok("gemini here")], environment: environment, overrides: ["llm.fallback_models": ["gemini-2.5-flash"]])
        let result = try await fixture.complete()
        #expect(result.model.provider == .gemini)
        #expect(fixture.transport.sent.count == 1)
        #expect(fixture.transport.sent.first?.request.url.hasSuffix("/complete") == true)
        #expect(fixture.transport.sent.first?.request.header("authorization") == "Bearer \(testKeys["VIBECTL_GEMINI_API_KEY"] ?? "")")
    }

    @Test("a model that keeps failing transiently falls back after its retries")
    func transientThenFallback() async throws {
        let fixture = try RouterFixture(
            [.status(529), .status(529), .ok("openai answered")],
            overrides: ["llm.max_retries": 1, "llm.fallback_models": ["openai:gpt-4.1-mini"]])
        let result = try await fixture.complete()
        #expect(result.text == "openai answered")
        #expect(result.metrics.retries == 1)
        #expect(result.metrics.fallbackUsed)
        #expect(result.model.qualifiedName == "openai:gpt-4.1-mini")
        #expect(fixture.events.all.count == 2)
    }

    @Test("fallbacks are tried in order; a fallback named twice or equal to the preferred model is tried once")
    func order() async throws {
        let fixture = try RouterFixture(
            [.status(404), .status(401, body: "bad key"), .ok("third")],
            overrides: [
                "llm.fallback_models": ["anthropic:claude-3-7-sonnet-20250219", "gpt-4o", "openai:gpt-4o", "ollama:llama3.2:1b"],
            ])
        let result = try await fixture.complete()
        #expect(fixture.transport.sent.map(\.model) == ["claude-3-7-sonnet-20250219", "gpt-4o", "llama3.2:1b"])
        #expect(result.model.qualifiedName == "ollama:llama3.2:1b")
        let hops = fixture.events.all.compactMap { event -> String? in
            if case .fallback(let from, let to, _) = event { return "\(from)->\(to)" }
            return nil
        }
        #expect(hops == ["claude-3.7-sonnet->gpt-4o", "gpt-4o->ollama:llama3.2:1b"])
    }

    @Test("when everything fails the message lists what was tried; a transient failure keeps the error transient")
    func everythingFails() async throws {
        var environment = testKeys
        environment["VIBECTL_GEMINI_API_KEY"] = nil
        let fixture = try RouterFixture(
            [.status(404), .status(503), .status(503)],
            environment: environment,
            overrides: ["llm.max_retries": 1, "llm.fallback_models": ["gpt-4o", "gemini-2.5-pro", "no-such-alias"]])
        let error = await expectError(.transient) { try await fixture.complete() }
        let message = error?.message ?? ""
        for name in ["claude-3.7-sonnet", "gpt-4o", "gemini-2.5-pro", "no-such-alias"] {
            #expect(message.contains(name), "\(name) is not in: \(message)")
        }
        #expect(message.contains("gave up after 2 attempts"))
        #expect(message.contains("no Gemini API key"))
    }

    @Test("without a transient failure the preferred model's error code wins")
    func permanentFailures() async throws {
        let fixture = try RouterFixture([.status(404), .status(401)], overrides: ["llm.fallback_models": ["gpt-4o"]])
        let error = await expectError(.model) { try await fixture.complete() }
        #expect(error?.message.contains("every model failed (tried claude-3.7-sonnet, gpt-4o)") == true)
    }

    @Test("a request the provider calls invalid (400) does not fall back")
    func invalidRequestStops() async throws {
        let fixture = try RouterFixture([.status(400, body: "max_tokens too large")], overrides: ["llm.fallback_models": ["gpt-4o"]])
        let error = await expectError(.model) { try await fixture.complete() }
        #expect(error?.message.contains("max_tokens too large") == true)
        #expect(fixture.transport.sent.count == 1)
    }

    @Test("an Ollama model that is not found is retried once as name:latest")
    func ollamaLatest() async throws {
        let fixture = try RouterFixture([.status(404), .ok("latest answered")], environment: [:])
        let result = try await fixture.complete(model: "ollama:mymodel")
        #expect(fixture.transport.sent.map(\.model) == ["mymodel", "mymodel:latest"])
        #expect(result.model.modelID == "mymodel:latest")
        #expect(result.metrics.retries == 0)
        #expect(!result.metrics.fallbackUsed)
        #expect(result.warnings.contains { $0.contains("mymodel:latest") })
        #expect(fixture.transport.sent.first?.request.header("authorization") == nil, "Ollama gets no key")
    }

    @Test("an Ollama name with a tag is not retried as :latest")
    func ollamaTagged() async throws {
        let fixture = try RouterFixture([.status(404), .ok("never")], environment: [:])
        _ = await expectError(.model) { try await fixture.complete(model: "ollama:mymodel:7b") }
        #expect(fixture.transport.sent.count == 1)
    }

    @Test("an unknown bare model name fails at once, before any fallback or request")
    func unknownName() async throws {
        let fixture = try RouterFixture([.ok("never")], overrides: ["llm.fallback_models": ["gpt-4o"]])
        let error = await expectError(.model) { try await fixture.complete(model: "gpt-44") }
        #expect(error?.message.contains("unknown model 'gpt-44'") == true)
        #expect(fixture.transport.sent.isEmpty)
    }

    @Test("a reply that does not match the schema falls back without a retry")
    func schemaMismatch() async throws {
        let schema: JSONValue = ["type": "object", "required": ["action"], "properties": ["action": ["type": "string"]]]
        let fixture = try RouterFixture(
            [.ok("I think you should run kubectl get pods"), .ok("{\"action\": \"get\"}")],
            overrides: ["llm.fallback_models": ["gpt-4o"]])
        let result = try await fixture.complete(ModelRequest(userFragments: ["plan"], schema: schema))
        #expect(result.parsedJSON == ["action": "get"])
        #expect(result.model.alias == "gpt-4o")
        #expect(fixture.sleeps.seconds.isEmpty)
        guard case .fallback(_, _, let reason)? = fixture.events.all.first else {
            Issue.record("no fallback")
            return
        }
        #expect(reason.contains("does not match the schema"))
    }

    @Test("deadline and cancellation are not followed by fallbacks")
    func noFallbackAfterDeadline() async throws {
        let fixture = try RouterFixture([.hang, .ok("never")], overrides: ["llm.fallback_models": ["gpt-4o"]])
        _ = await expectError(.timeout) { try await fixture.complete(timeout: .milliseconds(200)) }
        #expect(!fixture.transport.sent.contains { $0.model == "gpt-4o" })
        #expect(!fixture.events.all.contains { if case .fallback = $0 { true } else { false } })
    }
}

@Suite("Router: completion, metrics and listing")
struct RouterServiceTests {
    @Test("a plain completion returns the text, usage, cost and the documented JSON")
    func plain() async throws {
        let fixture = try RouterFixture([.ok("pods are fine", input: 1000, output: 500, stop: "end_turn")])
        let result = try await fixture.complete()
        #expect(result.text == "pods are fine")
        #expect(result.parsedJSON == nil)
        #expect(result.model.alias == "claude-3.7-sonnet", "llm.model's default is used")
        #expect(result.metrics.inputTokens == 1000 && result.metrics.outputTokens == 500)
        let cost = try #require(result.metrics.costUSD)
        #expect(abs(cost - 0.0105) < 1e-12, "1000 × $3/M + 500 × $15/M")
        #expect(result.metrics.timeToFirstTokenMs != nil)
        #expect(result.metrics.durationMs >= (result.metrics.timeToFirstTokenMs ?? 0))
        let json = try #require(result.json().objectValue)
        #expect(Set(json.keys) == ["version", "text", "json", "model", "alias", "provider", "stop_reason", "metrics", "warnings"])
        #expect(json["version"] == 1)
        #expect(json["json"] == .null)
        #expect(json["provider"] == "anthropic")
        #expect(json["stop_reason"] == "end_turn")
        let metrics = try #require(json["metrics"]?.objectValue)
        #expect(
            Set(metrics.keys) == [
                "model", "provider", "input_tokens", "output_tokens", "ttft_ms", "duration_ms", "retries", "fallback_used", "cost_usd",
            ])
        #expect(metrics["model"] == "anthropic:claude-3-7-sonnet-20250219")
        #expect(metrics["cost_usd"] == 0.0105)
        let request = try #require(fixture.transport.sent.first)
        #expect(request.body.objectValue?["stream"] == false)
        #expect(request.request.url == "https://api.anthropic.com/complete")
    }

    @Test("options.model wins over llm.model, which wins over the default")
    func modelChoice() async throws {
        let fixture = try RouterFixture([.ok("a"), .ok("b")], overrides: ["llm.model": "gpt-4.1"])
        #expect(try await fixture.complete().model.alias == "gpt-4.1")
        #expect(try await fixture.complete(model: "gemini:gemini-2.5-pro").model.qualifiedName == "gemini:gemini-2.5-pro")
    }

    @Test("prices: built-in table, llm.prices by alias or qualified name, unknown models cost nothing known, Ollama is free")
    func prices() async throws {
        let fixture = try RouterFixture(
            [.ok("a", input: 1_000_000, output: 1_000_000), .ok("b", input: 2_000_000, output: 0), .ok("c"), .ok("d"), .ok("e", input: 5, output: nil)],
            environment: testKeys,
            overrides: [
                "llm.prices": ["claude-3.7-sonnet": ["input": 1, "output": 2], "openai:my-finetune": ["input": 0.5, "output": 1]],
            ])
        #expect(try await fixture.complete().metrics.costUSD == 3, "llm.prices overrides the built-in $3/$15")
        #expect(try await fixture.complete(model: "openai:my-finetune").metrics.costUSD == 1)
        #expect(try await fixture.complete(model: "openai:unpriced-model").metrics.costUSD == nil)
        #expect(try await fixture.complete(model: "ollama:llama3.2").metrics.costUSD == 0)
        #expect(try await fixture.complete(model: "gpt-4o").metrics.costUSD == nil, "no cost without both token counts")
        let table = PriceTable(configPrices: ["nonsense-name": ["input": 1, "output": 1]])
        #expect(table.ignoredNames == ["nonsense-name"])
        #expect(table.price(for: try ModelCatalog.resolve("gpt-4.1")) == ModelPrice(input: 2, output: 8))
        #expect(ModelPrice(input: 2, output: 8).cost(inputTokens: 1500, outputTokens: 250) == 0.005)
    }

    @Test("structured output: the reply is parsed; missing keys or wrong types are a model error with an excerpt")
    func structured() async throws {
        let schema: JSONValue = [
            "type": "object", "required": ["action", "commands"],
            "properties": ["action": ["type": "string", "enum": ["run", "done"]], "commands": ["type": "array"], "note": ["type": ["string", "null"]]],
        ]
        let request = ModelRequest(userFragments: ["plan"], schema: schema)
        let fixture = try RouterFixture([
            .ok("```json\n{\"action\": \"run\", \"commands\": [\"get pods\"], \"note\": null}\n```"),
            .ok("{\"action\": \"run\"}"),
            .ok("{\"action\": \"jump\", \"commands\": []}"),
            .ok("{\"action\": 1, \"commands\": []}"),
            .ok("[1, 2]"),
            .ok("sure! sk-ant-api03-leakedleakedleaked0123"),
        ])
        let result = try await fixture.complete(request)
        #expect(result.parsedJSON == ["action": "run", "commands": ["get pods"], "note": nil])
        #expect(result.json().objectValue?["json"] == result.parsedJSON)
        for expected in ["'commands' is missing", "not one of", "'action' is a number", "the reply is an array", "not JSON"] {
            let error = await expectError(.model) { try await fixture.complete(request) }
            #expect(error?.message.contains("does not match the schema") == true)
            #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
            #expect(error?.hint?.contains("the reply began") == true)
            #expect(error.map { !allText($0).contains("leakedleaked") } ?? false)
        }
        #expect(fixture.transport.sent.count == 6, "schema mismatches are not retried")
    }

    @Test("a reply stopped by the token limit carries a warning")
    func tokenLimit() async throws {
        let fixture = try RouterFixture([.ok("cut", stop: "max_tokens")])
        let result = try await fixture.complete()
        #expect(result.warnings.contains { $0.contains("token limit") })
    }

    @Test("the overall timeout is a deadline for the whole call, retries included")
    func deadline() async throws {
        let fixture = try RouterFixture([.hang])
        let clock = ContinuousClock()
        let started = clock.now
        let error = await expectError(.timeout) { try await fixture.complete(timeout: .milliseconds(300)) }
        #expect(clock.now - started < .seconds(30), "the call did not wait for the transport")
        #expect(error?.message.contains("did not finish within 0.3 s") == true)
        #expect(fixture.service.totals.objectValue?["failed_calls"] == 1)
    }

    @Test("each attempt gets llm.timeout_seconds, or less when the call's deadline is nearer")
    func attemptTimeout() async throws {
        let fixture = try RouterFixture([.ok("a"), .ok("b")], overrides: ["llm.timeout_seconds": 60])
        _ = try await fixture.complete(timeout: .seconds(30))
        _ = try await fixture.complete(timeout: .seconds(600))
        let timeouts = fixture.transport.sent.map(\.timeout)
        #expect(timeouts.count == 2)
        // The first call's deadline (30 s) is nearer than llm.timeout_seconds (60 s), so the attempt gets what
        // remains of it: at most 30 s. How much less depends on the machine's speed, so only the bound is checked.
        #expect(timeouts.first.map { $0 <= .seconds(30) && $0 > .zero } == true, "\(timeouts)")
        #expect(timeouts.last == .seconds(60))
    }

    @Test("a Retry-After beyond the deadline ends the call with a timeout instead of waiting")
    func retryAfterBeyondDeadline() async throws {
        // 55 s is under the Retry-After cap (60 s) but beyond the 45 s deadline; the margin keeps a slow machine
        // from spending the deadline before the 429 arrives.
        let fixture = try RouterFixture([.status(429, headers: ["retry-after": "55"]), .ok("never")])
        let error = await expectError(.timeout) { try await fixture.complete(timeout: .seconds(45)) }
        #expect(fixture.sleeps.seconds.isEmpty)
        #expect(error?.message.contains("429") == true, "the timeout says what went wrong last")
    }

    @Test("cancelling the task ends the call promptly with .canceled")
    func cancellation() async throws {
        let fixture = try RouterFixture([.hang])
        let task = Task { try await fixture.complete(stream: true) }
        for _ in 0..<2000 where fixture.transport.sent.isEmpty {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(fixture.transport.sent.count == 1)
        task.cancel()
        let clock = ContinuousClock()
        let started = clock.now
        _ = await expectError(.canceled) { try await task.value }
        #expect(clock.now - started < .seconds(30))
    }

    @Test("a transport that reports cancellation as an error also gives .canceled, and cancellation stops retries")
    func cancellationDuringBackoff() async throws {
        let fixture = try RouterFixture([.status(503), .ok("never")])
        let gate = Mutex<Bool>(false)
        let service = ModelService(
            config: fixture.config, environment: testKeys, transport: fixture.transport,
            adapters: [.anthropic: FakeAdapter(provider: .anthropic)],
            sleeper: { _ in
                gate.withLock { $0 = true }
                try await Task.sleep(for: .seconds(3600))
            })
        let task = Task { try await service.complete(ModelRequest(userFragments: ["x"]), options: CompletionOptions(), onEvent: { _ in }) }
        for _ in 0..<2000 where !gate.withLock({ $0 }) {
            try await Task.sleep(for: .milliseconds(5))
        }
        task.cancel()
        _ = await expectError(.canceled) { try await task.value }
        #expect(fixture.transport.sent.count == 1)
    }

    @Test("totals accumulate calls, tokens, cost and per-model sums")
    func totals() async throws {
        let fixture = try RouterFixture([
            .ok("a", input: 100, output: 10), .ok("b", input: 200, output: 20), .ok("c", input: 1, output: 1), .status(400),
        ])
        _ = try await fixture.complete()
        _ = try await fixture.complete()
        _ = try await fixture.complete(model: "openai:unpriced")
        _ = await expectError(.model) { try await fixture.complete() }
        let totals = try #require(fixture.service.totals.objectValue)
        #expect(totals["version"] == 1)
        #expect(totals["calls"] == 3)
        #expect(totals["failed_calls"] == 1)
        #expect(totals["input_tokens"] == 301)
        #expect(totals["output_tokens"] == 31)
        #expect(totals["unpriced_calls"] == 1)
        #expect(totals["cost_usd"] == 0.00135, "300 × $3/M + 30 × $15/M")
        let byModel = try #require(totals["by_model"]?.objectValue)
        #expect(byModel["anthropic:claude-3-7-sonnet-20250219"]?.objectValue?["calls"] == 2)
        #expect(byModel["openai:unpriced"]?.objectValue?["input_tokens"] == 1)
        #expect(fixture.service.accumulator.callCount == 3)
    }

    @Test("listModels: default first, then fallbacks, then the catalog, with key availability and source")
    func listing() throws {
        var environment = testKeys
        environment["VIBECTL_GEMINI_API_KEY"] = nil
        let fixture = try RouterFixture(environment: environment, overrides: ["llm.fallback_models": ["openai:ft-model", "gemini-2.5-pro", "bogus"]])
        let models = try fixture.service.listModels()
        #expect(models.first?.name == "claude-3.7-sonnet")
        #expect(models.first?.isDefault == true)
        #expect(models.dropFirst().first?.name == "openai:ft-model")
        #expect(models.dropFirst().first?.isFallback == true)
        #expect(!models.contains { $0.name == "bogus" })
        #expect(models.filter(\.isDefault).count == 1)
        #expect(Set(models.map(\.name)).count == models.count)
        let gemini = try #require(models.first { $0.name == "gemini-2.5-pro" })
        #expect(gemini.isFallback && !gemini.keyAvailable && gemini.keySource == nil && gemini.keyRequired)
        let anthropic = try #require(models.first { $0.name == "claude-sonnet-4" })
        #expect(anthropic.keyAvailable && anthropic.keySource == "env VIBECTL_ANTHROPIC_API_KEY")
        let ollama = try #require(models.first { $0.name == "llama3.2" })
        #expect(ollama.keyAvailable && !ollama.keyRequired && ollama.endpoint == "http://localhost:11434")
        #expect(ModelCatalog.aliases.allSatisfy { alias in models.contains { $0.name == alias.name } })
        let json = try #require(anthropic.json().objectValue)
        #expect(json["model_id"] == "claude-sonnet-4-20250514")
        #expect(json["key_available"] == true)
    }

    @Test("check: resolves, finds the key, asks the provider and reports whether it knows the model")
    func check() async throws {
        let fixture = try RouterFixture([
            .status(200, body: "[\"gpt-4o\", \"gpt-4.1\"]"),
            .status(200, body: "[\"gpt-4o\"]"),
            .status(401, body: "bad key"),
            .fail(VibectlError(.transient, "connection refused")),
            .status(200, body: "[\"llama3.2:latest\"]"),
        ])
        let ok = try #require(try await fixture.service.check(model: "gpt-4.1").objectValue)
        #expect(ok["status"] == "ok" && ok["reachable"] == true && ok["model_found"] == true)
        #expect(ok["key_source"] == "env VIBECTL_OPENAI_API_KEY")
        #expect(ok["latency_ms"]?.doubleValue != nil)
        #expect(fixture.transport.sent.first?.request.url == "https://api.openai.com/v1/models")
        for key in ["version", "model", "provider", "key_source", "reachable", "model_found", "latency_ms", "warnings"] {
            #expect(ok[key] != nil, "\(key) missing")
        }
        let missing = try #require(try await fixture.service.check(model: "gpt-4.1").objectValue)
        #expect(missing["status"] == "model_not_found" && missing["model_found"] == false)
        let rejected = try #require(try await fixture.service.check(model: "gpt-4.1").objectValue)
        #expect(rejected["status"] == "auth_rejected" && rejected["reachable"] == true && rejected["model_found"] == .null)
        let unreachable = try #require(try await fixture.service.check(model: "gpt-4.1").objectValue)
        #expect(unreachable["status"] == "unreachable" && unreachable["reachable"] == false)
        #expect(unreachable["error"]?.stringValue?.contains("connection refused") == true)
        let ollama = try #require(try await fixture.service.check(model: "llama3.2").objectValue)
        #expect(ollama["model_found"] == true && ollama["key_source"] == .null)
        _ = await expectError(.model) { try await fixture.service.check(model: "nope") }
        var environment = testKeys
        environment["VIBECTL_OPENAI_API_KEY"] = nil
        let noKey = try RouterFixture(environment: environment)
        _ = await expectError(.auth) { try await noKey.service.check(model: "gpt-4o") }
    }
}
