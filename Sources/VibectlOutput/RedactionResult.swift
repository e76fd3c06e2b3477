import VibectlCore

/// The outcome of redacting one text: the text with secrets replaced, and how many of each kind were found.
public struct RedactionResult: Sendable, Equatable {
    /// The input with every detected secret replaced by `[REDACTED:<kind>]`.
    public let text: String
    /// How many secrets of each kind were replaced, keyed by kind (e.g. `"jwt"`, `"aws-access-key"`).
    public let findings: [String: Int]

    /// Creates a result.
    public init(text: String, findings: [String: Int]) {
        self.text = text
        self.findings = findings
    }

    /// The number of secrets replaced, over all kinds.
    public var total: Int { findings.values.reduce(0, +) }

    /// The result as `{"text", "findings": {kind: count}, "total"}`; the replaced secrets are never included.
    public func json() -> JSONValue {
        .object([
            "text": .string(text),
            "findings": .object(findings.mapValues { JSONValue.int($0) }),
            "total": .int(total),
        ])
    }
}
