import Foundation
import VibectlCore

/// Memory status, as returned by status() and set().
public struct MemoryStatus: Sendable, Equatable {
    /// The memory text.
    public let content: String
    /// Characters in the memory.
    public let chars: Int
    /// The maximum characters.
    public let maxChars: Int
    /// Whether memory is frozen.
    public let frozen: Bool
    /// Whether the last set was truncated.
    public let truncated: Bool
    /// The memory file path.
    public let path: String
    /// Whether the file exists.
    public let exists: Bool
    /// When last updated.
    public let updated: String?
    /// The status as JSON.
    public func json() -> JSONValue { ["version": 1] }
}

/// Reads and writes the memory file.
public final class MemoryStore: Sendable {
    /// The configuration store.
    let config: ConfigStore
    /// Creates a memory store.
    public init(config: ConfigStore) { self.config = config }
    /// The memory text.
    public func get() throws -> String { "" }
    /// Sets the memory.
    @discardableResult public func set(_ text: String) throws -> MemoryStatus { try status() }
    /// Clears the memory.
    public func clear() throws {}
    /// Freezes memory.
    public func freeze() throws {}
    /// Unfreezes memory.
    public func unfreeze() throws {}
    /// The status.
    public func status() throws -> MemoryStatus {
        MemoryStatus(content: "", chars: 0, maxChars: 0, frozen: false, truncated: false, path: "", exists: false, updated: nil)
    }
    /// An automatic update after a command.
    @discardableResult public func recordAutomaticUpdate(_ text: String, freezeForThisCall: Bool) throws -> Bool { false }
}
