import VibectlCore

/// Reads and writes the memory file (client/memory.json) beside config.yaml.
///
/// The file is JSON: `{"version":1,"content":"...","updated":"<ISO 8601>"}`. Writes take the
/// lock file `client/.memory.json.lock` and replace the file atomically (mode 0600), like the
/// config store. Until the file exists, the legacy top-level `memory_content` of config.yaml
/// (where vibectl 0.11 kept the memory) is read as the memory. Thread-safe.
public final class MemoryStore: Sendable {
    /// The configuration the memory settings and paths come from.
    private let config: ConfigStore

    /// The version written into, and accepted from, the memory file.
    static let fileVersion = 1

    /// Creates a memory store for a configuration; reads no file.
    public init(config: ConfigStore) {
        self.config = config
    }

    /// The memory text ("" when there is none).
    /// - Throws: `.config` when the memory file is corrupt (or, before it exists, when config.yaml is); `.io`.
    public func get() throws -> String {
        try read(legacy: nil).content
    }

    /// Replaces the memory, cut to `memory.max_chars` characters at a character (grapheme cluster) boundary.
    ///
    /// Works while memory is frozen: freezing stops automatic updates, not explicit ones.
    /// - Returns: The new status; `truncated` tells whether the text was cut.
    /// - Throws: `.invalidArgument` or `.config` when `memory.max_chars` cannot be read, `.locked`, `.io`.
    @discardableResult
    public func set(_ text: String) throws -> MemoryStatus {
        let settings = try config.memorySettings()
        let content = String(text.prefix(settings.maxChars))
        let updated = try write(content)
        return MemoryStatus(
            content: content, maxChars: settings.maxChars, frozen: settings.frozen, truncated: content.count < text.count,
            path: config.paths.memoryFile, exists: true, updated: updated)
    }

    /// Empties the memory (the file then holds "", so a legacy memory in config.yaml does not come back).
    /// - Throws: `.locked`, `.io`.
    public func clear() throws {
        try write("")
    }

    /// Stops automatic memory updates; persisted as `memory.enabled: false` in config.yaml.
    /// - Throws: As `ConfigStore.set(_:json:)`.
    public func freeze() throws {
        try config.set("memory.enabled", json: false)
    }

    /// Resumes automatic memory updates; persisted as `memory.enabled: true` in config.yaml.
    /// - Throws: As `ConfigStore.set(_:json:)`.
    public func unfreeze() throws {
        try config.set("memory.enabled", json: true)
    }

    /// The memory's content, size, limit, frozen state and file.
    /// - Throws: `.config` (corrupt memory or config file), `.invalidArgument` (an invalid environment variable), `.io`.
    public func status() throws -> MemoryStatus {
        let settings = try config.memorySettings()
        let stored = try read(legacy: settings.legacyMemory)
        return MemoryStatus(
            content: stored.content, maxChars: settings.maxChars, frozen: settings.frozen, truncated: false,
            path: config.paths.memoryFile, exists: stored.exists, updated: stored.updated)
    }

    /// Records the memory produced automatically after a command.
    ///
    /// Skipped — nothing written, nothing persisted — when memory is frozen (the effective
    /// `memory.enabled` is false) or when `freezeForThisCall` is true; the latter affects only this call.
    /// - Returns: Whether the memory was written.
    /// - Throws: As `set(_:)`.
    @discardableResult
    public func recordAutomaticUpdate(_ text: String, freezeForThisCall: Bool) throws -> Bool {
        if freezeForThisCall { return false }
        if try config.memorySettings().frozen { return false }
        try set(text)
        return true
    }

    // MARK: Private

    /// What the memory file holds.
    private struct Stored {
        var content: String
        var exists: Bool
        var updated: String?
    }

    /// Reads the memory file, falling back to the legacy `memory_content` of config.yaml
    /// (`legacy` when the caller has read it already, else read here).
    private func read(legacy: String?) throws -> Stored {
        let path = config.paths.memoryFile
        guard let bytes = try FileSystem.readFile(path) else {
            let content = try legacy ?? config.memorySettings().legacyMemory
            return Stored(content: content ?? "", exists: false, updated: nil)
        }
        func corrupt(_ problem: String) -> VibectlError {
            VibectlError(
                .config, "the memory file \(path) is corrupt: \(problem)",
                hint: "fix or remove \(path), or replace the memory with `vibectl memory set TEXT` or `vibectl memory clear`")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw corrupt("it is not valid UTF-8 text")
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(text, what: "the memory file")
        } catch {
            throw corrupt("it is not valid JSON" + ((error as? VibectlError)?.cause.map { " (\($0))" } ?? ""))
        }
        guard case .object(let object) = json else {
            throw corrupt("the top level is \(json.typeName == "object" ? "an" : "a") \(json.typeName), not an object")
        }
        guard let version = object["version"]?.intValue else {
            throw corrupt("it has no integer \"version\"")
        }
        guard version == Self.fileVersion else {
            throw corrupt("it has version \(version), but this vibectl reads version \(Self.fileVersion)")
        }
        guard case .string(let content)? = object["content"] else {
            throw corrupt("it has no text \"content\"")
        }
        return Stored(content: content, exists: true, updated: object["updated"]?.stringValue)
    }

    /// Writes the memory file under its lock; returns the time written.
    @discardableResult
    private func write(_ content: String) throws -> String {
        let paths = config.paths
        let updated = FileSystem.now()
        let document: JSONValue = ["version": .int(Self.fileVersion), "content": .string(content), "updated": .string(updated)]
        try FileSystem.ensureDirectory(paths.clientDir)
        try FileLock.withLock(paths.memoryLockFile, timeout: config.lockTimeout) {
            try FileSystem.writeAtomically(Array((document.jsonString(pretty: true) + "\n").utf8), to: paths.memoryFile)
        }
        return updated
    }
}
