import Foundation
import VibectlCore

/// The type of a configuration value.
public enum ConfigValueType: String, Sendable {
    /// Text.
    case string
    /// true or false.
    case bool
    /// A whole number.
    case int
    /// A number.
    case float
    /// A list of strings.
    case list
    /// A mapping (proxy profiles).
    case map
}

/// One key of the configuration schema: its type, default, valid values and description.
public struct ConfigKey: Sendable {
    /// The dotted path; keys inside a proxy profile use `*` for the profile name, e.g. `proxy.profiles.*.server_url`.
    public let path: String
    /// The value type.
    public let type: ConfigValueType
    /// The value used when nothing else sets the key.
    public let defaultValue: JSONValue
    /// Whether `null` is a valid value.
    public let nullable: Bool
    /// The valid values of an enumerated string key, or `nil` for a free value.
    public let allowedValues: [String]?
    /// The valid numeric range of an int or float key, or `nil` when unbounded.
    public let range: ClosedRange<Double>?
    /// Whether the value is a secret, masked in every output (`providers.*.key`).
    public let isSecret: Bool
    /// A one-line description of what the key does.
    public let summary: String
    /// An extra check on string values beyond type and enum.
    let check: ValueCheck

    /// The section the key belongs to: the first component of its path.
    public var section: String {
        path.split(separator: ".", maxSplits: 1).first.map(String.init) ?? path
    }

    /// Whether this key lives inside a proxy profile (its schema path contains `*`, or it is a concrete profile key).
    var isProfileKey: Bool { path.hasPrefix(ConfigSchema.profilesPath + ".") }

    /// The environment variable that sets the key: `VIBECTL_<SECTION>_<KEY>` upper-cased with dots as `_`;
    /// `nil` for secrets, maps and profile keys, which have none.
    public var envVar: String? {
        if isSecret || type == .map || isProfileKey { return nil }
        return "VIBECTL_" + path.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    /// Legacy environment variables that also set the key; the specific `envVar` wins over them.
    var legacyEnvVars: [String] {
        switch path {
        case "system.log_level": ["VIBECTL_LOG_LEVEL"]
        case "llm.model": ["VIBECTL_MODEL"]
        default: []
        }
    }

    /// Creates a schema key.
    init(
        _ path: String, _ type: ConfigValueType, _ defaultValue: JSONValue, nullable: Bool = false,
        allowed: [String]? = nil, range: ClosedRange<Double>? = nil, secret: Bool = false,
        check: ValueCheck = .none, _ summary: String
    ) {
        self.path = path
        self.type = type
        self.defaultValue = defaultValue
        self.nullable = nullable
        self.allowedValues = allowed
        self.range = range
        self.isSecret = secret
        self.check = check
        self.summary = summary
    }

    /// The same key under another (concrete) path, e.g. a profile key with the profile name filled in.
    func withPath(_ newPath: String) -> ConfigKey {
        ConfigKey(
            newPath, type, defaultValue, nullable: nullable, allowed: allowedValues, range: range,
            secret: isSecret, check: check, summary)
    }
}

/// Checks on a string value that go beyond its type.
enum ValueCheck: Sendable {
    /// No extra check.
    case none
    /// The string must not be empty.
    case nonEmpty
    /// A proxy server URL: `vibectl-server://` or `vibectl-server-insecure://` with a host.
    case proxyURL
    /// A port range `LOW-HIGH`.
    case portRange
    /// A regular expression.
    case regex
    /// A proxy profile name.
    case profileName
    /// An `http://` or `https://` URL with a host (provider endpoints).
    case httpURL
    /// The `llm.prices` map: model name → `{"input": N, "output": N}`, USD per million tokens.
    case priceTable
}
