import Foundation
import Synchronization
import Testing
import VibectlCore
@testable import VibectlStore

@Suite("Config store: values, coercion and errors")
struct ConfigValueTests {
    @Test("set and get round-trip every type, read back by a new store")
    func roundTripEveryType() throws {
        let config = try TempConfig()
        let store = try config.store()
        let cases: [(String, String, JSONValue)] = [
            ("llm.model", "gpt-4o", "gpt-4o"),
            ("display.show_kubectl", "yes", true),
            ("memory.max_chars", "42", 42),
            ("llm.retry_delay_seconds", "2.5", 2.5),
            ("plugins.precedence", "a, b ,c", ["a", "b", "c"]),
            ("core.kubeconfig", "/home/u/.kube/config", "/home/u/.kube/config"),
            ("proxy.profiles.prod.timeout_seconds", "60", 60),
        ]
        for (key, text, expected) in cases {
            let entry = try store.set(key, text: text)
            #expect(entry.value == expected, "\(key)")
            #expect(entry.source == .file)
        }
        let reader = try config.store()
        for (key, _, expected) in cases {
            #expect(try reader.get(key).value == expected, "\(key)")
            #expect(try reader.get(key).source == .file)
        }
    }

    @Test("bool words are accepted in any case", arguments: [
        ("true", true), ("TRUE", true), ("yes", true), ("On", true), ("1", true),
        ("false", false), ("No", false), ("off", false), ("0", false), (" FALSE ", false),
    ])
    func boolWords(text: String, expected: Bool) throws {
        let config = try TempConfig()
        #expect(try config.store().set("memory.enabled", text: text).value == .bool(expected))
    }

    @Test("lists come from JSON, comma-separated text or a single value")
    func lists() throws {
        let store = try TempConfig().store()
        #expect(try store.set("plugins.precedence", text: "[\"x, y\", \"z\"]").value == ["x, y", "z"])
        #expect(try store.set("plugins.precedence", text: "solo").value == ["solo"])
        #expect(try store.set("plugins.precedence", text: "").value == [])
        #expect(try store.set("plugins.precedence", json: ["p", "q"]).value == ["p", "q"])
        let error = expectVibectlError(.invalidArgument) { try store.set("plugins.precedence", json: [1, "q"]) }
        #expect(error?.message.contains("item 0") == true)
    }

    @Test("JSON values are typed: an integer is a valid float, a string is coerced like text")
    func jsonCoercion() throws {
        let store = try TempConfig().store()
        #expect(try store.set("llm.retry_delay_seconds", json: 3).value == .double(3))
        #expect(try store.set("memory.max_chars", json: "77").value == 77)
        #expect(try store.set("display.show_vibe", json: "off").value == false)
        let error = expectVibectlError(.invalidArgument) { try store.set("llm.model", json: 5) }
        #expect(error?.message.contains("expected a string") == true)
        let boolError = expectVibectlError(.invalidArgument) { try store.set("memory.max_chars", json: true) }
        #expect(boolError?.message.contains("memory.max_chars") == true)
    }

    @Test("null: nullable keys accept it; other keys say to use unset")
    func nulls() throws {
        let store = try TempConfig().store()
        try store.set("core.kubeconfig", text: "/k")
        #expect(try store.set("core.kubeconfig", text: "null").value == .null)
        #expect(try store.get("core.kubeconfig").source == .file)
        let error = expectVibectlError(.invalidArgument) { try store.set("display.theme", text: "null") }
        #expect(error?.message.contains("display.theme") == true)
        #expect(error?.hint?.contains("vibectl config unset display.theme") == true)
        _ = expectVibectlError(.invalidArgument) { try store.set("memory.max_chars", json: nil) }
    }

    @Test("a bad boolean names the key and the accepted words")
    func badBool() throws {
        let error = expectVibectlError(.invalidArgument) { try TempConfig().store().set("memory.enabled", text: "maybe") }
        let message = error?.message ?? ""
        #expect(message.contains("memory.enabled"))
        #expect(message.contains("'maybe'"))
        #expect(message.contains("true/false, yes/no, on/off or 1/0"))
    }

    @Test("a bad integer or float names the key and the expected form")
    func badNumbers() throws {
        let store = try TempConfig().store()
        let int = expectVibectlError(.invalidArgument) { try store.set("memory.max_chars", text: "lots") }
        #expect(int?.message.contains("memory.max_chars") == true)
        #expect(int?.message.contains("not an integer") == true)
        let float = expectVibectlError(.invalidArgument) { try store.set("llm.retry_delay_seconds", text: "soon") }
        #expect(float?.message.contains("llm.retry_delay_seconds") == true)
        #expect(float?.message.contains("not a number") == true)
    }

    @Test("a value out of range gives the range")
    func outOfRange() throws {
        let store = try TempConfig().store()
        let error = expectVibectlError(.invalidArgument) { try store.set("proxy.timeout_seconds", text: "301") }
        #expect(error?.message.contains("proxy.timeout_seconds") == true)
        #expect(error?.message.contains("between 1 and 300") == true)
        let retries = expectVibectlError(.invalidArgument) { try store.set("proxy.retry_attempts", json: -1) }
        #expect(retries?.message.contains("between 0 and 10") == true)
        let profile = expectVibectlError(.invalidArgument) { try store.set("proxy.profiles.p.timeout_seconds", text: "0") }
        #expect(profile?.message.contains("between 1 and 300") == true)
        let memory = expectVibectlError(.invalidArgument) { try store.set("memory.max_chars", text: "0") }
        #expect(memory?.message.contains("between 1 and") == true)
    }

    @Test("a bad enum value lists the valid values; a case-only difference is accepted")
    func enums() throws {
        let store = try TempConfig().store()
        let error = expectVibectlError(.invalidArgument) { try store.set("display.theme", text: "blue") }
        #expect(error?.message.contains("display.theme") == true)
        #expect(error?.message.contains("default, dark, light, accessible") == true)
        let mode = expectVibectlError(.invalidArgument) { try store.set("security.confirmation_mode", text: "semi-auto") }
        #expect(mode?.message.contains("did you mean 'semiauto'?") == true)
        #expect(try store.set("system.log_level", text: "debug").value == "DEBUG")
    }

    @Test("string checks: empty command, port range, regular expression, proxy URL")
    func stringChecks() throws {
        let store = try TempConfig().store()
        _ = expectVibectlError(.invalidArgument) { try store.set("core.kubectl_command", text: "") }
        #expect(try store.set("networking.intermediate_port_range", text: "10000-11000").value == "10000-11000")
        let range = expectVibectlError(.invalidArgument) { try store.set("networking.intermediate_port_range", text: "9-x") }
        #expect(range?.message.contains("LOW-HIGH") == true)
        _ = expectVibectlError(.invalidArgument) { try store.set("live_display.default_filter_regex", text: "(unclosed") }
        let url = expectVibectlError(.invalidArgument) { try store.set("proxy.profiles.p.server_url", text: "https://h") }
        #expect(url?.message.contains("vibectl-server://") == true)
    }

    @Test("unknown keys and sections are not found, with suggestions")
    func unknownKeys() throws {
        let store = try TempConfig().store()
        let key = expectVibectlError(.notFound) { try store.set("llm.modle", text: "x") }
        #expect(key?.message.contains("did you mean 'llm.model'?") == true)
        let section = expectVibectlError(.notFound) { _ = try store.get("dispaly.theme") }
        #expect(section?.message.contains("did you mean 'display'?") == true)
        #expect(section?.message.contains("live_display") == true)
        _ = expectVibectlError(.notFound) { try store.unset("nope.nope") }
    }

    @Test("reads create nothing on disk")
    func readsCreateNothing() throws {
        let config = try TempConfig()
        let store = try config.store()
        _ = try store.get("llm.model")
        _ = try store.show(nil)
        _ = try store.info()
        try store.unset("llm.model")
        #expect(!config.exists(config.paths.configDir))
    }
}

@Suite("Config store: precedence, environment and overrides")
struct ConfigPrecedenceTests {
    @Test("override > environment > file > default, with the source reported")
    func precedence() throws {
        let config = try TempConfig()
        #expect(try config.store().get("llm.model").source == .default)
        try config.store().set("llm.model", text: "from-file")
        let file = try config.store().get("llm.model")
        #expect(file.value == "from-file" && file.source == .file)
        let environment = ["VIBECTL_LLM_MODEL": "from-env"]
        let env = try config.store(environment: environment).get("llm.model")
        #expect(env.value == "from-env" && env.source == .env && env.envVar == "VIBECTL_LLM_MODEL")
        #expect(env.json().objectValue?["env_var"] == "VIBECTL_LLM_MODEL")
        let override = try config.store(environment: environment, overrides: ["llm.model": "from-override"]).get("llm.model")
        #expect(override.value == "from-override" && override.source == .override)
        #expect(override.json().objectValue?["env_var"] == nil)
    }

    @Test("legacy VIBECTL_MODEL and VIBECTL_LOG_LEVEL work; the specific variable wins")
    func legacyAliases() throws {
        let config = try TempConfig()
        let legacy = try config.store(environment: ["VIBECTL_MODEL": "old", "VIBECTL_LOG_LEVEL": "ERROR"])
        #expect(try legacy.get("llm.model").value == "old")
        #expect(try legacy.get("system.log_level").envVar == "VIBECTL_LOG_LEVEL")
        let warnings = try legacy.show(nil).objectValue?["warnings"]?.arrayValue ?? []
        #expect(warnings.contains { $0.stringValue?.contains("VIBECTL_SYSTEM_LOG_LEVEL") == true })
        let both = try config.store(environment: ["VIBECTL_MODEL": "old", "VIBECTL_LLM_MODEL": "new"])
        #expect(try both.get("llm.model").value == "new")
    }

    @Test("environment values are coerced like text")
    func environmentCoercion() throws {
        let store = try TempConfig().store(environment: [
            "VIBECTL_MEMORY_ENABLED": "off", "VIBECTL_LIVE_DISPLAY_MAX_LINES": "7", "VIBECTL_PLUGINS_PRECEDENCE": "a,b",
        ])
        #expect(try store.get("memory.enabled").value == false)
        #expect(try store.get("live_display.max_lines").value == 7)
        #expect(try store.get("plugins.precedence").value == ["a", "b"])
    }

    @Test("an invalid environment value is an error naming the variable, the key and what was expected")
    func invalidEnvironment() throws {
        let config = try TempConfig()
        let store = try config.store(environment: ["VIBECTL_MEMORY_MAX_CHARS": "lots"])
        let error = expectVibectlError(.invalidArgument) { _ = try store.get("memory.max_chars") }
        let message = error?.message ?? ""
        #expect(message.contains("VIBECTL_MEMORY_MAX_CHARS"))
        #expect(message.contains("memory.max_chars"))
        #expect(message.contains("integer"))
        _ = expectVibectlError(.invalidArgument) { _ = try store.show(nil) }
        _ = expectVibectlError(.invalidArgument) { try store.set("memory.max_chars", text: "10") }
        #expect(try store.get("llm.model").value == "claude-3.7-sonnet", "other keys still work")
        let theme = try config.store(environment: ["VIBECTL_DISPLAY_THEME": "neon"])
        let themeError = expectVibectlError(.invalidArgument) { _ = try theme.get("display.theme") }
        #expect(themeError?.message.contains("accessible") == true)
    }

    @Test("secrets have no environment variable")
    func noSecretEnvironment() throws {
        let store = try TempConfig().store(environment: ["VIBECTL_PROVIDERS_OPENAI_KEY": "sk-from-environment"])
        #expect(try store.value("providers.openai.key") == .null)
    }

    @Test("overrides are validated when the store is created")
    func overrideValidation() throws {
        let config = try TempConfig()
        let unknown = expectVibectlError(.notFound) { _ = try config.store(overrides: ["llm.modle": "x"]) }
        #expect(unknown?.message.contains("did you mean 'llm.model'?") == true)
        let bad = expectVibectlError(.invalidArgument) { _ = try config.store(overrides: ["memory.max_chars": "many"]) }
        #expect(bad?.message.contains("memory.max_chars") == true)
        #expect(try config.store(overrides: ["memory.max_chars": "12"]).get("memory.max_chars").value == 12)
    }

    @Test("set returns the effective entry, which an environment variable can still win")
    func setReportsEffectiveSource() throws {
        let store = try TempConfig().store(environment: ["VIBECTL_LLM_MODEL": "env-model"])
        let entry = try store.set("llm.model", text: "file-model")
        #expect(entry.source == .env)
        #expect(entry.value == "env-model")
    }
}

@Suite("Config store: the file")
struct ConfigFileTests {
    static let specialValues: [String] = [
        "he said \"hi\"", "it's", "a: b", "key: value # not a comment", "#hash", "trailing #",
        "line1\nline2\n", "  leading", "trailing  ", " ", "", "true", "false", "yes", "no", "on", "123", "-1", "1.5",
        "1e3", "0x10", "null", "~", "NULL", "2024-01-01", "<<", "=", "ünïcødé 日本語 🎉 👨‍👩‍👧‍👦", "- dash", "[x]",
        "{a: 1}", "*star", "&anchor", "!bang", "%percent", "@at", "`tick`", "tab\there", "back\\slash", "a\r\nb",
        "|", ">", "? q", "...", "---", String(repeating: "long words ", count: 60), "\u{7}bell", "mid\u{FEFF}bom",
    ]

    @Test("special values round-trip exactly through the file", arguments: specialValues)
    func specialValue(_ value: String) throws {
        let config = try TempConfig()
        try config.store().set("system.custom_instructions", json: .string(value))
        try config.store().set("llm.model", text: "x" + value)
        let reader = try config.store()
        #expect(try reader.get("system.custom_instructions").value == .string(value))
        #expect(try reader.get("system.custom_instructions").source == .file)
        #expect(try reader.get("llm.model").value == .string("x" + value))
    }

    @Test("values YAML cannot hold are refused: NUL, a leading byte order mark")
    func unrepresentable() throws {
        let store = try TempConfig().store()
        _ = expectVibectlError(.invalidArgument) { try store.set("llm.model", json: "a\u{0}b") }
        let bom = expectVibectlError(.invalidArgument) { try store.set("llm.model", json: "\u{FEFF}model") }
        #expect(bom?.message.contains("U+FEFF") == true)
    }

    @Test("the file is YAML nested by section, in schema order, holding only what was set")
    func layout() throws {
        let config = try TempConfig()
        let store = try config.store()
        try store.set("display.theme", text: "dark")
        try store.set("core.kubeconfig", text: "/k")
        try store.set("providers.openai.key_file", text: "/keys/openai")
        #expect(try config.configText() == "core:\n  kubeconfig: /k\ndisplay:\n  theme: dark\nproviders:\n  openai:\n    key_file: /keys/openai\n")
        try store.unset("display.theme")
        try store.unset("providers.openai.key_file")
        #expect(try config.configText() == "core:\n  kubeconfig: /k\n")
    }

    @Test("the file and its directory are private (0600, 0700)")
    func modes() throws {
        let config = try TempConfig()
        try config.store().set("llm.model", text: "m")
        #expect(try config.mode(config.paths.configFile) == 0o600)
        #expect(try config.mode(config.paths.clientDir) == 0o700)
        let info = try config.store().info()
        #expect(info.objectValue?["mode"] == "0600")
    }

    @Test("a temporary file left by a writer that died is removed by the next write")
    func staleTemporary() throws {
        let config = try TempConfig()
        try config.writeConfig("llm:\n  model: m\n")
        let stale = config.paths.clientDir + "/.config.yaml.tmp.99999.dead"
        try Data("half a fi".utf8).write(to: URL(fileURLWithPath: stale))
        #expect(try config.store().get("llm.model").value == "m", "readers ignore it")
        try config.store().set("llm.model", text: "n")
        #expect(!config.exists(stale))
        #expect(try config.store().get("llm.model").value == "n")
    }

    @Test("info describes the file")
    func info() throws {
        let config = try TempConfig()
        let missing = try config.store().info()
        #expect(missing.objectValue?["exists"] == false)
        #expect(missing.objectValue?["size"] == 0)
        #expect(missing.objectValue?["modified"] == .null)
        #expect(missing.objectValue?["path"] == .string(config.paths.configFile))
        #expect(missing.objectValue?["memory_path"] == .string(config.paths.memoryFile))
        #expect(missing.objectValue?["config_dir"] == .string(config.paths.configDir))
        try config.store().set("llm.model", text: "m")
        let present = try config.store().info()
        #expect(present.objectValue?["exists"] == true)
        #expect(present.objectValue?["size"] == .int(try config.configBytes().count))
        let modified = try #require(present.objectValue?["modified"]?.stringValue)
        #expect(modified.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) != nil)
    }

    @Test("a YAML syntax error names the file and line, and set leaves the file untouched")
    func syntaxError() throws {
        let config = try TempConfig()
        try config.writeConfig("llm:\n  model: gpt\n  max_retries: [1, 2\ndisplay:\n  theme: dark\n")
        let before = try config.configBytes()
        let store = try config.store()
        let error = expectVibectlError(.config) { _ = try store.get("llm.model") }
        #expect(error?.message.contains(config.paths.configFile) == true)
        #expect(error?.message.contains("line ") == true)
        #expect(error?.hint?.contains("never overwrites") == true)
        _ = expectVibectlError(.config) { try store.set("display.theme", text: "light") }
        _ = expectVibectlError(.config) { try store.unset("display.theme") }
        #expect(try config.configBytes() == before)
    }

    @Test("a top level that is not a mapping, or a section that is not, is corrupt", arguments: [
        ("- a\n- b\n", 1), ("just text\n", 1), ("core:\n  kubeconfig: /k\nllm: 5\n", 3), ("display: [dark]\n", 1),
    ])
    func structure(text: String, line: Int) throws {
        let config = try TempConfig()
        try config.writeConfig(text)
        let store = try config.store()
        let error = expectVibectlError(.config) { _ = try store.show(nil) }
        #expect(error?.message.contains("line \(line)") == true)
        #expect(error?.message.contains(config.paths.configFile) == true)
        _ = expectVibectlError(.config) { try store.set("llm.model", text: "m") }
        #expect(try config.configText() == text)
    }

    @Test("a file that is not UTF-8 is corrupt and left untouched")
    func notUTF8() throws {
        let config = try TempConfig()
        try config.writeConfig("")
        let bytes = Data([0x6C, 0x6C, 0x6D, 0x3A, 0x0A, 0x20, 0x20, 0xFF, 0xFE, 0x0A])
        try bytes.write(to: URL(fileURLWithPath: config.paths.configFile))
        let error = expectVibectlError(.config) { _ = try config.store().get("llm.model") }
        #expect(error?.message.contains("UTF-8") == true)
        _ = expectVibectlError(.config) { try config.store().set("llm.model", text: "m") }
        #expect(try config.configBytes() == bytes)
    }

    @Test("a value of the wrong type is corrupt; unset (or set) of that key repairs it, other writes refuse")
    func wrongType() throws {
        let config = try TempConfig()
        let text = "llm:\n  model: gpt\nmemory:\n  max_chars: lots\n  enabled: false\n"
        try config.writeConfig(text)
        let store = try config.store()
        let error = expectVibectlError(.config) { _ = try store.get("llm.model") }
        #expect(error?.message.contains("memory.max_chars") == true)
        #expect(error?.message.contains("line 4") == true)
        #expect(error?.message.contains(config.paths.configFile) == true)
        #expect(error?.hint?.contains("vibectl config unset memory.max_chars") == true)
        _ = expectVibectlError(.config) { try store.set("llm.model", text: "other") }
        #expect(try config.configText() == text)
        try store.unset("memory.max_chars")
        #expect(try store.get("memory.max_chars").value == 500)
        #expect(try store.get("memory.enabled").value == false)
        try config.writeConfig("display:\n  theme: neon\n")
        try store.set("display.theme", text: "light")
        #expect(try store.get("display.theme").value == "light")
    }

    @Test("an empty file, or one with only comments, means defaults")
    func emptyFile() throws {
        let config = try TempConfig()
        try config.writeConfig("# nothing here\n")
        #expect(try config.store().get("llm.model").source == .default)
        try config.writeConfig("")
        try config.store().set("llm.model", text: "m")
        #expect(try config.store().get("llm.model").value == "m")
    }

    @Test("unknown keys are kept on write and reported with their line, never applied")
    func unknownKeysPreserved() throws {
        let config = try TempConfig()
        try config.writeConfig("llm:\n  modle: typo-value\n  model: real\nfoo:\n  bar: [1, 2]\nintelligent_apply: false\n")
        let store = try config.store()
        #expect(try store.get("llm.model").value == "real")
        let warnings = try store.show(nil).objectValue?["warnings"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let typo = warnings.first { $0.contains("llm.modle") }
        #expect(typo?.contains("line 2") == true)
        #expect(typo?.contains("did you mean 'llm.model'?") == true)
        #expect(warnings.contains { $0.contains("'foo'") && $0.contains("line 4") })
        #expect(warnings.contains { $0.contains("intelligent_apply") })
        let section = try store.show("llm").objectValue?["warnings"]?.arrayValue ?? []
        #expect(section.count == 1)
        try store.set("display.theme", text: "dark")
        let text = try config.configText()
        #expect(text.contains("modle: typo-value"))
        #expect(text.contains("foo:"))
        #expect(text.contains("intelligent_apply: false"))
        let reread = try config.store()
        #expect(try reread.get("display.theme").value == "dark")
        #expect(try reread.get("features.intelligent_apply").value == true, "the legacy top-level key is not applied")
        #expect((try reread.show(nil).objectValue?["warnings"]?.arrayValue?.count ?? 0) == 3)
    }

    @Test("a value another process wrote is seen by the next call")
    func rereads() throws {
        let config = try TempConfig()
        let store = try config.store()
        #expect(try store.get("llm.model").source == .default)
        try config.writeConfig("llm:\n  model: elsewhere\n")
        #expect(try store.get("llm.model").value == "elsewhere")
    }

    @Test("a writer waits for the lock and gives up with .locked naming the lock file")
    func lockTimeout() throws {
        let config = try TempConfig()
        try config.store().set("llm.model", text: "m")
        let lockPath = config.paths.clientDir + "/.config.yaml.lock"
        let fd = open(lockPath, O_RDWR | O_CREAT, 0o600)
        try #require(fd >= 0)
        defer { close(fd) }
        try #require(flock(fd, LOCK_EX) == 0)
        let store = try config.store(lockTimeout: 0.2)
        let error = expectVibectlError(.locked) { try store.set("llm.model", text: "n") }
        #expect(error?.message.contains(lockPath) == true)
        flock(fd, LOCK_UN)
        try store.set("llm.model", text: "n")
        #expect(try store.get("llm.model").value == "n")
    }

    @Test("8 threads × 50 sets on 8 keys through separate stores lose no update")
    func concurrentWriters() throws {
        let config = try TempConfig()
        let keys = [
            "memory.max_chars", "live_display.max_lines", "live_display.stream_buffer_max_lines", "proxy.timeout_seconds",
            "features.check_max_iterations", "llm.model", "core.kubeconfig", "system.custom_instructions",
        ]
        let failures = Mutex<[String]>([])
        let group = DispatchGroup()
        for key in keys {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                do {
                    let store = try config.store()
                    for value in 1...50 {
                        try store.set(key, text: String(value))
                    }
                } catch {
                    failures.withLock { $0.append("\(key): \(error)") }
                }
            }
            thread.start()
        }
        #expect(group.wait(timeout: .now() + 120) == .success)
        #expect(failures.withLock { $0 }.isEmpty)
        let reader = try config.store()
        for key in keys {
            let value = try reader.get(key).value
            #expect(value == 50 || value == "50", "\(key) holds \(value)")
        }
    }
}

@Suite("Config store: secrets, profiles and show")
struct ConfigShowTests {
    @Test("secrets are masked in get and show, unmasked in value()")
    func secrets() throws {
        let config = try TempConfig()
        let store = try config.store()
        let set = try store.set("providers.openai.key", text: "sk-abcdefgh1234")
        #expect(set.value == "****1234" && set.masked)
        let entry = try config.store().get("providers.openai.key")
        #expect(entry.value == "****1234")
        #expect(entry.masked)
        #expect(entry.json().objectValue?["masked"] == true)
        #expect(try store.value("providers.openai.key") == "sk-abcdefgh1234")
        try store.set("providers.anthropic.key", text: "short")
        #expect(try store.get("providers.anthropic.key").value == "****")
        let all = try store.show(nil)
        let providers = all.objectValue?["values"]?.objectValue?["providers"]?.objectValue
        #expect(providers?["openai"]?.objectValue?["key"] == "****1234")
        #expect(providers?["anthropic"]?.objectValue?["key"] == "****")
        #expect(try store.show("providers").objectValue?["values"]?.objectValue?["openai"]?.objectValue?["key"] == "****1234")
        #expect(try store.show("providers.openai.key").objectValue?["value"] == "****1234")
        #expect(!all.jsonString().contains("abcdefgh"))
        #expect(try store.get("providers.ollama.key").masked == false, "an unset secret is null, not masked")
    }

    @Test("proxy profiles: set keys one by one, show them, delete a profile")
    func profiles() throws {
        let config = try TempConfig()
        let store = try config.store()
        try store.set("proxy.profiles.prod.server_url", text: "vibectl-server://token@proxy.example.com:50051")
        try store.set("proxy.profiles.prod.timeout_seconds", text: "60")
        try store.set("proxy.profiles.prod.security.confirmation_mode", text: "per-session")
        try store.set("proxy.profiles.dev.server_url", text: "vibectl-server-insecure://localhost")
        try store.set("proxy.active", text: "prod")
        let reader = try config.store()
        let proxy = try reader.show("proxy")
        let prod = proxy.objectValue?["values"]?.objectValue?["profiles"]?.objectValue?["prod"]?.objectValue
        #expect(prod?["server_url"] == "vibectl-server://token@proxy.example.com:50051")
        #expect(prod?["timeout_seconds"] == 60)
        #expect(prod?["jwt_path"] == .null)
        #expect(prod?["security"]?.objectValue?["confirmation_mode"] == "per-session")
        #expect(prod?["security"]?.objectValue?["audit_logging"] == .null)
        #expect(proxy.objectValue?["sources"]?.objectValue?["proxy.profiles.prod.timeout_seconds"] == "file")
        #expect(proxy.objectValue?["sources"]?.objectValue?["proxy.profiles.prod.jwt_path"] == "default")
        #expect(proxy.objectValue?["warnings"]?.arrayValue == [])
        #expect(try reader.get("proxy.profiles.prod.timeout_seconds").value == 60)
        #expect(try reader.get("proxy.profiles.prod.retry_attempts").value == .null)
        #expect(try reader.get("proxy.profiles.dev").value.objectValue?["server_url"] == "vibectl-server-insecure://localhost")
        #expect(try reader.value("proxy.profiles").objectValue?.keys.sorted() == ["dev", "prod"])
        try reader.unset("proxy.profiles.prod")
        let missing = expectVibectlError(.notFound) { _ = try reader.get("proxy.profiles.prod") }
        #expect(missing?.message.contains("dev") == true)
        let warnings = try reader.show("proxy").objectValue?["warnings"]?.arrayValue ?? []
        #expect(warnings.contains { $0.stringValue?.contains("'prod'") == true }, "proxy.active names a missing profile")
    }

    @Test("unsetting a profile's last key keeps the (empty) profile")
    func emptyProfileStays() throws {
        let config = try TempConfig()
        let store = try config.store()
        try store.set("proxy.profiles.p.jwt_path", text: "/jwt")
        try store.unset("proxy.profiles.p.jwt_path")
        #expect(try store.value("proxy.profiles").objectValue?.keys.sorted() == ["p"])
        try store.unset("proxy.profiles.p")
        #expect(try store.value("proxy.profiles") == [:])
        #expect(try config.configText() == "")
    }

    @Test("a whole profile or the profiles map can be set as JSON and validated")
    func profileJSON() throws {
        let store = try TempConfig().store()
        try store.set("proxy.profiles.a", json: ["server_url": "vibectl-server://a", "security": ["audit_logging": false]])
        #expect(try store.get("proxy.profiles.a.security.audit_logging").value == false)
        try store.set("proxy.profiles", text: "{\"b\": {\"retry_attempts\": 2}}")
        #expect(try store.value("proxy.profiles").objectValue?.keys.sorted() == ["b"])
        let unknown = expectVibectlError(.notFound) { try store.set("proxy.profiles.c", json: ["server_ur": "x"]) }
        #expect(unknown?.message.contains("did you mean 'server_url'?") == true)
        _ = expectVibectlError(.invalidArgument) { try store.set("proxy.profiles", json: ["bad name": [:]]) }
    }

    @Test("overrides of profiles apply on top of the file")
    func profileOverrides() throws {
        let config = try TempConfig()
        try config.store().set("proxy.profiles.prod.server_url", text: "vibectl-server://file")
        let store = try config.store(overrides: ["proxy.profiles.prod.timeout_seconds": 5])
        let entry = try store.get("proxy.profiles.prod.timeout_seconds")
        #expect(entry.value == 5 && entry.source == .override)
        #expect(try store.get("proxy.profiles.prod.server_url").source == .file)
        #expect(try store.get("proxy.profiles").source == .override)
    }

    @Test("show covers all, a section or a key, with sources")
    func showScopes() throws {
        let config = try TempConfig()
        try config.store().set("llm.model", text: "m")
        let store = try config.store(overrides: ["display.theme": "dark"])
        let all = try store.show(nil)
        #expect(all.objectValue?["scope"] == "all")
        #expect(all.objectValue?["version"] == 1)
        #expect(all.objectValue?["values"]?.objectValue?.keys.sorted() == ConfigSchema.sections.sorted())
        #expect(all.objectValue?["sources"]?.objectValue?["llm.model"] == "file")
        #expect(all.objectValue?["sources"]?.objectValue?["display.theme"] == "override")
        #expect(all.objectValue?["sources"]?.objectValue?["core.kubeconfig"] == "default")
        #expect(try store.show("") == all)
        let section = try store.show("llm")
        #expect(section.objectValue?["scope"] == "section")
        #expect(section.objectValue?["section"] == "llm")
        #expect(
            section.objectValue?["values"]
                == [
                    "model": "m", "max_retries": 2, "retry_delay_seconds": 1.0, "timeout_seconds": 60.0,
                    "fallback_models": [], "prices": [:],
                ])
        let key = try store.show("display.theme")
        #expect(key == ["version": 1, "scope": "key", "key": "display.theme", "value": "dark", "source": "override", "warnings": []])
        let unknown = expectVibectlError(.notFound) { _ = try store.show("lm") }
        #expect(unknown?.message.contains("did you mean 'llm'?") == true)
    }
}

@Suite("Config store: model layer keys")
struct ModelKeyTests {
    @Test("provider endpoints accept http and https URLs and refuse anything else", arguments: [
        ("https://api.openai.com/v1", true), ("http://127.0.0.1:8080/v1", true), ("HTTP://gateway.local", true),
        ("ftp://host", false), ("127.0.0.1:11434", false), ("https://", false), ("not a url", false),
        ("http://host:99999", false),
    ])
    func baseURL(text: String, valid: Bool) throws {
        let store = try TempConfig().store()
        if valid {
            try store.set("providers.openai.base_url", text: text)
            #expect(try store.value("providers.openai.base_url") == .string(text))
        } else {
            let error = expectVibectlError(.invalidArgument) { try store.set("providers.openai.base_url", text: text) }
            #expect(error?.message.contains("providers.openai.base_url") == true)
        }
    }

    @Test("an invalid endpoint variable names the variable")
    func baseURLFromEnvironment() throws {
        let config = try TempConfig()
        let good = try config.store(environment: ["VIBECTL_PROVIDERS_GEMINI_BASE_URL": "http://127.0.0.1:9/v1beta"])
        #expect(try good.get("providers.gemini.base_url").source == .env)
        let bad = try config.store(environment: ["VIBECTL_PROVIDERS_GEMINI_BASE_URL": "gopher://x"])
        let error = expectVibectlError(.invalidArgument) { _ = try bad.get("providers.gemini.base_url") }
        #expect(error?.message.contains("VIBECTL_PROVIDERS_GEMINI_BASE_URL") == true)
    }

    @Test("fallback models are a list, from comma-separated text or JSON")
    func fallbackModels() throws {
        let config = try TempConfig()
        let store = try config.store()
        try store.set("llm.fallback_models", text: "gpt-4o, ollama:llama3.2")
        #expect(try config.store().value("llm.fallback_models") == ["gpt-4o", "ollama:llama3.2"])
        let fromEnvironment = try config.store(environment: ["VIBECTL_LLM_FALLBACK_MODELS": "[\"gemini-2.5-flash\"]"])
        #expect(try fromEnvironment.value("llm.fallback_models") == ["gemini-2.5-flash"])
    }

    @Test("the per-attempt timeout is a float from 1 to 3600")
    func timeout() throws {
        let store = try TempConfig().store()
        try store.set("llm.timeout_seconds", text: "2.5")
        #expect(try store.value("llm.timeout_seconds") == 2.5)
        let error = expectVibectlError(.invalidArgument) { try store.set("llm.timeout_seconds", text: "0.5") }
        #expect(error?.message.contains("between 1 and 3600") == true)
    }

    @Test("prices are set as JSON text, stored as numbers and read back from the file")
    func prices() throws {
        let config = try TempConfig()
        let store = try config.store()
        try store.set("llm.prices", text: #"{"openai:gpt-4.1": {"input": 2, "output": 8}, "gpt-4o": {"input": 2.5, "output": 10}}"#)
        let reread = try config.store()
        #expect(
            try reread.value("llm.prices")
                == ["openai:gpt-4.1": ["input": 2.0, "output": 8.0], "gpt-4o": ["input": 2.5, "output": 10.0]])
        #expect(try reread.get("llm.prices").source == .file)
        #expect(try reread.show("llm").objectValue?["values"]?.objectValue?["prices"]?.objectValue?["gpt-4o"] == ["input": 2.5, "output": 10.0])
        try reread.set("llm.model", text: "gpt-4o")
        #expect(try config.store().value("llm.prices").objectValue?.count == 2, "another write keeps the prices")
        try reread.unset("llm.prices")
        #expect(try config.store().value("llm.prices") == [:])
    }

    @Test("prices written by hand in YAML are read and validated")
    func pricesInFile() throws {
        let config = try TempConfig()
        try config.writeConfig("llm:\n  prices:\n    \"ollama:llama3.2\":\n      input: 0\n      output: 0.5\n")
        #expect(try config.store().value("llm.prices") == ["ollama:llama3.2": ["input": 0.0, "output": 0.5]])
        try config.writeConfig("llm:\n  prices:\n    m:\n      input: cheap\n      output: 1\n")
        let error = expectVibectlError(.config) { _ = try config.store().value("llm.model") }
        #expect(error?.message.contains("llm.prices") == true)
        #expect(error?.message.contains("must be a number") == true)
    }

    @Test("invalid prices are refused with the expected shape", arguments: [
        #"{"m": {"input": 1}}"#, #"{"m": {"input": 1, "output": -2}}"#, #"{"m": {"input": 1, "output": 2, "cached": 1}}"#,
        #"{"m": 3}"#, #"{"": {"input": 1, "output": 1}}"#, #"{"m": {"input": "1", "output": 1}}"#, "[1]", "cheap",
    ])
    func invalidPrices(text: String) throws {
        let store = try TempConfig().store()
        let error = expectVibectlError(.invalidArgument) { try store.set("llm.prices", text: text) }
        #expect(error?.message.contains("llm.prices") == true)
        #expect(error?.message.contains("price") == true, "the message says what a price must be")
    }

    @Test("a gemini key is a masked secret")
    func geminiSecret() throws {
        let store = try TempConfig().store()
        try store.set("providers.gemini.key", text: "AIzaSyExampleExampleExample1234")
        #expect(try store.get("providers.gemini.key").value == "****1234")
        #expect(!(try store.show(nil).jsonString().contains("AIzaSyExample")))
    }
}

@Suite("Output and redaction keys")
struct OutputAndRedactionKeyTests {
    @Test("redact_patterns accepts regular expressions and names the item that does not compile")
    func redactPatterns() throws {
        let temp = try TempConfig()
        let store = try temp.store()
        try store.set("security.redact_patterns", text: #"["acme-[0-9]{6}", "internal_[a-z]+"]"#)
        #expect(try store.value("security.redact_patterns") == ["acme-[0-9]{6}", "internal_[a-z]+"])
        let error = #expect(throws: VibectlError.self) { try store.set("security.redact_patterns", text: #"["ok", "(unclosed"]"#) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("item 1") == true, "\(String(describing: error))")
        #expect(try store.value("security.redact_patterns") == ["acme-[0-9]{6}", "internal_[a-z]+"], "a bad list is not saved")
    }
}
