import VibectlCore

/// How commands that change the cluster are confirmed.
public enum ExecutionMode: String, Sendable, CaseIterable {
    /// Every command that is not read-only is confirmed.
    case manual
    /// As manual, with an extra "exit" choice that stops a loop.
    case semiauto
    /// Nothing is confirmed except what the safety classifier forces.
    case auto

    /// Parses a mode or one of its aliases (`none`, `per-session`, `per-command`).
    public init?(name: String) {
        switch name.lowercased() {
        case "manual", "per-command": self = .manual
        case "semiauto", "per-session": self = .semiauto
        case "auto", "none": self = .auto
        default: return nil
        }
    }
}

/// The per-call options of the engine (the "vibe options" JSON of docs/abi.md).
public struct VibeOptions: Sendable, Equatable {
    /// The model for this call; `nil` uses `llm.model`.
    public var model: String?
    /// The execution mode; `nil` uses `security.confirmation_mode`.
    public var mode: ExecutionMode?
    /// Skip confirmations the classifier does not force.
    public var yes = false
    /// Read memory but do not write it during this call (not persisted).
    public var freezeMemory = false
    /// Plan the arguments of this kubectl verb; the verb is implied.
    public var verb: String?
    /// Text the request refers to (e.g. piped stdin).
    public var input: String?
    /// Make the summary call after a command runs.
    public var summary = true
    /// Stream the summary as `summary_text` events.
    public var stream = true
    /// Characters of output a model may see; `nil` uses `output.max_chars`.
    public var budget: Int?
    /// The kubectl timeout of this call, in seconds; `nil` uses `core.timeout_seconds`.
    public var timeoutSeconds: Double?
    /// The command the text of a summarize call came from (`kubectl logs web-1`).
    public var command: String?
    /// The request a summarize call answers.
    public var request: String?
    /// A summarize call over the output of a failed command: ask for recovery suggestions.
    public var failed = false
    /// `check`: the most iterations; `nil` uses `features.check_max_iterations`.
    public var maxIterations: Int?
    /// `run`: text given to kubectl on stdin (a manifest for `-f -`).
    public var stdin: String?
    /// `run`: exit codes that count as success; `nil` means [0], or [0, 1] for `diff`.
    public var allowedExitCodes: [Int32]?

    /// Options with these values and defaults for the rest.
    public init(model: String? = nil, mode: ExecutionMode? = nil, yes: Bool = false, freezeMemory: Bool = false, verb: String? = nil) {
        self.model = model
        self.mode = mode
        self.yes = yes
        self.freezeMemory = freezeMemory
        self.verb = verb
    }

    static let knownKeys = [
        "version", "model", "mode", "yes", "freeze_memory", "verb", "input", "summary", "stream", "budget",
        "timeout_seconds", "command", "request", "failed", "max_iterations", "stdin", "allowed_exit_codes",
    ]

    /// Parses the options JSON; `nil` or blank means defaults.
    /// - Throws: `.invalidArgument` naming the bad key and the fix.
    public init(json text: String?) throws {
        guard let text, !text.allSatisfy(\.isWhitespace) else {
            self.init()
            return
        }
        guard case .object(let object) = try JSONValue.parse(text, what: "options_json") else {
            throw VibectlError(.invalidArgument, "options_json must be a JSON object", hint: #"e.g. {"version": 1, "mode": "auto"}"#)
        }
        try self.init(object: object)
    }

    /// Parses an options object.
    public init(object: [String: JSONValue]) throws {
        for key in object.keys.sorted() where !Self.knownKeys.contains(key) {
            throw VibectlError(
                .invalidArgument, "unknown option '\(key)'", hint: "valid options: \(Self.knownKeys.joined(separator: ", "))")
        }
        if let version = object["version"], version != .int(1) {
            throw VibectlError(.invalidArgument, "unsupported options version \(version.jsonString())", hint: "use version 1")
        }
        model = try Self.string(object, "model")
        if let name = try Self.string(object, "mode") {
            guard let mode = ExecutionMode(name: name) else {
                throw VibectlError(
                    .invalidArgument, "unknown mode '\(name)'",
                    hint: "use manual, semiauto or auto (aliases: per-command, per-session, none)")
            }
            self.mode = mode
        }
        yes = try Self.bool(object, "yes") ?? false
        freezeMemory = try Self.bool(object, "freeze_memory") ?? false
        verb = try Self.string(object, "verb").flatMap { $0.isEmpty ? nil : $0 }
        if let verb, verb.hasPrefix("-") || verb.contains(" ") {
            throw VibectlError(.invalidArgument, "verb '\(verb)' is not a kubectl verb", hint: #"e.g. "get" or "logs""#)
        }
        input = try Self.string(object, "input")
        summary = try Self.bool(object, "summary") ?? true
        stream = try Self.bool(object, "stream") ?? true
        if let budget = try Self.number(object, "budget") {
            guard budget >= 100, budget <= 10_000_000, budget == budget.rounded() else {
                throw VibectlError(.invalidArgument, "budget must be a whole number of characters from 100 to 10000000")
            }
            self.budget = Int(budget)
        }
        if let timeout = try Self.number(object, "timeout_seconds") {
            guard timeout > 0, timeout <= 86_400 else {
                throw VibectlError(.invalidArgument, "timeout_seconds must be more than 0 and at most 86400")
            }
            timeoutSeconds = timeout
        }
        command = try Self.string(object, "command")
        request = try Self.string(object, "request")
        failed = try Self.bool(object, "failed") ?? false
        if let iterations = try Self.number(object, "max_iterations") {
            guard (1...100).contains(iterations), iterations == iterations.rounded() else {
                throw VibectlError(.invalidArgument, "max_iterations must be a whole number from 1 to 100")
            }
            maxIterations = Int(iterations)
        }
        stdin = try Self.string(object, "stdin")
        switch object["allowed_exit_codes"] {
        case nil, .null?:
            break
        case .array(let items)?:
            allowedExitCodes = try items.map { item in
                guard let code = item.intValue, (0...255).contains(code) else {
                    throw VibectlError(.invalidArgument, "allowed_exit_codes must hold integers from 0 to 255")
                }
                return Int32(code)
            }
        case let other?:
            throw VibectlError(.invalidArgument, "option allowed_exit_codes must be a list of integers, not \(other.typeName)")
        }
    }

    private static func string(_ object: [String: JSONValue], _ key: String) throws -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        case let other?: throw VibectlError(.invalidArgument, "option \(key) must be a string, not \(other.typeName)")
        }
    }

    private static func bool(_ object: [String: JSONValue], _ key: String) throws -> Bool? {
        switch object[key] {
        case nil, .null?: return nil
        case .bool(let value)?: return value
        case let other?: throw VibectlError(.invalidArgument, "option \(key) must be true or false, not \(other.typeName)")
        }
    }

    private static func number(_ object: [String: JSONValue], _ key: String) throws -> Double? {
        switch object[key] {
        case nil, .null?: return nil
        case let value?:
            guard let number = value.doubleValue, number.isFinite else {
                throw VibectlError(.invalidArgument, "option \(key) must be a number, not \(value.typeName)")
            }
            return number
        }
    }
}
