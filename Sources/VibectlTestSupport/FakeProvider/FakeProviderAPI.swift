/// One of the provider HTTP APIs the fake server speaks; each has its own path prefix on the server.
///
/// The cases mirror `VibectlModels.Provider` by raw value, so a test can convert with
/// `FakeProviderAPI(rawValue: provider.rawValue)`.
public enum FakeProviderAPI: String, Sendable, CaseIterable, Hashable {
    /// The Anthropic Messages API (`POST /v1/messages`, SSE streaming).
    case anthropic
    /// The OpenAI Chat Completions API (`POST /v1/chat/completions`, SSE streaming).
    case openai
    /// The Ollama chat API (`POST /api/chat`, NDJSON streaming).
    case ollama
    /// The Gemini API (`POST /v1beta/models/{model}:generateContent`, SSE with `alt=sse`).
    case gemini

    /// The prefix every request for this API carries on the fake server, e.g. `/openai`.
    public var pathPrefix: String { "/" + rawValue }

    /// The part of the base URL after the prefix, the way the real service spells it:
    /// Anthropic and Ollama bases have none, OpenAI's ends in `/v1`, Gemini's in `/v1beta`.
    var baseSuffix: String {
        switch self {
        case .anthropic, .ollama: ""
        case .openai: "/v1"
        case .gemini: "/v1beta"
        }
    }

    /// The model ids the server lists and accepts when a test has not named its own.
    public var defaultModels: [String] {
        switch self {
        case .anthropic: ["claude-sonnet-4-20250514", "claude-3-5-haiku-20241022"]
        case .openai: ["gpt-4o", "gpt-4o-mini"]
        case .ollama: ["llama3.2:latest"]
        case .gemini: ["gemini-2.0-flash", "gemini-2.5-pro"]
        }
    }
}
