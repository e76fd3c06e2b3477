import Synchronization
import VibectlCore
import VibectlModels

/// The model calls of one engine call (a plan, a step), and the time spent in kubectl and in models.
///
/// Shared by reference between the steps of one call; thread-safe.
public final class StepMetrics: Sendable {
    /// One model call.
    public struct Call: Sendable {
        /// What the call was for: `plan`, `summary`, `recovery`, `memory`.
        public var purpose: String
        /// The provider's figures.
        public var metrics: CallMetrics
        /// Characters of prompt sent (system and user text, after redaction).
        public var promptChars: Int
    }

    private struct State {
        var calls: [Call] = []
        var kubectlMs = 0
    }

    private let state = Mutex(State())
    private let start = ContinuousClock.now

    /// Creates an empty record; its clock starts now.
    public init() {}

    /// Records a model call.
    public func record(_ call: Call) {
        state.withLock { $0.calls.append(call) }
    }

    /// Records time spent waiting for kubectl.
    public func recordKubectl(milliseconds: Int) {
        state.withLock { $0.kubectlMs += milliseconds }
    }

    /// The calls so far.
    public var calls: [Call] { state.withLock { $0.calls } }

    /// `{"model_calls","prompt_chars","input_tokens","output_tokens","cost_usd","model_ms","kubectl_ms",
    /// "duration_ms","engine_ms","calls":[{purpose, prompt_chars, ...CallMetrics}]}`.
    public func json() -> JSONValue {
        let snapshot = state.withLock { $0 }
        let elapsed = ContinuousClock.now - start
        let durationMs = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        let modelMs = snapshot.calls.reduce(0) { $0 + $1.metrics.durationMs }
        func sum(_ values: [Int?]) -> JSONValue {
            let known = values.compactMap { $0 }
            return known.isEmpty ? .null : .int(known.reduce(0, +))
        }
        let costs = snapshot.calls.compactMap(\.metrics.costUSD)
        return [
            "model_calls": .int(snapshot.calls.count),
            "prompt_chars": .int(snapshot.calls.reduce(0) { $0 + $1.promptChars }),
            "input_tokens": sum(snapshot.calls.map(\.metrics.inputTokens)),
            "output_tokens": sum(snapshot.calls.map(\.metrics.outputTokens)),
            "cost_usd": costs.isEmpty ? .null : .double((costs.reduce(0, +) * 1e6).rounded() / 1e6),
            "model_ms": .double((modelMs * 1000).rounded() / 1000),
            "kubectl_ms": .int(snapshot.kubectlMs),
            "duration_ms": .double((durationMs * 1000).rounded() / 1000),
            "engine_ms": .double((max(0, durationMs - modelMs - Double(snapshot.kubectlMs)) * 1000).rounded() / 1000),
            "calls": .array(snapshot.calls.map(Self.json)),
        ]
    }

    /// One call as JSON: its purpose and prompt size, then the provider's figures.
    public static func json(_ call: Call) -> JSONValue {
        var object = call.metrics.json().objectValue ?? [:]
        object["purpose"] = .string(call.purpose)
        object["prompt_chars"] = .int(call.promptChars)
        return .object(object)
    }
}
