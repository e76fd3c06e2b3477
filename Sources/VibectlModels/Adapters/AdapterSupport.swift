import Foundation
import VibectlCore

/// Reading and writing the JSON documents the provider APIs exchange.
enum WireJSON {
    /// Parses a body; `nil` when it is not JSON.
    static func parse(_ data: Data) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// Parses UTF-8 text; `nil` when it is not JSON.
    static func parse(_ text: String) -> JSONValue? {
        parse(Data(text.utf8))
    }

    /// Serialises a body (compact, keys sorted, so requests are reproducible).
    static func encode(_ value: JSONValue) -> Data {
        Data(value.jsonString().utf8)
    }

    /// The value at `path` (object member names, or array indexes written as numbers).
    static func get(_ value: JSONValue?, _ path: String...) -> JSONValue? {
        var current = value
        for step in path {
            guard let node = current else { return nil }
            switch node {
            case .object(let members):
                current = members[step]
            case .array(let elements):
                guard let index = Int(step), elements.indices.contains(index) else { return nil }
                current = elements[index]
            default:
                return nil
            }
        }
        if current == .null { return nil }
        return current
    }

    /// The string at `path`, if there is one.
    static func string(_ value: JSONValue?, _ path: String...) -> String? {
        walk(value, path)?.stringValue
    }

    /// The integer at `path`, if there is one.
    static func int(_ value: JSONValue?, _ path: String...) -> Int? {
        walk(value, path)?.intValue
    }

    /// The array at `path`, if there is one.
    static func array(_ value: JSONValue?, _ path: String...) -> [JSONValue]? {
        walk(value, path)?.arrayValue
    }

    private static func walk(_ value: JSONValue?, _ path: [String]) -> JSONValue? {
        var current = value
        for step in path { current = get(current, step) }
        return current
    }
}

/// Pieces of request building and error reporting that every adapter uses.
enum AdapterSupport {
    /// The `user-agent` sent with every request.
    static let userAgent = "vibectl/\(VibectlVersion.string)"

    /// `base` + `path`, tolerating a trailing slash on the base.
    static func url(_ base: String, _ path: String) -> String {
        var trimmed = base
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        return trimmed + path
    }

    /// The system fragments that have text, joined with blank lines; `nil` when there are none.
    static func joinedSystem(_ request: ModelRequest) -> String? {
        let parts = request.systemFragments.filter { !$0.isEmpty }
        return parts.isEmpty ? nil : parts.joined(separator: "\n\n")
    }

    /// The user fragments that have text.
    /// - Throws: `.invalidArgument` when no fragment has text (every API rejects an empty message).
    static func userFragments(_ request: ModelRequest) throws -> [String] {
        let parts = request.userFragments.filter { !$0.isEmpty }
        guard !parts.isEmpty else {
            throw VibectlError(
                .invalidArgument, "the model request has no user text",
                hint: "pass at least one non-empty user fragment")
        }
        return parts
    }

    /// A schema name the APIs accept (`^[a-zA-Z0-9_-]{1,64}$`): other characters become `_`.
    static func schemaName(_ name: String) -> String {
        var result = String(
            String.UnicodeScalarView(
                name.unicodeScalars.map { scalar in
                    scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-")
                        ? scalar : "_"
                }))
        if result.isEmpty { result = "response" }
        return String(result.prefix(64))
    }

    /// A short, redacted, single-line excerpt of a body for an error message.
    static func excerpt(_ data: Data, limit: Int = 300) -> String {
        excerpt(String(decoding: data.prefix(8192), as: UTF8.self), limit: limit)
    }

    /// A short, redacted, single-line excerpt of a text for an error message.
    ///
    /// Redaction runs before truncation, so a key is never cut into a piece too short to be recognised.
    static func excerpt(_ text: String, limit: Int = 300) -> String {
        let oneLine = text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        let redacted = Redaction.redactSecrets(oneLine)
        guard redacted.count > limit else { return redacted }
        return String(redacted.prefix(limit)) + "…"
    }

    /// The error thrown when a success body is not what the API documents.
    static func unusableReply(_ provider: Provider, _ what: String, body: Data) -> VibectlError {
        VibectlError(
            .model, "the \(provider.displayName) reply \(what)",
            hint: "the endpoint may not speak the \(provider.displayName) API; check providers.\(provider.rawValue).base_url",
            cause: body.isEmpty ? "empty body" : excerpt(body))
    }
}

/// What went wrong with a provider call, in provider-neutral terms.
enum ProviderFailureKind: Equatable {
    /// 401: the key was rejected.
    case keyRejected
    /// 403: the key works but may not do this.
    case permissionDenied
    /// The account has no credit or quota left.
    case quotaExhausted
    /// 404 from the API itself: the model does not exist.
    case unknownModel
    /// 404 that does not come from the API (wrong base URL).
    case endpointNotFound
    /// 429: slow down.
    case rateLimited
    /// 529 / 503 / overloaded_error.
    case overloaded
    /// 5xx.
    case serverError
    /// 408 / 409 / 425: the server asks for a retry.
    case retryLater
    /// 400 / 422 and other 4xx.
    case invalidRequest
    /// 413 or a context-length error.
    case tooLarge
    /// 3xx: vibectl does not follow redirects.
    case redirect(location: String?)
}

/// Builds the `VibectlError` for a classified provider failure.
enum ProviderFailure {
    /// The error for `kind`; `detail` is the provider's own words (already redacted), e.g. `429 rate_limit_error: ...`.
    static func error(_ kind: ProviderFailureKind, provider: Provider, model: String, detail: String) -> VibectlError {
        let name = provider.displayName
        let suffix = detail.isEmpty ? "" : " (\(detail))"
        let keyHint = "check the key: `vibectl model list` shows where it comes from"
        let retryHint = "vibectl retries with backoff (llm.max_retries, llm.retry_delay_seconds); llm.fallback_models names models to try instead"
        let endpointHint = "check providers.\(provider.rawValue).base_url or \(provider.baseURLVariable)"
        switch kind {
        case .keyRejected:
            return VibectlError(.auth, "the \(name) API rejected the configured key\(suffix)", hint: keyHint)
        case .permissionDenied:
            return VibectlError(
                .auth, "the \(name) API refused the configured key access to model '\(model)'\(suffix)",
                hint: keyHint + "; the key's account or project may not be allowed to use this model")
        case .quotaExhausted:
            return VibectlError(
                .auth, "the \(name) account behind the configured key has no credit or quota left\(suffix)",
                hint: "check the account's billing and plan with \(name), or use another key or model")
        case .unknownModel:
            var hint = "`vibectl model list` shows the models and aliases vibectl knows"
            if provider == .ollama { hint = "pull it first (`ollama pull \(model)`), or " + hint }
            return VibectlError(.model, "unknown model '\(model)': the \(name) API does not know it\(suffix)", hint: hint)
        case .endpointNotFound:
            var hint = endpointHint
            if provider == .openai { hint += "; OpenAI-compatible servers usually want a base URL ending in /v1" }
            return VibectlError(.model, "the \(name) endpoint was not found\(suffix)", hint: hint)
        case .rateLimited:
            return VibectlError(.transient, "the \(name) API is rate limiting requests\(suffix)", hint: retryHint)
        case .overloaded:
            return VibectlError(.transient, "the \(name) API is overloaded\(suffix)", hint: retryHint)
        case .serverError:
            return VibectlError(.transient, "the \(name) API failed with a server error\(suffix)", hint: retryHint)
        case .retryLater:
            return VibectlError(.transient, "the \(name) API asked for the request to be retried\(suffix)", hint: retryHint)
        case .invalidRequest:
            return VibectlError(
                .model, "the \(name) API rejected the request as invalid\(suffix)",
                hint: "the provider's message says what it did not accept; check the model name, max_tokens and the schema")
        case .tooLarge:
            return VibectlError(
                .model, "the request is too large for model '\(model)'\(suffix)",
                hint: "send less input (lower the output truncation limits) or use a model with a larger context")
        case .redirect(let location):
            let target = location.map { " to \(AdapterSupport.excerpt($0, limit: 200))" } ?? ""
            return VibectlError(
                .model, "the \(name) endpoint answered with a redirect\(target); vibectl does not follow redirects\(suffix)",
                hint: endpointHint + " and set it to the final address")
        }
    }

    /// The kind for a status code when the provider's body says nothing more specific.
    static func kind(forStatus status: Int, location: String?) -> ProviderFailureKind {
        switch status {
        case 300..<400: .redirect(location: location)
        case 401: .keyRejected
        case 402: .quotaExhausted
        case 403: .permissionDenied
        case 404: .endpointNotFound
        case 408, 409, 425: .retryLater
        case 413: .tooLarge
        case 429: .rateLimited
        case 503, 529: .overloaded
        case 500..<600: .serverError
        default: .invalidRequest
        }
    }

    /// Whether a 404 means "no such model" rather than "no such endpoint".
    ///
    /// A 404 whose body is not the provider's error document comes from something else (a proxy, a wrong
    /// path on a compatible server) and means a wrong base URL. A provider error document means an unknown
    /// model, unless its message is a bare "not found" / "invalid URL" about the path.
    static func meansUnknownModel(isAPIError: Bool, message: String?, model: String) -> Bool {
        guard isAPIError else { return false }
        let text = (message ?? "").lowercased()
        if text.contains("model") || (!model.isEmpty && text.contains(model.lowercased())) { return true }
        let pathComplaints = ["not found", "invalid url", "page not found", "no route", "unknown url", "unknown path"]
        return !pathComplaints.contains { text.hasPrefix($0) || text.hasPrefix("404 \($0)") }
    }

    /// `"<status> <type>: <message>"`, redacted, with whichever parts are known.
    static func detail(status: Int?, type: String?, message: String?, body: Data) -> String {
        var head = status.map { String($0) } ?? ""
        if let type, !type.isEmpty { head += head.isEmpty ? type : " \(type)" }
        let text: String
        if let message, !message.isEmpty {
            text = AdapterSupport.excerpt(message, limit: 500)
        } else if !body.isEmpty {
            text = AdapterSupport.excerpt(body)
        } else {
            text = ""
        }
        if head.isEmpty { return text }
        return text.isEmpty ? head : "\(head): \(text)"
    }
}

extension VibectlError {
    /// Whether this error says the provider does not know the model (so a caller may try another spelling,
    /// e.g. Ollama's `name:latest`).
    ///
    /// Adapters report an unknown model with code `.model` and a message starting `unknown model '`.
    public var isUnknownModel: Bool {
        code == .model && message.hasPrefix("unknown model '")
    }
}
