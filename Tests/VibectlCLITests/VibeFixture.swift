import Foundation
import Testing
import VibectlTestSupport

/// A dummy OpenAI key: it must never appear in any output.
let vibeTestKey = "sk-vibe-test-NEVER-PRINTED-0a1b2c3d4e5f"

/// One isolated `vibectl vibe` environment: the CLI (own config dir), a scripted kubectl and the
/// fake provider's OpenAI API as the model (gpt-4o), all configured through the environment.
struct VibeFixture {
    let cli: CLIFixture
    let kubectl: ScriptedKubectl
    let server: FakeProviderServer

    init(_ server: FakeProviderServer, key: String? = vibeTestKey) throws {
        var environment = [
            "OPENAI_BASE_URL": server.baseURL(for: .openai),
            "VIBECTL_LLM_MODEL": "gpt-4o",
            "VIBECTL_LLM_RETRY_DELAY_SECONDS": "0.01",
        ]
        if let key { environment["VIBECTL_OPENAI_API_KEY"] = key }
        let cli = try CLIFixture(environment: environment)
        self.cli = cli
        self.kubectl = try ScriptedKubectl(in: cli.scratch.path)
        self.server = server
    }

    /// Runs `vibectl ARGS` with this fixture's kubectl.
    func run(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]) async throws -> CLIResult {
        let result = try await cli.run(
            arguments, stdin: stdin,
            environment: ["VIBECTL_CORE_KUBECTL_COMMAND": kubectl.path].merging(environment) { $1 })
        #expect(!result.stdout.contains(vibeTestKey) && !result.stderr.contains(vibeTestKey), "the API key leaked")
        #expect(!result.timedOut, "vibectl \(arguments) timed out")
        return result
    }

    /// Runs `vibectl ARGS` and requires exit status 0.
    @discardableResult
    func succeed(_ arguments: [String], stdin: Data? = nil, sourceLocation: SourceLocation = #_sourceLocation)
        async throws -> CLIResult
    {
        let result = try await run(arguments, stdin: stdin)
        try #require(
            result.status == 0, "vibectl \(arguments) exited \(result.status): \(result.stderr.prefix(2000))",
            sourceLocation: sourceLocation)
        return result
    }

    /// Runs `vibectl ARGS` on a pseudo-terminal (through util-linux `script`), typing `input`.
    ///
    /// stdin, stdout and stderr are all the terminal, so everything comes back in `stdout`, with
    /// `\r\n` turned into `\n`.
    func runOnTerminal(_ arguments: [String], input: String, environment: [String: String] = [:]) async throws
        -> (status: Int32, output: String)
    {
        let script = CLIRunner(
            executable: terminalRunner,
            environment: cli.runner.environment.merging(["VIBECTL_CORE_KUBECTL_COMMAND": kubectl.path]) { $1 }
                .merging(environment) { $1 })
        let command = ([cli.binary] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
            .joined(separator: " ")
        let result = try await script.run(["-qec", command, "/dev/null"], stdin: Data(input.utf8))
        #expect(!result.timedOut, "vibectl \(arguments) timed out on the terminal")
        let output = result.stdout.replacingOccurrences(of: "\r\n", with: "\n")
        #expect(!output.contains(vibeTestKey), "the API key leaked")
        return (result.status, output)
    }

    /// Queues the planner's next reply.
    func plan(_ action: [String: Any]) throws {
        server.enqueue(.structured(json: try jsonText(["action": action])), for: .openai)
    }

    /// Queues the reply of the call after a command: the summary (or recovery) and the new memory.
    func summary(_ text: String, memory: String? = nil, field: String = "summary") throws {
        var object: [String: Any] = [field: text]
        if let memory { object["memory"] = memory }
        server.enqueue(.structured(json: try jsonText(object)), for: .openai)
    }

    /// The requests the model received, oldest first.
    var modelRequests: [FakeRecordedRequest] { server.requests(for: .openai) }

    /// The body of the model request at `index`, as text.
    func body(_ index: Int) -> String {
        let requests = modelRequests
        guard requests.indices.contains(index) else { return "" }
        return String(decoding: requests[index].body, as: UTF8.self)
    }

    /// Every model request body, joined.
    var allBodies: String { modelRequests.map { String(decoding: $0.body, as: UTF8.self) }.joined(separator: "\n") }
}

/// util-linux `script`, which runs a command on a new pseudo-terminal (its controlling terminal).
let terminalRunner = "/usr/bin/script"

/// Whether the terminal tests can run here.
let hasTerminalRunner = FileManager.default.isExecutableFile(atPath: terminalRunner)

/// How often `needle` occurs in `text`.
func occurrences(of needle: String, in text: String) -> Int {
    text.components(separatedBy: needle).count - 1
}

/// A COMMAND action.
func command(
    _ commands: [String], explanation: String = "Run it.", allowed: [Int]? = nil, manifest: String? = nil
) -> [String: Any] {
    var action: [String: Any] = ["action_type": "COMMAND", "commands": commands, "explanation": explanation]
    if let allowed { action["allowed_exit_codes"] = allowed }
    if let manifest { action["yaml_manifest"] = manifest }
    return action
}

/// Compact JSON text of a dictionary.
func jsonText(_ object: [String: Any]) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
}

/// Runs `body` with a fake provider and a fresh fixture.
func withVibe(key: String? = vibeTestKey, _ body: (VibeFixture) async throws -> Void) async throws {
    try await withFakeProviderServer { server in
        try await body(try VibeFixture(server, key: key))
    }
}

