import VibectlCore

/// One request to a model: system and user fragments, and optionally a JSON schema the reply must follow.
public struct ModelRequest: Sendable, Equatable {
    /// System prompt fragments, joined with blank lines by adapters whose API takes one system text.
    public var systemFragments: [String]
    /// User message fragments, sent in order (as content blocks where the API allows it).
    public var userFragments: [String]
    /// A JSON schema (an object) the reply must match; `nil` for free text.
    public var schema: JSONValue?
    /// The schema's name, for APIs that want one (OpenAI `json_schema.name`, Anthropic tool name).
    public var schemaName: String
    /// The most tokens the reply may use.
    public var maxTokens: Int
    /// Sampling temperature; `nil` leaves the provider's default.
    public var temperature: Double?

    /// Creates a request.
    public init(
        systemFragments: [String] = [], userFragments: [String], schema: JSONValue? = nil,
        schemaName: String = "response", maxTokens: Int = 4096, temperature: Double? = nil
    ) {
        self.systemFragments = systemFragments
        self.userFragments = userFragments
        self.schema = schema
        self.schemaName = schemaName
        self.maxTokens = maxTokens
        self.temperature = temperature
    }
}

/// Token counts a provider reported.
public struct TokenUsage: Sendable, Equatable {
    /// Prompt tokens, if reported.
    public var inputTokens: Int?
    /// Reply tokens, if reported.
    public var outputTokens: Int?

    /// Creates a usage record.
    public init(inputTokens: Int? = nil, outputTokens: Int? = nil) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }

    /// Combines two partial reports (streams report input and output at different times).
    public func merged(with other: TokenUsage) -> TokenUsage {
        TokenUsage(inputTokens: other.inputTokens ?? inputTokens, outputTokens: other.outputTokens ?? outputTokens)
    }
}

/// What a provider's reply says, before metrics: the text (or structured JSON text), usage, why it stopped.
public struct ProviderReply: Sendable, Equatable {
    /// The reply text; for structured output, the JSON document as text.
    public var text: String
    /// Token usage, as far as reported.
    public var usage: TokenUsage
    /// The provider's stop reason (e.g. `end_turn`, `stop`, `max_tokens`), if any.
    public var stopReason: String?

    /// Creates a reply.
    public init(text: String, usage: TokenUsage = TokenUsage(), stopReason: String? = nil) {
        self.text = text
        self.usage = usage
        self.stopReason = stopReason
    }
}

/// One piece of a streamed reply, as decoded from the provider's wire format.
public enum StreamPiece: Sendable, Equatable {
    /// More reply text (for structured output: more of the JSON text).
    case text(String)
    /// A usage report (may come more than once; later values win per field).
    case usage(TokenUsage)
    /// The stream ended normally, with the provider's stop reason.
    case finished(stopReason: String?)
}
