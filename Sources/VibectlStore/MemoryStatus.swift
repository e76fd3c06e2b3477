import VibectlCore

/// Memory status, as returned by `MemoryStore.status()` and `MemoryStore.set(_:)`.
public struct MemoryStatus: Sendable, Equatable {
    /// The memory text.
    public let content: String
    /// The length of the memory in characters (grapheme clusters).
    public let chars: Int
    /// The effective `memory.max_chars`.
    public let maxChars: Int
    /// Whether automatic updates are off (the effective `memory.enabled` is false).
    public let frozen: Bool
    /// Whether the text given to `set` was cut to `maxChars`; always false from `status()`.
    public let truncated: Bool
    /// The memory file.
    public let path: String
    /// Whether the memory file exists.
    public let exists: Bool
    /// When the memory was last written (ISO 8601, UTC), or `nil` when unknown.
    public let updated: String?

    /// Creates a status.
    init(
        content: String, maxChars: Int, frozen: Bool, truncated: Bool, path: String, exists: Bool, updated: String?
    ) {
        self.content = content
        self.chars = content.count
        self.maxChars = maxChars
        self.frozen = frozen
        self.truncated = truncated
        self.path = path
        self.exists = exists
        self.updated = updated
    }

    /// The status as JSON: `{"version":1,"content","chars","max_chars","frozen","truncated","path","exists","updated"}`.
    public func json() -> JSONValue {
        .object([
            "version": 1,
            "content": .string(content),
            "chars": .int(chars),
            "max_chars": .int(maxChars),
            "frozen": .bool(frozen),
            "truncated": .bool(truncated),
            "path": .string(path),
            "exists": .bool(exists),
            "updated": updated.map(JSONValue.string) ?? .null,
        ])
    }
}
