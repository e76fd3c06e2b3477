import VibectlCore

/// What a model costs, in USD per million tokens.
public struct ModelPrice: Sendable, Hashable {
    /// USD per million input (prompt) tokens.
    public let inputPerMillion: Double
    /// USD per million output (reply) tokens.
    public let outputPerMillion: Double

    /// Creates a price.
    public init(input inputPerMillion: Double, output outputPerMillion: Double) {
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
    }

    /// The cost of a call in USD, or `nil` when the provider did not report both token counts.
    public func cost(inputTokens: Int?, outputTokens: Int?) -> Double? {
        guard let inputTokens, let outputTokens else { return nil }
        return (Double(inputTokens) * inputPerMillion + Double(outputTokens) * outputPerMillion) / 1_000_000
    }
}

/// Prices by model: a built-in table of list prices, extended and overridden by `llm.prices`.
///
/// Prices are looked up by qualified name (`openai:gpt-4.1`); `llm.prices` entries may be written
/// with an alias or a qualified name. Ollama models run locally and cost 0 unless `llm.prices`
/// says otherwise.
public struct PriceTable: Sendable {
    /// List prices as of 2025 in USD per million tokens, by qualified name; override them with `llm.prices`.
    ///
    /// Standard (non-batch, non-cached) rates; Gemini 2.5 Pro at its rate for prompts up to 200k tokens.
    public static let builtIn: [String: ModelPrice] = [
        "anthropic:claude-3-7-sonnet-20250219": ModelPrice(input: 3, output: 15),
        "anthropic:claude-sonnet-4-20250514": ModelPrice(input: 3, output: 15),
        "anthropic:claude-sonnet-4-5-20250929": ModelPrice(input: 3, output: 15),
        "anthropic:claude-opus-4-20250514": ModelPrice(input: 15, output: 75),
        "anthropic:claude-opus-4-1-20250805": ModelPrice(input: 15, output: 75),
        "anthropic:claude-3-5-haiku-20241022": ModelPrice(input: 0.8, output: 4),
        "anthropic:claude-haiku-4-5-20251001": ModelPrice(input: 1, output: 5),
        "openai:gpt-4o": ModelPrice(input: 2.5, output: 10),
        "openai:gpt-4o-mini": ModelPrice(input: 0.15, output: 0.6),
        "openai:gpt-4.1": ModelPrice(input: 2, output: 8),
        "openai:gpt-4.1-mini": ModelPrice(input: 0.4, output: 1.6),
        "openai:gpt-4.1-nano": ModelPrice(input: 0.1, output: 0.4),
        "openai:gpt-5": ModelPrice(input: 1.25, output: 10),
        "openai:gpt-5-mini": ModelPrice(input: 0.25, output: 2),
        "openai:o3": ModelPrice(input: 2, output: 8),
        "openai:o3-mini": ModelPrice(input: 1.1, output: 4.4),
        "openai:o4-mini": ModelPrice(input: 1.1, output: 4.4),
        "gemini:gemini-2.5-pro": ModelPrice(input: 1.25, output: 10),
        "gemini:gemini-2.5-flash": ModelPrice(input: 0.3, output: 2.5),
        "gemini:gemini-2.5-flash-lite": ModelPrice(input: 0.1, output: 0.4),
        "gemini:gemini-2.0-flash": ModelPrice(input: 0.1, output: 0.4),
    ]

    /// The effective prices by qualified name.
    public let prices: [String: ModelPrice]

    /// The names in `llm.prices` that are not model names (neither an alias nor `provider:model`); they are ignored.
    public let ignoredNames: [String]

    /// The built-in table merged with `llm.prices` (an object of name → `{"input": N, "output": N}`).
    ///
    /// Entries that are malformed are skipped (the configuration validates them before they get here).
    public init(configPrices: JSONValue = .object([:])) {
        var prices = Self.builtIn
        var ignored: [String] = []
        for name in (configPrices.objectValue ?? [:]).keys.sorted() {
            guard let reference = try? ModelCatalog.resolve(name) else {
                ignored.append(name)
                continue
            }
            let fields = configPrices.objectValue?[name]?.objectValue ?? [:]
            guard let input = fields["input"]?.doubleValue, let output = fields["output"]?.doubleValue else { continue }
            prices[reference.qualifiedName] = ModelPrice(input: input, output: output)
        }
        self.prices = prices
        self.ignoredNames = ignored
    }

    /// The price of a model, or `nil` when none is known.
    ///
    /// An Ollama model falls back to its name without `:latest`, then to 0.
    public func price(for model: ModelReference) -> ModelPrice? {
        if let price = prices[model.qualifiedName] { return price }
        guard model.provider == .ollama else { return nil }
        if model.modelID.hasSuffix(":latest"), let price = prices["ollama:" + model.modelID.dropLast(":latest".count)] {
            return price
        }
        return ModelPrice(input: 0, output: 0)
    }
}
