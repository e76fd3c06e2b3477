import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import VibectlCore

/// A loopback HTTP server that speaks the Anthropic, OpenAI, Ollama and Gemini wire formats, for tests and benchmarks.
///
/// One server serves all four APIs, each under its own path prefix; ``baseURL(for:)`` returns the
/// base URL the matching adapter expects. Replies are scripted per API with ``enqueue(_:for:)``
/// (first in, first out) and fall back to a default reply; every request is recorded in
/// ``requests``. The server binds 127.0.0.1 on an ephemeral port and never reaches the network.
///
/// ```swift
/// let server = try await FakeProviderServer.start()
/// defer { Task { await server.stop() } }
/// server.enqueue(.status(429, retryAfter: 1), for: .anthropic)
/// server.enqueue(.reply(text: "hi"), for: .anthropic)
/// // point the Anthropic adapter at server.baseURL(for: .anthropic) …
/// #expect(server.requests.count == 2)
/// ```
public final class FakeProviderServer: Sendable {
    /// The port the server listens on (on 127.0.0.1).
    public let port: Int
    private let core: FakeProviderCore
    private let group: MultiThreadedEventLoopGroup
    private let listener: NIOAsyncChannel<FakeConnection, Never>
    private let runTask: Task<Void, Never>

    /// The reply sent when an API's queue is empty and no default was set for it.
    public static let standardReply = FakeReply.reply(text: "Hello from the fake provider.")

    private init(
        port: Int, core: FakeProviderCore, group: MultiThreadedEventLoopGroup, listener: NIOAsyncChannel<FakeConnection, Never>,
        runTask: Task<Void, Never>
    ) {
        self.port = port
        self.core = core
        self.group = group
        self.listener = listener
        self.runTask = runTask
    }

    /// Starts a server on 127.0.0.1 with an ephemeral port.
    /// - Parameter defaultReply: what every API answers when its queue is empty (see ``setDefaultReply(_:for:)``).
    /// - Throws: when the socket cannot be bound.
    public static func start(defaultReply: FakeReply = standardReply) async throws -> FakeProviderServer {
        let core = FakeProviderCore(defaultReply: defaultReply)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let listener: NIOAsyncChannel<FakeConnection, Never>
        do {
            listener = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .bind(host: "127.0.0.1", port: 0) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        return try FakeConnection(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        guard let port = listener.channel.localAddress?.port else {
            try? await listener.channel.close()
            try? await group.shutdownGracefully()
            throw VibectlError(.internal, "the fake provider server did not get a port")
        }
        let runTask = Task {
            await withDiscardingTaskGroup { tasks in
                do {
                    try await listener.executeThenClose { inbound in
                        for try await connection in inbound {
                            tasks.addTask { await core.serve(connection) }
                        }
                    }
                } catch {
                    // The listener was closed by stop(); connections finish on their own.
                }
            }
        }
        return FakeProviderServer(port: port, core: core, group: group, listener: listener, runTask: runTask)
    }

    /// Stops listening, closes every open connection and releases the server's thread.
    public func stop() async {
        try? await listener.channel.close()
        for channel in core.openChannels() {
            try? await channel.close()
        }
        runTask.cancel()
        await runTask.value
        try? await group.shutdownGracefully()
    }

    /// `http://127.0.0.1:<port>`, the server's origin.
    public var origin: String { "http://127.0.0.1:\(port)" }

    /// The base URL to configure for `api`, in the form that API's adapter expects:
    /// Anthropic `…/anthropic` (the adapter appends `/v1/messages`), OpenAI `…/openai/v1`
    /// (appends `/chat/completions`), Ollama `…/ollama` (appends `/api/chat`), Gemini
    /// `…/gemini/v1beta` (appends `/models/{model}:generateContent`).
    public func baseURL(for api: FakeProviderAPI) -> String {
        origin + api.pathPrefix + api.baseSuffix
    }

    /// Queues `reply` as the next answer to a completion request for `api`.
    ///
    /// Model-list requests take an entry from the queue only when it is a fault (``FakeReply/isFault``).
    public func enqueue(_ reply: FakeReply, for api: FakeProviderAPI) {
        core.state.withLock { $0.queues[api, default: []].append(reply) }
    }

    /// Queues several replies for `api`, answered in order.
    public func enqueue(_ replies: [FakeReply], for api: FakeProviderAPI) {
        core.state.withLock { $0.queues[api, default: []].append(contentsOf: replies) }
    }

    /// The number of queued replies not yet used for `api`.
    public func pendingReplies(for api: FakeProviderAPI) -> Int {
        core.state.withLock { $0.queues[api]?.count ?? 0 }
    }

    /// Sets what `api` answers when its queue is empty; `nil` sets it for every API.
    public func setDefaultReply(_ reply: FakeReply, for api: FakeProviderAPI? = nil) {
        core.state.withLock { state in
            if let api {
                state.defaults[api] = reply
            } else {
                state.defaults.removeAll()
                state.fallbackDefault = reply
            }
        }
    }

    /// Restricts `api` to `models`: completions naming another model get the provider's "model not
    /// found" answer, and the model list shows exactly these. `nil` accepts any model again and lists
    /// ``FakeProviderAPI/defaultModels``.
    public func setKnownModels(_ models: [String]?, for api: FakeProviderAPI) {
        core.state.withLock { $0.knownModels[api] = models }
    }

    /// Makes a deterministic share `rate` (0…1) of completion requests, for every API, answer `fault`.
    ///
    /// Which requests fail depends only on `seed` and the order requests arrive in. A rate of 0 turns this off.
    public func failureRate(_ rate: Double, seed: UInt64 = 1, fault: FakeReply = .overloaded) {
        core.state.withLock { state in
            state.failureRate = min(1, max(0, rate))
            state.failureFault = fault
            state.random = FakeSplitMix64(seed: seed)
        }
    }

    /// Every request received so far, oldest first.
    public var requests: [FakeRecordedRequest] {
        core.state.withLock { $0.requests }
    }

    /// The requests received for `api`, oldest first.
    public func requests(for api: FakeProviderAPI) -> [FakeRecordedRequest] {
        core.state.withLock { $0.requests.filter { $0.api == api } }
    }

    /// Forgets the recorded requests (queues, defaults and modes are kept).
    public func clearRequests() {
        core.state.withLock { $0.requests.removeAll() }
    }

    /// How many responses the server could not finish because the client hung up first (e.g. it timed out or was cancelled).
    public var abandonedResponses: Int {
        core.state.withLock { $0.abandoned }
    }

    /// How many responses the server sent completely.
    public var completedResponses: Int {
        core.state.withLock { $0.completed }
    }

    /// Waits until ``abandonedResponses`` reaches `count` or `timeout` passes; returns whether it did.
    public func waitForAbandonedResponses(_ count: Int, timeout: Duration = .seconds(10)) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            if abandonedResponses >= count { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return abandonedResponses >= count
    }
}

/// Runs `body` with a started server and stops the server afterwards, whether `body` throws or not.
public func withFakeProviderServer<Result: Sendable>(
    defaultReply: FakeReply = FakeProviderServer.standardReply,
    _ body: (FakeProviderServer) async throws -> Result
) async throws -> Result {
    let server = try await FakeProviderServer.start(defaultReply: defaultReply)
    do {
        let result = try await body(server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

typealias FakeConnection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

/// A small deterministic generator (SplitMix64) for the failure-rate mode.
struct FakeSplitMix64: Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// The next value in 0..<1.
    mutating func nextUnit() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z = z ^ (z >> 31)
        return Double(z >> 11) / Double(UInt64(1) << 53)
    }
}

/// The server's state and request handling, shared by the connection tasks.
final class FakeProviderCore: Sendable {
    struct State: Sendable {
        var queues: [FakeProviderAPI: [FakeReply]] = [:]
        var defaults: [FakeProviderAPI: FakeReply] = [:]
        var fallbackDefault: FakeReply
        var knownModels: [FakeProviderAPI: [String]] = [:]
        var requests: [FakeRecordedRequest] = []
        var failureRate: Double = 0
        var failureFault: FakeReply = .overloaded
        var random = FakeSplitMix64(seed: 1)
        var sequence = 0
        var abandoned = 0
        var completed = 0
        var channels: [ObjectIdentifier: any Channel] = [:]
    }

    let state: Mutex<State>

    init(defaultReply: FakeReply) {
        state = Mutex(State(fallbackDefault: defaultReply))
    }

    func openChannels() -> [any Channel] {
        state.withLock { Array($0.channels.values) }
    }

    /// Reads requests from one connection and answers them in order until either side closes it.
    func serve(_ connection: FakeConnection) async {
        let channel = connection.channel
        let id = ObjectIdentifier(channel)
        state.withLock { $0.channels[id] = channel }
        defer { _ = state.withLock { $0.channels.removeValue(forKey: id) } }
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                var body = ByteBuffer()
                for try await part in inbound {
                    switch part {
                    case .head(let received):
                        head = received
                        body.clear()
                    case .body(var chunk):
                        body.writeBuffer(&chunk)
                    case .end:
                        guard let received = head else { continue }
                        head = nil
                        let plan = respond(to: received, body: Data(body.readableBytesView))
                        let keepOpen = await send(plan, outbound: outbound, channel: channel)
                        if !keepOpen { return }
                    }
                }
            }
        } catch {
            // The client closed the connection; nothing to answer.
        }
    }

    /// Writes `plan`; returns whether the connection can carry another request.
    private func send(_ plan: FakeResponsePlan, outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, channel: any Channel)
        async -> Bool
    {
        if plan.delay > 0, !(await wait(plan.delay, whileOpen: channel)) {
            state.withLock { $0.abandoned += 1 }
            return false
        }
        var headers = HTTPHeaders()
        for (name, value) in plan.headers { headers.add(name: name, value: value) }
        if let length = plan.declaredLength {
            headers.replaceOrAdd(name: "content-length", value: String(length))
        } else {
            headers.replaceOrAdd(name: "transfer-encoding", value: "chunked")
        }
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: plan.status), headers: headers)
        do {
            try await outbound.write(.head(head))
            for (index, piece) in plan.pieces.enumerated() {
                if index > 0, plan.interval > 0, !(await wait(plan.interval, whileOpen: channel)) {
                    state.withLock { $0.abandoned += 1 }
                    return false
                }
                try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: piece))))
            }
            switch plan.ending {
            case .complete:
                try await outbound.write(.end(nil))
                state.withLock { $0.completed += 1 }
                return true
            case .cut:
                // Let the pieces reach the client before the connection drops under them.
                try? await Task.sleep(for: .milliseconds(50))
                return false
            }
        } catch {
            state.withLock { $0.abandoned += 1 }
            return false
        }
    }

    /// Sleeps `seconds` in small steps; returns false as soon as the client has gone or the server is stopping.
    private func wait(_ seconds: Double, whileOpen channel: any Channel) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .milliseconds(Int64((seconds * 1000).rounded())))
        while clock.now < deadline {
            if !channel.isActive || Task.isCancelled { return false }
            let left = clock.now.duration(to: deadline)
            try? await Task.sleep(for: min(left, .milliseconds(10)))
        }
        return channel.isActive
    }

    // MARK: - Routing

    private enum Route {
        case completion
        case listModels
        case showModel
    }

    /// Records the request and decides the answer.
    func respond(to head: HTTPRequestHead, body: Data) -> FakeResponsePlan {
        let (rawPath, query) = Self.splitURI(head.uri)
        let api = FakeProviderAPI.allCases.first { rawPath == $0.pathPrefix || rawPath.hasPrefix($0.pathPrefix + "/") }
        let path = api.map { String(rawPath.dropFirst($0.pathPrefix.count)) } ?? rawPath
        let json = body.isEmpty ? nil : try? JSONDecoder().decode(JSONValue.self, from: body)
        var headers: [String: String] = [:]
        for (name, value) in head.headers {
            let key = name.lowercased()
            headers[key] = headers[key].map { "\($0), \(value)" } ?? value
        }
        let method = head.method.rawValue

        var route: Route?
        var model = json?.objectValue?["model"]?.stringValue
        var isStream = json?.objectValue?["stream"]?.boolValue == true
        switch api {
        case .anthropic:
            if method == "POST", path == "/v1/messages" { route = .completion }
            if method == "GET", path == "/v1/models" { route = .listModels }
            if method == "GET", path.hasPrefix("/v1/models/") {
                route = .showModel
                model = String(path.dropFirst("/v1/models/".count))
            }
        case .openai:
            if method == "POST", path == "/v1/chat/completions" { route = .completion }
            if method == "GET", path == "/v1/models" { route = .listModels }
            if method == "GET", path.hasPrefix("/v1/models/") {
                route = .showModel
                model = String(path.dropFirst("/v1/models/".count))
            }
        case .ollama:
            isStream = json?.objectValue?["stream"]?.boolValue != false  // Ollama streams unless told not to
            if method == "POST", path == "/api/chat" { route = .completion }
            if method == "GET", path == "/api/tags" { route = .listModels }
            if method == "POST", path == "/api/show" {
                route = .showModel
                model = model ?? json?.objectValue?["name"]?.stringValue
            }
        case .gemini:
            isStream = false
            let prefix = "/v1beta/models/"
            if method == "GET", path == "/v1beta/models" { route = .listModels }
            if path.hasPrefix(prefix) {
                let rest = String(path.dropFirst(prefix.count))
                if let colon = rest.lastIndex(of: ":") {
                    model = String(rest[..<colon])
                    let action = rest[rest.index(after: colon)...]
                    if method == "POST", action == "generateContent" { route = .completion }
                    if method == "POST", action == "streamGenerateContent" {
                        route = .completion
                        isStream = true
                    }
                } else if method == "GET" {
                    model = rest
                    route = .showModel
                }
            }
        case nil:
            break
        }

        let recorded = FakeRecordedRequest(
            api: api, method: method, path: path, rawPath: head.uri, query: query, headers: headers, body: body, json: json,
            model: model, isStream: isStream)

        return state.withLock { state -> FakeResponsePlan in
            state.requests.append(recorded)
            state.sequence += 1
            guard let api, let route else { return FakeWireFormat.unknownPath(head.uri) }
            let context = FakeReplyContext(
                api: api, model: model ?? "", isStream: isStream && route == .completion,
                toolName: Self.toolName(json), includeUsage: json?.objectValue?["stream_options"]?.objectValue?["include_usage"]?.boolValue == true,
                geminiSSE: query["alt"] == "sse", apiKey: Self.apiKey(api, headers: headers, query: query),
                sequence: state.sequence, defaultReply: state.defaults[api] ?? state.fallbackDefault)
            let known = state.knownModels[api]
            switch route {
            case .listModels:
                if let next = state.queues[api]?.first, next.isFault {
                    state.queues[api]?.removeFirst()
                    return FakeWireFormat.plan(next, context)
                }
                return FakeWireFormat.modelList(api, models: known ?? api.defaultModels)
            case .showModel:
                if let next = state.queues[api]?.first, next.isFault {
                    state.queues[api]?.removeFirst()
                    return FakeWireFormat.plan(next, context)
                }
                let names = known ?? api.defaultModels
                guard let model, known == nil || names.contains(model) else {
                    return FakeWireFormat.plan(.modelNotFound, context)
                }
                return FakeWireFormat.modelList(api, models: [model])
            case .completion:
                if let known, !known.contains(model ?? "") {
                    return FakeWireFormat.plan(.modelNotFound, context)
                }
                if state.failureRate > 0, state.random.nextUnit() < state.failureRate {
                    return FakeWireFormat.plan(state.failureFault, context)
                }
                if let next = state.queues[api]?.first {
                    state.queues[api]?.removeFirst()
                    return FakeWireFormat.plan(next, context)
                }
                return FakeWireFormat.plan(context.defaultReply, context)
            }
        }
    }

    private static func splitURI(_ uri: String) -> (String, [String: String]) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, [:]) }
        var query: [String: String] = [:]
        for pair in uri[uri.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard let name = parts.first else { continue }
            let value = parts.count > 1 ? String(parts[1]) : ""
            let decodedName = String(name).removingPercentEncoding ?? String(name)
            query[decodedName] = value.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? value
        }
        return (String(uri[..<mark]), query)
    }

    private static func toolName(_ json: JSONValue?) -> String {
        let object = json?.objectValue
        if let name = object?["tool_choice"]?.objectValue?["name"]?.stringValue { return name }
        if let name = object?["tools"]?.arrayValue?.first?.objectValue?["name"]?.stringValue { return name }
        return "response"
    }

    private static func apiKey(_ api: FakeProviderAPI, headers: [String: String], query: [String: String]) -> String? {
        switch api {
        case .anthropic: return headers["x-api-key"]
        case .gemini: return headers["x-goog-api-key"] ?? query["key"]
        case .openai, .ollama:
            guard let value = headers["authorization"], value.hasPrefix("Bearer ") else { return nil }
            return String(value.dropFirst("Bearer ".count))
        }
    }
}
