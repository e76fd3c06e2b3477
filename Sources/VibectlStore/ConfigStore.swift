import Foundation
import VibectlCore
import Yams

/// Where vibectl keeps its files.
public struct ConfigPaths: Sendable, Equatable {
    /// The configuration directory, e.g. `/home/u/.config/vibectl`.
    public let configDir: String
    /// The client directory inside the configuration directory.
    public var clientDir: String { configDir + "/client" }
    /// The YAML configuration file.
    public var configFile: String { clientDir + "/config.yaml" }
    /// The JSON memory file.
    public var memoryFile: String { clientDir + "/memory.json" }
    /// Creates paths rooted at a configuration directory.
    public init(configDir: String) { self.configDir = configDir }
    /// Resolves the configuration directory from an explicit option or the environment.
    public static func resolve(explicit: String?, environment: [String: String]) throws -> ConfigPaths {
        if let explicit { return ConfigPaths(configDir: explicit) }
        throw VibectlError(.invalidArgument, "no configuration directory")
    }
}

/// The type of a configuration value.
public enum ConfigValueType: String, Sendable { case string, bool, int, float, list, map }

/// One key of the schema.
public struct ConfigKey: Sendable {
    /// The dotted path; profile keys use `*`.
    public let path: String
    /// The value type.
    public let type: ConfigValueType
    /// The default value.
    public let defaultValue: JSONValue
    /// Whether null is accepted.
    public let nullable: Bool
    /// Valid values of an enum key.
    public let allowedValues: [String]?
    /// Valid numeric range.
    public let range: ClosedRange<Double>?
    /// Whether the value is a secret.
    public let isSecret: Bool
    /// One-line description.
    public let summary: String
    /// The section the key belongs to.
    public var section: String { String(path.split(separator: ".").first ?? "") }
    /// The environment variable of the key.
    public var envVar: String? { nil }
}

/// The configuration schema.
public enum ConfigSchema {
    /// Sections in display order.
    public static let sections: [String] = []
    /// Keys in display order.
    public static let keys: [ConfigKey] = []
    /// Resolves a dotted key.
    public static func key(_ path: String) throws -> ConfigKey {
        throw VibectlError(.notFound, "unknown key \(path)")
    }
    /// The schema as JSON.
    public static func json() -> JSONValue { ["version": 1] }
}

/// Where a value came from.
public enum ConfigSource: String, Sendable { case override, env, file, `default` }

/// A resolved value and where it came from.
public struct ConfigEntry: Sendable, Equatable {
    /// The dotted key.
    public let key: String
    /// The value, masked for secrets.
    public let value: JSONValue
    /// Where it came from.
    public let source: ConfigSource
    /// The environment variable when the source is env.
    public let envVar: String?
    /// Whether the value is masked.
    public let masked: Bool
    /// The entry as JSON.
    public func json() -> JSONValue { ["version": 1, "key": .string(key), "value": value] }
}

/// Reads and writes client/config.yaml.
public final class ConfigStore: Sendable {
    /// The paths of this store.
    public let paths: ConfigPaths
    /// Creates a store.
    public init(paths: ConfigPaths, environment: [String: String], overrides: [String: JSONValue]) throws {
        self.paths = paths
    }
    /// The masked entry of a key.
    public func get(_ key: String) throws -> ConfigEntry { throw VibectlError(.notFound, key) }
    /// The effective unmasked value of a key.
    public func value(_ key: String) throws -> JSONValue { throw VibectlError(.notFound, key) }
    /// Sets a key from text.
    @discardableResult public func set(_ key: String, text: String) throws -> ConfigEntry { throw VibectlError(.notFound, key) }
    /// Sets a key from JSON.
    @discardableResult public func set(_ key: String, json: JSONValue) throws -> ConfigEntry { throw VibectlError(.notFound, key) }
    /// Removes a key from the file.
    public func unset(_ key: String) throws {}
    /// Shows all, a section or a key.
    public func show(_ selector: String?) throws -> JSONValue { ["version": 1] }
    /// Information about the file.
    public func info() throws -> JSONValue { ["version": 1] }
}
