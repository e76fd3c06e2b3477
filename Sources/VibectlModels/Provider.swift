/// A model provider whose HTTP API vibectl speaks natively.
public enum Provider: String, Sendable, CaseIterable, Codable {
    case anthropic
    case openai
    case ollama
    case gemini

    /// The name shown to users.
    public var displayName: String {
        switch self {
        case .anthropic: "Anthropic"
        case .openai: "OpenAI"
        case .ollama: "Ollama"
        case .gemini: "Gemini"
        }
    }

    /// Whether calls need an API key (Ollama runs locally without one).
    public var requiresKey: Bool { self != .ollama }

    /// vibectl's own key variable, e.g. `VIBECTL_ANTHROPIC_API_KEY`.
    public var vibectlKeyVariable: String { "VIBECTL_\(rawValue.uppercased())_API_KEY" }

    /// vibectl's key-file variable, e.g. `VIBECTL_ANTHROPIC_API_KEY_FILE`.
    public var vibectlKeyFileVariable: String { vibectlKeyVariable + "_FILE" }

    /// The variable the provider's own tools use, e.g. `ANTHROPIC_API_KEY`.
    public var usualKeyVariable: String? {
        switch self {
        case .anthropic: "ANTHROPIC_API_KEY"
        case .openai: "OPENAI_API_KEY"
        case .gemini: "GEMINI_API_KEY"
        case .ollama: nil
        }
    }

    /// The variable users already know for the endpoint, e.g. `OPENAI_BASE_URL`.
    public var baseURLVariable: String {
        switch self {
        case .anthropic: "ANTHROPIC_BASE_URL"
        case .openai: "OPENAI_BASE_URL"
        case .ollama: "OLLAMA_HOST"
        case .gemini: "GEMINI_BASE_URL"
        }
    }

    /// The public endpoint used when neither config nor environment names one.
    public var defaultBaseURL: String {
        switch self {
        case .anthropic: "https://api.anthropic.com"
        case .openai: "https://api.openai.com/v1"
        case .ollama: "http://localhost:11434"
        case .gemini: "https://generativelanguage.googleapis.com/v1beta"
        }
    }
}
