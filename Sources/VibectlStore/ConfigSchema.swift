import Foundation
import VibectlCore

/// The configuration schema: every section and key vibectl knows, in display order.
public enum ConfigSchema {
    /// The path of the proxy profiles map.
    static let profilesPath = "proxy.profiles"
    /// The top-level key where vibectl 0.11 kept the memory text.
    static let legacyMemoryKey = "memory_content"
    /// The providers whose API keys and endpoints can be configured.
    static let providers = ["openai", "anthropic", "ollama", "gemini"]
    /// The path of the model price map.
    static let pricesPath = "llm.prices"
    /// The confirmation modes accepted by `security.confirmation_mode` and profiles.
    static let confirmationModes = ["manual", "semiauto", "auto", "none", "per-session", "per-command"]

    /// The sections, in display order.
    public static let sections: [String] = [
        "core", "output", "display", "llm", "providers", "memory", "warnings", "live_display", "features",
        "networking", "plugins", "proxy", "system", "security",
    ]

    /// Every key, in display order; keys inside a proxy profile use `*` for the profile name.
    public static let keys: [ConfigKey] = {
        var keys: [ConfigKey] = [
            ConfigKey(
                "core.kubeconfig", .string, .null, nullable: true,
                "Path of the kubeconfig file passed to kubectl as --kubeconfig; null lets kubectl use its own default."),
            ConfigKey(
                "core.kubectl_command", .string, "kubectl", check: .nonEmpty,
                "The kubectl program to run: a name looked up in PATH, or a path."),
            ConfigKey(
                "core.context", .string, .null, nullable: true,
                "kubeconfig context passed to kubectl as --context; null uses the kubeconfig's current context."),
            ConfigKey(
                "core.namespace", .string, .null, nullable: true,
                "Namespace passed to kubectl as --namespace; null uses the context's namespace."),
            ConfigKey(
                "core.timeout_seconds", .float, 300.0, range: 0...86_400,
                "Seconds a captured kubectl command may run before it is stopped (SIGTERM, then SIGKILL); 0 means no limit."),
            ConfigKey(
                "core.max_output_bytes", .int, 67_108_864, range: 65_536...17_179_869_184,
                "Bytes of kubectl output held in memory per stream; the rest goes to a temporary file and is marked as cut."),

            ConfigKey(
                "output.max_chars", .int, 5000, range: 200...10_000_000,
                "Characters of compacted command output a model is sent (summaries, recovery, check)."),
            ConfigKey(
                "output.chars_per_token", .float, 4.0, range: 1...16,
                "Characters per token used to show budgets and sizes as estimated tokens."),

            ConfigKey(
                "display.theme", .string, "default", allowed: ["default", "dark", "light", "accessible"],
                "Colour theme of terminal output."),
            ConfigKey("display.show_raw_output", .bool, false, "Print kubectl's raw output as well as the summary."),
            ConfigKey("display.show_vibe", .bool, true, "Print the model's summary of each command's output."),
            ConfigKey("display.show_kubectl", .bool, false, "Print each kubectl command before it runs."),
            ConfigKey("display.show_memory", .bool, true, "Print the memory after it changes."),
            ConfigKey("display.show_iterations", .bool, true, "Print the iteration counter in auto and semiauto loops."),
            ConfigKey(
                "display.show_metrics", .string, "none", allowed: ["none", "total", "sub", "all"],
                "Which model token and latency figures to print: none, total, per sub-call (sub) or all."),
            ConfigKey("display.show_streaming", .bool, true, "Stream the model's reply to the terminal as it arrives."),

            ConfigKey(
                "llm.model", .string, "claude-3.7-sonnet", check: .nonEmpty,
                "Model used for planning, summaries and memory updates."),
            ConfigKey("llm.max_retries", .int, 2, range: 0...10, "How many times a failed model call is retried."),
            ConfigKey(
                "llm.retry_delay_seconds", .float, 1.0, range: 0...300,
                "Seconds to wait before retrying a failed model call."),
            ConfigKey(
                "llm.timeout_seconds", .float, 60.0, range: 1...3600,
                "Seconds one model call attempt may wait for the reply to start, and between streamed chunks."),
            ConfigKey(
                "llm.fallback_models", .list, [],
                "Models tried in order when llm.model is unknown to its provider, has no key or keeps failing."),
            ConfigKey(
                pricesPath, .map, [:], check: .priceTable,
                "Model prices in USD per million tokens, {\"MODEL\": {\"input\": N, \"output\": N}}; they extend the built-in table."),
        ]
        let providerNames = ["openai": "OpenAI", "anthropic": "Anthropic", "ollama": "Ollama", "gemini": "Gemini"]
        for provider in providers {
            let name = providerNames[provider] ?? provider
            keys.append(
                ConfigKey(
                    "providers.\(provider).key", .string, .null, nullable: true, secret: true,
                    "\(name) API key (a secret: masked in every output)."))
            keys.append(
                ConfigKey(
                    "providers.\(provider).key_file", .string, .null, nullable: true,
                    "File holding the \(name) API key, used when providers.\(provider).key is not set."))
            keys.append(
                ConfigKey(
                    "providers.\(provider).base_url", .string, .null, nullable: true, check: .httpURL,
                    "\(name) API endpoint (an http:// or https:// URL); null uses the environment or the public endpoint."))
        }
        keys += [
            ConfigKey(
                "memory.enabled", .bool, true,
                "Update the memory automatically after each command; false freezes it."),
            ConfigKey(
                "memory.max_chars", .int, 500, range: 1...1_000_000,
                "Maximum length of the memory in characters; longer text is cut."),

            ConfigKey("warnings.warn_no_output", .bool, true, "Warn when a command prints nothing and no output is shown."),
            ConfigKey(
                "warnings.warn_no_proxy", .bool, true,
                "Warn when port-forward traffic cannot be monitored because networking.intermediate_port_range is unset."),
            ConfigKey(
                "warnings.warn_sanitization", .bool, true,
                "Warn when request sanitisation is turned off for the active proxy profile."),

            ConfigKey(
                "live_display.max_lines", .int, 20, range: 1...10_000,
                "Lines of output shown in the live display of watch and follow commands."),
            ConfigKey("live_display.wrap_text", .bool, true, "Wrap long lines in the live display instead of cutting them."),
            ConfigKey(
                "live_display.stream_buffer_max_lines", .int, 100_000, range: 1...10_000_000,
                "Lines of streamed output kept for the live display; older lines are dropped."),
            ConfigKey(
                "live_display.default_filter_regex", .string, .null, nullable: true, check: .regex,
                "Regular expression that filters live output by default; null shows every line."),
            ConfigKey("live_display.save_dir", .string, ".", check: .nonEmpty, "Directory where live output is saved."),

            ConfigKey(
                "features.intelligent_apply", .bool, true,
                "Let the model complete and correct manifests before kubectl apply."),
            ConfigKey(
                "features.intelligent_edit", .bool, true,
                "Let edit take a plain-English change and turn it into an edited resource."),
            ConfigKey(
                "features.max_correction_retries", .int, 1, range: 0...10,
                "How many times the model may correct a command or manifest that failed."),
            ConfigKey(
                "features.check_max_iterations", .int, 10, range: 1...100,
                "Maximum planning iterations of vibectl check before it gives up."),

            ConfigKey(
                "networking.intermediate_port_range", .string, .null, nullable: true, check: .portRange,
                "Local port range LOW-HIGH for the port-forward traffic monitor; null turns the monitor off."),

            ConfigKey(
                "plugins.precedence", .list, [],
                "Plugin names in the order their prompt overrides win; plugins not listed come after."),

            ConfigKey(
                "proxy.timeout_seconds", .int, 30, range: 1...300,
                "Seconds before a request to the LLM proxy server times out."),
            ConfigKey(
                "proxy.retry_attempts", .int, 3, range: 0...10,
                "How many times a failed request to the LLM proxy server is retried."),
            ConfigKey(
                "proxy.active", .string, .null, nullable: true, check: .profileName,
                "Name of the proxy profile in use; null calls model providers directly."),
            ConfigKey(
                "proxy.profiles", .map, [:],
                "Named LLM proxy server profiles; set their keys as proxy.profiles.NAME.KEY."),
            ConfigKey(
                "proxy.profiles.*", .map, [:],
                "One proxy profile: an object of the proxy.profiles.*.* keys below; unset it to delete the profile."),
            ConfigKey(
                "proxy.profiles.*.server_url", .string, .null, nullable: true, check: .proxyURL,
                "Server URL: vibectl-server://[JWT@]HOST[:PORT] (TLS) or vibectl-server-insecure://... (plaintext)."),
            ConfigKey(
                "proxy.profiles.*.jwt_path", .string, .null, nullable: true,
                "File holding the JWT that authenticates to the server."),
            ConfigKey(
                "proxy.profiles.*.ca_bundle_path", .string, .null, nullable: true,
                "PEM file of the certificate authorities trusted for the server's TLS certificate."),
            ConfigKey(
                "proxy.profiles.*.timeout_seconds", .int, .null, nullable: true, range: 1...300,
                "Request timeout of this profile in seconds; null inherits proxy.timeout_seconds."),
            ConfigKey(
                "proxy.profiles.*.retry_attempts", .int, .null, nullable: true, range: 0...10,
                "Retries of this profile; null inherits proxy.retry_attempts."),
            ConfigKey(
                "proxy.profiles.*.security.sanitize_requests", .bool, .null, nullable: true,
                "security.sanitize_requests for this profile; null inherits the global value."),
            ConfigKey(
                "proxy.profiles.*.security.audit_logging", .bool, .null, nullable: true,
                "security.audit_logging for this profile; null inherits the global value."),
            ConfigKey(
                "proxy.profiles.*.security.confirmation_mode", .string, .null, nullable: true,
                allowed: confirmationModes,
                "security.confirmation_mode for this profile; null inherits the global value."),
            ConfigKey(
                "proxy.profiles.*.security.audit_log_path", .string, .null, nullable: true,
                "security.audit_log_path for this profile; null inherits the global value."),
            ConfigKey(
                "proxy.profiles.*.security.warn_sanitization", .bool, .null, nullable: true,
                "security.warn_sanitization for this profile; null inherits the global value."),

            ConfigKey(
                "system.log_level", .string, "WARNING", allowed: ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
                "Lowest severity of log messages written to stderr."),
            ConfigKey(
                "system.custom_instructions", .string, .null, nullable: true,
                "Extra instructions added to every prompt sent to the model."),

            ConfigKey(
                "security.confirmation_mode", .string, "manual", allowed: confirmationModes,
                "When to ask before running a command: manual and per-command ask every time, semiauto and per-session also offer to leave the loop, auto and none do not ask."),
            ConfigKey(
                "security.sanitize_requests", .bool, true,
                "Remove secrets (tokens, keys, certificates) from requests before they reach the model."),
            ConfigKey("security.audit_logging", .bool, true, "Record every model request and command in the audit log."),
            ConfigKey(
                "security.audit_log_path", .string, .null, nullable: true,
                "File of the audit log; null keeps it under client/audit/ in the configuration directory."),
            ConfigKey(
                "security.warn_sanitization", .bool, true,
                "Print a warning each time the sanitiser removes something from a request."),
            ConfigKey(
                "security.redact", .bool, true,
                "Replace secrets (Secret data, tokens, keys, certificates, passwords) with [REDACTED:<kind>] in everything sent to a model or kept in memory."),
            ConfigKey(
                "security.redact_patterns", .list, [], check: .regex,
                "Extra regular expressions whose matches are redacted as [REDACTED:custom]."),
        ]
        return keys
    }()

    /// The keys by schema path.
    static let byPath: [String: ConfigKey] = Dictionary(keys.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })

    /// The keys inside one proxy profile, relative to the profile (e.g. `server_url`, `security.audit_logging`).
    static let profileSubkeys: [String] = keys.compactMap { key in
        let prefix = profilesPath + ".*."
        return key.path.hasPrefix(prefix) ? String(key.path.dropFirst(prefix.count)) : nil
    }

    /// The keys of a section that have a fixed path (no `*`), in display order.
    static func fixedKeys(in section: String) -> [ConfigKey] {
        keys.filter { $0.section == section && !$0.path.contains("*") }
    }

    /// The keys of a section as shown in messages, with `*` written as `NAME`.
    static func displayKeys(in section: String) -> [String] {
        keys.filter { $0.section == section }.map { $0.path.replacingOccurrences(of: "*", with: "NAME") }
    }

    /// Resolves a dotted key, also concrete profile keys such as `proxy.profiles.prod.server_url`.
    ///
    /// For a concrete profile key the returned key's `path` is the concrete path.
    /// - Throws: `VibectlError` `.notFound` for an unknown section (the message lists the
    ///   sections and suggests the nearest) or an unknown key (the message lists the
    ///   section's keys and suggests the nearest); `.invalidArgument` for a malformed
    ///   path or profile name.
    public static func key(_ path: String) throws -> ConfigKey {
        if let key = byPath[path], !path.contains("*") { return key }
        let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let section = parts.first, !section.isEmpty else {
            throw VibectlError(
                .invalidArgument, path.isEmpty ? "the configuration key is empty" : "invalid configuration key '\(path)': it starts with a dot",
                hint: "name a key such as llm.model; run `vibectl config show` to see them all")
        }
        guard sections.contains(section) else {
            throw unknownSection(section, in: path)
        }
        if parts.count == 1 {
            throw VibectlError(
                .notFound,
                "'\(section)' is a section, not a key; keys in section '\(section)': "
                    + displayKeys(in: section).joined(separator: ", "),
                hint: "name one key, e.g. \(displayKeys(in: section).first ?? section); `vibectl config show \(section)` shows the section")
        }
        if parts.count >= 3, parts[0] == "proxy", parts[1] == "profiles" {
            let name = parts[2]
            try validateProfileName(name, key: path)
            let rest = parts.dropFirst(3).joined(separator: ".")
            let schemaPath = rest.isEmpty ? profilesPath + ".*" : profilesPath + ".*." + rest
            if let key = byPath[schemaPath] { return key.withPath(path) }
        }
        throw unknownKey(path, section: section)
    }

    /// Checks a proxy profile name: letters, digits, `-` and `_`.
    static func validateProfileName(_ name: String, key: String) throws(VibectlError) {
        let valid = !name.isEmpty && name.count <= 64
            && name.unicodeScalars.allSatisfy { scalar in
                (scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)))
                    || scalar == "-" || scalar == "_"
            }
        guard valid else {
            throw VibectlError(
                .invalidArgument,
                "invalid proxy profile name '\(name)' in '\(key)': a name is 1 to 64 ASCII letters, digits, '-' or '_'",
                hint: "use a name such as prod or my-proxy")
        }
    }

    /// The error for an unknown section.
    static func unknownSection(_ section: String, in path: String) -> VibectlError {
        let suggestion = Suggest.nearest(to: section, among: sections)
        var message = "unknown configuration section '\(section)'"
        if path != section { message += " in '\(path)'" }
        if let suggestion { message += "; did you mean '\(suggestion)'?" }
        message += " Valid sections: " + sections.joined(separator: ", ")
        return VibectlError(.notFound, message, hint: "run `vibectl config show` to see every section and key")
    }

    /// The error for an unknown key in a known section.
    static func unknownKey(_ path: String, section: String) -> VibectlError {
        let candidates = keys.filter { $0.section == section }.map(\.path)
        let suggestion = nearestKey(to: path, among: candidates)
        var message = "unknown configuration key '\(path)'"
        if let suggestion { message += "; did you mean '\(suggestion)'?" }
        message += " Keys in section '\(section)': " + displayKeys(in: section).joined(separator: ", ")
        return VibectlError(.notFound, message, hint: "run `vibectl config show \(section)` to see the section")
    }

    /// The nearest schema path to a concrete path; profile keys are compared with the profile name of `path` filled in.
    static func nearestKey(to path: String, among candidates: [String]) -> String? {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false)
        let name = parts.count >= 3 && parts[0] == "proxy" && parts[1] == "profiles" ? String(parts[2]) : "NAME"
        let concrete = candidates.map { $0.replacingOccurrences(of: "*", with: name) }
        return Suggest.nearest(to: path, among: concrete)
    }

    /// The whole schema as JSON, for `vibectl_config_schema`.
    ///
    /// `{"version":1,"sections":[...],"keys":[{"key","section","type","default","nullable",
    /// "allowed_values","min","max","secret","env","description"}]}`.
    public static func json() -> JSONValue {
        let keyObjects: [JSONValue] = keys.map { key in
            func bound(_ value: Double?) -> JSONValue {
                guard let value else { return .null }
                return key.type == .int ? .int(Int(value)) : .double(value)
            }
            return .object([
                "key": .string(key.path),
                "section": .string(key.section),
                "type": .string(key.type.rawValue),
                "default": key.defaultValue,
                "nullable": .bool(key.nullable),
                "allowed_values": key.allowedValues.map { .array($0.map(JSONValue.string)) } ?? .null,
                "min": bound(key.range?.lowerBound),
                "max": bound(key.range?.upperBound),
                "secret": .bool(key.isSecret),
                "env": key.envVar.map(JSONValue.string) ?? .null,
                "description": .string(key.summary),
            ])
        }
        return .object([
            "version": 1,
            "sections": .array(sections.map(JSONValue.string)),
            "keys": .array(keyObjects),
        ])
    }
}
