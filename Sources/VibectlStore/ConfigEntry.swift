import VibectlCore

/// Where an effective configuration value came from.
public enum ConfigSource: String, Sendable {
    /// A per-handle override (never saved).
    case override
    /// An environment variable.
    case env
    /// The config file.
    case file
    /// The schema default.
    case `default`
}

/// A resolved value and where it came from.
public struct ConfigEntry: Sendable, Equatable {
    /// The dotted key.
    public let key: String
    /// The value; masked for secrets ("****" plus the last 4 characters, or "****" when shorter than 8).
    public let value: JSONValue
    /// Where the value came from.
    public let source: ConfigSource
    /// The environment variable that set the value, when `source` is `.env`.
    public let envVar: String?
    /// Whether `value` is a masked secret.
    public let masked: Bool

    /// Creates an entry.
    init(key: String, value: JSONValue, source: ConfigSource, envVar: String?, masked: Bool) {
        self.key = key
        self.value = value
        self.source = source
        self.envVar = envVar
        self.masked = masked
    }

    /// The entry as JSON: `{"version":1,"key","value","source","type","masked","env_var" (only when from the environment)}`.
    public func json() -> JSONValue {
        var object: [String: JSONValue] = [
            "version": 1,
            "key": .string(key),
            "value": value,
            "source": .string(source.rawValue),
            "type": .string((try? ConfigSchema.key(key))?.type.rawValue ?? "string"),
            "masked": .bool(masked),
        ]
        if source == .env, let envVar { object["env_var"] = .string(envVar) }
        return .object(object)
    }

    /// Masks a secret: "****" plus its last 4 characters, or "****" when it is shorter than 8 characters.
    static func mask(_ secret: String) -> String {
        secret.count >= 8 ? "****" + String(secret.suffix(4)) : "****"
    }
}
