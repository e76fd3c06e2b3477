import Foundation
import Logging
import Synchronization
import VibectlCore

/// Passes events to the caller until the call ends, and remembers the last problem for timeout messages.
final class EventGate: Sendable {
    private let handler: @Sendable (ModelEvent) -> Void
    private let state = Mutex<(open: Bool, lastProblem: String?)>((true, nil))

    init(_ handler: @escaping @Sendable (ModelEvent) -> Void) {
        self.handler = handler
    }

    /// Delivers an event, unless the call has ended.
    func emit(_ event: ModelEvent) {
        guard state.withLock({ $0.open }) else { return }
        handler(event)
    }

    /// Stops delivering events.
    func close() {
        state.withLock { $0.open = false }
    }

    /// Records what last went wrong (already redacted).
    func note(_ problem: String) {
        state.withLock { $0.lastProblem = problem }
    }

    /// What last went wrong, if anything.
    var lastProblem: String? { state.withLock { $0.lastProblem } }
}

/// Why an attempt failed, which decides what happens next.
enum FailureKind: Sendable {
    /// Worth retrying (rate limit, overload, 5xx, broken connection, cut stream, slow attempt).
    case retryable
    /// The provider does not know the model: try `:latest` (Ollama), then fall back.
    case modelNotFound
    /// The key was rejected: fall back.
    case authorization
    /// The reply (or the request the adapter could build) is unusable for this model: fall back, no retry.
    case unusableReply
    /// The provider refused the request as invalid: stop.
    case invalidRequest
    /// The whole call's deadline passed: stop with `.timeout`.
    case deadline
    /// Anything else (cancellation, internal errors): stop.
    case fatal
}

/// An attempt's failure with what the service needs to decide on a retry.
struct AttemptFailure: Error, Sendable {
    var error: VibectlError
    var kind: FailureKind
    var retryAfter: Double?
}

/// A model's failure after which the next fallback model may be tried.
struct ModelFailure: Error, Sendable {
    var error: VibectlError
}

/// What a successful attempt produced.
struct AttemptSuccess: Sendable {
    var reply: ProviderReply
    var modelID: String
    var firstTokenAt: ContinuousClock.Instant?
    var parsedJSON: JSONValue?
    var warnings: [String] = []
}

/// What a call has done so far, across attempts and models.
struct CallState: Sendable {
    /// Unicode scalars of text delivered to the caller.
    var delivered = 0
    /// Attempts repeated after transient failures.
    var retries = 0
    /// The models that failed, with their errors.
    var failures: [(name: String, error: VibectlError)] = []
}

/// Builds a streamed reply from pieces, and works out which text is new to the caller.
struct ReplyAssembly: Sendable {
    var text = ""
    var scalars = 0
    var usage = TokenUsage()
    var stopReason: String?
    var firstTextAt: ContinuousClock.Instant?

    /// Adds pieces; returns the text to deliver: what goes beyond the `delivered` scalars already delivered.
    mutating func absorb(_ pieces: [StreamPiece], delivered: inout Int, now: ContinuousClock.Instant) -> [String] {
        var fresh: [String] = []
        for piece in pieces {
            switch piece {
            case .text(let chunk):
                guard !chunk.isEmpty else { continue }
                if firstTextAt == nil { firstTextAt = now }
                text += chunk
                let before = scalars
                scalars += chunk.unicodeScalars.count
                if scalars > delivered {
                    let skip = max(0, delivered - before)
                    fresh.append(String(String.UnicodeScalarView(chunk.unicodeScalars.dropFirst(skip))))
                    delivered = scalars
                }
            case .usage(let report):
                usage = usage.merged(with: report)
            case .finished(let reason):
                if let reason { stopReason = reason }
            }
        }
        return fresh
    }
}

/// One completion: tries the preferred model and its fallbacks, with retries.
struct ModelCall: Sendable {
    let service: ModelService
    let request: ModelRequest
    let options: CompletionOptions
    let settings: CallSettings
    let start: ContinuousClock.Instant
    let deadline: ContinuousClock.Instant?
    let events: EventGate

    /// A model to try: resolved, or the error its name gave.
    private struct Candidate {
        var name: String
        var reference: ModelReference?
        var error: VibectlError?
    }

    /// Runs the call.
    func run() async throws -> ModelResult {
        let primary = try ModelCatalog.resolve(settings.modelName)
        var candidates = [Candidate(name: primary.displayName, reference: primary)]
        var seen: Set<String> = [primary.qualifiedName]
        for name in settings.fallbacks {
            do {
                let reference = try ModelCatalog.resolve(name)
                guard seen.insert(reference.qualifiedName).inserted else { continue }
                candidates.append(Candidate(name: reference.displayName, reference: reference))
            } catch let error as VibectlError {
                candidates.append(Candidate(name: name, error: error))
            }
        }
        var state = CallState()
        var lastAttempted: (name: String, error: VibectlError)?
        for (index, candidate) in candidates.enumerated() {
            try Task.checkCancellation()
            guard let reference = candidate.reference else {
                let error = candidate.error ?? ModelCatalog.unknownModel(candidate.name)
                state.failures.append((candidate.name, error))
                continue
            }
            if let lastAttempted {
                let reason = Redaction.redactSecrets(lastAttempted.error.message)
                service.logger.debug("model fallback", metadata: ["from": "\(lastAttempted.name)", "to": "\(reference.displayName)"])
                events.emit(.fallback(from: lastAttempted.name, to: reference.displayName, reason: reason))
            }
            do {
                let success = try await runModel(reference, state: &state)
                return result(success, reference: reference, fallbackUsed: index > 0, state: state)
            } catch let failure as ModelFailure {
                if Task.isCancelled { throw CancellationError() }
                state.failures.append((reference.displayName, failure.error))
                lastAttempted = (reference.displayName, failure.error)
            } catch let error as VibectlError where !state.failures.isEmpty && error.code != .canceled && error.code != .timeout {
                throw annotated(error, triedBefore: state.failures)
            }
        }
        throw combined(state.failures)
    }

    /// Tries one model, with retries; throws ``ModelFailure`` when a fallback may follow.
    private func runModel(_ reference: ModelReference, state: inout CallState) async throws -> AttemptSuccess {
        let adapter = try service.adapter(for: reference.provider)
        let endpoint: ProviderEndpoint
        let key: ResolvedKey?
        do {
            (endpoint, key) = try service.keys.endpoint(for: reference.provider)
        } catch let error as VibectlError where error.code == .auth {
            events.note(error.message)
            throw ModelFailure(error: error)
        }
        var modelID = reference.modelID
        var triedLatest = false
        var attempt = 0
        while true {
            attempt += 1
            do {
                var success = try await attemptOnce(adapter: adapter, endpoint: endpoint, reference: reference, modelID: modelID, state: &state)
                success.warnings += key?.warnings ?? []
                if triedLatest {
                    success.warnings.append(
                        "Ollama does not know '\(reference.modelID)'; '\(modelID)' answered instead")
                }
                return success
            } catch let failure as AttemptFailure {
                let reason = Redaction.redactSecrets(failure.error.message)
                events.note(reason)
                if Task.isCancelled { throw CancellationError() }
                switch failure.kind {
                case .modelNotFound:
                    if reference.provider == .ollama, !modelID.contains(":"), !triedLatest {
                        triedLatest = true
                        modelID += ":latest"
                        attempt -= 1
                        continue
                    }
                    throw ModelFailure(error: failure.error)
                case .authorization, .unusableReply:
                    throw ModelFailure(error: failure.error)
                case .invalidRequest, .fatal:
                    throw failure.error
                case .deadline:
                    throw timeoutError()
                case .retryable:
                    guard attempt <= settings.policy.maxRetries else {
                        throw ModelFailure(error: exhausted(failure.error, attempts: attempt))
                    }
                    let delay = settings.policy.delay(forRetry: attempt, retryAfter: failure.retryAfter, random: service.random())
                    if let deadline, ContinuousClock.now.advanced(by: .seconds(delay)) >= deadline {
                        throw timeoutError()
                    }
                    service.logger.debug(
                        "retrying model call",
                        metadata: ["model": "\(reference.displayName)", "attempt": "\(attempt + 1)", "delay": "\(delay)"])
                    events.emit(.retrying(attempt: attempt + 1, delaySeconds: delay, reason: reason))
                    try await service.sleeper(.seconds(delay))
                    state.retries += 1
                }
            }
        }
    }

    /// One HTTP exchange with the provider; throws ``AttemptFailure`` (or cancellation).
    private func attemptOnce(
        adapter: any ProviderAdapter, endpoint: ProviderEndpoint, reference: ModelReference, modelID: String,
        state: inout CallState
    ) async throws -> AttemptSuccess {
        let provider = reference.provider.displayName
        var timeout = settings.attemptTimeout
        var limitedByDeadline = false
        if let deadline {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else {
                throw AttemptFailure(error: timeoutError(), kind: .deadline)
            }
            if remaining <= timeout {
                timeout = remaining
                limitedByDeadline = true
            }
        }
        let spec: HTTPRequestSpec
        do {
            spec = try adapter.completionRequest(request, model: modelID, stream: options.stream, endpoint: endpoint)
        } catch {
            let wrapped = VibectlError.wrapping(error, as: .model, context: "cannot build the request for \(reference.displayName)")
            throw AttemptFailure(error: wrapped, kind: wrapped.code == .model ? .unusableReply : .fatal)
        }
        let response: HTTPStreamingResponse
        do {
            response = try await service.transport.send(spec, timeout: timeout)
        } catch {
            throw failure(
                fromTransport: error, limitedByDeadline: limitedByDeadline,
                slow: "no reply from \(provider) within \(Self.seconds(timeout)) s (llm.timeout_seconds)",
                broken: "cannot reach \(provider) at \(endpoint.baseURL)")
        }
        let headAt = ContinuousClock.now
        let head = response.head
        guard (200..<300).contains(head.status) else {
            let body = (try? await response.collect(limit: 1 << 20)) ?? Data()
            let error = adapter.classifyError(status: head.status, headers: head.headers, body: body, model: modelID)
            throw AttemptFailure(
                error: error, kind: Self.kind(of: error, status: head.status),
                retryAfter: RetryPolicy.retryAfter(headers: head.headers))
        }
        var reply: ProviderReply
        var firstTokenAt: ContinuousClock.Instant? = headAt
        if options.stream {
            var decoder = adapter.streamDecoder(for: request)
            var assembly = ReplyAssembly()
            do {
                for try await chunk in response.body {
                    let pieces = try decoder.feed(chunk)
                    for text in assembly.absorb(pieces, delivered: &state.delivered, now: ContinuousClock.now) {
                        events.emit(.text(text))
                    }
                }
                let pieces = try decoder.finish()
                for text in assembly.absorb(pieces, delivered: &state.delivered, now: ContinuousClock.now) {
                    events.emit(.text(text))
                }
            } catch {
                throw failure(
                    fromTransport: error, limitedByDeadline: limitedByDeadline,
                    slow: "\(provider) sent nothing for \(Self.seconds(timeout)) s in the middle of the reply (llm.timeout_seconds)",
                    broken: "the reply from \(provider) broke off")
            }
            reply = ProviderReply(text: assembly.text, usage: assembly.usage, stopReason: assembly.stopReason)
            firstTokenAt = assembly.firstTextAt
        } else {
            let body: Data
            do {
                body = try await response.collect()
            } catch {
                throw failure(
                    fromTransport: error, limitedByDeadline: limitedByDeadline,
                    slow: "\(provider) sent nothing for \(Self.seconds(timeout)) s in the middle of the reply (llm.timeout_seconds)",
                    broken: "the reply from \(provider) broke off")
            }
            do {
                reply = try adapter.decodeCompletion(body, request: request)
            } catch {
                throw failure(fromTransport: error, limitedByDeadline: limitedByDeadline, slow: "", broken: "the reply from \(provider) is unusable")
            }
        }
        var parsed: JSONValue?
        if let schema = request.schema, options.checkReply {
            do {
                parsed = try ReplySchema.parse(reply.text, schema: schema)
            } catch let error as VibectlError {
                throw AttemptFailure(error: error, kind: .unusableReply)
            }
        }
        return AttemptSuccess(reply: reply, modelID: modelID, firstTokenAt: firstTokenAt, parsedJSON: parsed)
    }

    /// Classifies an error thrown by the transport, the body stream or a decoder.
    private func failure(fromTransport error: any Error, limitedByDeadline: Bool, slow: String, broken: String) -> AttemptFailure {
        if error is CancellationError || Task.isCancelled {
            return AttemptFailure(error: VibectlError(.canceled, "the model call was cancelled"), kind: .fatal)
        }
        guard let error = error as? VibectlError else {
            return AttemptFailure(
                error: VibectlError(.transient, broken, cause: Redaction.redactSecrets(String(describing: error))), kind: .retryable)
        }
        switch error.code {
        case .transient:
            return AttemptFailure(error: error, kind: .retryable)
        case .timeout:
            if limitedByDeadline { return AttemptFailure(error: timeoutError(), kind: .deadline) }
            return AttemptFailure(error: VibectlError(.transient, slow.isEmpty ? error.message : slow), kind: .retryable)
        case .model:
            return AttemptFailure(error: error, kind: .unusableReply)
        case .auth:
            return AttemptFailure(error: error, kind: .authorization)
        default:
            return AttemptFailure(error: error, kind: .fatal)
        }
    }

    /// What an error response means for retries and fallback.
    static func kind(of error: VibectlError, status: Int) -> FailureKind {
        switch error.code {
        case .transient: .retryable
        case .auth: .authorization
        case .model: status == 404 || looksLikeModelNotFound(error.message) ? .modelNotFound : .invalidRequest
        case .canceled: .fatal
        default: status >= 500 || status == 429 ? .retryable : .fatal
        }
    }

    /// Whether a provider's message says the model does not exist.
    static func looksLikeModelNotFound(_ message: String) -> Bool {
        let lowered = message.lowercased()
        guard lowered.contains("model") else { return false }
        return ["not found", "not_found", "does not exist", "no such model", "unknown model", "not exist"].contains {
            lowered.contains($0)
        }
    }

    /// The result of a successful call.
    private func result(_ success: AttemptSuccess, reference: ModelReference, fallbackUsed: Bool, state: CallState) -> ModelResult {
        let end = ContinuousClock.now
        let answered = ModelReference(provider: reference.provider, modelID: success.modelID, alias: reference.alias)
        let usage = success.reply.usage
        let metrics = CallMetrics(
            model: answered.qualifiedName, provider: answered.provider, inputTokens: usage.inputTokens,
            outputTokens: usage.outputTokens,
            timeToFirstTokenMs: success.firstTokenAt.map { ModelService.milliseconds($0 - start) },
            durationMs: ModelService.milliseconds(end - start), retries: state.retries, fallbackUsed: fallbackUsed,
            costUSD: settings.prices.price(for: answered)?.cost(inputTokens: usage.inputTokens, outputTokens: usage.outputTokens))
        var warnings = success.warnings
        if fallbackUsed {
            let failed = state.failures.map { "\($0.name) (\(Redaction.redactSecrets($0.error.message)))" }
            warnings.append("\(answered.displayName) answered instead, because " + failed.joined(separator: "; ") + " failed")
        }
        if let stop = success.reply.stopReason, ["max_tokens", "length", "MAX_TOKENS"].contains(stop) {
            warnings.append("the reply was cut off at the token limit (\(request.maxTokens) tokens)")
        }
        return ModelResult(
            text: success.reply.text, parsedJSON: success.parsedJSON, model: answered, metrics: metrics,
            stopReason: success.reply.stopReason, warnings: warnings)
    }

    /// The error for a call whose deadline passed.
    func timeoutError() -> VibectlError {
        let limit = options.timeout.map { Self.seconds($0) } ?? Self.seconds(settings.attemptTimeout)
        var message = "the model call did not finish within \(limit) s"
        if let problem = events.lastProblem { message += "; the last problem was: \(problem)" }
        return VibectlError(
            .timeout, message,
            hint: "allow more time with the call's timeout; each attempt is also limited by llm.timeout_seconds, and retried up to llm.max_retries times")
    }

    /// A transient error after the last retry.
    private func exhausted(_ error: VibectlError, attempts: Int) -> VibectlError {
        VibectlError(
            .transient, error.message + " (gave up after \(attempts) attempt\(attempts == 1 ? "" : "s"))",
            hint: error.hint ?? "try again later; llm.max_retries sets the retries, and llm.fallback_models can name models of another provider",
            cause: error.cause)
    }

    /// The error when every model failed: the last transient error's code (it may pass), else the
    /// preferred model's; the message names every model tried and why it failed.
    private func combined(_ failures: [(name: String, error: VibectlError)]) -> VibectlError {
        guard let first = failures.first else {
            return VibectlError(.internal, "no model was tried")
        }
        guard failures.count > 1 else { return first.error }
        let chosen = failures.last { $0.error.code == .transient } ?? first
        let names = failures.map(\.name).joined(separator: ", ")
        let details = failures.map { "\($0.name): \(Redaction.redactSecrets($0.error.message))" }.joined(separator: "; ")
        return VibectlError(chosen.error.code, "every model failed (tried \(names)): \(details)", hint: chosen.error.hint, cause: chosen.error.cause)
    }

    /// A final error of a fallback model, with the models tried before it.
    private func annotated(_ error: VibectlError, triedBefore failures: [(name: String, error: VibectlError)]) -> VibectlError {
        let before = failures.map { "\($0.name): \(Redaction.redactSecrets($0.error.message))" }.joined(separator: "; ")
        return VibectlError(error.code, error.message + " (tried before: \(before))", hint: error.hint, cause: error.cause)
    }

    /// A duration as seconds for messages: "60", "2.5".
    static func seconds(_ duration: Duration) -> String {
        let value = ModelService.milliseconds(duration) / 1000
        if value.rounded() == value { return String(Int(value)) }
        return String(format: "%.1f", value)
    }
}
