import Foundation
import Logging
import VibectlCore
import VibectlStore

/// How one completion is made: which model, streamed or not, and the overall time limit.
public struct CompletionOptions: Sendable {
    /// The model name (alias or `provider:model`); `nil` uses `llm.model`.
    public var model: String?
    /// Whether to stream: text then arrives as ``ModelEvent/text(_:)`` events while the reply is written.
    public var stream: Bool
    /// The deadline of the whole call, retries and fallbacks included; `nil` for none (each attempt is
    /// still limited by `llm.timeout_seconds`).
    public var timeout: Duration?
    /// Whether a structured reply is parsed and checked against the request's schema here (a reply that
    /// does not fit then counts as unusable and the fallback models are tried). Callers with their own,
    /// stricter parser that want the raw text of a reply that does not fit turn it off.
    public var checkReply: Bool

    /// Creates options.
    public init(model: String? = nil, stream: Bool = false, timeout: Duration? = nil, checkReply: Bool = true) {
        self.model = model
        self.stream = stream
        self.timeout = timeout
        self.checkReply = checkReply
    }
}

/// The outcome of a successful completion.
public struct ModelResult: Sendable {
    /// The reply text: one attempt's complete text, whatever was streamed before a retry.
    public let text: String
    /// The reply parsed as JSON when the request had a schema; `nil` otherwise.
    public let parsedJSON: JSONValue?
    /// The model that answered (a fallback when ``CallMetrics/fallbackUsed``).
    public let model: ModelReference
    /// Tokens, timings, retries and cost.
    public let metrics: CallMetrics
    /// The provider's stop reason, if it gave one.
    public let stopReason: String?
    /// Things the caller should know: key format doubts, a reply cut at the token limit, an Ollama `:latest` retry.
    public let warnings: [String]

    /// Creates a result.
    public init(
        text: String, parsedJSON: JSONValue?, model: ModelReference, metrics: CallMetrics, stopReason: String?,
        warnings: [String]
    ) {
        self.text = text
        self.parsedJSON = parsedJSON
        self.model = model
        self.metrics = metrics
        self.stopReason = stopReason
        self.warnings = warnings
    }

    /// `{"version":1,"text","json","model","alias","provider","stop_reason","metrics":{...},"warnings":[...]}`;
    /// `model` is the qualified name, `json` is null without a schema.
    public func json() -> JSONValue {
        .object([
            "version": 1,
            "text": .string(text),
            "json": parsedJSON ?? .null,
            "model": .string(model.qualifiedName),
            "alias": model.alias.map(JSONValue.string) ?? .null,
            "provider": .string(model.provider.rawValue),
            "stop_reason": stopReason.map(JSONValue.string) ?? .null,
            "metrics": metrics.json(),
            "warnings": .array(warnings.map(JSONValue.string)),
        ])
    }
}

/// Something that happens during a completion, reported while it runs.
public enum ModelEvent: Sendable, Equatable {
    /// More reply text (streamed calls only). Text delivered once is never delivered again, even across retries.
    case text(String)
    /// An attempt failed transiently; attempt number `attempt` (2 for the first retry) starts after `delaySeconds`.
    case retrying(attempt: Int, delaySeconds: Double, reason: String)
    /// The model `from` failed; the next fallback model `to` is tried.
    case fallback(from: String, to: String, reason: String)

    /// `{"type":"text","text"}`, `{"type":"retrying","attempt","delay_seconds","reason"}`, `{"type":"fallback","from","to","reason"}`.
    public func json() -> JSONValue {
        switch self {
        case .text(let text):
            ["type": "text", "text": .string(text)]
        case .retrying(let attempt, let delay, let reason):
            ["type": "retrying", "attempt": .int(attempt), "delay_seconds": .double(delay), "reason": .string(reason)]
        case .fallback(let from, let to, let reason):
            ["type": "fallback", "from": .string(from), "to": .string(to), "reason": .string(reason)]
        }
    }
}

/// One model as `vibectl model list` shows it: never the key, only whether there is one and where from.
public struct ModelListing: Sendable, Equatable {
    /// The alias, or the qualified name for a configured model that has none.
    public let name: String
    /// The provider.
    public let provider: Provider
    /// The model id sent to the provider.
    public let modelID: String
    /// The alias, if the model has one.
    public let alias: String?
    /// Whether the provider needs a key.
    public let keyRequired: Bool
    /// Whether a key was found (always true when none is required).
    public let keyAvailable: Bool
    /// Where the key was found (e.g. `env OPENAI_API_KEY`); `nil` when there is none.
    public let keySource: String?
    /// The provider's endpoint; `nil` when the endpoint setting is invalid.
    public let endpoint: String?
    /// Whether this is `llm.model`.
    public let isDefault: Bool
    /// Whether this is in `llm.fallback_models`.
    public let isFallback: Bool

    /// `{"name","provider","model_id","alias","qualified_name","key_required","key_available","key_source","endpoint","default","fallback"}`.
    public func json() -> JSONValue {
        .object([
            "name": .string(name),
            "provider": .string(provider.rawValue),
            "model_id": .string(modelID),
            "alias": alias.map(JSONValue.string) ?? .null,
            "qualified_name": .string("\(provider.rawValue):\(modelID)"),
            "key_required": .bool(keyRequired),
            "key_available": .bool(keyAvailable),
            "key_source": keySource.map(JSONValue.string) ?? .null,
            "endpoint": endpoint.map(JSONValue.string) ?? .null,
            "default": .bool(isDefault),
            "fallback": .bool(isFallback),
        ])
    }
}

/// The entry point of the model layer: resolves names and keys, calls providers through their
/// adapters, retries, falls back, checks structured replies and measures every call.
///
/// One service per client handle; its ``totals`` accumulate over the handle's calls. Thread-safe.
public final class ModelService: Sendable {
    /// The configuration (read at each call, so changes apply at once).
    public let config: ConfigStore
    /// Keys and endpoints.
    public let keys: KeyResolver
    /// Sends HTTP requests.
    let transport: any HTTPTransport
    /// Wire formats by provider.
    let adapters: [Provider: any ProviderAdapter]
    /// Waits between retries (injected so tests are instant).
    let sleeper: @Sendable (Duration) async throws -> Void
    /// Picks jitter, in [0, 1).
    let random: @Sendable () -> Double
    /// The sums of this handle's calls.
    public let accumulator = MetricsAccumulator()
    /// Debug logging; never given a key.
    let logger = Logger(label: "vibectl.models")

    /// Creates a service.
    ///
    /// - Parameters:
    ///   - config: The configuration store.
    ///   - environment: The process environment (keys, endpoints).
    ///   - transport: Sends the HTTP requests.
    ///   - adapters: One adapter per provider.
    ///   - sleeper: Waits between retries.
    ///   - random: A random number in [0, 1) for jitter.
    public init(
        config: ConfigStore, environment: [String: String], transport: any HTTPTransport,
        adapters: [Provider: any ProviderAdapter],
        sleeper: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.config = config
        self.keys = KeyResolver(config: config, environment: environment)
        self.transport = transport
        self.adapters = adapters
        self.sleeper = sleeper
        self.random = random
    }

    /// The adapters of the four providers vibectl speaks natively.
    public static var standardAdapters: [Provider: any ProviderAdapter] {
        [.anthropic: AnthropicAdapter(), .openai: OpenAIAdapter(), .ollama: OllamaAdapter(), .gemini: GeminiAdapter()]
    }

    /// The accumulated metrics of this service's calls (``MetricsAccumulator/json()``).
    public var totals: JSONValue { accumulator.json() }

    // MARK: Completion

    /// Sends a request to a model and returns its reply.
    ///
    /// The model is `options.model`, else `llm.model`. Transient failures are retried per
    /// ``RetryPolicy``; when the model is unknown to its provider, has no (or a rejected) key, keeps
    /// failing transiently, or replies with something unusable (including a reply that does not
    /// match the schema), the models of `llm.fallback_models` are tried in order.
    ///
    /// - Parameter onEvent: Receives streamed text, retries and fallbacks, on the task running the call.
    /// - Throws: `VibectlError`: `.model` (unknown model name, invalid request, unusable reply),
    ///   `.transient` (still failing after retries and fallbacks), `.auth` (no key, key rejected),
    ///   `.timeout` (`options.timeout` passed), `.canceled` (the task was cancelled), configuration
    ///   errors. After fallbacks the message lists every model tried.
    public func complete(
        _ request: ModelRequest, options: CompletionOptions, onEvent: @escaping @Sendable (ModelEvent) -> Void
    ) async throws -> ModelResult {
        let start = ContinuousClock.now
        let events = EventGate(onEvent)
        defer { events.close() }
        do {
            try Task.checkCancellation()
            let settings = try CallSettings(config: config, options: options)
            let call = ModelCall(
                service: self, request: request, options: options, settings: settings, start: start,
                deadline: options.timeout.map { start.advanced(by: $0) }, events: events)
            let result: ModelResult
            if let deadline = call.deadline {
                result = try await Self.withDeadline(deadline, events: events) { try await call.run() } onTimeout: {
                    call.timeoutError()
                }
            } else {
                result = try await call.run()
            }
            accumulator.record(result.metrics)
            return result
        } catch {
            accumulator.recordFailure()
            throw Self.finalError(error)
        }
    }

    /// Runs `body`, throwing `onTimeout()` when `deadline` passes first (and cancelling `body`).
    static func withDeadline<T: Sendable>(
        _ deadline: ContinuousClock.Instant, events: EventGate, _ body: @escaping @Sendable () async throws -> T,
        onTimeout: @escaping @Sendable () -> VibectlError
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else {
                throw VibectlError(.internal, "the model call ended without a result")
            }
            guard let value = first else {
                events.close()
                throw onTimeout()
            }
            return value
        }
    }

    /// The error a call ends with: cancellation as `.canceled`, anything else as a `VibectlError`.
    static func finalError(_ error: any Error) -> VibectlError {
        if error is CancellationError || (Task.isCancelled && (error as? VibectlError)?.code != .timeout) {
            return VibectlError(.canceled, "the model call was cancelled")
        }
        if let error = error as? VibectlError {
            // Provider text reaches messages through adapters; redact once more on the way out.
            return VibectlError(
                error.code, Redaction.redactSecrets(error.message), hint: error.hint, cause: error.cause.map(Redaction.redactSecrets))
        }
        return VibectlError(.internal, "the model call failed unexpectedly", cause: Redaction.redactSecrets(String(describing: error)))
    }

    /// The adapter for a provider.
    func adapter(for provider: Provider) throws -> any ProviderAdapter {
        guard let adapter = adapters[provider] else {
            throw VibectlError(
                .internal, "no adapter for the provider \(provider.displayName) is installed",
                hint: "this is a bug in the program that uses libvibectl; please report it")
        }
        return adapter
    }

    // MARK: Listing and checking

    /// The catalog's aliases plus the configured default and fallback models, with key availability
    /// and source (never the key): the default first, then the fallbacks, then the rest of the catalog.
    ///
    /// Configured names that do not resolve are left out (``check(model:)`` explains them).
    /// - Throws: Configuration errors.
    public func listModels() throws -> [ModelListing] {
        let defaultName = try config.value("llm.model").stringValue ?? ""
        let fallbackNames = try config.value("llm.fallback_models").arrayValue?.compactMap(\.stringValue) ?? []
        let defaultReference = try? ModelCatalog.resolve(defaultName)
        let fallbackReferences = fallbackNames.compactMap { try? ModelCatalog.resolve($0) }
        var keyInfo: [Provider: (available: Bool, source: String?)] = [:]
        var endpoints: [Provider: String] = [:]
        for provider in Provider.allCases {
            do {
                let key = try keys.key(for: provider)
                keyInfo[provider] = (key != nil || !provider.requiresKey, key?.source.description)
            } catch let error as VibectlError where error.code == .auth {
                keyInfo[provider] = (false, nil)
            }
            endpoints[provider] = try? keys.baseURL(for: provider).url
        }
        var ordered: [ModelReference] = []
        var seen: Set<String> = []
        func add(_ reference: ModelReference) {
            guard seen.insert(reference.displayName).inserted else { return }
            ordered.append(reference)
        }
        if let defaultReference { add(defaultReference) }
        fallbackReferences.forEach(add)
        ModelCatalog.aliases.map(\.reference).forEach(add)
        return ordered.map { reference in
            let info = keyInfo[reference.provider] ?? (false, nil)
            return ModelListing(
                name: reference.displayName, provider: reference.provider, modelID: reference.modelID,
                alias: reference.alias, keyRequired: reference.provider.requiresKey, keyAvailable: info.available,
                keySource: info.source, endpoint: endpoints[reference.provider],
                isDefault: defaultReference?.displayName == reference.displayName,
                isFallback: fallbackReferences.contains { $0.displayName == reference.displayName })
        }
    }

    /// Checks that a model can be used: the name resolves, a key is present, and the provider answers
    /// a list-models request and knows the model.
    ///
    /// Returns `{"version":1,"model","qualified_name","provider","model_id","endpoint","key_source",
    /// "reachable","model_found","status","error","latency_ms","warnings"}` where `status` is `ok`,
    /// `model_not_found`, `auth_rejected`, `unreachable` or `error`, and `model_found` is null when
    /// the provider could not be asked.
    /// - Throws: `.model`/`.invalidArgument` for a name that does not resolve, `.auth` for a missing
    ///   key, `.canceled`, configuration errors. Live failures are reported in the JSON instead.
    public func check(model: String?) async throws -> JSONValue {
        do {
            return try await checkModel(model)
        } catch {
            throw Self.finalError(error)
        }
    }

    private func checkModel(_ model: String?) async throws -> JSONValue {
        let name = try model ?? (config.value("llm.model").stringValue ?? "")
        let reference = try ModelCatalog.resolve(name)
        let adapter = try adapter(for: reference.provider)
        let (endpoint, key) = try keys.endpoint(for: reference.provider)
        let timeoutSeconds = try config.value("llm.timeout_seconds").doubleValue ?? 60
        let spec = try adapter.listModelsRequest(endpoint: endpoint)
        var object: [String: JSONValue] = [
            "version": 1,
            "model": .string(reference.displayName),
            "qualified_name": .string(reference.qualifiedName),
            "provider": .string(reference.provider.rawValue),
            "model_id": .string(reference.modelID),
            "endpoint": .string(endpoint.baseURL),
            "key_source": key.map { .string($0.source.description) } ?? .null,
            "warnings": .array((key?.warnings ?? []).map(JSONValue.string)),
            "reachable": false,
            "model_found": .null,
            "status": "error",
            "error": .null,
            "latency_ms": .null,
        ]
        let start = ContinuousClock.now
        do {
            let response = try await transport.send(spec, timeout: .seconds(timeoutSeconds))
            let body = try await response.collect(limit: 16 << 20)
            object["latency_ms"] = .double(CallMetrics.rounded(Self.milliseconds(ContinuousClock.now - start)))
            object["reachable"] = true
            if (200..<300).contains(response.head.status) {
                let ids = try adapter.decodeModelList(body)
                let found = Self.modelList(ids, contains: reference)
                object["model_found"] = .bool(found)
                object["status"] = found ? "ok" : "model_not_found"
                if !found {
                    object["error"] = .string(
                        "\(reference.provider.displayName) at \(endpoint.baseURL) does not list the model '\(reference.modelID)'")
                }
            } else {
                let error = adapter.classifyError(
                    status: response.head.status, headers: response.head.headers, body: body, model: reference.modelID)
                object["status"] = .string(error.code == .auth ? "auth_rejected" : "error")
                object["error"] = .string(Redaction.redactSecrets(error.message))
            }
        } catch let error as VibectlError where error.code != .canceled && !Task.isCancelled {
            object["status"] = "unreachable"
            object["error"] = .string(Redaction.redactSecrets(error.fullMessage))
        }
        return .object(object)
    }

    /// Whether a provider's model list names the model (ignoring Gemini's `models/` prefix and Ollama's `:latest`).
    static func modelList(_ ids: [String], contains reference: ModelReference) -> Bool {
        let normalized = Set(ids.map { $0.hasPrefix("models/") ? String($0.dropFirst("models/".count)) : $0 })
        var candidates = [reference.modelID]
        if reference.provider == .ollama {
            if reference.modelID.hasSuffix(":latest") {
                candidates.append(String(reference.modelID.dropLast(":latest".count)))
            } else if !reference.modelID.contains(":") {
                candidates.append(reference.modelID + ":latest")
            }
        }
        return candidates.contains { normalized.contains($0) }
    }

    /// A duration in milliseconds.
    static func milliseconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) * 1000 + Double(parts.attoseconds) / 1e15
    }
}

/// The settings one call reads from the configuration, once, at its start.
struct CallSettings: Sendable {
    /// The model name asked for.
    let modelName: String
    /// The retry policy.
    let policy: RetryPolicy
    /// The per-attempt limit (`llm.timeout_seconds`).
    let attemptTimeout: Duration
    /// `llm.fallback_models`.
    let fallbacks: [String]
    /// The prices.
    let prices: PriceTable

    init(config: ConfigStore, options: CompletionOptions) throws {
        modelName = try options.model ?? (config.value("llm.model").stringValue ?? "")
        policy = try RetryPolicy(config: config)
        attemptTimeout = .seconds(try config.value("llm.timeout_seconds").doubleValue ?? 60)
        fallbacks = try config.value("llm.fallback_models").arrayValue?.compactMap(\.stringValue) ?? []
        prices = PriceTable(configPrices: try config.value("llm.prices"))
    }
}
