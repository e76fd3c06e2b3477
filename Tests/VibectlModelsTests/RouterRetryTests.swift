import Foundation
import Testing
import VibectlCore

@testable import VibectlModels

@Suite("Router: retry policy")
struct RouterRetryPolicyTests {
    @Test("attempts are 1 + max_retries, read from the configuration")
    func fromConfig() throws {
        let fixture = try RouterFixture(overrides: ["llm.max_retries": 4, "llm.retry_delay_seconds": 0.25])
        let policy = try RetryPolicy(config: fixture.config)
        #expect(policy.attempts == 5)
        #expect(policy.baseDelay == 0.25)
        #expect(try RetryPolicy(config: RouterFixture().config) == RetryPolicy(maxRetries: 2, baseDelay: 1))
    }

    @Test("backoff doubles per retry and jitter keeps it within [half, full] of the nominal delay", arguments: [1, 2, 3, 4])
    func jitterBounds(retry: Int) {
        let policy = RetryPolicy(maxRetries: 5, baseDelay: 1)
        let nominal = pow(2, Double(retry - 1))
        let low = policy.delay(forRetry: retry, retryAfter: nil, random: 0)
        let high = policy.delay(forRetry: retry, retryAfter: nil, random: 0.999_999)
        #expect(low == nominal / 2)
        #expect(high > nominal * 0.99 && high <= nominal)
        for step in 0..<20 {
            let delay = policy.delay(forRetry: retry, retryAfter: nil, random: Double(step) / 20)
            #expect(delay >= nominal / 2 && delay <= nominal)
        }
    }

    @Test("backoff is capped; a zero base delay never waits")
    func caps() {
        #expect(RetryPolicy(maxRetries: 10, baseDelay: 10).delay(forRetry: 10, retryAfter: nil, random: 0.999) <= 30)
        #expect(RetryPolicy(maxRetries: 3, baseDelay: 0).delay(forRetry: 3, retryAfter: nil, random: 0.5) == 0)
    }

    @Test("Retry-After is a floor, capped at 60 s")
    func retryAfterFloor() {
        let policy = RetryPolicy(maxRetries: 2, baseDelay: 1)
        #expect(policy.delay(forRetry: 1, retryAfter: 7, random: 0.3) == 7)
        #expect(policy.delay(forRetry: 1, retryAfter: 0.1, random: 0) == 0.5, "a shorter Retry-After does not shorten the backoff")
        #expect(policy.delay(forRetry: 1, retryAfter: 3600, random: 0) == 60)
    }

    @Test("Retry-After parses seconds and HTTP dates; retry-after-ms wins")
    func parsing() throws {
        let now = Date(timeIntervalSince1970: 1_750_000_000)
        #expect(RetryPolicy.parseRetryAfter("7", now: now) == 7)
        #expect(RetryPolicy.parseRetryAfter(" 1.5 ", now: now) == 1.5)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let future = formatter.string(from: now.addingTimeInterval(30))
        let parsed = try #require(RetryPolicy.parseRetryAfter(future, now: now))
        #expect(abs(parsed - 30) < 1.01)
        #expect(RetryPolicy.parseRetryAfter(formatter.string(from: now.addingTimeInterval(-60)), now: now) == 0)
        #expect(RetryPolicy.parseRetryAfter("soon", now: now) == nil)
        #expect(RetryPolicy.parseRetryAfter("-3", now: now) == nil)
        #expect(RetryPolicy.retryAfter(headers: ["retry-after-ms": "250", "retry-after": "9"]) == 0.25)
        #expect(RetryPolicy.retryAfter(headers: ["retry-after": "9"]) == 9)
        #expect(RetryPolicy.retryAfter(headers: [:]) == nil)
    }

    @Test("only transient errors are retryable")
    func retryable() {
        #expect(RetryPolicy.isRetryable(VibectlError(.transient, "x")))
        for code in [VibectlError.Code.auth, .model, .canceled, .timeout, .internal] {
            #expect(!RetryPolicy.isRetryable(VibectlError(code, "x")))
        }
    }
}

@Suite("Router: retries through the service")
struct RouterRetryServiceTests {
    @Test("a 429 with Retry-After waits that long, reports the retry, then succeeds")
    func rateLimited() async throws {
        let fixture = try RouterFixture([.status(429, body: "slow down", headers: ["retry-after": "7"]), .ok("fine")])
        let result = try await fixture.complete()
        #expect(result.text == "fine")
        #expect(fixture.sleeps.seconds == [7])
        #expect(fixture.transport.sent.count == 2)
        #expect(result.metrics.retries == 1)
        guard case .retrying(let attempt, let delay, let reason)? = fixture.events.all.first else {
            Issue.record("no retrying event: \(fixture.events.all)")
            return
        }
        #expect(attempt == 2)
        #expect(delay == 7)
        #expect(reason.contains("429"))
    }

    @Test("529 and 5xx are retried max_retries times with growing waits, then fail as transient", arguments: [529, 500, 503])
    func exhausted(status: Int) async throws {
        let fixture = try RouterFixture(
            [.status(status, body: "overloaded"), .status(status, body: "overloaded"), .status(status, body: "overloaded"), .ok("never")],
            overrides: ["llm.max_retries": 2, "llm.retry_delay_seconds": 2])
        let error = await expectError(.transient) { try await fixture.complete() }
        #expect(fixture.transport.sent.count == 3)
        #expect(fixture.sleeps.seconds == [1, 2], "random 0 gives half the nominal 2 s, 4 s")
        #expect(error?.message.contains("gave up after 3 attempts") == true)
        #expect(fixture.events.all.count == 2)
    }

    @Test("max_retries 0 makes one attempt")
    func noRetries() async throws {
        let fixture = try RouterFixture([.status(503), .ok("never")], overrides: ["llm.max_retries": 0])
        _ = await expectError(.transient) { try await fixture.complete() }
        #expect(fixture.transport.sent.count == 1)
        #expect(fixture.sleeps.seconds.isEmpty)
    }

    @Test("auth and validation errors are never retried", arguments: [(401, VibectlError.Code.auth), (403, .auth), (400, .model), (422, .model)])
    func notRetried(status: Int, code: VibectlError.Code) async throws {
        let fixture = try RouterFixture([.status(status, body: "no"), .ok("never")])
        _ = await expectError(code) { try await fixture.complete() }
        #expect(fixture.transport.sent.count == 1)
        #expect(fixture.sleeps.seconds.isEmpty)
        #expect(fixture.events.all.isEmpty)
    }

    @Test("connection failures and slow attempts are retried; each attempt gets llm.timeout_seconds")
    func transportFailures() async throws {
        let fixture = try RouterFixture(
            [.fail(VibectlError(.transient, "connection refused")), .fail(VibectlError(.timeout, "head timeout")), .ok("third time")],
            overrides: ["llm.timeout_seconds": 5])
        let result = try await fixture.complete()
        #expect(result.text == "third time")
        #expect(result.metrics.retries == 2)
        #expect(fixture.transport.sent.map(\.timeout) == [.seconds(5), .seconds(5), .seconds(5)])
        let reasons = fixture.events.all.compactMap { event -> String? in
            if case .retrying(_, _, let reason) = event { return reason }
            return nil
        }
        #expect(reasons.count == 2)
        #expect(reasons.last?.contains("within 5 s") == true)
    }

    @Test("a retried stream never re-delivers text; the result is the last attempt's complete text")
    func streamRetry() async throws {
        let fixture = try RouterFixture([
            .stream(["T Hello, \n", "T wor\n"], error: VibectlError(.transient, "connection reset")),
            .stream(["T Hel\n", "T lo, world", "!\nU 12 4\nD end_turn\n"]),
        ])
        let result = try await fixture.complete(stream: true)
        #expect(result.text == "Hello, world!")
        #expect(fixture.events.text == "Hello, world!")
        #expect(result.metrics.inputTokens == 12 && result.metrics.outputTokens == 4)
        #expect(result.stopReason == "end_turn")
        #expect(result.metrics.retries == 1)
        #expect(fixture.transport.sent.allSatisfy { $0.body.objectValue?["stream"] == true })
    }

    @Test("when the retry writes different text, only what goes beyond the delivered length is emitted")
    func streamRetryDiffers() async throws {
        let fixture = try RouterFixture([
            .stream(["T ABCDEF\n", "E overloaded_error\n"]),
            .stream(["T abcdefGHI\nD stop\n"]),
        ])
        let result = try await fixture.complete(stream: true)
        #expect(result.text == "abcdefGHI")
        #expect(fixture.events.text == "ABCDEFGHI")
    }

    @Test("a stream cut without its end marker is retried")
    func streamCut() async throws {
        let fixture = try RouterFixture([.stream(["T partial\n"]), .stream(["T partial answer\nD end_turn\n"])])
        let result = try await fixture.complete(stream: true)
        #expect(result.text == "partial answer")
        #expect(fixture.events.text == "partial answer")
        #expect(fixture.transport.sent.count == 2)
    }
}
