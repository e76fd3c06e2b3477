import VibectlCore

/// Settings for one compaction: the character budget, the user's intent and the token estimate ratio.
public struct CompactionOptions: Sendable {
    /// Maximum number of characters (Unicode scalars) in the compacted text; `output.max_chars` in config.
    public var budget: Int
    /// The user's request; lines, fields and items that mention its words are kept first.
    public var intent: String?
    /// Characters per token for the estimated-token view; `output.chars_per_token` in config.
    public var charsPerToken: Double

    /// Creates options; the defaults match the config defaults (`output.max_chars` 5000, 4 chars per token).
    public init(budget: Int = 5000, intent: String? = nil, charsPerToken: Double = 4) {
        self.budget = budget
        self.intent = intent
        self.charsPerToken = charsPerToken
    }
}

/// The outcome of a compaction: the text a model would see and what was left out.
public struct CompactionResult: Sendable, Equatable {
    /// The compacted text; never longer than the budget.
    public let text: String
    /// The detected kind of the input.
    public let kind: OutputKind
    /// Length of the input in characters (Unicode scalars).
    public let originalChars: Int
    /// Length of `text` in characters (Unicode scalars).
    public let keptChars: Int
    /// Human-readable descriptions of what was omitted, in the order it was decided.
    public let dropped: [String]

    /// Creates a result; `keptChars` is computed from `text`.
    public init(text: String, kind: OutputKind, originalChars: Int, dropped: [String]) {
        self.text = text
        self.kind = kind
        self.originalChars = originalChars
        self.keptChars = text.unicodeScalars.count
        self.dropped = dropped
    }

    /// The result as a JSON object with sizes in characters and estimated tokens.
    public func json(charsPerToken: Double) -> JSONValue {
        .object([
            "text": .string(text),
            "type": .string(kind.rawValue),
            "original_chars": .int(originalChars),
            "kept_chars": .int(keptChars),
            "original_tokens_estimate": .int(Self.tokens(originalChars, charsPerToken)),
            "kept_tokens_estimate": .int(Self.tokens(keptChars, charsPerToken)),
            "dropped": .array(dropped.map { .string($0) }),
        ])
    }

    /// Estimated token count for a character count, rounded up; a ratio below 1 counts as 1.
    static func tokens(_ chars: Int, _ charsPerToken: Double) -> Int {
        let ratio = charsPerToken.isFinite && charsPerToken >= 1 ? charsPerToken : 1
        return Int((Double(chars) / ratio).rounded(.up))
    }
}
