import Foundation
import Synchronization
import Testing
import VibectlCore
import VibectlStore
import VibectlTestSupport

@testable import VibectlModels

// A scripted transport and a tiny line-based adapter, so the router is tested without any real wire format.
//
// Fake wire format (all providers): POST {base}/complete with the JSON body
// {"model","stream","user"}; a non-streamed reply is {"text","input","output","stop"}; a streamed
// reply is lines "T <text>" (text; "\n" written as "\\n"), "U <in> <out>", "D <stop>" (done),
// "E <message>" (an overloaded error event).

/// Replies of a ``ScriptedTransport``, consumed in order, one per request.
enum Step: Sendable {
    /// A complete non-streamed success.
    case ok(String, input: Int? = 10, output: Int? = 5, stop: String? = "end_turn")
    /// A streamed body: the chunks, then either the end or the error.
    case stream([String], status: Int = 200, error: VibectlError? = nil)
    /// An error response.
    case status(Int, body: String = "", headers: [String: String] = [:])
    /// The transport itself fails (connection refused, per-attempt timeout...).
    case fail(VibectlError)
    /// The response head never arrives (until the task is cancelled).
    case hang
}

/// An HTTP transport that answers from a script and records the requests.
final class ScriptedTransport: HTTPTransport, Sendable {
    struct Sent: Sendable {
        var request: HTTPRequestSpec
        var timeout: Duration

        /// The JSON body.
        var body: JSONValue {
            (try? JSONValue.parse(String(decoding: request.body ?? Data(), as: UTF8.self))) ?? .null
        }

        /// The model the body names.
        var model: String? { body.objectValue?["model"]?.stringValue }
    }

    private let state: Mutex<(steps: [Step], sent: [Sent])>

    init(_ steps: [Step] = []) {
        state = Mutex((steps, []))
    }

    /// Appends steps.
    func add(_ steps: Step...) {
        state.withLock { $0.steps += steps }
    }

    /// The requests sent so far.
    var sent: [Sent] { state.withLock { $0.sent } }

    func send(_ request: HTTPRequestSpec, timeout: Duration) async throws -> HTTPStreamingResponse {
        let step: Step? = state.withLock { state in
            state.sent.append(Sent(request: request, timeout: timeout))
            return state.steps.isEmpty ? nil : state.steps.removeFirst()
        }
        guard let step else {
            throw VibectlError(.internal, "the test script has no reply for request \(sent.count) to \(request.url)")
        }
        switch step {
        case .ok(let text, let input, let output, let stop):
            var object: [String: JSONValue] = ["text": .string(text)]
            object["input"] = input.map(JSONValue.int)
            object["output"] = output.map(JSONValue.int)
            object["stop"] = stop.map(JSONValue.string)
            return Self.response(200, [JSONValue.object(object).jsonString()])
        case .stream(let chunks, let status, let error):
            return Self.response(status, chunks, error: error)
        case .status(let status, let body, let headers):
            return Self.response(status, [body], headers: headers)
        case .fail(let error):
            throw error
        case .hang:
            try await Task.sleep(for: .seconds(3600))
            throw VibectlError(.internal, "a hanging request was not cancelled")
        }
    }

    static func response(_ status: Int, _ chunks: [String], headers: [String: String] = [:], error: VibectlError? = nil)
        -> HTTPStreamingResponse
    {
        let body = AsyncThrowingStream<Data, any Error> { continuation in
            for chunk in chunks where !chunk.isEmpty { continuation.yield(Data(chunk.utf8)) }
            continuation.finish(throwing: error)
        }
        return HTTPStreamingResponse(head: HTTPResponseHead(status: status, headers: headers), body: body)
    }
}

/// Decodes the fake line format.
struct FakeStreamDecoder: StreamDecoder {
    var buffer = Data()
    var done = false

    mutating func feed(_ chunk: Data) throws -> [StreamPiece] {
        buffer.append(chunk)
        var pieces: [StreamPiece] = []
        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
            buffer.removeSubrange(buffer.startIndex...newline)
            pieces += try decode(line)
        }
        return pieces
    }

    mutating func finish() throws -> [StreamPiece] {
        var pieces: [StreamPiece] = []
        if !buffer.isEmpty {
            pieces += try decode(String(decoding: buffer, as: UTF8.self))
            buffer = Data()
        }
        guard done else { throw VibectlError(.transient, "the stream ended before the provider said it was done") }
        return pieces
    }

    private mutating func decode(_ line: String) throws -> [StreamPiece] {
        guard let kind = line.first else { return [] }
        let rest = line.count > 2 ? String(line.dropFirst(2)) : ""
        switch kind {
        case "T":
            return [.text(rest.replacingOccurrences(of: "\\n", with: "\n"))]
        case "U":
            let numbers = rest.split(separator: " ").map { Int($0) }
            return [.usage(TokenUsage(inputTokens: numbers.first ?? nil, outputTokens: numbers.dropFirst().first ?? nil))]
        case "D":
            done = true
            return [.finished(stopReason: rest.isEmpty ? nil : rest)]
        case "E":
            throw VibectlError(.transient, "overloaded: \(rest)")
        default:
            throw VibectlError(.model, "malformed stream line '\(line)'")
        }
    }
}

/// A provider adapter for the fake format.
struct FakeAdapter: ProviderAdapter {
    let provider: Provider

    func completionRequest(_ request: ModelRequest, model: String, stream: Bool, endpoint: ProviderEndpoint) throws -> HTTPRequestSpec {
        var headers: [(name: String, value: String)] = [("content-type", "application/json")]
        if let key = endpoint.apiKey { headers.append(("authorization", "Bearer \(key)")) }
        let body: JSONValue = [
            "model": .string(model), "stream": .bool(stream), "user": .array(request.userFragments.map(JSONValue.string)),
        ]
        return HTTPRequestSpec(method: "POST", url: endpoint.baseURL + "/complete", headers: headers, body: Data(body.jsonString().utf8))
    }

    func decodeCompletion(_ body: Data, request: ModelRequest) throws -> ProviderReply {
        guard let object = (try? JSONValue.parse(String(decoding: body, as: UTF8.self)))?.objectValue,
            let text = object["text"]?.stringValue
        else {
            throw VibectlError(.model, "the provider's reply is not what the API documents")
        }
        return ProviderReply(
            text: text, usage: TokenUsage(inputTokens: object["input"]?.intValue, outputTokens: object["output"]?.intValue),
            stopReason: object["stop"]?.stringValue)
    }

    func streamDecoder(for request: ModelRequest) -> any StreamDecoder { FakeStreamDecoder() }

    func classifyError(status: Int, headers: [String: String], body: Data, model: String) -> VibectlError {
        let said = String(decoding: body, as: UTF8.self)
        switch status {
        case 401, 403: return VibectlError(.auth, "\(provider.displayName) rejected the API key: \(said)")
        case 404: return VibectlError(.model, "\(provider.displayName) does not know the model '\(model)'")
        case 408, 409, 425, 429, 500...599: return VibectlError(.transient, "\(provider.displayName) answered \(status): \(said)")
        default: return VibectlError(.model, "\(provider.displayName) refused the request (\(status)): \(said)")
        }
    }

    func listModelsRequest(endpoint: ProviderEndpoint) throws -> HTTPRequestSpec {
        HTTPRequestSpec(method: "GET", url: endpoint.baseURL + "/models")
    }

    func decodeModelList(_ body: Data) throws -> [String] {
        guard let ids = (try? JSONValue.parse(String(decoding: body, as: UTF8.self)))?.arrayValue?.compactMap(\.stringValue) else {
            throw VibectlError(.model, "the model list is not a JSON array")
        }
        return ids
    }
}

/// Records the waits between retries instead of waiting.
final class SleepRecorder: Sendable {
    private let sleeps = Mutex<[Double]>([])

    /// The recorded waits, in seconds.
    var seconds: [Double] { sleeps.withLock { $0 } }

    /// The sleeper to give the service.
    var sleeper: @Sendable (Duration) async throws -> Void {
        { duration in
            self.sleeps.withLock { $0.append(ModelService.milliseconds(duration) / 1000) }
            try Task.checkCancellation()
        }
    }
}

/// Collects events.
final class EventLog: Sendable {
    private let events = Mutex<[ModelEvent]>([])

    var all: [ModelEvent] { events.withLock { $0 } }

    /// The streamed text, concatenated.
    var text: String {
        all.reduce(into: "") { text, event in
            if case .text(let chunk) = event { text += chunk }
        }
    }

    var handler: @Sendable (ModelEvent) -> Void {
        { event in self.events.withLock { $0.append(event) } }
    }
}

/// Keys for every provider that look right.
let testKeys: [String: String] = [
    "VIBECTL_ANTHROPIC_API_KEY": "sk-ant-api03-TESTKEYanthropic0123456789",
    "VIBECTL_OPENAI_API_KEY": "sk-proj-TESTKEYopenai0123456789abcd",
    "VIBECTL_GEMINI_API_KEY": "AIzaSyTESTKEYgemini0123456789abcdefgh",
]

/// A fresh config directory, a scripted transport and a service over them.
final class RouterFixture: Sendable {
    let scratch: ScratchDirectory
    let transport: ScriptedTransport
    let sleeps = SleepRecorder()
    let events = EventLog()
    let service: ModelService
    let config: ConfigStore

    init(
        _ steps: [Step] = [], environment: [String: String] = testKeys, overrides: [String: JSONValue] = [:],
        random: @escaping @Sendable () -> Double = { 0 }
    ) throws {
        scratch = try ScratchDirectory(prefix: "vibectl-router")
        transport = ScriptedTransport(steps)
        var environment = environment
        environment["HOME"] = environment["HOME"] ?? scratch.path
        config = try ConfigStore(paths: ConfigPaths(configDir: scratch.file("config")), environment: environment, overrides: overrides)
        var adapters: [Provider: any ProviderAdapter] = [:]
        for provider in Provider.allCases { adapters[provider] = FakeAdapter(provider: provider) }
        service = ModelService(
            config: config, environment: environment, transport: transport, adapters: adapters, sleeper: sleeps.sleeper,
            random: random)
    }

    /// Runs a completion with the fixture's event log.
    func complete(
        _ request: ModelRequest = ModelRequest(userFragments: ["hello"]), model: String? = nil, stream: Bool = false,
        timeout: Duration? = nil
    ) async throws -> ModelResult {
        try await service.complete(
            request, options: CompletionOptions(model: model, stream: stream, timeout: timeout), onEvent: events.handler)
    }
}

/// Runs `body`, expecting a `VibectlError` with `code`, and returns it.
func expectError<T>(
    _ code: VibectlError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T
) async -> VibectlError? {
    do {
        _ = try await body()
        Issue.record("expected \(code.name), but the call succeeded", sourceLocation: sourceLocation)
        return nil
    } catch let error as VibectlError {
        #expect(error.code == code, "got \(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected a VibectlError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Every text of an error, for "the key never appears" checks.
func allText(_ error: VibectlError?) -> String {
    guard let error else { return "" }
    return [error.message, error.hint ?? "", error.cause ?? "", error.description].joined(separator: "\n")
}
