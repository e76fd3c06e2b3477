import Foundation
import VibectlCore
import Yams

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
