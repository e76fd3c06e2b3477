/// What kind of text a command produced, as detected before compaction.
public enum OutputKind: String, Sendable, CaseIterable, Codable {
    /// A JSON document (`-o json`).
    case json
    /// One or more YAML documents (`-o yaml`).
    case yaml
    /// A kubectl table (`get` default or wide output).
    case table
    /// Log lines that start with timestamps.
    case logs
    /// `kubectl events` / `get events` output.
    case events
    /// Anything else.
    case text
}
