import Foundation
import VibectlCore
import VibectlStore

/// Where an API key was found; describable without revealing the key.
public enum KeySource: Sendable, Hashable, CustomStringConvertible {
    /// vibectl's own variable, e.g. `VIBECTL_OPENAI_API_KEY`.
    case vibectlVariable(String)
    /// A file named by vibectl's key-file variable, e.g. `VIBECTL_OPENAI_API_KEY_FILE`.
    case vibectlFileVariable(variable: String, path: String)
    /// The config key `providers.<p>.key`.
    case configKey(String)
    /// A file named by the config key `providers.<p>.key_file`.
    case configKeyFile(key: String, path: String)
    /// The provider's usual variable, e.g. `OPENAI_API_KEY`.
    case usualVariable(String)

    /// E.g. `env VIBECTL_OPENAI_API_KEY`, `config providers.openai.key_file (/run/keys/openai)`.
    public var description: String {
        switch self {
        case .vibectlVariable(let name): "env \(name)"
        case .vibectlFileVariable(let variable, let path): "env \(variable) (\(path))"
        case .configKey(let key): "config \(key)"
        case .configKeyFile(let key, let path): "config \(key) (\(path))"
        case .usualVariable(let name): "env \(name)"
        }
    }
}

/// An API key and where it came from.
public struct ResolvedKey: Sendable, Equatable {
    /// The key itself: never log it, never put it in an error.
    public let key: String
    /// Where it was found.
    public let source: KeySource
    /// Format warnings (the key does not look like the provider's keys); they never contain the key.
    public let warnings: [String]

    /// Creates a resolved key.
    public init(key: String, source: KeySource, warnings: [String]) {
        self.key = key
        self.source = source
        self.warnings = warnings
    }
}

/// Finds API keys and endpoints for providers, from the environment and the configuration.
///
/// Keys: `VIBECTL_<P>_API_KEY` → `VIBECTL_<P>_API_KEY_FILE` → `providers.<p>.key` →
/// `providers.<p>.key_file` → the provider's usual variable. Endpoints: `providers.<p>.base_url` →
/// the provider's usual variable (`OPENAI_BASE_URL`, ...) → the public endpoint. Reads the
/// configuration on every call, so changes take effect at once.
public struct KeyResolver: Sendable {
    /// The configuration.
    public let config: ConfigStore
    /// The environment variables.
    public let environment: [String: String]

    /// The largest key file read, in bytes; a bigger file is surely not a key.
    static let keyFileLimit = 64 * 1024

    /// Creates a resolver.
    public init(config: ConfigStore, environment: [String: String]) {
        self.config = config
        self.environment = environment
    }

    // MARK: Keys

    /// The key for `provider`, or `nil` when none is set and the provider needs none (Ollama).
    ///
    /// - Throws: `.auth` when the provider needs a key and none is set (the hint lists the ways to
    ///   set one), or when a key file does not exist, cannot be read or is empty (the message names
    ///   the file, never its content); `.config`/`.invalidArgument`/`.io` when the configuration
    ///   cannot be read.
    public func key(for provider: Provider) throws -> ResolvedKey? {
        let name = provider.rawValue
        if let value = nonEmpty(environment[provider.vibectlKeyVariable]) {
            return resolved(value, .vibectlVariable(provider.vibectlKeyVariable), provider)
        }
        if let path = nonEmpty(environment[provider.vibectlKeyFileVariable]) {
            let expanded = expandPath(path)
            let key = try readKeyFile(
                expanded, provider: provider, namedBy: "the variable \(provider.vibectlKeyFileVariable)",
                change: "change or unset \(provider.vibectlKeyFileVariable)")
            return resolved(key, .vibectlFileVariable(variable: provider.vibectlKeyFileVariable, path: expanded), provider)
        }
        let configKey = "providers.\(name).key"
        if let value = nonEmpty(try config.value(configKey).stringValue) {
            return resolved(value, .configKey(configKey), provider)
        }
        let configFileKey = "providers.\(name).key_file"
        if let path = nonEmpty(try config.value(configFileKey).stringValue) {
            let expanded = expandPath(path)
            let key = try readKeyFile(
                expanded, provider: provider, namedBy: "the config key \(configFileKey)",
                change: "change it with `vibectl config set \(configFileKey) PATH` or `vibectl config unset \(configFileKey)`")
            return resolved(key, .configKeyFile(key: configFileKey, path: expanded), provider)
        }
        if let variable = provider.usualKeyVariable, let value = nonEmpty(environment[variable]) {
            return resolved(value, .usualVariable(variable), provider)
        }
        guard provider.requiresKey else { return nil }
        throw Self.missingKey(provider)
    }

    /// The ways to set a key for `provider`, as shown in the missing-key hint.
    public static func waysToSetKey(_ provider: Provider) -> [String] {
        let name = provider.rawValue
        var ways = [
            "export \(provider.vibectlKeyVariable)=KEY",
            "export \(provider.vibectlKeyFileVariable)=/path/to/key-file",
            "vibectl config set providers.\(name).key KEY",
            "vibectl config set providers.\(name).key_file /path/to/key-file",
        ]
        if let usual = provider.usualKeyVariable { ways.append("export \(usual)=KEY") }
        return ways
    }

    /// The error for a provider with no key.
    static func missingKey(_ provider: Provider) -> VibectlError {
        VibectlError(
            .auth, "no \(provider.displayName) API key is set",
            hint: "set one in any of these ways (the first found wins): " + waysToSetKey(provider).joined(separator: "; "))
    }

    /// A trimmed, non-empty string, or `nil`.
    private func nonEmpty(_ text: String?) -> String? {
        guard let text else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// Expands a leading `~` or `~/` with `HOME`.
    func expandPath(_ path: String) -> String {
        let path = path.trimmingCharacters(in: .whitespacesAndNewlines)
        guard path == "~" || path.hasPrefix("~/"), let home = nonEmpty(environment["HOME"]) else { return path }
        let trimmedHome = home.hasSuffix("/") && home.count > 1 ? String(home.dropLast()) : home
        return trimmedHome + path.dropFirst()
    }

    /// Reads and trims a key file.
    private func readKeyFile(_ path: String, provider: Provider, namedBy origin: String, change: String) throws -> String {
        let fix = "put the \(provider.displayName) API key alone in the file, or \(change)"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw VibectlError(
                .auth, "the \(provider.displayName) key file \(path) named by \(origin) does not exist", hint: fix)
        }
        guard !isDirectory.boolValue else {
            throw VibectlError(
                .auth, "the \(provider.displayName) key file \(path) named by \(origin) is a directory, not a file", hint: fix)
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw VibectlError(
                .auth, "the \(provider.displayName) key file \(path) named by \(origin) cannot be read",
                hint: "check the file's permissions; " + fix)
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: Self.keyFileLimit + 1) ?? Data()
        } catch {
            throw VibectlError(
                .auth, "the \(provider.displayName) key file \(path) named by \(origin) cannot be read",
                hint: "check the file's permissions; " + fix)
        }
        guard data.count <= Self.keyFileLimit else {
            throw VibectlError(
                .auth, "the \(provider.displayName) key file \(path) named by \(origin) is larger than 64 KiB, too large to hold a key",
                hint: fix)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw VibectlError(
                .auth, "the \(provider.displayName) key file \(path) named by \(origin) is not UTF-8 text", hint: fix)
        }
        let key = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !key.isEmpty else {
            throw VibectlError(.auth, "the \(provider.displayName) key file \(path) named by \(origin) is empty", hint: fix)
        }
        return key
    }

    /// A resolved key with its format warnings.
    private func resolved(_ key: String, _ source: KeySource, _ provider: Provider) -> ResolvedKey {
        ResolvedKey(key: key, source: source, warnings: Self.formatWarnings(key, provider: provider, source: source, customEndpoint: hasCustomEndpoint(provider)))
    }

    /// Whether the provider's endpoint is set to something other than the public one (then key formats vary).
    private func hasCustomEndpoint(_ provider: Provider) -> Bool {
        guard let endpoint = try? baseURL(for: provider) else { return false }
        return endpoint.url != provider.defaultBaseURL
    }

    /// Warnings about a key that does not look like the provider's keys; never fatal, never containing the key.
    static func formatWarnings(_ key: String, provider: Provider, source: KeySource, customEndpoint: Bool) -> [String] {
        var warnings: [String] = []
        let from = "the \(provider.displayName) API key from \(source)"
        if key.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }) {
            warnings.append("\(from) contains spaces or control characters; keys are a single word")
        }
        if !key.unicodeScalars.allSatisfy(\.isASCII) {
            warnings.append("\(from) contains non-ASCII characters; keys are plain ASCII")
        }
        guard !customEndpoint else { return warnings }
        switch provider {
        case .anthropic:
            if !key.hasPrefix("sk-ant-") {
                warnings.append("\(from) does not start with 'sk-ant-' as Anthropic keys do; check that it is an Anthropic key")
            }
        case .openai:
            if !key.hasPrefix("sk-") {
                warnings.append("\(from) does not start with 'sk-' as OpenAI keys do; check that it is an OpenAI key")
            }
        case .gemini:
            if !key.hasPrefix("AIza") {
                warnings.append("\(from) does not start with 'AIza' as Gemini API keys do; check that it is a Gemini key")
            } else if key.count != 39 {
                warnings.append("\(from) has \(key.count) characters; Gemini API keys have 39")
            }
        case .ollama:
            break
        }
        if provider.requiresKey, key.count < 20 {
            warnings.append("\(from) is only \(key.count) characters long; \(provider.displayName) keys are much longer")
        } else if key.count > 512 {
            warnings.append("\(from) is \(key.count) characters long, which is unusually long for an API key")
        }
        return warnings
    }

    // MARK: Endpoints

    /// The provider's base URL (no trailing slash) and where it came from (`config providers.openai.base_url`,
    /// `env OPENAI_BASE_URL`, `default`).
    ///
    /// `OLLAMA_HOST` may lack a scheme and a port, as Ollama allows: `127.0.0.1:11434` →
    /// `http://127.0.0.1:11434`, `myhost` → `http://myhost:11434`.
    /// - Throws: `.invalidArgument` when the provider's variable is not an http(s) URL; configuration errors.
    public func baseURL(for provider: Provider) throws -> (url: String, source: String) {
        let configKey = "providers.\(provider.rawValue).base_url"
        if let url = nonEmpty(try config.value(configKey).stringValue) {
            return (Self.trimmingSlashes(url), "config \(configKey)")
        }
        let variable = provider.baseURLVariable
        if let text = nonEmpty(environment[variable]) {
            var url = text
            if provider == .ollama, !text.contains("://") {
                url = "http://" + text
                if let components = URLComponents(string: url), components.port == nil, let host = components.host, !host.isEmpty {
                    var withPort = components
                    withPort.port = 11434
                    url = withPort.string ?? url
                }
            }
            guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
                scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
            else {
                throw VibectlError(
                    .invalidArgument,
                    "the variable \(variable) is '\(Redaction.redactSecrets(text))', which is not an http:// or https:// URL",
                    hint: "set \(variable) to a URL such as \(provider.defaultBaseURL), or unset it")
            }
            return (Self.trimmingSlashes(url), "env \(variable)")
        }
        return (provider.defaultBaseURL, "default")
    }

    /// The endpoint (base URL and key) for `provider`.
    /// - Throws: As ``key(for:)`` and ``baseURL(for:)``.
    public func endpoint(for provider: Provider) throws -> (endpoint: ProviderEndpoint, key: ResolvedKey?) {
        let base = try baseURL(for: provider)
        let key = try key(for: provider)
        return (ProviderEndpoint(provider: provider, baseURL: base.url, apiKey: key?.key), key)
    }

    /// A URL without trailing slashes.
    static func trimmingSlashes(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/"), !url.hasSuffix("://") { url.removeLast() }
        return url
    }
}
