import Foundation
import VibectlCore
import Yams

/// Reads and writes client/config.yaml, resolving each key through override → environment → file → default.
///
/// Every call re-reads the file (other processes may have changed it); reads take no lock,
/// because writes replace the file atomically. Writes take the lock file
/// `client/.config.yaml.lock`, read the file again, change the one key and replace the file
/// atomically, so concurrent writers in any process lose nothing. Thread-safe.
public final class ConfigStore: Sendable {
    /// Where the files are.
    public let paths: ConfigPaths
    /// Per-handle overrides by concrete key, already validated.
    let overrides: [String: JSONValue]
    /// The environment's value for each key that has one set, by schema path.
    let environmentValues: [String: EnvironmentValue]
    /// Seconds a writer waits for the lock before giving up with `.locked`.
    let lockTimeout: Double

    /// A key's value from the environment: the variable it came from and the coerced value or the error.
    struct EnvironmentValue: Sendable {
        /// The variable that set it.
        let variable: String
        /// The value, or why the variable's text is invalid.
        let result: Result<JSONValue, VibectlError>
        /// Whether the variable is a legacy alias (VIBECTL_MODEL, VIBECTL_LOG_LEVEL).
        let isLegacy: Bool
    }

    /// Creates a store; reads no file.
    ///
    /// - Parameters:
    ///   - paths: Where the files are.
    ///   - environment: The process environment (`VIBECTL_<SECTION>_<KEY>` variables are read from it).
    ///   - overrides: Per-handle values by dotted key; they win over the environment and the file and are never saved.
    /// - Throws: `.notFound` for an override naming an unknown key; `.invalidArgument` for an override with an invalid value.
    public convenience init(paths: ConfigPaths, environment: [String: String], overrides: [String: JSONValue]) throws {
        try self.init(paths: paths, environment: environment, overrides: overrides, lockTimeout: 10)
    }

    /// Creates a store with a chosen lock timeout (tests use a short one).
    init(paths: ConfigPaths, environment: [String: String], overrides: [String: JSONValue], lockTimeout: Double) throws {
        self.paths = paths
        self.lockTimeout = lockTimeout
        var validated: [String: JSONValue] = [:]
        for path in overrides.keys.sorted() {
            let key = try ConfigSchema.key(path)
            do {
                validated[path] = try ValueCoercion.fromJSON(overrides[path] ?? .null, for: key)
            } catch {
                throw VibectlError(error.code, "invalid override for \(path): \(error.message)", hint: error.hint)
            }
        }
        self.overrides = validated
        var fromEnvironment: [String: EnvironmentValue] = [:]
        for key in ConfigSchema.keys {
            guard let specific = key.envVar else { continue }
            let candidates = [(specific, false)] + key.legacyEnvVars.map { ($0, true) }
            guard let (variable, isLegacy) = candidates.first(where: { !(environment[$0.0] ?? "").isEmpty }),
                let text = environment[variable]
            else { continue }
            let result: Result<JSONValue, VibectlError>
            do {
                result = .success(try ValueCoercion.fromText(text, for: key))
            } catch {
                result = .failure(
                    VibectlError(
                        .invalidArgument,
                        "invalid value in environment variable \(variable) for \(key.path): \(error.message)",
                        hint: "fix or unset \(variable)" + (error.hint.map { "; \($0)" } ?? "")))
            }
            fromEnvironment[key.path] = EnvironmentValue(variable: variable, result: result, isLegacy: isLegacy)
        }
        self.environmentValues = fromEnvironment
    }

    // MARK: Reading

    /// The effective value of a key, masked when it is a secret, and where it came from.
    /// - Throws: `.notFound` (unknown key, or an undefined proxy profile), `.invalidArgument`
    ///   (its environment variable is invalid), `.config` (corrupt file), `.io`.
    public func get(_ key: String) throws -> ConfigEntry {
        let schemaKey = try ConfigSchema.key(key)
        let document = try readDocument()
        return try entry(for: schemaKey, in: document)
    }

    /// The effective value of a key, unmasked: for the library's own use, never for display.
    /// - Throws: As `get(_:)`.
    public func value(_ key: String) throws -> JSONValue {
        let schemaKey = try ConfigSchema.key(key)
        let document = try readDocument()
        return try resolve(schemaKey, in: document).value
    }

    /// Shows effective values as JSON.
    ///
    /// - `nil` or "": `{"version":1,"scope":"all","values":{section:{key:value}},"sources":{"dotted.key":source},"warnings":[...]}`
    /// - a section: `{"version":1,"scope":"section","section":"llm","values":{...},"sources":{...},"warnings":[...]}`
    /// - a key: `{"version":1,"scope":"key","key":"llm.model","value":...,"source":"...","warnings":[...]}`
    ///
    /// Secrets are masked. Warnings report keys in the file that the schema does not know (with their line).
    /// - Throws: As `get(_:)`.
    public func show(_ selector: String?) throws -> JSONValue {
        let selector = selector ?? ""
        if selector.isEmpty {
            let document = try readDocument()
            var values: [String: JSONValue] = [:]
            var sources: [String: JSONValue] = [:]
            for section in ConfigSchema.sections {
                let (sectionValues, sectionSources) = try self.sectionValues(section, in: document)
                values[section] = sectionValues
                sources.merge(sectionSources) { first, _ in first }
            }
            return .object([
                "version": 1, "scope": "all", "values": .object(values), "sources": .object(sources),
                "warnings": .array(try warnings(in: document, section: nil).map(JSONValue.string)),
            ])
        }
        if ConfigSchema.sections.contains(selector) {
            let document = try readDocument()
            let (values, sources) = try sectionValues(selector, in: document)
            return .object([
                "version": 1, "scope": "section", "section": .string(selector), "values": values,
                "sources": .object(sources),
                "warnings": .array(try warnings(in: document, section: selector).map(JSONValue.string)),
            ])
        }
        let schemaKey = try ConfigSchema.key(selector)
        let document = try readDocument()
        let entry = try entry(for: schemaKey, in: document)
        return .object([
            "version": 1, "scope": "key", "key": .string(selector), "value": entry.value,
            "source": .string(entry.source.rawValue),
            "warnings": .array(try warnings(in: document, section: schemaKey.section).map(JSONValue.string)),
        ])
    }

    /// Describes the config file:
    /// `{"version":1,"config_dir","path","exists","size","modified","mode","memory_path"}`.
    /// - Throws: `.io` when the file exists but cannot be inspected.
    public func info() throws -> JSONValue {
        let status = try FileSystem.status(paths.configFile)
        var object: [String: JSONValue] = [
            "version": 1,
            "config_dir": .string(paths.configDir),
            "path": .string(paths.configFile),
            "exists": .bool(status != nil),
            "size": 0,
            "modified": .null,
            "mode": .null,
            "memory_path": .string(paths.memoryFile),
        ]
        if let status {
            object["size"] = .int(Int(status.st_size))
            object["modified"] = .string(FileSystem.iso8601(seconds: Int(status.st_mtim.tv_sec)))
            let mode = String(Int(status.st_mode & 0o7777), radix: 8)
            object["mode"] = .string(String(repeating: "0", count: max(0, 4 - mode.count)) + mode)
        }
        return .object(object)
    }

    /// What the memory store needs, from one read of the file: the effective `memory.max_chars`,
    /// whether the effective `memory.enabled` is false, and the legacy top-level `memory_content`.
    func memorySettings() throws -> (maxChars: Int, frozen: Bool, legacyMemory: String?) {
        let document = try readDocument()
        let maxChars = try resolve(try ConfigSchema.key("memory.max_chars"), in: document).value.intValue ?? 500
        let enabled = try resolve(try ConfigSchema.key("memory.enabled"), in: document).value
        return (max(1, maxChars), enabled == .bool(false), document.legacyMemory)
    }

    // MARK: Writing

    /// Sets a key from text, coerced to the key's type (see docs/config.md), and saves the file.
    /// - Returns: The key's effective entry afterwards (an override or environment variable may still win).
    /// - Throws: `.notFound` (unknown key), `.invalidArgument` (invalid value, or the key's
    ///   environment variable is invalid), `.config` (the file is corrupt; it is left untouched),
    ///   `.locked`, `.io`.
    @discardableResult
    public func set(_ key: String, text: String) throws -> ConfigEntry {
        let schemaKey = try ConfigSchema.key(key)
        let value: JSONValue
        do {
            value = try ValueCoercion.fromText(text, for: schemaKey)
        } catch {
            throw invalidValue(schemaKey, error)
        }
        return try write(value, for: schemaKey)
    }

    /// Sets a key from a JSON value (an integer is accepted for a float; a JSON string for a
    /// non-string key is coerced like text) and saves the file.
    /// - Returns: The key's effective entry afterwards.
    /// - Throws: As `set(_:text:)`.
    @discardableResult
    public func set(_ key: String, json: JSONValue) throws -> ConfigEntry {
        let schemaKey = try ConfigSchema.key(key)
        let value: JSONValue
        do {
            value = try ValueCoercion.fromJSON(json, for: schemaKey)
        } catch {
            throw invalidValue(schemaKey, error)
        }
        return try write(value, for: schemaKey)
    }

    /// Removes a key from the file, so that it takes its default again; a no-op when it is not set.
    ///
    /// Works even when the key's value in the file is invalid, so that a bad value can be removed.
    /// `proxy.profiles.NAME` deletes a whole profile.
    /// - Throws: `.notFound` (unknown key), `.config` (the file cannot be parsed), `.locked`, `.io`.
    public func unset(_ key: String) throws {
        let schemaKey = try ConfigSchema.key(key)
        guard try FileSystem.status(paths.configFile) != nil else { return }
        try FileSystem.ensureDirectory(paths.clientDir)
        try FileLock.withLock(paths.configLockFile, timeout: lockTimeout) {
            var document = try ConfigDocument.load(paths.configFile)
            if let error = document.firstValueError(ignoring: schemaKey.path) { throw error }
            guard document.remove(schemaKey.path) else { return }
            try save(document)
        }
    }

    /// Validates, writes and returns the new entry.
    private func write(_ value: JSONValue, for key: ConfigKey) throws -> ConfigEntry {
        if let environment = environmentValues[key.path], case .failure(let error) = environment.result,
            overrides[key.path] == nil
        {
            throw error
        }
        try FileSystem.ensureDirectory(paths.clientDir)
        return try FileLock.withLock(paths.configLockFile, timeout: lockTimeout) {
            var document = try ConfigDocument.load(paths.configFile)
            if let error = document.firstValueError(ignoring: key.path) { throw error }
            document.set(value, at: key.path)
            let saved = try save(document)
            guard saved.values[key.path] == value || key.type == .map else {
                throw VibectlError(
                    .internal, "the value of \(key.path) did not read back unchanged from \(paths.configFile)",
                    hint: "please report this as a bug, with the value you set")
            }
            return try entry(for: key, in: saved)
        }
    }

    /// Serialises the document, checks that it parses, and replaces the file atomically.
    @discardableResult
    private func save(_ document: ConfigDocument) throws -> ConfigDocument {
        let text = try document.serialized()
        let reread: ConfigDocument
        do {
            reread = try ConfigDocument.parse(text, path: paths.configFile)
        } catch {
            throw VibectlError(
                .internal, "the configuration vibectl was about to write does not parse; \(paths.configFile) is unchanged",
                cause: (error as? VibectlError)?.message ?? String(describing: error))
        }
        try FileSystem.writeAtomically(Array(text.utf8), to: paths.configFile)
        return reread
    }

    /// The error for an invalid value given to `set`.
    private func invalidValue(_ key: ConfigKey, _ problem: ValueProblem) -> VibectlError {
        VibectlError(problem.code, "invalid value for \(key.path): \(problem.message)", hint: problem.hint)
    }

    // MARK: Resolution

    /// Reads the file and refuses one with invalid values.
    private func readDocument() throws -> ConfigDocument {
        let document = try ConfigDocument.load(paths.configFile)
        if let error = document.firstValueError() { throw error }
        return document
    }

    /// The masked entry of a key.
    private func entry(for key: ConfigKey, in document: ConfigDocument) throws -> ConfigEntry {
        let resolved = try resolve(key, in: document)
        var value = resolved.value
        var masked = false
        if key.isSecret, case .string(let secret) = value {
            value = .string(ConfigEntry.mask(secret))
            masked = true
        }
        return ConfigEntry(key: key.path, value: value, source: resolved.source, envVar: resolved.envVar, masked: masked)
    }

    /// The effective, unmasked value of a key.
    private func resolve(_ key: ConfigKey, in document: ConfigDocument) throws -> (value: JSONValue, source: ConfigSource, envVar: String?) {
        if key.path == ConfigSchema.profilesPath || key.isProfileKey {
            return try resolveProfileKey(key, in: document)
        }
        if let value = overrides[key.path] { return (value, .override, nil) }
        if let environment = environmentValues[key.path] {
            switch environment.result {
            case .success(let value): return (value, .env, environment.variable)
            case .failure(let error): throw error
            }
        }
        if let value = document.values[key.path] { return (value, .file, nil) }
        return (key.defaultValue, .default, nil)
    }

    /// The effective proxy profiles: each profile's settings (by subkey) with their sources.
    private struct Profiles {
        var names: [String] = []
        var settings: [String: [String: (value: JSONValue, source: ConfigSource)]] = [:]
        var sources: [String: ConfigSource] = [:]
        var source: ConfigSource = .default

        mutating func add(_ name: String, source: ConfigSource) {
            if settings[name] == nil {
                names.append(name)
                settings[name] = [:]
            }
            sources[name] = source
        }

        /// Replaces a profile with the members of a (validated) profile object.
        mutating func replace(_ name: String, with object: JSONValue, source: ConfigSource) {
            add(name, source: source)
            var flat: [String: (JSONValue, ConfigSource)] = [:]
            for (member, value) in object.objectValue ?? [:] {
                if member == "security" {
                    for (securityMember, securityValue) in value.objectValue ?? [:] {
                        flat["security." + securityMember] = (securityValue, source)
                    }
                } else {
                    flat[member] = (value, source)
                }
            }
            settings[name] = flat
        }

        /// A profile as a full object: every setting, null where unset.
        func object(_ name: String) -> JSONValue {
            var result: [String: JSONValue] = [:]
            var security: [String: JSONValue] = [:]
            let settings = self.settings[name] ?? [:]
            for subkey in ConfigSchema.profileSubkeys {
                let value = settings[subkey]?.value ?? .null
                if subkey.hasPrefix("security.") {
                    security[String(subkey.dropFirst("security.".count))] = value
                } else {
                    result[subkey] = value
                }
            }
            result["security"] = .object(security)
            return .object(result)
        }

        /// All profiles as one object.
        func all() -> JSONValue {
            .object(Dictionary(uniqueKeysWithValues: names.map { ($0, object($0)) }))
        }
    }

    /// Builds the effective profiles from the file and the overrides.
    private func profiles(in document: ConfigDocument) -> Profiles {
        var profiles = Profiles()
        let prefix = ConfigSchema.profilesPath + "."
        if let whole = overrides[ConfigSchema.profilesPath] {
            for name in (whole.objectValue ?? [:]).keys.sorted() {
                profiles.replace(name, with: whole.objectValue?[name] ?? [:], source: .override)
            }
            profiles.source = .override
        } else {
            for name in document.profileNames {
                profiles.add(name, source: .file)
                for subkey in ConfigSchema.profileSubkeys {
                    if let value = document.values[prefix + name + "." + subkey] {
                        profiles.settings[name]?[subkey] = (value, .file)
                    }
                }
            }
            if document.profilesPresent { profiles.source = .file }
        }
        for path in overrides.keys.sorted() where path.hasPrefix(prefix) {
            let parts = path.dropFirst(prefix.count).split(separator: ".", maxSplits: 1).map(String.init)
            guard let name = parts.first, let value = overrides[path] else { continue }
            if parts.count == 1 {
                profiles.replace(name, with: value, source: .override)
            } else {
                profiles.add(name, source: .override)
                profiles.settings[name]?[parts[1]] = (value, .override)
            }
            profiles.source = .override
        }
        return profiles
    }

    /// Resolves `proxy.profiles`, a profile, or a setting of a profile.
    private func resolveProfileKey(_ key: ConfigKey, in document: ConfigDocument) throws -> (value: JSONValue, source: ConfigSource, envVar: String?) {
        let profiles = profiles(in: document)
        if key.path == ConfigSchema.profilesPath {
            return (profiles.all(), profiles.source, nil)
        }
        let parts = key.path.dropFirst(ConfigSchema.profilesPath.count + 1).split(separator: ".", maxSplits: 1).map(String.init)
        guard let name = parts.first else { return (key.defaultValue, .default, nil) }
        if parts.count == 1 {
            guard profiles.settings[name] != nil else {
                let defined = profiles.names.isEmpty ? "none is defined" : "defined profiles: " + profiles.names.joined(separator: ", ")
                throw VibectlError(
                    .notFound, "there is no proxy profile '\(name)'; \(defined)",
                    hint: "create it with `vibectl config set \(key.path).server_url vibectl-server://HOST:PORT`")
            }
            return (profiles.object(name), profiles.sources[name] ?? .file, nil)
        }
        if let setting = profiles.settings[name]?[parts[1]] {
            return (setting.value, setting.source, nil)
        }
        return (key.defaultValue, .default, nil)
    }

    /// The values of one section as a nested object, and the source of each key.
    private func sectionValues(_ section: String, in document: ConfigDocument) throws -> (JSONValue, [String: JSONValue]) {
        var values: [String: JSONValue] = [:]
        var sources: [String: JSONValue] = [:]
        for key in ConfigSchema.fixedKeys(in: section) {
            let entry = try entry(for: key, in: document)
            let relative = key.path.split(separator: ".").dropFirst().map(String.init)
            Self.insert(entry.value, at: relative[...], into: &values)
            sources[key.path] = .string(entry.source.rawValue)
            if key.path == ConfigSchema.profilesPath {
                let profiles = profiles(in: document)
                for name in profiles.names {
                    for subkey in ConfigSchema.profileSubkeys {
                        let source = profiles.settings[name]?[subkey]?.source ?? .default
                        sources[key.path + "." + name + "." + subkey] = .string(source.rawValue)
                    }
                }
            }
        }
        return (.object(values), sources)
    }

    /// Inserts a value into a nested object.
    private static func insert(_ value: JSONValue, at components: ArraySlice<String>, into object: inout [String: JSONValue]) {
        guard let first = components.first else { return }
        let rest = components.dropFirst()
        if rest.isEmpty {
            object[first] = value
            return
        }
        var child = object[first]?.objectValue ?? [:]
        insert(value, at: rest, into: &child)
        object[first] = .object(child)
    }

    /// The warnings for `show`: unknown keys in the file, legacy environment variables, a missing active profile.
    private func warnings(in document: ConfigDocument, section: String?) throws -> [String] {
        var result: [String] = []
        for warning in document.warnings {
            let warningSection = String(warning.path.split(separator: ".").first ?? "")
            if section == nil || warningSection == section {
                result.append(warning.message)
            }
        }
        for key in ConfigSchema.keys where section == nil || key.section == section {
            if let environment = environmentValues[key.path], environment.isLegacy, let specific = key.envVar {
                result.append("\(environment.variable) is a legacy name; use \(specific) to set \(key.path)")
            }
        }
        if section == nil || section == "proxy" {
            let active = try resolve(try ConfigSchema.key("proxy.active"), in: document).value
            if case .string(let name) = active, !profiles(in: document).names.contains(name) {
                result.append("proxy.active names the profile '\(name)', which is not defined in proxy.profiles")
            }
        }
        return result
    }
}
