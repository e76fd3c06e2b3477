import Foundation
import Testing
import VibectlTestSupport

/// A dummy OpenAI key: it must never appear in any output.
private let dummyKey = "sk-cli-test-NEVER-PRINTED-9f8e7d6c5b4a"

/// A CLI fixture whose OpenAI endpoint is `server` (set in the config file) and whose
/// OpenAI key comes from VIBECTL_OPENAI_API_KEY; no other provider has a key.
private func modelFixture(_ server: FakeProviderServer, extra: [String: String] = [:]) async throws -> CLIFixture {
    let cli = try CLIFixture(environment: ["VIBECTL_OPENAI_API_KEY": dummyKey].merging(extra) { $1 })
    try await cli.succeed(["config", "set", "providers.openai.base_url", server.baseURL(for: .openai)])
    try await cli.succeed(["config", "set", "llm.retry_delay_seconds", "0.01"])
    return cli
}

/// The table row whose first cell is `model`.
private func row(_ table: String, _ model: String) -> String? {
    table.split(separator: "\n").map(String.init).first { $0.hasPrefix(model + " ") }
}

@Suite("vibectl model")
struct ModelCLITests {
    @Test("model list shows providers and key sources, marks the default, and never prints the key")
    func listShowsKeySources() async throws {
        try await withFakeProviderServer { server in
            let cli = try await modelFixture(server)
            try await cli.succeed(["config", "set", "llm.model", "gpt-4o"])
            let result = try await cli.succeed(["model", "list"])
            let lines = result.stdout.split(separator: "\n").map(String.init)
            let header = try #require(lines.first)
            for column in ["NAME", "PROVIDER", "MODEL ID", "KEY"] { #expect(header.contains(column)) }
            let gpt = try #require(lines.first { $0.contains(" gpt-4o ") })
            #expect(gpt.hasPrefix("*"), "the default model is marked: \(gpt)")
            #expect(gpt.contains("openai") && gpt.hasSuffix("env VIBECTL_OPENAI_API_KEY"))
            let claude = try #require(lines.first { $0.contains(" claude-sonnet-4 ") })
            #expect(claude.hasSuffix("missing") && !claude.hasPrefix("*"))
            #expect(!result.stdout.contains(dummyKey) && !result.stderr.contains(dummyKey))
            #expect(!result.stdout.contains(String(dummyKey.suffix(4))))

            let json = try await cli.json(["model", "list"])
            #expect(json["version"] as? Int == 1)
            #expect(json["default"] as? String == "gpt-4o")
            let models = try #require(json["models"] as? [[String: Any]])
            let entry = try #require(models.first { $0["name"] as? String == "gpt-4o" })
            #expect(entry["key_source"] as? String == "env VIBECTL_OPENAI_API_KEY")
            #expect(entry["key_available"] as? Bool == true)
            #expect(server.requests.isEmpty, "model list makes no network request")
        }
    }

    @Test("model test prints latency, TTFT, tokens and cost for a model that answers")
    func testPrintsTable() async throws {
        try await withFakeProviderServer { server in
            let cli = try await modelFixture(server)
            server.enqueue(.reply(text: "ready", usage: FakeUsage(inputTokens: 17, outputTokens: 1)), for: .openai)
            let result = try await cli.run(["model", "test", "openai:gpt-4o"])
            #expect(result.status == 0, "\(result.stderr)")
            let lines = result.stdout.split(separator: "\n").map(String.init)
            let header = try #require(lines.first)
            for column in ["MODEL", "RESULT", "LATENCY ms", "TTFT ms", "TOKENS in/out", "COST USD", "NOTE"] {
                #expect(header.contains(column), "missing column \(column) in \(header)")
            }
            let line = try #require(row(result.stdout, "openai:gpt-4o"))
            let cells = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            #expect(cells.count >= 6)
            #expect(cells.dropFirst().first == "ok")
            #expect(cells.dropFirst(2).first.flatMap { Int($0) } != nil, "latency is a number: \(line)")
            #expect(cells.dropFirst(3).first.flatMap { Int($0) } != nil, "TTFT is a number: \(line)")
            #expect(cells.contains("17/1"))
            #expect(line.contains("reply: ready"))
            #expect(!result.stderr.contains("\r"), "no spinner when stderr is not a terminal")

            // The fixed, small, streamed prompt went to the server.
            let request = try #require(server.requests(for: .openai).last)
            #expect(request.path == "/v1/chat/completions")
            #expect(request.model == "gpt-4o")
            #expect(request.isStream)
            #expect(request.header("authorization") == "Bearer \(dummyKey)")
            let body = String(decoding: request.body, as: UTF8.self)
            #expect(body.contains("You are a connectivity check.") && body.contains("Reply with the single word: ready"))
            #expect(body.contains("16"))
        }
    }

    @Test("model test -o json reports ok, the error code and the library's metrics per model")
    func testJSON() async throws {
        try await withFakeProviderServer { server in
            let cli = try await modelFixture(server)
            server.enqueue(.reply(text: "ready", usage: FakeUsage(inputTokens: 9, outputTokens: 2)), for: .openai)
            let result = try await cli.run(["model", "test", "openai:gpt-4o", "frobnicate-model", "-o", "json"])
            #expect(result.status == 1)
            let document = try parseObject(result.stdout)
            #expect(document["version"] as? Int == 1)
            let results = try #require(document["results"] as? [[String: Any]])
            #expect(results.count == 2)
            let good = try #require(results.first)
            #expect(good["model"] as? String == "openai:gpt-4o")
            #expect(good["ok"] as? Bool == true)
            #expect(good["error_code"] is NSNull)
            let metrics = try #require(good["metrics"] as? [String: Any])
            #expect(jsonValue(metrics["input_tokens"], equals: 9))
            #expect(jsonValue(metrics["output_tokens"], equals: 2))
            #expect(metrics["ttft_ms"] is NSNumber)
            let bad = try #require(results.last)
            #expect(bad["ok"] as? Bool == false)
            #expect(bad["error_code"] as? String == "VIBECTL_EMODEL")
            #expect((bad["error"] as? String)?.contains("frobnicate-model") == true)
            #expect(bad["metrics"] is NSNull)
        }
    }

    @Test("a key the server rejects (401) is an auth error row, exit 1, with the error and hint on stderr")
    func rejectedKey() async throws {
        try await withFakeProviderServer { server in
            let cli = try await modelFixture(server)
            server.enqueue(.unauthorized, for: .openai)
            let result = try await cli.run(["model", "test", "openai:gpt-4o"])
            #expect(result.status == 1)
            let line = try #require(row(result.stdout, "openai:gpt-4o"), "\(result.stdout)")
            #expect(line.contains("auth error"))
            #expect(result.stderr.contains("error: openai:gpt-4o: "))
            #expect(result.stderr.contains("hint: "))
            #expect(!result.stdout.contains(dummyKey) && !result.stderr.contains(dummyKey))
            #expect(server.requests(for: .openai).count == 1, "a rejected key is never retried")
        }
    }

    @Test("model test with no key for anthropic gives an auth error row naming the key variables")
    func missingKey() async throws {
        try await withFakeProviderServer { server in
            let cli = try await modelFixture(server, extra: ["ANTHROPIC_BASE_URL": server.baseURL(for: .anthropic)])
            server.enqueue(.reply(text: "ready", usage: FakeUsage(inputTokens: 5, outputTokens: 1)), for: .openai)
            let result = try await cli.run(["model", "test", "openai:gpt-4o", "anthropic:claude-sonnet-4-20250514"])
            #expect(result.status == 1)
            let ok = try #require(row(result.stdout, "openai:gpt-4o"))
            #expect(ok.contains(" ok "))
            let failed = try #require(row(result.stdout, "anthropic:claude-sonnet-4-20250514"), "\(result.stdout)")
            #expect(failed.contains("auth error"))
            #expect(result.stderr.contains("VIBECTL_ANTHROPIC_API_KEY"))
            #expect(server.requests(for: .anthropic).isEmpty, "no request is sent without a key")
        }
    }

    @Test("model test without arguments tests llm.model and llm.fallback_models, each on its own")
    func testsConfiguredModels() async throws {
        try await withFakeProviderServer { server in
            let cli = try await modelFixture(server)
            try await cli.succeed(["config", "set", "llm.model", "openai:gpt-4o"])
            try await cli.succeed(["config", "set", "llm.fallback_models", "openai:gpt-4o-mini"])
            server.enqueue([.modelNotFound, .reply(text: "ready")], for: .openai)
            let result = try await cli.run(["model", "test"])
            #expect(result.status == 1)
            let first = try #require(row(result.stdout, "openai:gpt-4o"), "\(result.stdout)")
            #expect(first.contains("model error"), "fallback is off while testing: \(first)")
            let second = try #require(row(result.stdout, "openai:gpt-4o-mini"), "\(result.stdout)")
            #expect(second.contains(" ok "))
            #expect(server.requests(for: .openai).compactMap(\.model) == ["gpt-4o", "gpt-4o-mini"])
        }
    }

    @Test("a rate-limited model is retried and the row says so")
    func retryShownInNote() async throws {
        try await withFakeProviderServer { server in
            let cli = try await modelFixture(server)
            server.enqueue([.status(429), .reply(text: "ready")], for: .openai)
            let result = try await cli.run(["model", "test", "gpt-4o"])
            #expect(result.status == 0, "\(result.stderr)")
            let line = try #require(row(result.stdout, "gpt-4o"))
            #expect(line.contains(" ok ") && line.contains("1 retry"))
        }
    }

    @Test("model check: 0 when the provider lists the model, 1 when it does not or the name is unknown")
    func check() async throws {
        try await withFakeProviderServer { server in
            let cli = try await modelFixture(server)
            let good = try await cli.succeed(["model", "check", "openai:gpt-4o"])
            #expect(good.stdout.contains("Reachable:") && good.stdout.contains("yes"))
            #expect(good.stdout.contains("env VIBECTL_OPENAI_API_KEY"))
            let json = try await cli.json(["model", "check", "openai:gpt-4o"])
            #expect(json["reachable"] as? Bool == true)
            #expect(json["model_found"] as? Bool == true)

            let missing = try await cli.run(["model", "check", "openai:gpt-nonexistent"])
            #expect(missing.status == 1)
            #expect(missing.stderr.hasPrefix("error: "))
            #expect(missing.stdout.contains("Model found:"))

            let unknown = try await cli.run(["model", "check", "frobnicate-model"])
            #expect(unknown.status == 1)
            #expect(unknown.stderr.hasPrefix("error: unknown model 'frobnicate-model'"))
            #expect(unknown.stderr.contains("claude-sonnet-4") && unknown.stderr.contains("\nhint: "))
        }
    }

    @Test("model check without a key for the provider is an error with the ways to set one")
    func checkWithoutKey() async throws {
        let cli = try CLIFixture()
        let result = try await cli.run(["model", "check", "anthropic:claude-sonnet-4-20250514"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: "))
        #expect(result.stderr.contains("VIBECTL_ANTHROPIC_API_KEY"))
    }
}
