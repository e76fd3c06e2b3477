import VibectlCore
import VibectlModels

/// The request JSON of `vibectl_complete` (docs/abi.md, "completion request"), validated.
struct CompletionRequest: Sendable {
    /// What to ask.
    var request: ModelRequest
    /// How to ask it.
    var options: CompletionOptions

    static let knownKeys: Set<String> = [
        "version", "system", "user", "schema", "schema_name", "stream", "model", "timeout_seconds", "max_tokens",
        "temperature",
    ]

    /// Parses and validates request JSON text.
    init(json text: String) throws {
        guard case .object(let object) = try JSONValue.parse(text, what: "request_json") else {
            throw Self.invalid("request_json must be a JSON object")
        }
        if let unknown = object.keys.sorted().first(where: { !Self.knownKeys.contains($0) }) {
            throw VibectlError(
                .invalidArgument, "unknown completion request member '\(unknown)'",
                hint: "valid members: \(Self.knownKeys.sorted().joined(separator: ", "))")
        }
        if let version = object["version"], version != .int(1) {
            throw Self.invalid("unsupported request version \(version.jsonString()); this library reads version 1")
        }
        let user = try Self.strings(object["user"], "user")
        guard !user.isEmpty else {
            throw Self.invalid("request_json.user must hold at least one string")
        }
        var request = ModelRequest(systemFragments: try Self.strings(object["system"], "system"), userFragments: user)
        switch object["schema"] {
        case nil, .null?: break
        case .object(let schema)?: request.schema = .object(schema)
        case let other?: throw Self.invalid("request_json.schema must be a JSON schema object, not \(other.typeName)")
        }
        if let name = object["schema_name"], !name.isNull {
            guard let text = name.stringValue, !text.isEmpty, text.count <= 64 else {
                throw Self.invalid("request_json.schema_name must be a non-empty string of at most 64 characters")
            }
            request.schemaName = text
        }
        if let value = object["max_tokens"], !value.isNull {
            guard let tokens = value.intValue, (1...1_000_000).contains(tokens) else {
                throw Self.invalid("request_json.max_tokens must be an integer from 1 to 1000000")
            }
            request.maxTokens = tokens
        }
        if let value = object["temperature"], !value.isNull {
            guard let temperature = value.doubleValue, (0...2).contains(temperature) else {
                throw Self.invalid("request_json.temperature must be a number from 0 to 2")
            }
            request.temperature = temperature
        }
        var options = CompletionOptions()
        if let value = object["stream"], !value.isNull {
            guard let stream = value.boolValue else { throw Self.invalid("request_json.stream must be true or false") }
            options.stream = stream
        }
        if let value = object["model"], !value.isNull {
            guard let model = value.stringValue, !model.isEmpty else {
                throw Self.invalid("request_json.model must be a model name such as \"gpt-4o\" or \"ollama:llama3.2\"")
            }
            options.model = model
        }
        if let value = object["timeout_seconds"], !value.isNull {
            guard let seconds = value.doubleValue, seconds > 0, seconds <= 86_400 else {
                throw Self.invalid("request_json.timeout_seconds must be a number of seconds above 0 (at most 86400)")
            }
            options.timeout = .milliseconds(Int64(seconds * 1000))
        }
        self.request = request
        self.options = options
    }

    private static func strings(_ value: JSONValue?, _ name: String) throws -> [String] {
        switch value {
        case nil, .null?: return []
        case .string(let text)?: return [text]
        case .array(let items)?:
            return try items.enumerated().map { index, item in
                guard let text = item.stringValue else {
                    throw invalid("request_json.\(name)[\(index)] is a \(item.typeName), not a string")
                }
                return text
            }
        case let other?:
            throw invalid("request_json.\(name) must be a list of strings, not \(other.typeName)")
        }
    }

    private static func invalid(_ message: String) -> VibectlError {
        VibectlError(
            .invalidArgument, message,
            hint: #"e.g. {"version": 1, "system": ["You are terse."], "user": ["Say hi."], "stream": false}"#)
    }
}
