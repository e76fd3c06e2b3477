import Foundation
import Synchronization
import VibectlCore
import VibectlEngine
import VibectlModels
import VibectlOutput
import VibectlStore

/// The object behind a `vibectl_client *`: stores, the environment it resolved them from,
/// the lock that serialises calls, and the cancel hooks of the calls in progress.
final class ClientHandle: Sendable {
    /// The configuration store of this client.
    let config: ConfigStore
    /// The memory store of this client.
    let memory: MemoryStore
    /// Serialises calls on this client; recursive, so a callback may call back in.
    let callLock = RecursiveLock()

    private let environment: [String: String]
    private let modelService = Mutex<ModelService?>(nil)
    private let cancelHooks = Mutex<[UInt64: @Sendable () -> Void]>([:])
    private let nextHookID = Atomic<UInt64>(1)

    /// Creates a client from the options of `vibectl_client_new`.
    init(options: ClientOptions, environment: [String: String]) throws {
        let paths = try ConfigPaths.resolve(explicit: options.configDir, environment: environment)
        config = try ConfigStore(paths: paths, environment: environment, overrides: options.overrides)
        memory = MemoryStore(config: config)
        self.environment = environment
    }

    /// A redactor with the built-in detectors and `security.redact_patterns` (read on every call,
    /// so a pattern added by another process applies at once).
    func redactor() throws -> Redactor {
        let patterns = try config.value("security.redact_patterns").arrayValue?.compactMap(\.stringValue) ?? []
        return try Redactor(extraPatterns: patterns)
    }

    /// Redacts `text` when `security.redact` is on (the default); returns it unchanged otherwise.
    func redactIfEnabled(_ text: String) throws -> String {
        guard try config.value("security.redact").boolValue ?? true else { return text }
        return try redactor().redact(text).text
    }

    /// The model service of this client, created on first use (commands that never talk to a
    /// model never start an HTTP client). Its metrics accumulate for the life of the client.
    func models() -> ModelService {
        modelService.withLock { service in
            if let service { return service }
            let created = ModelService(
                config: config, environment: environment, transport: AsyncHTTPClientTransport.shared,
                adapters: ModelService.standardAdapters)
            service = created
            return created
        }
    }

    /// The vibe engine over this client's stores and model service, redacting when `security.redact` is on.
    func engine() -> VibeEngine {
        VibeEngine(config: config, memory: memory, models: models(), environment: environment) { [self] text in
            try redactIfEnabled(text)
        }
    }

    /// Registers a cancel hook for the duration of `body`; `cancel()` runs every registered hook.
    func withCancelHook<T>(_ hook: @escaping @Sendable () -> Void, _ body: () throws -> T) rethrows -> T {
        let id = nextHookID.wrappingAdd(1, ordering: .relaxed).oldValue
        cancelHooks.withLock { $0[id] = hook }
        defer { _ = cancelHooks.withLock { $0.removeValue(forKey: id) } }
        return try body()
    }

    /// Cancels every call in progress on this client.
    func cancel() {
        let hooks = cancelHooks.withLock { Array($0.values) }
        for hook in hooks { hook() }
    }
}

/// The options JSON of `vibectl_client_new` (docs/abi.md, "client options").
struct ClientOptions: Sendable {
    /// The configuration directory, or `nil` to resolve it from the environment.
    var configDir: String?
    /// Per-handle overrides, keyed by dotted config key.
    var overrides: [String: JSONValue] = [:]

    static let knownKeys = ["version", "config_dir", "overrides"]

    /// Parses options; `nil` text means defaults.
    init(json text: String?) throws {
        guard let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return }
        guard case .object(let object) = try JSONValue.parse(text, what: "options_json") else {
            throw VibectlError(
                .invalidArgument, "options_json must be a JSON object",
                hint: #"pass e.g. {"version": 1, "config_dir": "/path"} or NULL for defaults"#)
        }
        for key in object.keys.sorted() where !Self.knownKeys.contains(key) {
            throw VibectlError(
                .invalidArgument, "unknown client option '\(key)'",
                hint: "valid options: \(Self.knownKeys.joined(separator: ", "))")
        }
        if let version = object["version"], version != .int(1) {
            throw VibectlError(
                .invalidArgument, "unsupported options version \(version.jsonString())",
                hint: "this library reads options version 1")
        }
        switch object["config_dir"] {
        case nil, .null?: break
        case .string(let dir)?: configDir = dir
        case let other?:
            throw VibectlError(.invalidArgument, "option config_dir must be a string, not \(other.typeName)")
        }
        switch object["overrides"] {
        case nil, .null?: break
        case .object(let values)?: overrides = values
        case let other?:
            throw VibectlError(
                .invalidArgument, "option overrides must be an object of dotted keys, not \(other.typeName)",
                hint: #"e.g. {"overrides": {"llm.model": "gpt-4o"}}"#)
        }
    }
}

/// A recursive mutex: the thread holding it may take it again (a callback calling back in).
///
/// `@unchecked Sendable`: the pthread mutex is the synchronisation; the box only owns it.
final class RecursiveLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = .allocate(capacity: 1)
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_RECURSIVE))
        pthread_mutex_init(mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` holding the lock.
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
