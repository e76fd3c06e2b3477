import Foundation
import Synchronization
import VibectlCore
import VibectlEngine
import VibectlModels
import VibectlOutput
import VibectlStore
import VibectlTestSupport

/// An engine over real stores and the real model stack, pointed at a fake OpenAI-compatible server,
/// with a fake kubectl that records its arguments.
final class EngineFixture: Sendable {
    let server: FakeProviderServer
    let scratch: ScratchDirectory
    let config: ConfigStore
    let memory: MemoryStore
    let engine: VibeEngine
    let kubectl: FakeKubectl
    let events = EventLog()

    static let key = "sk-proj-ENGINEtests0123456789abcdefghijkl"

    init(kubectlStdout: String = "", kubectlExit: Int32 = 0, overrides: [String: JSONValue] = [:]) async throws {
        server = try await FakeProviderServer.start()
        scratch = try ScratchDirectory(prefix: "vibectl-engine")
        kubectl = try FakeKubectl(in: scratch.path, exitCode: kubectlExit, stdout: kubectlStdout)
        let environment = ["HOME": scratch.path, "XDG_CONFIG_HOME": scratch.file("xdg"), "OPENAI_API_KEY": Self.key]
        var settings: [String: JSONValue] = [
            "llm.model": "openai:gpt-4o", "llm.retry_delay_seconds": 0.001, "llm.timeout_seconds": 30,
            "providers.openai.base_url": .string(server.baseURL(for: .openai)),
            "core.kubectl_command": .string(kubectl.path),
        ]
        settings.merge(overrides) { _, new in new }
        config = try ConfigStore(paths: ConfigPaths(configDir: scratch.file("config")), environment: environment, overrides: settings)
        memory = MemoryStore(config: config)
        let service = ModelService(
            config: config, environment: environment, transport: AsyncHTTPClientTransport(), adapters: ModelService.standardAdapters)
        let redactor = try Redactor()
        engine = VibeEngine(config: config, memory: memory, models: service, environment: environment) { redactor.redact($0).text }
    }

    /// Runs `body` with a fresh fixture and stops its server afterwards.
    static func run(
        kubectlStdout: String = "", kubectlExit: Int32 = 0, overrides: [String: JSONValue] = [:],
        _ body: (EngineFixture) async throws -> Void
    ) async throws {
        let fixture = try await EngineFixture(kubectlStdout: kubectlStdout, kubectlExit: kubectlExit, overrides: overrides)
        do {
            try await body(fixture)
            await fixture.server.stop()
        } catch {
            await fixture.server.stop()
            throw error
        }
    }

    /// Queues planner and summary replies (structured JSON texts), in order.
    func script(_ replies: String...) {
        server.enqueue(replies.map { FakeReply.structured(json: $0) }, for: .openai)
    }

    /// Hooks that log events and answer confirmations with `answers` in turn (nil: nobody to ask).
    func hooks(answers: [ConfirmationDecision]? = nil) -> EngineHooks {
        let log = events
        guard let answers else { return EngineHooks(emit: { log.append($0, $1) }) }
        let queue = Mutex(answers)
        return EngineHooks(
            emit: { log.append($0, $1) },
            confirm: { _ in
                queue.withLock { pending in pending.isEmpty ? ConfirmationDecision(.no) : pending.removeFirst() }
            })
    }

    /// Every request body the fake server received, as text.
    var requestBodies: [String] { server.requests(for: .openai).map { String(decoding: $0.body, as: UTF8.self) } }

    /// The arguments kubectl ran with, or nil when it did not run.
    var kubectlArguments: [String]? { kubectl.recordedArguments() }
}

/// Events an engine emitted, in order.
final class EventLog: Sendable {
    private let entries = Mutex<[(type: String, data: [String: JSONValue])]>([])

    func append(_ type: String, _ data: [String: JSONValue]) {
        entries.withLock { $0.append((type, data)) }
    }

    var types: [String] { entries.withLock { $0.map(\.type) } }

    func data(_ type: String) -> [[String: JSONValue]] {
        entries.withLock { $0.filter { $0.type == type }.map(\.data) }
    }
}

/// Planner replies used across the tests.
enum Plans {
    static func command(_ commands: [String], manifest: String? = nil, allowed: [Int]? = nil) -> String {
        var action: [String: JSONValue] = [
            "action_type": "COMMAND", "commands": .array(commands.map(JSONValue.string)), "explanation": "because",
        ]
        if let manifest { action["yaml_manifest"] = .string(manifest) }
        if let allowed { action["allowed_exit_codes"] = .array(allowed.map(JSONValue.int)) }
        return JSONValue.object(["action": .object(action), "presentation_hints": .null]).jsonString()
    }

    static func summary(_ summary: String, memory: String) -> String {
        JSONValue.object(["summary": .string(summary), "memory": .string(memory)]).jsonString()
    }
}
