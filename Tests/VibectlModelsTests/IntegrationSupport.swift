import Foundation
import Synchronization
import Testing
import VibectlCore
import VibectlModels
import VibectlStore
import VibectlTestSupport

/// Keys the integration tests give each provider; shaped like real keys so format checks stay quiet.
let integrationKeys: [Provider: String] = [
    .anthropic: "sk-ant-api03-INTEGRATIONanthropic0123456789abcdef",
    .openai: "sk-proj-INTEGRATIONopenai0123456789abcdefghij",
    .gemini: "AIzaSyINTEGRATIONgemini0123456789abcdefgh",
]

extension FakeProviderAPI {
    /// The fake server API speaking `provider`'s wire format.
    init(_ provider: Provider) {
        switch provider {
        case .anthropic: self = .anthropic
        case .openai: self = .openai
        case .ollama: self = .ollama
        case .gemini: self = .gemini
        }
    }
}

extension Provider {
    /// A model the integration tests call on this provider, as `provider:model`.
    var integrationModel: String {
        switch self {
        case .anthropic: "anthropic:claude-sonnet-4-20250514"
        case .openai: "openai:gpt-4o"
        case .ollama: "ollama:llama3.2:latest"
        case .gemini: "gemini:gemini-2.0-flash"
        }
    }

    /// The model id the provider receives for ``integrationModel``.
    var integrationModelID: String {
        String(integrationModel.dropFirst(rawValue.count + 1))
    }
}

/// The real model stack — ``ModelService``, the standard adapters, ``AsyncHTTPClientTransport`` —
/// pointed at a fake provider server through `providers.<p>.base_url`, with keys in a private environment.
final class IntegrationFixture: Sendable {
    let server: FakeProviderServer
    let scratch: ScratchDirectory
    let service: ModelService
    let environment: [String: String]
    private let eventLog = IntegrationEventLog()

    /// Starts a server and a service; `overrides` are config values (retry delay defaults to 1 ms so
    /// retries are quick; tests about Retry-After still wait what the server asks).
    init(overrides: [String: JSONValue] = [:], keys: [Provider: String] = integrationKeys) async throws {
        server = try await FakeProviderServer.start()
        scratch = try ScratchDirectory(prefix: "vibectl-integration")
        var environment = ["HOME": scratch.path, "XDG_CONFIG_HOME": scratch.file("xdg")]
        for (provider, key) in keys { environment[provider.vibectlKeyVariable] = key }
        self.environment = environment
        var settings: [String: JSONValue] = ["llm.retry_delay_seconds": 0.001, "llm.timeout_seconds": 30]
        for provider in Provider.allCases {
            settings["providers.\(provider.rawValue).base_url"] = .string(server.baseURL(for: FakeProviderAPI(provider)))
        }
        settings.merge(overrides) { _, new in new }
        let config = try ConfigStore(paths: ConfigPaths(configDir: scratch.file("config")), environment: environment, overrides: settings)
        service = ModelService(
            config: config, environment: environment, transport: AsyncHTTPClientTransport(), adapters: ModelService.standardAdapters)
    }

    /// Runs `body` with a fresh fixture and stops its server afterwards.
    static func run<T: Sendable>(
        overrides: [String: JSONValue] = [:], keys: [Provider: String] = integrationKeys,
        _ body: (IntegrationFixture) async throws -> T
    ) async throws -> T {
        let fixture = try await IntegrationFixture(overrides: overrides, keys: keys)
        do {
            let result = try await body(fixture)
            await fixture.server.stop()
            return result
        } catch {
            await fixture.server.stop()
            throw error
        }
    }

    /// Events delivered so far.
    var events: [ModelEvent] { eventLog.events.withLock { $0 } }

    /// The streamed text events, in order.
    var streamedTexts: [String] {
        events.compactMap { if case .text(let text) = $0 { text } else { nil } }
    }

    /// Makes a completion through the whole stack.
    func complete(
        _ request: ModelRequest = IntegrationFixture.standardRequest, model: String, stream: Bool = false, timeout: Duration? = nil
    ) async throws -> ModelResult {
        try await service.complete(request, options: CompletionOptions(model: model, stream: stream, timeout: timeout)) {
            [eventLog] event in eventLog.events.withLock { $0.append(event) }
        }
    }

    /// A request with one system and two user fragments.
    static let standardRequest = ModelRequest(
        systemFragments: ["You are a Kubernetes assistant."], userFragments: ["List the pods.", "Namespace: default."], maxTokens: 256)

    /// A schema for structured-output tests.
    static let answerSchema: JSONValue = [
        "type": "object", "properties": ["answer": ["type": "integer"]], "required": ["answer"], "additionalProperties": false,
    ]

    /// A structured request using ``answerSchema``.
    static let structuredRequest = ModelRequest(
        systemFragments: ["Answer in JSON."], userFragments: ["What is six times seven?"], schema: answerSchema, schemaName: "answer",
        maxTokens: 256)
}

/// The events a call delivered, shared with the event handler.
final class IntegrationEventLog: Sendable {
    let events = Mutex<[ModelEvent]>([])
}

