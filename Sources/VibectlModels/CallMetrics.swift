import Synchronization
import VibectlCore

/// What one model call used and how long it took.
public struct CallMetrics: Sendable, Equatable {
    /// The model that answered, as a qualified name (`openai:gpt-4.1`).
    public var model: String
    /// The provider that answered.
    public var provider: Provider
    /// Input tokens as the provider reported them; `nil` when it did not.
    public var inputTokens: Int?
    /// Output tokens as the provider reported them; `nil` when it did not.
    public var outputTokens: Int?
    /// Milliseconds from the start of the call to the answering attempt's first text (streams) or
    /// response head (non-streamed calls); `nil` when no text arrived.
    public var timeToFirstTokenMs: Double?
    /// Milliseconds from the start of the call to its end, retries and fallbacks included.
    public var durationMs: Double
    /// Attempts repeated after transient failures, over all models tried.
    public var retries: Int
    /// Whether a model from `llm.fallback_models` answered instead of the preferred one.
    public var fallbackUsed: Bool
    /// The cost in USD, from the price table; `nil` when the model has no known price or the provider did not report usage.
    public var costUSD: Double?

    /// Creates a metrics record.
    public init(
        model: String, provider: Provider, inputTokens: Int? = nil, outputTokens: Int? = nil,
        timeToFirstTokenMs: Double? = nil, durationMs: Double, retries: Int = 0, fallbackUsed: Bool = false,
        costUSD: Double? = nil
    ) {
        self.model = model
        self.provider = provider
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.timeToFirstTokenMs = timeToFirstTokenMs
        self.durationMs = durationMs
        self.retries = retries
        self.fallbackUsed = fallbackUsed
        self.costUSD = costUSD
    }

    /// `{"model","provider","input_tokens","output_tokens","ttft_ms","duration_ms","retries","fallback_used","cost_usd"}`; unknown values are null.
    public func json() -> JSONValue {
        .object([
            "model": .string(model),
            "provider": .string(provider.rawValue),
            "input_tokens": inputTokens.map(JSONValue.int) ?? .null,
            "output_tokens": outputTokens.map(JSONValue.int) ?? .null,
            "ttft_ms": timeToFirstTokenMs.map { .double(Self.rounded($0)) } ?? .null,
            "duration_ms": .double(Self.rounded(durationMs)),
            "retries": .int(retries),
            "fallback_used": .bool(fallbackUsed),
            "cost_usd": costUSD.map { .double(Self.roundedCost($0)) } ?? .null,
        ])
    }

    /// Milliseconds rounded to microseconds.
    static func rounded(_ milliseconds: Double) -> Double {
        (milliseconds * 1000).rounded() / 1000
    }

    /// USD rounded to a millionth of a cent.
    static func roundedCost(_ usd: Double) -> Double {
        (usd * 1e8).rounded() / 1e8
    }
}

/// Sums the metrics of the calls made through one client handle; thread-safe.
public final class MetricsAccumulator: Sendable {
    /// Per-model (and overall) sums.
    struct Totals: Sendable {
        var calls = 0
        var inputTokens = 0
        var outputTokens = 0
        var durationMs = 0.0
        var retries = 0
        var fallbacks = 0
        var costUSD = 0.0
        var unpricedCalls = 0

        mutating func add(_ metrics: CallMetrics) {
            calls += 1
            inputTokens += metrics.inputTokens ?? 0
            outputTokens += metrics.outputTokens ?? 0
            durationMs += metrics.durationMs
            retries += metrics.retries
            fallbacks += metrics.fallbackUsed ? 1 : 0
            if let cost = metrics.costUSD { costUSD += cost } else { unpricedCalls += 1 }
        }

        func json() -> [String: JSONValue] {
            [
                "calls": .int(calls),
                "input_tokens": .int(inputTokens),
                "output_tokens": .int(outputTokens),
                "duration_ms": .double(CallMetrics.rounded(durationMs)),
                "retries": .int(retries),
                "fallbacks": .int(fallbacks),
                "cost_usd": .double(CallMetrics.roundedCost(costUSD)),
                "unpriced_calls": .int(unpricedCalls),
            ]
        }
    }

    /// The accumulated state.
    struct State: Sendable {
        var total = Totals()
        var failedCalls = 0
        var byModel: [String: Totals] = [:]
    }

    private let state = Mutex(State())

    /// Creates an empty accumulator.
    public init() {}

    /// Adds a successful call.
    public func record(_ metrics: CallMetrics) {
        state.withLock { state in
            state.total.add(metrics)
            state.byModel[metrics.model, default: Totals()].add(metrics)
        }
    }

    /// Counts a call that failed (it has no metrics).
    public func recordFailure() {
        state.withLock { $0.failedCalls += 1 }
    }

    /// The number of successful calls so far.
    public var callCount: Int { state.withLock { $0.total.calls } }

    /// `{"version":1,"calls","failed_calls","input_tokens","output_tokens","duration_ms","retries","fallbacks",
    /// "cost_usd","unpriced_calls","by_model":{qualified name:{"calls","input_tokens",...}}}`.
    ///
    /// Token sums count only reported usage; `cost_usd` sums the calls with a known cost, and
    /// `unpriced_calls` counts the others.
    public func json() -> JSONValue {
        let snapshot = state.withLock { $0 }
        var object = snapshot.total.json()
        object["version"] = 1
        object["failed_calls"] = .int(snapshot.failedCalls)
        object["by_model"] = .object(snapshot.byModel.mapValues { .object($0.json()) })
        return .object(object)
    }
}
