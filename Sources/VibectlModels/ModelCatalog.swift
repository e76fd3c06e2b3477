import Foundation
import VibectlCore

/// A resolved model name: which provider to call and the model id to send it.
public struct ModelReference: Sendable, Hashable, CustomStringConvertible {
    /// The provider that serves the model.
    public let provider: Provider
    /// The model id sent to the provider, e.g. `claude-3-7-sonnet-20250219` or `llama3.2`.
    public let modelID: String
    /// The alias the model was named by, if it was named by one.
    public let alias: String?

    /// Creates a reference.
    public init(provider: Provider, modelID: String, alias: String? = nil) {
        self.provider = provider
        self.modelID = modelID
        self.alias = alias
    }

    /// `provider:model`, e.g. `anthropic:claude-3-7-sonnet-20250219`: the name metrics and prices use.
    public var qualifiedName: String { "\(provider.rawValue):\(modelID)" }

    /// The name shown to users: the alias when there is one, else the qualified name.
    public var displayName: String { alias ?? qualifiedName }

    /// The display name.
    public var description: String { displayName }
}

/// One entry of the alias table: a short name for a provider's model.
public struct ModelAlias: Sendable, Hashable {
    /// The short name users write, e.g. `claude-sonnet-4`.
    public let name: String
    /// The provider that serves it.
    public let provider: Provider
    /// The model id sent to the provider.
    public let modelID: String

    /// Creates an alias entry.
    public init(_ name: String, _ provider: Provider, _ modelID: String) {
        self.name = name
        self.provider = provider
        self.modelID = modelID
    }

    /// The reference this alias resolves to.
    public var reference: ModelReference { ModelReference(provider: provider, modelID: modelID, alias: name) }
}

/// Turns model names into ``ModelReference``s: `provider:model`, or an alias from a fixed table.
///
/// Provider detection is explicit: a name either starts with a provider prefix (`anthropic:`,
/// `openai:`, `ollama:`, `gemini:`) and passes everything after it through to the provider, or it
/// is one of the ``aliases``. Any other name is an unknown model. docs/models.md lists the table.
public enum ModelCatalog {
    /// The alias table, in display order.
    public static let aliases: [ModelAlias] = [
        ModelAlias("claude-3.7-sonnet", .anthropic, "claude-3-7-sonnet-20250219"),
        ModelAlias("claude-sonnet-4", .anthropic, "claude-sonnet-4-20250514"),
        ModelAlias("claude-4-sonnet", .anthropic, "claude-sonnet-4-20250514"),
        ModelAlias("claude-sonnet-4.5", .anthropic, "claude-sonnet-4-5-20250929"),
        ModelAlias("claude-opus-4", .anthropic, "claude-opus-4-20250514"),
        ModelAlias("claude-4-opus", .anthropic, "claude-opus-4-20250514"),
        ModelAlias("claude-opus-4.1", .anthropic, "claude-opus-4-1-20250805"),
        ModelAlias("claude-3.5-haiku", .anthropic, "claude-3-5-haiku-20241022"),
        ModelAlias("claude-haiku-4.5", .anthropic, "claude-haiku-4-5-20251001"),
        ModelAlias("gpt-4o", .openai, "gpt-4o"),
        ModelAlias("gpt-4o-mini", .openai, "gpt-4o-mini"),
        ModelAlias("gpt-4.1", .openai, "gpt-4.1"),
        ModelAlias("gpt-4.1-mini", .openai, "gpt-4.1-mini"),
        ModelAlias("gpt-4.1-nano", .openai, "gpt-4.1-nano"),
        ModelAlias("gpt-5", .openai, "gpt-5"),
        ModelAlias("gpt-5-mini", .openai, "gpt-5-mini"),
        ModelAlias("o3", .openai, "o3"),
        ModelAlias("o3-mini", .openai, "o3-mini"),
        ModelAlias("o4-mini", .openai, "o4-mini"),
        ModelAlias("gemini-2.5-pro", .gemini, "gemini-2.5-pro"),
        ModelAlias("gemini-2.5-flash", .gemini, "gemini-2.5-flash"),
        ModelAlias("gemini-2.5-flash-lite", .gemini, "gemini-2.5-flash-lite"),
        ModelAlias("gemini-2.0-flash", .gemini, "gemini-2.0-flash"),
        ModelAlias("llama3.2", .ollama, "llama3.2"),
        ModelAlias("llama3.1", .ollama, "llama3.1"),
        ModelAlias("qwen2.5", .ollama, "qwen2.5"),
        ModelAlias("qwen3", .ollama, "qwen3"),
        ModelAlias("mistral", .ollama, "mistral"),
        ModelAlias("gemma3", .ollama, "gemma3"),
        ModelAlias("phi4", .ollama, "phi4"),
        ModelAlias("deepseek-r1", .ollama, "deepseek-r1"),
    ]

    /// The aliases by lower-cased name.
    private static let aliasesByName: [String: ModelAlias] = Dictionary(
        aliases.map { ($0.name.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })

    /// Resolves a model name.
    ///
    /// - `provider:model` (the prefix in any case) → that provider and everything after the first `:`
    ///   as the model id, unchanged (`ollama:llama3.2:1b` → Ollama, `llama3.2:1b`).
    /// - An alias (in any case) → its table entry.
    /// - Throws: `.invalidArgument` for an empty name; `.model` for a name that is neither (the
    ///   message lists the aliases and the `provider:model` form) or a prefix with no model id.
    public static func resolve(_ name: String) throws -> ModelReference {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw VibectlError(
                .invalidArgument, "the model name is empty",
                hint: "name a model as provider:model (e.g. openai:gpt-4.1) or by an alias such as claude-3.7-sonnet")
        }
        if let alias = aliasesByName[trimmed.lowercased()] {
            return alias.reference
        }
        if let colon = trimmed.firstIndex(of: ":") {
            let prefix = trimmed[..<colon].lowercased()
            let modelID = String(trimmed[trimmed.index(after: colon)...])
            if let provider = Provider(rawValue: prefix) {
                guard !modelID.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw VibectlError(
                        .model, "the model name '\(trimmed)' has no model id after '\(prefix):'",
                        hint: "write the provider's model id after the prefix, e.g. \(example(for: provider))")
                }
                return ModelReference(provider: provider, modelID: modelID)
            }
        }
        throw unknownModel(trimmed)
    }

    /// The error for a name that is neither an alias nor prefixed by a provider.
    static func unknownModel(_ name: String) -> VibectlError {
        var message = "unknown model '\(name)'"
        if let near = nearestAlias(to: name) {
            message += "; did you mean '\(near)'?"
        }
        let prefixes = Provider.allCases.map { "\($0.rawValue):" }.joined(separator: ", ")
        message += " Name a model as provider:model (\(prefixes) followed by the provider's model id, e.g. "
            + "openai:gpt-4.1 or ollama:llama3.2) or use an alias: "
            + aliases.map(\.name).joined(separator: ", ")
        var hint = "see docs/models.md for the alias table; `vibectl model list` shows the models and their keys"
        if name.contains(":") {
            hint = "for an Ollama model with a tag write ollama:\(name); " + hint
        } else {
            hint = "to pass the name through to a provider, prefix it, e.g. openai:\(name) or ollama:\(name); " + hint
        }
        return VibectlError(.model, message, hint: hint)
    }

    /// An example qualified name for a provider.
    static func example(for provider: Provider) -> String {
        switch provider {
        case .anthropic: "anthropic:claude-sonnet-4-20250514"
        case .openai: "openai:gpt-4.1"
        case .ollama: "ollama:llama3.2"
        case .gemini: "gemini:gemini-2.5-flash"
        }
    }

    /// The alias nearest to `name` by edit distance, when it is close (at most a third of its length, and at most 3).
    static func nearestAlias(to name: String) -> String? {
        let lowered = Array(name.lowercased())
        var best: (name: String, distance: Int)?
        for alias in aliases {
            let distance = editDistance(lowered, Array(alias.name.lowercased()))
            if distance < (best?.distance ?? Int.max) { best = (alias.name, distance) }
        }
        guard let best, best.distance > 0, best.distance <= min(3, max(1, lowered.count / 3)) else { return nil }
        return best.name
    }

    /// The Levenshtein distance between two character arrays.
    static func editDistance(_ lhs: [Character], _ rhs: [Character]) -> Int {
        if lhs.isEmpty { return rhs.count }
        if rhs.isEmpty { return lhs.count }
        var previous = Array(0...rhs.count)
        var current = [Int](repeating: 0, count: rhs.count + 1)
        for (i, left) in lhs.enumerated() {
            current[0] = i + 1
            for (j, right) in rhs.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (left == right ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[rhs.count]
    }
}
