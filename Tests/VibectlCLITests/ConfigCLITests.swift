import Foundation
import Testing
import VibectlTestSupport

@Suite("vibectl config")
struct ConfigCLITests {
    @Test("set, get, show, info and unset round-trip through the config file")
    func roundTrip() async throws {
        let cli = try CLIFixture()
        let schema = try await cli.json(["config", "schema"])
        let keys = try #require(schema["keys"] as? [[String: Any]])
        let modelKey = try #require(keys.first { $0["key"] as? String == "llm.model" })
        let defaultModel = try #require(modelKey["default"] as? String)

        let set = try await cli.succeed(["config", "set", "llm.model", "gpt-4o-test"])
        #expect(set.stdout == "Configuration llm.model set to gpt-4o-test\n")
        #expect(try await cli.succeed(["config", "get", "llm.model"]).stdout == "gpt-4o-test\n")

        let got = try await cli.json(["config", "get", "llm.model"])
        #expect(got["value"] as? String == "gpt-4o-test")
        #expect(got["source"] as? String == "file")

        let shown = try await cli.json(["config", "show"])
        #expect(shownValue(shown, "llm.model") as? String == "gpt-4o-test")
        #expect((shown["sources"] as? [String: Any])?["llm.model"] as? String == "file")

        let table = try await cli.succeed(["config", "show"]).stdout
        let modelLine = try #require(table.split(separator: "\n").first { $0.hasPrefix("llm.model ") })
        #expect(modelLine.contains("gpt-4o-test") && modelLine.hasSuffix("(file)"))
        #expect(table.contains("core.kubectl_command"))
        // Grouped by section: a blank line separates sections.
        #expect(table.contains("\n\n"))

        let section = try await cli.succeed(["config", "show", "llm"]).stdout
        #expect(section.contains("llm.model"))
        #expect(!section.contains("core.kubectl_command"))
        #expect(try await cli.succeed(["config", "show", "llm.model"]).stdout.contains("gpt-4o-test"))

        let info = try await cli.json(["config", "info"])
        #expect(info["exists"] as? Bool == true)
        #expect(info["path"] as? String == cli.configFile)
        let attributes = try FileManager.default.attributesOfItem(atPath: cli.configFile)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try await cli.succeed(["config", "info"]).stdout.contains(cli.configFile))

        let unset = try await cli.succeed(["config", "unset", "llm.model"])
        #expect(unset.stdout.hasPrefix("Configuration llm.model reset to default"))
        #expect(try await cli.succeed(["config", "get", "llm.model"]).stdout == defaultModel + "\n")
        #expect(try await cli.json(["config", "get", "llm.model"])["source"] as? String == "default")
    }

    @Test("values of every type are coerced from text and read back")
    func typedValues() async throws {
        let cli = try CLIFixture()
        try await cli.succeed(["config", "set", "display.show_kubectl", "yes"])
        #expect(try await cli.json(["config", "get", "display.show_kubectl"])["value"] as? Bool == true)
        #expect(try await cli.succeed(["config", "get", "display.show_kubectl"]).stdout == "true\n")
        try await cli.succeed(["config", "set", "memory.max_chars", "1234"])
        #expect(try await cli.succeed(["config", "get", "memory.max_chars"]).stdout == "1234\n")
        try await cli.succeed(["config", "set", "llm.retry_delay_seconds", "2"])
        #expect(try await cli.succeed(["config", "get", "llm.retry_delay_seconds"]).stdout == "2.0\n")
        try await cli.succeed(["config", "set", "plugins.precedence", "a,b"])
        #expect(try await cli.json(["config", "get", "plugins.precedence"])["value"] as? [String] == ["a", "b"])
        try await cli.succeed(["config", "set", "core.kubeconfig", "/tmp/kc"])
        try await cli.succeed(["config", "set", "core.kubeconfig", "null"])
        #expect(try await cli.json(["config", "get", "core.kubeconfig"])["value"] is NSNull)
    }

    @Test("values with quotes, colons, #, newlines and non-ASCII round-trip exactly")
    func specialCharacters() async throws {
        let cli = try CLIFixture()
        let value = "say \"hi\": it's #1\nsecond line — ünïcødé 🚀"
        try await cli.succeed(["config", "set", "system.custom_instructions", value])
        #expect(try await cli.succeed(["config", "get", "system.custom_instructions"]).stdout == value + "\n")
        #expect(try await cli.json(["config", "get", "system.custom_instructions"])["value"] as? String == value)
    }

    @Test("--config-dir works before and after the subcommand and wins over VIBECTL_CONFIG_DIR")
    func configDirOption() async throws {
        let cli = try CLIFixture()
        let other = cli.scratch.file("other")
        try await cli.succeed(["--config-dir", other, "config", "set", "llm.model", "from-option"])
        #expect(try await cli.succeed(["config", "get", "llm.model", "--config-dir", other]).stdout == "from-option\n")
        #expect(FileManager.default.fileExists(atPath: other + "/client/config.yaml"))
        #expect(!FileManager.default.fileExists(atPath: cli.configFile))
        #expect(try await cli.succeed(["config", "get", "llm.model"]).stdout != "from-option\n")
    }

    @Test("an environment variable overrides the file and show names it as the source")
    func environmentPrecedence() async throws {
        let cli = try CLIFixture()
        try await cli.succeed(["config", "set", "llm.model", "from-file"])
        let schema = try await cli.json(["config", "schema"])
        let keys = try #require(schema["keys"] as? [[String: Any]])
        let envName = try #require(keys.first { $0["key"] as? String == "llm.model" }?["env"] as? String)
        let environment = [envName: "from-env"]
        let result = try await cli.succeed(["config", "get", "llm.model"], environment: environment)
        #expect(result.stdout == "from-env\n")
        let json = try parseObject(
            try await cli.succeed(["config", "get", "llm.model", "-o", "json"], environment: environment).stdout)
        #expect(json["source"] as? String == "env")
        #expect(json["env_var"] as? String == envName)
    }

    @Test("secrets are masked in show and get")
    func secretsMasked() async throws {
        let cli = try CLIFixture()
        try await cli.succeed(["config", "set", "providers.openai.key", "sk-supersecret-value-123"])
        for arguments in [["config", "show"], ["config", "show", "-o", "json"], ["config", "get", "providers.openai.key"]] {
            let out = try await cli.succeed(arguments).stdout
            #expect(!out.contains("supersecret"), "\(arguments) leaks the secret")
        }
    }

    @Test("an unknown key in the file is a warning on stderr, not an error, and stdout stays clean JSON")
    func unknownKeyInFileWarns() async throws {
        let cli = try CLIFixture()
        try FileManager.default.createDirectory(atPath: cli.configDir + "/client", withIntermediateDirectories: true)
        try "llm:\n  model: from-file\n  bogus: 1\n".write(toFile: cli.configFile, atomically: true, encoding: .utf8)
        for format in ["text", "json"] {
            let result = try await cli.succeed(["config", "show", "-o", format])
            #expect(result.stderr.hasPrefix("warning: "))
            #expect(result.stderr.contains("llm.bogus"))
            #expect(!result.stdout.contains("warning:"))
        }
        #expect(shownValue(try await cli.json(["config", "show"]), "llm.model") as? String == "from-file")
    }

    @Test("show -o yaml prints YAML with the key")
    func showYAML() async throws {
        let cli = try CLIFixture()
        try await cli.succeed(["config", "set", "llm.model", "yaml: needs quoting"])
        let yaml = try await cli.succeed(["config", "show", "llm", "-o", "yaml"]).stdout
        #expect(yaml.contains("model: \"yaml: needs quoting\""))
    }
}

@Suite("vibectl config errors")
struct ConfigErrorTests {
    /// Requires a failure with `error: ` on stderr and returns stderr.
    func failure(_ cli: CLIFixture, _ arguments: [String], status: Int32 = 1) async throws -> String {
        let result = try await cli.run(arguments)
        #expect(result.status == status, "\(arguments) exited \(result.status)")
        #expect(result.stderr.hasPrefix("error: "), "stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty)
        return result.stderr
    }

    @Test("an unknown key is an error that suggests the nearest key")
    func unknownKey() async throws {
        let cli = try CLIFixture()
        let setError = try await failure(cli, ["config", "set", "llm.modle", "x"])
        #expect(setError.contains("llm.model"))
        let getError = try await failure(cli, ["config", "get", "llm.modle"])
        #expect(getError.contains("llm.model"))
        _ = try await failure(cli, ["config", "show", "nosuchsection"])
        _ = try await failure(cli, ["config", "unset", "llm.modle"])
        #expect(!FileManager.default.fileExists(atPath: cli.configFile))
    }

    @Test("a value outside an enum lists the valid values")
    func badEnum() async throws {
        let cli = try CLIFixture()
        let message = try await failure(cli, ["config", "set", "display.theme", "purple"])
        for valid in ["default", "dark", "light", "accessible"] {
            #expect(message.contains(valid), "missing \(valid) in \(message)")
        }
    }

    @Test("an invalid boolean and an out-of-range number are errors")
    func badValues() async throws {
        let cli = try CLIFixture()
        let bool = try await failure(cli, ["config", "set", "display.show_vibe", "maybe"])
        #expect(bool.contains("maybe"))
        _ = try await failure(cli, ["config", "set", "memory.max_chars", "lots"])
        _ = try await failure(cli, ["config", "set", "proxy.timeout_seconds", "100000"])
        #expect(!FileManager.default.fileExists(atPath: cli.configFile))
    }

    @Test("a corrupt config file is reported with its path and line, and left untouched")
    func corruptFile() async throws {
        let cli = try CLIFixture()
        try FileManager.default.createDirectory(atPath: cli.configDir + "/client", withIntermediateDirectories: true)
        let corrupt = "core:\n  kubectl_command: kubectl\nllm:\n  model: [unclosed\n  other: : :\n"
        try corrupt.write(toFile: cli.configFile, atomically: true, encoding: .utf8)
        for arguments in [["config", "show"], ["config", "get", "llm.model"], ["config", "set", "llm.model", "x"]] {
            let message = try await failure(cli, arguments)
            #expect(message.contains(cli.configFile), "\(arguments): \(message)")
            #expect(message.lowercased().contains("line"), "\(arguments): \(message)")
        }
        #expect(try String(contentsOfFile: cli.configFile, encoding: .utf8) == corrupt)
    }

    @Test("missing arguments are usage errors (exit 64)")
    func usageErrors() async throws {
        let cli = try CLIFixture()
        _ = try await failure(cli, ["config", "set", "llm.model"], status: 64)
        _ = try await failure(cli, ["config", "get"], status: 64)
        _ = try await failure(cli, ["config", "show", "-o", "xml"], status: 64)
    }
}
