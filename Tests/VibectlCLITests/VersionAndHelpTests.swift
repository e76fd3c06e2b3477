import Foundation
import Testing
import VibectlTestSupport

@Suite("vibectl version, help and completion")
struct VersionAndHelpTests {
    @Test("version prints the library version and the ABI versions")
    func versionText() async throws {
        let cli = try CLIFixture()
        let json = try await cli.json(["version"])
        let library = try #require(json["library"] as? String)
        #expect(library.split(separator: ".").count == 3 && library.split(separator: ".").allSatisfy { Int($0) != nil })
        let text = try await cli.succeed(["version"]).stdout
        #expect(text.hasPrefix("vibectl \(library)"))
        #expect(text.contains("ABI 1"))
    }

    @Test("version -o json is versioned and reports matching library and header ABI")
    func versionJSON() async throws {
        let cli = try CLIFixture()
        let json = try await cli.json(["version"])
        #expect(json["version"] as? Int == 1)
        #expect(json["abi"] as? Int == 1)
        #expect(json["header_abi"] as? Int == json["abi"] as? Int)
        #expect(Set(json.keys) == ["version", "library", "abi", "header_abi"])
    }

    @Test("version works without any configuration directory (no client is created)")
    func versionNeedsNoConfig() async throws {
        let cli = try CLIFixture(environment: ["VIBECTL_CONFIG_DIR": "/nonexistent/vibectl-config"])
        let result = try await cli.succeed(["version"])
        #expect(result.stderr.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: "/nonexistent/vibectl-config"))
    }

    @Test("root help names the tool vibectl and documents the exit statuses")
    func rootHelp() async throws {
        let cli = try CLIFixture()
        let help = try await cli.succeed(["--help"]).stdout
        #expect(help.contains("USAGE: vibectl "))
        #expect(!help.contains("vibectl-cli"))
        #expect(help.contains("EXIT STATUS"))
        #expect(help.contains("64"))
        for command in ["version", "config", "memory", "just", "completion"] {
            #expect(help.contains(command), "help does not list \(command)")
        }
    }

    @Test("root help groups the commands: vibe commands, kubectl verbs, tools")
    func rootHelpGroups() async throws {
        let cli = try CLIFixture()
        let help = try await cli.succeed(["--help"]).stdout
        let lines = help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let headers = ["VIBE SUBCOMMANDS:", "KUBECTL VERB SUBCOMMANDS:", "TOOL SUBCOMMANDS:"]
        let positions = headers.map { header in lines.firstIndex(of: header) }
        #expect(positions.allSatisfy { $0 != nil }, "missing group headers: \(help)")
        #expect(!lines.contains("SUBCOMMANDS:"), "a command is left outside the groups")
        let starts = positions.compactMap { $0 }
        try #require(starts.count == 3 && starts == starts.sorted())
        /// The command names listed in the section starting at `start`.
        func names(from start: Int) -> [String] {
            lines[(start + 1)...].prefix { !$0.isEmpty }.compactMap { line -> String? in
                guard line.hasPrefix("  "), !line.hasPrefix("   ") else { return nil }
                return line.split(separator: " ").first.map(String.init)
            }
        }
        #expect(names(from: starts[0]) == ["vibe", "auto", "semiauto", "check", "memory", "instructions"])
        let verbs = names(from: starts[1])
        #expect(verbs.count == 28, "\(verbs)")
        #expect(verbs.first == "get" && verbs.contains("port-forward") && verbs.contains("rollout"))
        #expect(
            Set(names(from: starts[2]))
                == ["config", "model", "compact", "redact", "classify", "just", "version", "completion"])
    }

    @Test("an unknown subcommand is a usage error (64) with an error: line")
    func unknownCommand() async throws {
        let cli = try CLIFixture()
        let result = try await cli.run(["frobnicate"])
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("error: "))
        #expect(result.stdout.isEmpty)
    }

    @Test("completion scripts are generated for bash, zsh and fish", arguments: ["bash", "zsh", "fish"])
    func completion(shell: String) async throws {
        let cli = try CLIFixture()
        let script = try await cli.succeed(["completion", shell]).stdout
        #expect(script.count > 200)
        #expect(script.contains("config"))
        #expect(script.contains("memory"))
        #expect(script.contains("vibectl"))
    }

    @Test("bash completes configuration keys from the schema, filtered by what was typed")
    func bashCompletesKeys() async throws {
        let cli = try CLIFixture()
        let bin = cli.scratch.file("bin")
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: bin + "/vibectl", withDestinationPath: cli.binary)
        let bash = CLIRunner(
            executable: "/bin/bash",
            environment: cli.runner.environment.merging(["PATH": bin + ":/usr/bin:/bin"]) { $1 })
        let script = """
            source <(vibectl completion bash)
            COMP_WORDS=(vibectl config get llm.m); COMP_CWORD=3
            COMP_LINE="vibectl config get llm.m"; COMP_POINT=${#COMP_LINE}
            _vibectl
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        let result = try await bash.run(["-c", script])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n") == ["llm.model", "llm.max_retries"])
    }

    @Test("completion of an unknown shell is a usage error")
    func completionUnknownShell() async throws {
        let cli = try CLIFixture()
        let result = try await cli.run(["completion", "powershell"])
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("error: "))
    }
}

@Suite("kubectl plugin: kubectl vibe …")
struct KubectlPluginTests {
    @Test("as kubectl-vibe, a request is a vibe request; vibectl commands keep their meaning")
    func pluginName() async throws {
        let fixture = try CLIFixture()
        let plugin = fixture.scratch.file("kubectl-vibe")
        try FileManager.default.createSymbolicLink(atPath: plugin, withDestinationPath: fixture.binary)
        var runner = fixture.runner
        runner.executable = plugin
        // No model key anywhere: a vibe request fails on the missing key, which proves it was planned as vibe.
        let request = try await runner.run(["--model", "openai:gpt-4o", "show failing pods"], stdin: Data())
        #expect(request.status == 1, "\(request.stderr)")
        #expect(request.stderr.contains("API key"), "\(request.stderr)")
        // The same words to vibectl itself are a usage error.
        let plain = try await fixture.run(["show failing pods"], stdin: Data())
        #expect(plain.status == 64, "\(plain.stderr)")
        // A vibectl command through the plugin name is that command.
        let instructions = try await runner.run(["instructions", "show"], stdin: Data())
        #expect(instructions.status == 0, "\(instructions.stderr)")
    }
}
