import Foundation
import Testing
import VibectlCore

@testable import VibectlModels

@Suite("Router: model catalog")
struct RouterCatalogTests {
    @Test("names resolve to provider and model id", arguments: [
        ("claude-3.7-sonnet", Provider.anthropic, "claude-3-7-sonnet-20250219", "claude-3.7-sonnet"),
        ("Claude-Sonnet-4", .anthropic, "claude-sonnet-4-20250514", "claude-sonnet-4"),
        ("claude-opus-4", .anthropic, "claude-opus-4-20250514", "claude-opus-4"),
        ("claude-3.5-haiku", .anthropic, "claude-3-5-haiku-20241022", "claude-3.5-haiku"),
        ("gpt-4o", .openai, "gpt-4o", "gpt-4o"),
        ("gpt-4o-mini", .openai, "gpt-4o-mini", "gpt-4o-mini"),
        ("gpt-4.1", .openai, "gpt-4.1", "gpt-4.1"),
        ("o3-mini", .openai, "o3-mini", "o3-mini"),
        ("gemini-2.5-pro", .gemini, "gemini-2.5-pro", "gemini-2.5-pro"),
        ("gemini-2.5-flash", .gemini, "gemini-2.5-flash", "gemini-2.5-flash"),
        ("llama3.2", .ollama, "llama3.2", "llama3.2"),
        ("qwen2.5", .ollama, "qwen2.5", "qwen2.5"),
    ])
    func aliases(name: String, provider: Provider, modelID: String, alias: String) throws {
        let reference = try ModelCatalog.resolve(name)
        #expect(reference.provider == provider)
        #expect(reference.modelID == modelID)
        #expect(reference.alias == alias)
        #expect(reference.qualifiedName == "\(provider.rawValue):\(modelID)")
        #expect(reference.displayName == alias)
    }

    @Test("a provider prefix passes any model id through unchanged", arguments: [
        ("anthropic:claude-future-9-20300101", Provider.anthropic, "claude-future-9-20300101"),
        ("openai:gpt-4.1-2025-04-14", .openai, "gpt-4.1-2025-04-14"),
        ("openai:meta-llama/Llama-3.3-70B-Instruct", .openai, "meta-llama/Llama-3.3-70B-Instruct"),
        ("ollama:llama3.2:1b", .ollama, "llama3.2:1b"),
        ("ollama:hf.co/org/model:Q4_K_M", .ollama, "hf.co/org/model:Q4_K_M"),
        ("Gemini:gemini-3-pro-preview", .gemini, "gemini-3-pro-preview"),
        ("openai:gpt-4o", .openai, "gpt-4o"),
    ])
    func prefixes(name: String, provider: Provider, modelID: String) throws {
        let reference = try ModelCatalog.resolve(name)
        #expect(reference.provider == provider)
        #expect(reference.modelID == modelID)
        #expect(reference.alias == nil, "a prefixed name is not an alias, even when an alias has the same model")
        #expect(reference.displayName == "\(provider.rawValue):\(modelID)")
    }

    @Test("a bare name that is neither an alias nor prefixed is an unknown model; the message lists the aliases and the provider:model form")
    func unknownBareName() {
        let error = ModelCatalog.unknownModel("my-model")
        #expect(throws: error) { try ModelCatalog.resolve("my-model") }
        #expect(error.code == .model)
        #expect(error.message.contains("unknown model 'my-model'"))
        #expect(error.message.contains("provider:model"))
        for alias in ModelCatalog.aliases {
            #expect(error.message.contains(alias.name), "\(alias.name) is not listed")
        }
        for provider in Provider.allCases {
            #expect(error.message.contains("\(provider.rawValue):"))
        }
        #expect(error.hint?.contains("openai:my-model") == true)
    }

    @Test("a near miss suggests the alias", arguments: [("gpt4o", "gpt-4o"), ("claude-3.7-sonet", "claude-3.7-sonnet")])
    func suggestion(name: String, suggestion: String) {
        #expect(throws: VibectlError.self) { try ModelCatalog.resolve(name) }
        #expect(ModelCatalog.unknownModel(name).message.contains("did you mean '\(suggestion)'?"))
    }

    @Test("guessing the provider from the name is not done: gpt-9 and claude-x are unknown, llama3.2:1b needs ollama:", arguments: [
        "gpt-9", "claude-x", "llama3.2:1b", "anthropic/claude-3-7-sonnet-latest", "unknown:model",
    ])
    func noGuessing(name: String) {
        do {
            _ = try ModelCatalog.resolve(name)
            Issue.record("\(name) resolved")
        } catch let error as VibectlError {
            #expect(error.code == .model)
            if name == "llama3.2:1b" { #expect(error.hint?.contains("ollama:llama3.2:1b") == true) }
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("an empty name or a prefix without a model id is refused")
    func emptyParts() {
        #expect(throws: VibectlError.self) { try ModelCatalog.resolve("  ") }
        do {
            _ = try ModelCatalog.resolve("openai:")
            Issue.record("openai: resolved")
        } catch let error as VibectlError {
            #expect(error.code == .model)
            #expect(error.message.contains("no model id"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("every alias resolves to its own entry, names are unique, and the default llm.model is one of them")
    func table() throws {
        let names = ModelCatalog.aliases.map { $0.name.lowercased() }
        #expect(Set(names).count == names.count)
        for alias in ModelCatalog.aliases {
            #expect(try ModelCatalog.resolve(alias.name) == alias.reference)
            #expect(!alias.name.contains(":"))
        }
        #expect(names.contains("claude-3.7-sonnet"))
        for provider in Provider.allCases {
            #expect(ModelCatalog.aliases.contains { $0.provider == provider }, "no alias for \(provider)")
        }
    }

    @Test("every alias has a built-in price (Ollama models are free), and docs/models.md documents every alias and price")
    func pricesAndDocs() throws {
        let prices = PriceTable()
        for alias in ModelCatalog.aliases {
            #expect(prices.price(for: alias.reference) != nil, "\(alias.name) has no price")
        }
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/models.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        for alias in ModelCatalog.aliases {
            #expect(text.contains("`\(alias.name)`"), "docs/models.md does not list \(alias.name)")
            #expect(text.contains("`\(alias.modelID)`"), "docs/models.md does not list \(alias.modelID)")
        }
        for (name, price) in PriceTable.builtIn {
            let modelID = String(name.split(separator: ":", maxSplits: 1).last ?? "")
            let row = text.split(separator: "\n").first { $0.contains("`\(modelID)`") && $0.contains("$") }
            #expect(row != nil, "docs/models.md has no price row for \(name)")
            #expect(row?.contains(Self.dollars(price.inputPerMillion)) == true, "input price of \(name)")
            #expect(row?.contains(Self.dollars(price.outputPerMillion)) == true, "output price of \(name)")
        }
    }

    /// "$3", "$0.15".
    static func dollars(_ value: Double) -> String {
        value.rounded() == value ? "$\(Int(value))" : "$\(value)"
    }
}

@Suite("Router: redaction")
struct RouterRedactionTests {
    @Test("key-like strings are replaced", arguments: [
        ("invalid x-api-key sk-ant-api03-abcdefghijklmnop", "sk-ant-api03"),
        ("Incorrect API key provided: sk-proj-AbCdEf0123456789", "sk-proj-AbCdEf"),
        ("GET /v1beta/models?key=AIzaSyA1234567890abcdefghijklmnopqrstu", "AIzaSyA123"),
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl", "eyJhbGci"),
        ("token=abcd1234efgh5678", "abcd1234efgh5678"),
        ("{\"api_key\": \"my-secret-value-42\"}", "my-secret-value-42"),
        ("hex 0123456789abcdef0123456789abcdef01234567 leaked", "0123456789abcdef0123456789abcdef"),
        ("base64 QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0MTIzNDU2Nzg5 leaked", "QUJDREVGR0hJSktMTU5PUFFSU1RV"),
    ])
    func redacted(text: String, secret: String) {
        let result = Redaction.redactSecrets(text)
        #expect(!result.contains(secret), "\(result)")
        #expect(result.contains(Redaction.placeholder))
    }

    @Test("ordinary provider messages are left alone", arguments: [
        "model 'claude-3-7-sonnet-20250219' not found",
        "request id req_011CSHoEeqs5C35K2UdW1LWS failed",
        "POST https://api.openai.com/v1/chat/completions returned 429",
        "input_tokens: 12345678, max_tokens: 4096",
        "the key file /home/user/.config/vibectl/anthropic.key is empty",
        "Overloaded: please retry (basic tier) with a Bearer token",
        "uuid 123e4567-e89b-12d3-a456-426614174000",
        "401 invalid_api_key: Incorrect API key provided",
        "error code missing_token: Provide an Authorization header",
    ])
    func untouched(text: String) {
        #expect(Redaction.redactSecrets(text) == text)
    }
}
