/// Token counts the fake server reports in a reply's usage fields.
public struct FakeUsage: Sendable, Equatable {
    /// Prompt tokens (`input_tokens`, `prompt_tokens`, `prompt_eval_count`, `promptTokenCount`).
    public var inputTokens: Int
    /// Reply tokens (`output_tokens`, `completion_tokens`, `eval_count`, `candidatesTokenCount`).
    public var outputTokens: Int

    /// Creates a usage report.
    public init(inputTokens: Int, outputTokens: Int) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }
}

/// What the fake server answers to one request, rendered in the wire format of the API that was called.
///
/// Content replies (`reply`, `structured`, `stream`) adapt to the request: a streamed request gets
/// the provider's stream format (SSE or NDJSON), a plain one a single JSON body. Faults produce the
/// status code, headers and error body the real service documents.
public indirect enum FakeReply: Sendable, Equatable {
    /// A free-text reply; streamed requests receive it split into word-sized chunks.
    case reply(text: String, usage: FakeUsage? = nil)
    /// A structured reply whose content is `json` (Anthropic: a forced `tool_use` block; the others: JSON text).
    case structured(json: String, usage: FakeUsage? = nil)
    /// A reply streamed in exactly these chunks, `interval` seconds apart; a plain request gets them joined.
    case stream(chunks: [String], usage: FakeUsage? = nil, interval: Double = 0)
    /// An error status in the provider's error format, with a `Retry-After` header when `retryAfter` is set.
    case status(_ code: Int, retryAfter: Int? = nil)
    /// "Overloaded": Anthropic 529 `overloaded_error`; OpenAI, Gemini and Ollama answer 503.
    case overloaded
    /// A server error (500 unless another 5xx is named) in the provider's error format.
    case serverError(_ code: Int = 500)
    /// Starts a streamed reply of `chunks` (a default sentence when `nil`), sends the first `after`
    /// text chunks and closes the connection without ending the body; a plain request gets half its body.
    case streamCut(after: Int, chunks: [String]? = nil)
    /// Starts a stream, sends `after` text chunks, then the provider's in-stream overload error event
    /// (Anthropic `event: error` with `overloaded_error`, the others their error object) and ends the body.
    case errorMidStream(after: Int)
    /// Waits `seconds` before sending anything, then answers with `then` (the default reply when `nil`).
    case slowFirstByte(_ seconds: Double, then: FakeReply? = nil)
    /// A 200 response whose body (or a stream event) is not valid JSON.
    case malformedJSON
    /// A structured reply whose content does not match the schema the request asked for.
    case wrongSchema(json: String)
    /// A 200 response that is valid JSON but not the shape the API documents.
    case unexpectedShape
    /// The provider's "model not found" answer (404) naming the requested model.
    case modelNotFound
    /// The provider's answer to a rejected key: 401 for Anthropic, OpenAI and Ollama; Gemini's
    /// documented 400 `INVALID_ARGUMENT` with reason `API_KEY_INVALID`.
    case unauthorized
    /// Exactly this status, these headers and this body, for anything the cases above do not cover.
    case raw(status: Int, headers: [String: String] = [:], body: String)

    /// Whether this reply is an error answer (which model-list requests also consume from the queue).
    public var isFault: Bool {
        switch self {
        case .reply, .structured, .stream, .wrongSchema, .streamCut, .errorMidStream, .malformedJSON, .unexpectedShape:
            false
        case .status, .overloaded, .serverError, .modelNotFound, .unauthorized:
            true
        case .slowFirstByte(_, let then):
            then?.isFault ?? false
        case .raw(let status, _, _):
            status >= 400
        }
    }

    /// The sentence `streamCut` streams when no chunks are given.
    public static let defaultCutChunks = ["The quick ", "brown fox ", "jumps over ", "the lazy ", "dog."]
}
