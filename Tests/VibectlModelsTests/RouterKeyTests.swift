import Foundation
import Testing
import VibectlCore
import VibectlStore
import VibectlTestSupport

@testable import VibectlModels

/// A scratch config and key files for key resolution tests.
final class KeyFixture: Sendable {
    let scratch: ScratchDirectory
    let paths: ConfigPaths

    init() throws {
        scratch = try ScratchDirectory(prefix: "vibectl-keys")
        paths = ConfigPaths(configDir: scratch.file("config"))
    }

    /// Writes a file in the scratch directory and returns its path.
    func write(_ name: String, _ content: String) throws -> String {
        let path = scratch.file(name)
        try Data(content.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A resolver over the scratch config, with `config` values set in the file.
    func resolver(environment: [String: String], config values: [String: String] = [:]) throws -> KeyResolver {
        let store = try ConfigStore(paths: paths, environment: environment, overrides: [:])
        for (key, value) in values { try store.set(key, text: value) }
        return KeyResolver(config: store, environment: environment)
    }
}

@Suite("Router: keys and endpoints")
struct RouterKeyTests {
    /// The five sources in precedence order, as (what to set, the source expected when it wins).
    enum Source: Int, CaseIterable, Sendable {
        case vibectlVariable, vibectlFileVariable, configKey, configKeyFile, usualVariable
    }

    @Test("each key source wins over every later one", arguments: Source.allCases)
    func precedence(winner: Source) throws {
        let fixture = try KeyFixture()
        let envFile = try fixture.write("env.key", "sk-ant-from-env-file-0123456789\n")
        let configFile = try fixture.write("config.key", "sk-ant-from-config-file-0123456789")
        var environment: [String: String] = ["HOME": fixture.scratch.path]
        var config: [String: String] = [:]
        for source in Source.allCases where source.rawValue >= winner.rawValue {
            switch source {
            case .vibectlVariable: environment["VIBECTL_ANTHROPIC_API_KEY"] = "sk-ant-from-vibectl-variable-0123"
            case .vibectlFileVariable: environment["VIBECTL_ANTHROPIC_API_KEY_FILE"] = envFile
            case .configKey: config["providers.anthropic.key"] = "sk-ant-from-config-key-0123456789"
            case .configKeyFile: config["providers.anthropic.key_file"] = configFile
            case .usualVariable: environment["ANTHROPIC_API_KEY"] = "sk-ant-from-usual-variable-0123"
            }
        }
        let resolved = try #require(try fixture.resolver(environment: environment, config: config).key(for: .anthropic))
        switch winner {
        case .vibectlVariable:
            #expect(resolved.key == "sk-ant-from-vibectl-variable-0123")
            #expect(resolved.source == .vibectlVariable("VIBECTL_ANTHROPIC_API_KEY"))
            #expect(resolved.source.description == "env VIBECTL_ANTHROPIC_API_KEY")
        case .vibectlFileVariable:
            #expect(resolved.key == "sk-ant-from-env-file-0123456789", "the file's trailing newline is trimmed")
            #expect(resolved.source == .vibectlFileVariable(variable: "VIBECTL_ANTHROPIC_API_KEY_FILE", path: envFile))
        case .configKey:
            #expect(resolved.key == "sk-ant-from-config-key-0123456789")
            #expect(resolved.source.description == "config providers.anthropic.key")
        case .configKeyFile:
            #expect(resolved.key == "sk-ant-from-config-file-0123456789")
            #expect(resolved.source.description == "config providers.anthropic.key_file (\(configFile))")
        case .usualVariable:
            #expect(resolved.key == "sk-ant-from-usual-variable-0123")
            #expect(resolved.source.description == "env ANTHROPIC_API_KEY")
        }
        #expect(resolved.warnings.isEmpty, "\(resolved.warnings)")
    }

    @Test("the key-file variable expands ~ and trims spaces and newlines around the key")
    func fileTrimmingAndTilde() throws {
        let fixture = try KeyFixture()
        _ = try fixture.write("openai.key", "  \n sk-proj-tilde0123456789abcdef \r\n\n")
        let resolver = try fixture.resolver(environment: [
            "HOME": fixture.scratch.path, "VIBECTL_OPENAI_API_KEY_FILE": "~/openai.key",
        ])
        let resolved = try #require(try resolver.key(for: .openai))
        #expect(resolved.key == "sk-proj-tilde0123456789abcdef")
        #expect(resolved.source == .vibectlFileVariable(variable: "VIBECTL_OPENAI_API_KEY_FILE", path: fixture.scratch.file("openai.key")))
    }

    @Test("empty variables count as unset")
    func emptyVariables() throws {
        let fixture = try KeyFixture()
        let resolver = try fixture.resolver(environment: [
            "VIBECTL_GEMINI_API_KEY": "", "VIBECTL_GEMINI_API_KEY_FILE": "  ", "GEMINI_API_KEY": "AIzaSyUsualVariable0123456789abcdefghi",
        ])
        #expect(try resolver.key(for: .gemini)?.source == .usualVariable("GEMINI_API_KEY"))
    }

    @Test("a missing key is an auth error whose hint lists every way to set one", arguments: [Provider.anthropic, .openai, .gemini])
    func missing(provider: Provider) throws {
        let resolver = try KeyFixture().resolver(environment: [:])
        do {
            _ = try resolver.key(for: provider)
            Issue.record("a key was found")
        } catch let error as VibectlError {
            #expect(error.code == .auth)
            #expect(error.message.contains(provider.displayName))
            let hint = error.hint ?? ""
            #expect(hint.contains(provider.vibectlKeyVariable))
            #expect(hint.contains(provider.vibectlKeyFileVariable))
            #expect(hint.contains("providers.\(provider.rawValue).key "))
            #expect(hint.contains("providers.\(provider.rawValue).key_file"))
            #expect(hint.contains(provider.usualKeyVariable ?? "?"))
        }
    }

    @Test("Ollama needs no key, but uses one when set")
    func ollama() throws {
        let fixture = try KeyFixture()
        #expect(try fixture.resolver(environment: [:]).key(for: .ollama) == nil)
        let withKey = try fixture.resolver(environment: ["VIBECTL_OLLAMA_API_KEY": "gateway-token-0123456789abcdef"])
        #expect(try withKey.key(for: .ollama)?.key == "gateway-token-0123456789abcdef")
        #expect(try withKey.key(for: .ollama)?.warnings == [])
    }

    @Test("a key file that does not exist, is empty or is a directory is an auth error naming the path, never the content")
    func badFiles() throws {
        let fixture = try KeyFixture()
        let empty = try fixture.write("empty.key", " \n\t\n")
        let missing = fixture.scratch.file("missing.key")
        for (environment, config, path) in [
            (["VIBECTL_OPENAI_API_KEY_FILE": missing], [:], missing),
            (["VIBECTL_OPENAI_API_KEY_FILE": empty], [:], empty),
            ([:], ["providers.openai.key_file": missing], missing),
            ([:], ["providers.openai.key_file": fixture.scratch.path], fixture.scratch.path),
        ] {
            var environment = environment
            environment["OPENAI_API_KEY"] = "sk-usual-variable-is-not-reached-01234"
            let resolver = try fixture.resolver(environment: environment, config: config)
            do {
                _ = try resolver.key(for: .openai)
                Issue.record("a key was found for \(environment) \(config)")
            } catch let error as VibectlError {
                #expect(error.code == .auth)
                #expect(error.message.contains(path))
                #expect(!allText(error).contains("sk-usual"))
            }
        }
    }

    @Test("format checks warn without failing, and never quote the key", arguments: [
        (Provider.anthropic, "sk-proj-wrongprovider0123456789", "sk-ant-"),
        (.openai, "not-an-openai-key-0123456789", "sk-"),
        (.gemini, "AIzaShort0123", "39"),
        (.gemini, "ya29.oauth-token-not-api-key-0123456", "AIza"),
        (.anthropic, "sk-ant-short", "long"),
        (.openai, "sk-proj-with space 0123456789", "spaces"),
    ])
    func formatWarnings(provider: Provider, key: String, mentions: String) throws {
        let resolver = try KeyFixture().resolver(environment: [provider.vibectlKeyVariable: key])
        let resolved = try #require(try resolver.key(for: provider))
        #expect(resolved.key == key.trimmingCharacters(in: .whitespaces))
        #expect(resolved.warnings.contains { $0.contains(mentions) }, "\(resolved.warnings)")
        for warning in resolved.warnings {
            #expect(!warning.contains(key), "a warning quotes the key")
            #expect(warning.contains(provider.vibectlKeyVariable), "a warning names where the key came from")
        }
    }

    @Test("an OpenAI-compatible endpoint accepts keys of any format")
    func customEndpointKeys() throws {
        let resolver = try KeyFixture().resolver(environment: [
            "VIBECTL_OPENAI_API_KEY": "gsk_groq0123456789abcdefghij", "OPENAI_BASE_URL": "https://api.groq.com/openai/v1",
        ])
        #expect(try resolver.key(for: .openai)?.warnings == [])
    }

    @Test("endpoints: config base_url, then the provider's variable, then the public endpoint")
    func endpointPrecedence() throws {
        let fixture = try KeyFixture()
        let environment = ["OPENAI_BASE_URL": "http://127.0.0.1:8000/v1/", "VIBECTL_OPENAI_API_KEY": "sk-test0123456789abcdefghij"]
        let fromEnvironment = try fixture.resolver(environment: environment)
        #expect(try fromEnvironment.baseURL(for: .openai) == ("http://127.0.0.1:8000/v1", "env OPENAI_BASE_URL"))
        #expect(try fromEnvironment.baseURL(for: .anthropic) == ("https://api.anthropic.com", "default"))
        let fromConfig = try fixture.resolver(environment: environment, config: ["providers.openai.base_url": "https://gateway.example.com/openai/"])
        #expect(try fromConfig.baseURL(for: .openai) == ("https://gateway.example.com/openai", "config providers.openai.base_url"))
        let endpoint = try fromConfig.endpoint(for: .openai)
        #expect(endpoint.endpoint == ProviderEndpoint(provider: .openai, baseURL: "https://gateway.example.com/openai", apiKey: "sk-test0123456789abcdefghij"))
        for provider in Provider.allCases {
            #expect(try KeyFixture().resolver(environment: [:]).baseURL(for: provider).url == provider.defaultBaseURL)
        }
    }

    @Test("OLLAMA_HOST may lack a scheme and a port", arguments: [
        ("127.0.0.1:11434", "http://127.0.0.1:11434"),
        ("gpu-box", "http://gpu-box:11434"),
        ("0.0.0.0:8080", "http://0.0.0.0:8080"),
        ("https://ollama.example.com/", "https://ollama.example.com"),
        ("http://10.0.0.5:11434", "http://10.0.0.5:11434"),
    ])
    func ollamaHost(value: String, expected: String) throws {
        let resolver = try KeyFixture().resolver(environment: ["OLLAMA_HOST": value])
        #expect(try resolver.baseURL(for: .ollama) == (expected, "env OLLAMA_HOST"))
    }

    @Test("a provider variable that is not an http(s) URL is an error naming it")
    func badVariable() throws {
        let resolver = try KeyFixture().resolver(environment: ["GEMINI_BASE_URL": "ftp://files.example.com"])
        do {
            _ = try resolver.baseURL(for: .gemini)
            Issue.record("accepted")
        } catch let error as VibectlError {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("GEMINI_BASE_URL"))
        }
    }

    @Test("the key never appears in errors, warnings, events, listings or results")
    func keyNeverShown() async throws {
        let key = testKeys["VIBECTL_ANTHROPIC_API_KEY"] ?? ""
        let fixture = try RouterFixture(
            [.status(401, body: "invalid x-api-key \(key)"), .status(401, body: "bad key \(key)")],
            overrides: ["llm.fallback_models": ["claude-sonnet-4"], "llm.max_retries": 0])
        let error = await expectError(.auth) { try await fixture.complete() }
        #expect(!allText(error).contains(key))
        #expect(!allText(error).contains("TESTKEY"))
        for event in fixture.events.all {
            #expect(!event.json().jsonString().contains("TESTKEY"))
        }
        let listing = try fixture.service.listModels().map { $0.json().jsonString() }.joined()
        #expect(!listing.contains("TESTKEY"))
        #expect(listing.contains("env VIBECTL_ANTHROPIC_API_KEY"))
        fixture.transport.add(.status(200, body: "[\"claude-3-7-sonnet-20250219\"]"))
        let check = try await fixture.service.check(model: nil)
        #expect(!check.jsonString().contains("TESTKEY"))
    }
}
