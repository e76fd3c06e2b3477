import VibectlCore
import VibectlModels

/// The one way the engine reaches a model: every fragment redacted first, events forwarded, metrics recorded.
struct ModelGateway: Sendable {
    /// The model service.
    let models: ModelService
    /// Redacts text when `security.redact` is on (identity otherwise).
    let redact: @Sendable (String) throws -> String
    /// Where events go.
    let hooks: EngineHooks
    /// Where the call's metrics go.
    let metrics: StepMetrics

    /// Sends `request` (redacted) and returns the reply. `onText` receives streamed text when `stream` is true.
    func call(
        _ request: ModelRequest, purpose: String, model: String?, stream: Bool,
        onText: (@Sendable (String) -> Void)? = nil
    ) async throws -> ModelResult {
        var redacted = request
        redacted.systemFragments = try request.systemFragments.map(redact)
        redacted.userFragments = try request.userFragments.map(redact)
        let promptChars = (redacted.systemFragments + redacted.userFragments).reduce(0) { $0 + $1.unicodeScalars.count }
        let hooks = self.hooks
        let result = try await models.complete(
            redacted, options: CompletionOptions(model: model, stream: stream, checkReply: false)
        ) { event in
            switch event {
            case .text(let text):
                onText?(text)
            case .retrying(let attempt, let delay, let reason):
                hooks.emit("retrying", ["attempt": .int(attempt), "delay_seconds": .double(delay), "reason": .string(reason)])
            case .fallback(let from, let to, let reason):
                hooks.emit("fallback", ["from": .string(from), "to": .string(to), "reason": .string(reason)])
            }
        }
        let call = StepMetrics.Call(purpose: purpose, metrics: result.metrics, promptChars: promptChars)
        metrics.record(call)
        hooks.emit("metrics", StepMetrics.json(call).objectValue ?? [:])
        return result
    }
}
