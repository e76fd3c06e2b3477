import CVibectl
import Foundation
import Testing
import VibectlCore
import VibectlTestSupport

@testable import VibectlABI

/// Calls `vibectl_complete` on the calling thread: (status, result JSON or nil, last error message).
private func complete(_ client: TestClient, _ request: String, log: EventLog? = nil) -> (Int32, [String: Any]?) {
    var out: UnsafeMutablePointer<CChar>?
    let status = vibectl_complete(
        client.handle, request, log == nil ? nil : recordEvent, log.map { Unmanaged.passUnretained($0).toOpaque() }, &out)
    defer { vibectl_string_free(out) }
    guard let out, let object = try? JSONSerialization.jsonObject(with: Data(String(cString: out).utf8)) as? [String: Any]
    else { return (status, nil) }
    return (status, object)
}

/// What a blocking call on a dedicated thread returns to the test.
private struct Outcome: @unchecked Sendable {
    var status: Int32
    var result: [String: Any]?
    var message: String
    var hint: String?
    var thread: UInt
}

/// Runs `vibectl_complete` on a thread of its own and awaits it.
///
/// The fake provider server answers from Swift tasks; a test that blocked one of the few
/// cooperative threads in a C call could starve it. Real hosts call from their own threads too.
private func completeOffPool(_ client: TestClient, _ request: String, log: EventLog? = nil) async -> Outcome {
    let box = UncheckedBox((client, log))
    return await withCheckedContinuation { continuation in
        let thread = Thread {
            let (client, log) = box.value
            let (status, result) = complete(client, request, log: log)
            continuation.resume(
                returning: Outcome(
                    status: status, result: result, message: lastMessage(), hint: lastHint(),
                    thread: UInt(bitPattern: Int(bitPattern: pthread_self()))))
        }
        thread.start()
    }
}

/// Carries test objects onto the thread that uses them; the test waits, so there is no sharing.
private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// A client whose OpenAI-compatible endpoint is the fake server, with a key in the config file.
private func openAIClient(_ server: FakeProviderServer, key: String = "sk-test-abcdefghijklmnopqrstuvwxyz") throws -> TestClient {
    let client = try TestClient(overrides: ["providers.openai.base_url": server.baseURL(for: .openai), "llm.retry_delay_seconds": 0.01])
    #expect(vibectl_config_set(client.handle, "providers.openai.key", key) == VIBECTL_OK)
    return client
}

@Suite("Models through the C ABI", .timeLimit(.minutes(2)))
struct ModelsABITests {
    @Test("a plain completion returns text, the answering model and metrics from the provider's usage")
    func plainCompletion() async throws {
        try await withFakeProviderServer { server in
            server.enqueue(.reply(text: "3 pods are crash-looping.", usage: FakeUsage(inputTokens: 120, outputTokens: 7)), for: .openai)
            let client = try openAIClient(server)
            let outcome = await completeOffPool(client, #"{"version":1,"system":["Be terse."],"user":["Summarise"],"model":"openai:gpt-4o"}"#)
            let (status, result) = (outcome.status, outcome.result)
            #expect(status == VIBECTL_OK, "\(outcome.message)")
            #expect(result?["text"] as? String == "3 pods are crash-looping.")
            #expect(result?["model"] as? String == "openai:gpt-4o")
            let metrics = try #require(result?["metrics"] as? [String: Any])
            #expect(metrics["input_tokens"] as? Int == 120)
            #expect(metrics["output_tokens"] as? Int == 7)
            let recorded = try #require(server.requests(for: .openai).last)
            #expect(recorded.headers["authorization"] == "Bearer sk-test-abcdefghijklmnopqrstuvwxyz")

            var totals: UnsafeMutablePointer<CChar>?
            #expect(vibectl_client_metrics(client.handle, &totals) == VIBECTL_OK)
            let accumulated = try object(totals.map { String(cString: $0) })
            vibectl_string_free(totals)
            #expect(accumulated["calls"] as? Int == 1)
            #expect(accumulated["input_tokens"] as? Int == 120)
        }
    }

    @Test("streamed text arrives as events on the calling thread and joins to the result text")
    func streamedCompletion() async throws {
        try await withFakeProviderServer { server in
            server.enqueue(.stream(chunks: ["Deploy", "ment is ", "healthy."]), for: .openai)
            let client = try openAIClient(server)
            let log = EventLog()
            let outcome = await completeOffPool(client, #"{"user":"How is it?","stream":true,"model":"gpt-4o"}"#, log: log)
            let (status, result) = (outcome.status, outcome.result)
            #expect(status == VIBECTL_OK, "\(outcome.message)")
            let texts = log.events.filter { $0["type"] as? String == "text" }.compactMap { ($0["data"] as? [String: Any])?["text"] as? String }
            #expect(texts.joined() == "Deployment is healthy.")
            #expect(result?["text"] as? String == "Deployment is healthy.")
            #expect(log.threads == [outcome.thread])
        }
    }

    @Test("request fragments are redacted before they reach the provider")
    func fragmentsRedacted() async throws {
        try await withFakeProviderServer { server in
            let client = try openAIClient(server)
            let secret = "ghp_" + String(repeating: "A1b2C3d4", count: 5)
            let outcome = await completeOffPool(client, #"{"system":["key \#(secret)"],"user":["my token is \#(secret)"],"model":"gpt-4o"}"#)
            #expect(outcome.status == VIBECTL_OK, "\(outcome.message)")
            let body = try #require(server.requests(for: .openai).last?.body)
            let sent = String(decoding: body, as: UTF8.self)
            #expect(!sent.contains(secret))
            #expect(sent.contains("[REDACTED:"))
        }
    }

    @Test("a schema gives a parsed json member")
    func structuredCompletion() async throws {
        try await withFakeProviderServer { server in
            server.enqueue(.structured(json: #"{"summary":"ok","count":3}"#), for: .openai)
            let client = try openAIClient(server)
            let request = #"{"user":["Count"],"schema":{"type":"object","properties":{"summary":{"type":"string"},"count":{"type":"integer"}},"required":["summary","count"]},"schema_name":"tally","model":"gpt-4o"}"#
            let outcome = await completeOffPool(client, request)
            let (status, result) = (outcome.status, outcome.result)
            #expect(status == VIBECTL_OK, "\(outcome.message)")
            let json = try #require(result?["json"] as? [String: Any])
            #expect(json["count"] as? Int == 3)
            let body = try #require(server.requests(for: .openai).last?.json?.objectValue)
            #expect(body["response_format"]?.objectValue?["type"] == .string("json_schema"))
        }
    }

    @Test("rate limiting is retried with a retrying event, and the metrics count the retry")
    func retryThroughTheABI() async throws {
        try await withFakeProviderServer { server in
            server.enqueue([.status(429, retryAfter: 1), .reply(text: "fine")], for: .openai)
            let client = try openAIClient(server)
            let log = EventLog()
            let outcome = await completeOffPool(client, #"{"user":"hi","model":"gpt-4o"}"#, log: log)
            let (status, result) = (outcome.status, outcome.result)
            #expect(status == VIBECTL_OK, "\(outcome.message)")
            #expect(result?["text"] as? String == "fine")
            #expect((result?["metrics"] as? [String: Any])?["retries"] as? Int == 1)
            #expect(log.events.contains { $0["type"] as? String == "retrying" })
        }
    }

    @Test("model errors map to distinct statuses: unknown model, missing key, rejected key")
    func errorStatuses() async throws {
        try await withFakeProviderServer { server in
            let client = try openAIClient(server)
            var outcome = await completeOffPool(client, #"{"user":"hi","model":"definitely-not-a-model"}"#)
            #expect(outcome.status == VIBECTL_EMODEL)
            #expect(outcome.message.contains("definitely-not-a-model"))
            #expect(outcome.message.contains("gpt-4o"), "the message lists the known names")

            #expect(vibectl_config_set(client.handle, "providers.gemini.base_url", server.baseURL(for: .gemini)) == VIBECTL_OK)
            outcome = await completeOffPool(client, #"{"user":"hi","model":"gemini:gemini-2.5-flash"}"#)
            #expect(outcome.status == VIBECTL_EAUTH)
            #expect(outcome.hint?.contains("VIBECTL_GEMINI_API_KEY") == true)

            server.enqueue(.unauthorized, for: .openai)
            outcome = await completeOffPool(client, #"{"user":"hi","model":"gpt-4o"}"#)
            #expect(outcome.status == VIBECTL_EAUTH)
            #expect(!outcome.message.contains("sk-test-abcdefghijklmnopqrstuvwxyz"), "a key never appears in an error")
        }
    }

    @Test("exhausted transient failures give VIBECTL_ETRANSIENT")
    func transientExhausted() async throws {
        try await withFakeProviderServer { server in
            server.setDefaultReply(.overloaded, for: .openai)
            let client = try openAIClient(server)
            #expect(vibectl_config_set(client.handle, "llm.max_retries", "1") == VIBECTL_OK)
            let outcome = await completeOffPool(client, #"{"user":"hi","model":"gpt-4o"}"#)
            #expect(outcome.status == VIBECTL_ETRANSIENT)
        }
    }

    @Test("cancel from another thread stops a completion waiting for the provider")
    func cancelCompletion() async throws {
        try await withFakeProviderServer { server in
            server.enqueue(.slowFirstByte(30), for: .openai)
            let client = try openAIClient(server)
            let handle = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(client.handle)))
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) {
                _ = vibectl_client_cancel(OpaquePointer(bitPattern: handle))
            }
            let started = Date()
            let outcome = await completeOffPool(client, #"{"user":"hi","model":"gpt-4o"}"#)
            #expect(outcome.status == VIBECTL_ECANCELED)
            #expect(Date().timeIntervalSince(started) < 20, "a 30 s wait must be cut short")
        }
    }

    @Test("a callback returning non-zero on the first text chunk aborts with VIBECTL_EUSER")
    func callbackAbortsCompletion() async throws {
        try await withFakeProviderServer { server in
            server.enqueue(.stream(chunks: ["a", "b", "c"], interval: 0.2), for: .openai)
            let client = try openAIClient(server)
            let log = EventLog()
            log.abortAfter = 1
            let outcome = await completeOffPool(client, #"{"user":"hi","stream":true,"model":"gpt-4o"}"#, log: log)
            #expect(outcome.status == VIBECTL_EUSER)
        }
    }

    @Test("bad request JSON is rejected with a message naming the member")
    func badRequests() throws {
        let client = try TestClient()
        let cases = [
            ("{", "not valid JSON"), ("[]", "must be a JSON object"), (#"{"system":["x"]}"#, "user"),
            (#"{"user":"x","colour":1}"#, "'colour'"), (#"{"user":[1]}"#, "user[0]"),
            (#"{"user":"x","stream":"yes"}"#, "stream"), (#"{"user":"x","schema":"obj"}"#, "schema"),
            (#"{"user":"x","max_tokens":0}"#, "max_tokens"), (#"{"user":"x","timeout_seconds":-1}"#, "timeout_seconds"),
            (#"{"user":"x","version":3}"#, "version"),
        ]
        for (request, fragment) in cases {
            let (status, result) = complete(client, request)
            #expect(status == VIBECTL_EINVAL, "\(request)")
            #expect(result == nil)
            #expect(lastMessage().contains(fragment), "\(request): \(lastMessage())")
        }
        var out: UnsafeMutablePointer<CChar>?
        #expect(vibectl_complete(client.handle, nil, nil, nil, &out) == VIBECTL_EINVAL)
        #expect(vibectl_complete(client.handle, #"{"user":"x"}"#, nil, nil, nil) == VIBECTL_EINVAL)
    }

    @Test("the model list says where each key comes from, never the key")
    func modelList() async throws {
        try await withFakeProviderServer { server in
            let client = try openAIClient(server)
            var out: UnsafeMutablePointer<CChar>?
            #expect(vibectl_models_list(client.handle, &out) == VIBECTL_OK)
            let text = out.map { String(cString: $0) } ?? ""
            vibectl_string_free(out)
            #expect(!text.contains("sk-test-abcdefghijklmnopqrstuvwxyz"))
            let list = try object(text)
            #expect(list["default"] as? String == "claude-3.7-sonnet")
            let models = try #require(list["models"] as? [[String: Any]])
            let gpt = try #require(models.first { $0["name"] as? String == "gpt-4o" })
            #expect(gpt["key_available"] as? Bool == true)
            #expect((gpt["key_source"] as? String)?.contains("providers.openai.key") == true)

            let box = UncheckedBox(client)
            let (checkStatus, checkText): (Int32, String?) = await withCheckedContinuation { continuation in
                Thread {
                    let (status, text) = takeString { vibectl_model_check(box.value.handle, "openai:gpt-4o", $0) }
                    continuation.resume(returning: (status, text))
                }.start()
            }
            #expect(checkStatus == VIBECTL_OK)
            let report = try object(checkText)
            #expect(report["reachable"] as? Bool == true)
        }
    }
}
