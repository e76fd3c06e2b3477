import Foundation
import Testing
import VibectlCore
@testable import VibectlStore

/// The defaults as documented in reference §3.2 and the issue, written out independently of the schema.
let documentedDefaults: [String: JSONValue] = [
    "core.kubeconfig": nil,
    "core.kubectl_command": "kubectl",
    "core.context": nil,
    "core.namespace": nil,
    "core.timeout_seconds": 300.0,
    "core.max_output_bytes": 67_108_864,
    "output.max_chars": 5000,
    "output.chars_per_token": 4.0,
    "display.theme": "default",
    "display.show_raw_output": false,
    "display.show_vibe": true,
    "display.show_kubectl": false,
    "display.show_memory": true,
    "display.show_iterations": true,
    "display.show_metrics": "none",
    "display.show_streaming": true,
    "llm.model": "claude-3.7-sonnet",
    "llm.max_retries": 2,
    "llm.retry_delay_seconds": 1.0,
    "llm.timeout_seconds": 60.0,
    "llm.fallback_models": [],
    "llm.prices": [:],
    "providers.openai.key": nil,
    "providers.openai.key_file": nil,
    "providers.openai.base_url": nil,
    "providers.anthropic.key": nil,
    "providers.anthropic.key_file": nil,
    "providers.anthropic.base_url": nil,
    "providers.ollama.key": nil,
    "providers.ollama.key_file": nil,
    "providers.ollama.base_url": nil,
    "providers.gemini.key": nil,
    "providers.gemini.key_file": nil,
    "providers.gemini.base_url": nil,
    "memory.enabled": true,
    "memory.max_chars": 500,
    "warnings.warn_no_output": true,
    "warnings.warn_no_proxy": true,
    "warnings.warn_sanitization": true,
    "live_display.max_lines": 20,
    "live_display.wrap_text": true,
    "live_display.stream_buffer_max_lines": 100_000,
    "live_display.default_filter_regex": nil,
    "live_display.save_dir": ".",
    "features.intelligent_apply": true,
    "features.intelligent_edit": true,
    "features.max_correction_retries": 1,
    "features.check_max_iterations": 10,
    "networking.intermediate_port_range": nil,
    "plugins.precedence": [],
    "proxy.timeout_seconds": 30,
    "proxy.retry_attempts": 3,
    "proxy.active": nil,
    "proxy.profiles": [:],
    "proxy.profiles.*": [:],
    "proxy.profiles.*.server_url": nil,
    "proxy.profiles.*.jwt_path": nil,
    "proxy.profiles.*.ca_bundle_path": nil,
    "proxy.profiles.*.timeout_seconds": nil,
    "proxy.profiles.*.retry_attempts": nil,
    "proxy.profiles.*.security.sanitize_requests": nil,
    "proxy.profiles.*.security.audit_logging": nil,
    "proxy.profiles.*.security.confirmation_mode": nil,
    "proxy.profiles.*.security.audit_log_path": nil,
    "proxy.profiles.*.security.warn_sanitization": nil,
    "security.confirmation_mode": "manual",
    "security.sanitize_requests": true,
    "security.audit_logging": true,
    "security.audit_log_path": nil,
    "security.warn_sanitization": true,
    "security.redact": true,
    "security.redact_patterns": [],
    "system.log_level": "WARNING",
    "system.custom_instructions": nil,
]

@Suite("Configuration schema")
struct SchemaTests {
    @Test("the schema has exactly the documented keys")
    func keySetMatchesDocumentation() {
        #expect(Set(ConfigSchema.keys.map(\.path)) == Set(documentedDefaults.keys))
        #expect(ConfigSchema.keys.count == documentedDefaults.count, "no key is listed twice")
    }

    @Test("sections are the original's plus output and security, in display order")
    func sections() {
        #expect(
            ConfigSchema.sections == [
                "core", "output", "display", "llm", "providers", "memory", "warnings", "live_display", "features",
                "networking", "plugins", "proxy", "system", "security",
            ])
        for key in ConfigSchema.keys {
            #expect(ConfigSchema.sections.contains(key.section), "\(key.path)")
        }
    }

    @Test("every key's default is the documented one, and a fresh store reports it with source default", arguments: ConfigSchema.keys.map(\.path))
    func defaultValue(path: String) throws {
        let expected = try #require(documentedDefaults[path], "no documented default for \(path)")
        let key = try #require(ConfigSchema.keys.first { $0.path == path })
        #expect(key.defaultValue == expected)
        #expect(!key.summary.isEmpty && key.summary.count >= 20, "\(path) needs a real one-line summary")
        #expect(!key.summary.contains("\n"))
        guard !path.contains("*") else { return }
        let config = try TempConfig()
        let entry = try config.store().get(path)
        #expect(entry.value == expected)
        #expect(entry.source == .default)
    }

    @Test("environment variable names follow VIBECTL_<SECTION>_<KEY>; secrets, maps and profile keys have none")
    func environmentNames() throws {
        #expect(try ConfigSchema.key("llm.model").envVar == "VIBECTL_LLM_MODEL")
        #expect(try ConfigSchema.key("live_display.max_lines").envVar == "VIBECTL_LIVE_DISPLAY_MAX_LINES")
        #expect(try ConfigSchema.key("providers.openai.key_file").envVar == "VIBECTL_PROVIDERS_OPENAI_KEY_FILE")
        #expect(try ConfigSchema.key("providers.openai.key").envVar == nil)
        #expect(try ConfigSchema.key("providers.gemini.key").envVar == nil)
        #expect(try ConfigSchema.key("providers.ollama.base_url").envVar == "VIBECTL_PROVIDERS_OLLAMA_BASE_URL")
        #expect(try ConfigSchema.key("llm.fallback_models").envVar == "VIBECTL_LLM_FALLBACK_MODELS")
        #expect(try ConfigSchema.key("llm.timeout_seconds").envVar == "VIBECTL_LLM_TIMEOUT_SECONDS")
        #expect(try ConfigSchema.key("llm.prices").envVar == nil)
        #expect(try ConfigSchema.key("proxy.profiles").envVar == nil)
        #expect(try ConfigSchema.key("proxy.profiles.prod.server_url").envVar == nil)
        let names = ConfigSchema.keys.compactMap(\.envVar)
        #expect(Set(names).count == names.count, "two keys share an environment variable")
    }

    @Test("enumerated keys list their valid values")
    func enums() throws {
        #expect(try ConfigSchema.key("display.theme").allowedValues == ["default", "dark", "light", "accessible"])
        #expect(try ConfigSchema.key("display.show_metrics").allowedValues == ["none", "total", "sub", "all"])
        #expect(try ConfigSchema.key("system.log_level").allowedValues == ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"])
        #expect(
            try ConfigSchema.key("security.confirmation_mode").allowedValues
                == ["manual", "semiauto", "auto", "none", "per-session", "per-command"])
        #expect(try ConfigSchema.key("proxy.timeout_seconds").range == 1...300)
        #expect(try ConfigSchema.key("proxy.retry_attempts").range == 0...10)
        #expect(try ConfigSchema.key("proxy.profiles.x.timeout_seconds").range == 1...300)
        #expect(try ConfigSchema.key("llm.timeout_seconds").range == 1...3600)
        #expect(try ConfigSchema.key("providers.gemini.key").isSecret)
    }

    @Test("a concrete profile key resolves to the profile schema with its own path")
    func profileKeyLookup() throws {
        let key = try ConfigSchema.key("proxy.profiles.prod.server_url")
        #expect(key.path == "proxy.profiles.prod.server_url")
        #expect(key.nullable)
        let security = try ConfigSchema.key("proxy.profiles.prod.security.confirmation_mode")
        #expect(security.allowedValues?.contains("per-session") == true)
        #expect(try ConfigSchema.key("proxy.profiles.prod").type == .map)
    }

    @Test("an unknown section lists the sections and suggests the nearest")
    func unknownSection() {
        let error = expectVibectlError(.notFound) { _ = try ConfigSchema.key("lm.model") }
        let message = error?.message ?? ""
        #expect(message.contains("'lm'"))
        #expect(message.contains("did you mean 'llm'?"))
        for section in ConfigSchema.sections {
            #expect(message.contains(section))
        }
    }

    @Test("an unknown key lists the section's keys and suggests the nearest")
    func unknownKey() {
        let error = expectVibectlError(.notFound) { _ = try ConfigSchema.key("llm.modle") }
        let message = error?.message ?? ""
        #expect(message.contains("did you mean 'llm.model'?"))
        #expect(message.contains("llm.max_retries"))
        #expect(message.contains("llm.retry_delay_seconds"))
        let profile = expectVibectlError(.notFound) { _ = try ConfigSchema.key("proxy.profiles.prod.server_ur") }
        #expect(profile?.message.contains("did you mean 'proxy.profiles.prod.server_url'?") == true)
    }

    @Test("a section name is not a key, and profile names are checked")
    func sectionIsNotAKey() {
        let error = expectVibectlError(.notFound) { _ = try ConfigSchema.key("memory") }
        #expect(error?.message.contains("memory.max_chars") == true)
        let badName = expectVibectlError(.invalidArgument) { _ = try ConfigSchema.key("proxy.profiles.a b.server_url") }
        #expect(badName?.message.contains("'a b'") == true)
    }

    @Test("the schema JSON describes every key")
    func schemaJSON() throws {
        let json = ConfigSchema.json()
        #expect(json.objectValue?["version"] == 1)
        #expect(json.objectValue?["sections"]?.arrayValue?.count == ConfigSchema.sections.count)
        let keys = try #require(json.objectValue?["keys"]?.arrayValue)
        #expect(keys.count == ConfigSchema.keys.count)
        let fields = ["key", "section", "type", "default", "nullable", "allowed_values", "min", "max", "secret", "env", "description"]
        for key in keys {
            #expect(Set(key.objectValue?.keys.map { $0 } ?? []) == Set(fields))
        }
        let maxChars = try #require(keys.first { $0.objectValue?["key"] == "memory.max_chars" }?.objectValue)
        #expect(maxChars["min"] == 1)
        #expect(maxChars["type"] == "int")
        #expect(maxChars["env"] == "VIBECTL_MEMORY_MAX_CHARS")
        let secret = try #require(keys.first { $0.objectValue?["key"] == "providers.openai.key" }?.objectValue)
        #expect(secret["secret"] == true)
        #expect(secret["env"] == .null)
    }
}

@Suite("Configuration paths")
struct ConfigPathsTests {
    @Test("explicit → VIBECTL_CONFIG_DIR → XDG_CONFIG_HOME/vibectl → HOME/.config/vibectl")
    func precedence() throws {
        let all = ["VIBECTL_CONFIG_DIR": "/env/dir", "XDG_CONFIG_HOME": "/xdg", "HOME": "/home/u"]
        #expect(try ConfigPaths.resolve(explicit: "/explicit", environment: all).configDir == "/explicit")
        #expect(try ConfigPaths.resolve(explicit: nil, environment: all).configDir == "/env/dir")
        var environment = all
        environment["VIBECTL_CONFIG_DIR"] = nil
        #expect(try ConfigPaths.resolve(explicit: nil, environment: environment).configDir == "/xdg/vibectl")
        environment["XDG_CONFIG_HOME"] = "relative/xdg"
        #expect(try ConfigPaths.resolve(explicit: nil, environment: environment).configDir == "/home/u/.config/vibectl")
        environment["XDG_CONFIG_HOME"] = nil
        let paths = try ConfigPaths.resolve(explicit: nil, environment: environment)
        #expect(paths.configDir == "/home/u/.config/vibectl")
        #expect(paths.configFile == "/home/u/.config/vibectl/client/config.yaml")
        #expect(paths.memoryFile == "/home/u/.config/vibectl/client/memory.json")
    }

    @Test("a relative directory is made absolute; trailing slashes are dropped")
    func relative() throws {
        let cwd = FileManager.default.currentDirectoryPath
        let paths = try ConfigPaths.resolve(explicit: "conf/", environment: [:])
        #expect(paths.configDir == (cwd == "/" ? "" : cwd) + "/conf")
    }

    @Test("nothing to resolve, or an empty explicit directory, is an invalid argument")
    func failures() {
        let none = expectVibectlError(.invalidArgument) { _ = try ConfigPaths.resolve(explicit: nil, environment: [:]) }
        #expect(none?.message.contains("HOME") == true)
        #expect(none?.hint?.contains("VIBECTL_CONFIG_DIR") == true)
        _ = expectVibectlError(.invalidArgument) { _ = try ConfigPaths.resolve(explicit: "", environment: ["HOME": "/h"]) }
    }
}
