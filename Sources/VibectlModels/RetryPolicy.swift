import Foundation
import VibectlCore
import VibectlStore

/// When and how long to wait before retrying a failed model call.
///
/// A call makes up to ``attempts`` = 1 + ``maxRetries`` attempts per model. Only `.transient`
/// errors are retried (rate limits, overload, 5xx, broken connections, cut streams, a slow
/// attempt); `.auth`, `.model`, `.timeout` of the whole call and `.canceled` never are. The wait
/// before retry *n* is `baseDelay × 2^(n−1)`, capped at ``maxDelay``, scaled by a random factor in
/// [0.5, 1) (so concurrent clients spread out), and never shorter than the provider's `Retry-After`
/// (capped at ``maxRetryAfter``).
public struct RetryPolicy: Sendable, Equatable {
    /// Retries after the first attempt (`llm.max_retries`).
    public var maxRetries: Int
    /// The nominal wait before the first retry, in seconds (`llm.retry_delay_seconds`).
    public var baseDelay: Double
    /// The longest backoff wait, in seconds.
    public var maxDelay: Double
    /// The longest wait a provider's `Retry-After` can ask for, in seconds.
    public var maxRetryAfter: Double

    /// Creates a policy.
    public init(maxRetries: Int, baseDelay: Double, maxDelay: Double = 30, maxRetryAfter: Double = 60) {
        self.maxRetries = max(0, maxRetries)
        self.baseDelay = max(0, baseDelay.isFinite ? baseDelay : 0)
        self.maxDelay = max(0, maxDelay)
        self.maxRetryAfter = max(0, maxRetryAfter)
    }

    /// The policy `llm.max_retries` and `llm.retry_delay_seconds` describe.
    /// - Throws: Configuration errors.
    public init(config: ConfigStore) throws {
        let retries = try config.value("llm.max_retries").intValue ?? 2
        let delay = try config.value("llm.retry_delay_seconds").doubleValue ?? 1
        self.init(maxRetries: retries, baseDelay: delay)
    }

    /// Attempts per model: 1 + ``maxRetries``.
    public var attempts: Int { 1 + maxRetries }

    /// Whether an error is worth another attempt: only `.transient` ones are.
    public static func isRetryable(_ error: VibectlError) -> Bool {
        error.code == .transient
    }

    /// The wait before retry number `retry` (1 for the first retry), in seconds.
    ///
    /// - Parameters:
    ///   - retry: 1 for the first retry, 2 for the second, ...
    ///   - retryAfter: The provider's `Retry-After`, in seconds, if it sent one.
    ///   - random: A number in [0, 1) that picks the jitter.
    public func delay(forRetry retry: Int, retryAfter: Double?, random: Double) -> Double {
        let exponent = Double(max(0, min(retry - 1, 30)))
        let nominal = min(maxDelay, baseDelay * pow(2, exponent))
        let unit = random.isFinite ? min(max(random, 0), 1) : 0.5
        let jittered = nominal * (0.5 + 0.5 * unit)
        guard let retryAfter, retryAfter.isFinite, retryAfter > 0 else { return jittered }
        return max(jittered, min(retryAfter, maxRetryAfter))
    }

    /// Parses a `Retry-After` value: seconds (`"7"`, `"1.5"`) or an HTTP-date; `nil` when it is neither.
    ///
    /// A date in the past gives 0.
    public static func parseRetryAfter(_ value: String, now: Date = Date()) -> Double? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(text) {
            return seconds.isFinite && seconds >= 0 ? seconds : nil
        }
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) {
                return max(0, date.timeIntervalSince(now))
            }
        }
        return nil
    }

    /// The wait a response asks for: `retry-after-ms` (milliseconds, sent by OpenAI) or `retry-after`; `nil` when neither parses.
    public static func retryAfter(headers: [String: String], now: Date = Date()) -> Double? {
        if let milliseconds = headers["retry-after-ms"].flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }),
            milliseconds.isFinite, milliseconds >= 0
        {
            return milliseconds / 1000
        }
        return headers["retry-after"].flatMap { parseRetryAfter($0, now: now) }
    }
}
