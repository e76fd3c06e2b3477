import ArgumentParser
import CVibectl
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `vibectl model`: the models vibectl can use, their keys, and whether they answer.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "List, check and test the language models vibectl uses.",
        discussion: """
            Models are named provider:model (anthropic:, openai:, ollama:, gemini: followed by \
            the provider's model id) or by an alias such as claude-sonnet-4 or gpt-4o. \
            llm.model is the default; llm.fallback_models are tried when it fails. Keys come \
            from VIBECTL_<P>_API_KEY, VIBECTL_<P>_API_KEY_FILE, providers.<p>.key, \
            providers.<p>.key_file, then the provider's usual variable (e.g. OPENAI_API_KEY); \
            vibectl never prints a key.

            EXAMPLES:
              vibectl model list
              vibectl model check gpt-4o
              vibectl model test
              vibectl model test claude-sonnet-4 openai:gpt-4.1-mini ollama:llama3.2

            EXIT STATUS:
              0   success (for check and test: every model answered)
              1   failure (unknown model, missing or rejected key, provider unreachable)
              64  usage error
            """,
        subcommands: [ModelList.self, ModelCheck.self, ModelTest.self]
    )
}

/// Prints the library's warnings on stderr.
private func printModelWarnings(_ json: JSON) {
    for warning in json["warnings"]?.arrayValue ?? [] {
        if let text = warning.stringValue { Console.warning(text) }
    }
}

/// The KEY column of a model: where the key comes from, "not needed" or "missing".
func keyLabel(_ entry: JSON) -> String {
    if let source = entry["key_source"]?.stringValue, !source.isEmpty { return source }
    if entry["key_required"]?.boolValue == false || entry["provider"]?.stringValue == "ollama" { return "not needed" }
    if entry["key_available"]?.boolValue == true { return "available" }
    return "missing"
}

/// Completion candidates for a model argument: the names `vibectl model list` shows.
func modelNameCompletions() -> CompletionKind {
    .custom { _, _, prefix in
        guard let listing = try? Client(configDir: RootOptions.shared.configDir).modelsList().json else { return [] }
        let names = (listing["models"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        return names.filter { $0.hasPrefix(prefix) }
    }
}

/// `vibectl model list`.
struct ModelList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the known models, their providers and where their keys come from.",
        discussion: """
            Lists the alias table plus the configured llm.model and llm.fallback_models. The \
            default model (llm.model) is marked with '*', fallback models with '+'. KEY says where the provider's API key \
            comes from (e.g. "env VIBECTL_OPENAI_API_KEY", "file providers.openai.key_file"), \
            or "missing"; the key itself is never shown. No network request is made.

            EXAMPLES:
              vibectl model list
              vibectl model list -o json

            EXIT STATUS:
              0   success
              1   failure (corrupt config file)
              64  usage error
            """)

    @Option(name: .shortAndLong, help: "Output format: text, json or yaml.")
    var output: OutputFormat = .text

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let client = try global.client()
        let (raw, json) = try client.modelsList()
        printModelWarnings(json)
        switch output {
        case .json, .yaml: Console.printMachine(json, raw: raw, format: output)
        case .text:
            let defaultName = json["default"]?.stringValue
            var rows = [["NAME", "PROVIDER", "MODEL ID", "KEY"]]
            var markers = ["  "]
            for entry in json["models"]?.arrayValue ?? [] {
                let name = entry["name"]?.stringValue ?? entry["alias"]?.stringValue ?? ""
                let isDefault = entry["default"]?.boolValue ?? (name == defaultName)
                let isFallback = entry["fallback"]?.boolValue ?? false
                markers.append(isDefault ? "* " : isFallback ? "+ " : "  ")
                rows.append([
                    name, entry["provider"]?.stringValue ?? "", entry["model_id"]?.stringValue ?? "", keyLabel(entry),
                ])
            }
            Console.out(zip(markers, formatTable(rows)).map { $0 + $1 }.joined(separator: "\n"))
        }
    }
}

/// `vibectl model check`.
struct ModelCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check that a model can be used: known name, a key, and a provider that answers.",
        discussion: """
            Resolves the name, finds the provider's key and asks the provider's model-list \
            endpoint whether it knows the model (no completion is requested, so it costs \
            nothing). Without MODEL, checks llm.model.

            EXAMPLES:
              vibectl model check
              vibectl model check openai:gpt-4.1-mini
              vibectl model check ollama:llama3.2 -o json

            EXIT STATUS:
              0   the provider answered and knows the model (or does not list models)
              1   unknown model, no key, provider unreachable, or the model is not listed
              64  usage error
            """)

    @Argument(
        help: ArgumentHelp("The model: provider:model or an alias (default: llm.model).", valueName: "model"),
        completion: modelNameCompletions())
    var model: String?

    @Option(name: .shortAndLong, help: "Output format: text, json or yaml.")
    var output: OutputFormat = .text

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let client = try global.client()
        let (raw, json) = try client.modelCheck(model)
        switch output {
        case .json, .yaml: Console.printMachine(json, raw: raw, format: output)
        case .text: Console.out(formatTable(Self.rows(json)).joined(separator: "\n"))
        }
        printModelWarnings(json)
        if let failure = Self.failure(json, requested: model) { throw failure }
    }

    /// The text rendering of a check: one `label  value` row per fact.
    static func rows(_ json: JSON) -> [[String]] {
        let reachable = json["reachable"]?.boolValue == true
        var reach = reachable ? "yes" : "no"
        if let latency = json["latency_ms"], latency != .null { reach += " (\(ModelTest.number(latency)) ms)" }
        let found: String
        switch json["model_found"] {
        case .bool(true)?: found = "yes"
        case .bool(false)?: found = "no"
        default: found = reachable ? "unknown (the provider does not list models)" : "unknown"
        }
        var rows = [
            ["Model:", json["model"]?.stringValue ?? ""],
            ["Provider:", json["provider"]?.stringValue ?? ""],
            ["Key:", keyLabel(json)],
            ["Reachable:", reach],
            ["Model found:", found],
        ]
        if let error = errorText(json["error"]) { rows.append(["Error:", error]) }
        return rows
    }

    /// The error that makes the check fail, or nil when the model is usable.
    static func failure(_ json: JSON, requested: String?) -> CLIError? {
        let name = json["model"]?.stringValue ?? requested ?? "the default model"
        let provider = json["provider"]?.stringValue ?? "the provider"
        let detail = errorText(json["error"]).map { ": \($0)" } ?? ""
        switch json["status"]?.stringValue {
        case "ok"?:
            return nil
        case "auth_rejected"?:
            return CLIError(
                message: "\(provider) rejected the key for \(name)\(detail)",
                hint: "check the key (\(json["key_source"]?.stringValue ?? "no key source")); "
                    + "'vibectl model list' shows where each provider's key comes from")
        case "error"? where json["reachable"]?.boolValue == true:
            return CLIError(
                message: "\(provider) answered the model-list request for \(name) with an error\(detail)",
                hint: "check the endpoint (providers.\(provider).base_url) and try 'vibectl model test \(name)'")
        default:
            break
        }
        if json["reachable"]?.boolValue != true {
            return CLIError(
                message: "\(provider) did not answer for \(name)\(detail)",
                hint: "check the endpoint (providers.\(provider).base_url or the provider's *_BASE_URL/_HOST "
                    + "variable), your network and the key")
        }
        if json["model_found"]?.boolValue == false {
            return CLIError(
                message: "\(provider) answered but does not list \(name)",
                hint: "check the model id ('vibectl model list' shows the aliases); for Ollama, 'ollama pull' it first")
        }
        return nil
    }

    /// An `error` member as text: a string, or an object's `message`.
    static func errorText(_ value: JSON?) -> String? {
        switch value {
        case .string(let text)?: return text.isEmpty ? nil : text
        case .object?: return value?["message"]?.stringValue
        default: return nil
        }
    }
}

/// `vibectl model test`.
struct ModelTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Send a small fixed prompt to each model and print latency, tokens and cost.",
        discussion: """
            Each model gets the same tiny streamed request (system "You are a connectivity \
            check.", user "Reply with the single word: ready", at most 16 tokens), so the \
            figures compare models and endpoints: LATENCY is the whole call, TTFT the time to \
            the first streamed token, TOKENS what the provider reported (in/out), COST the price \
            from the built-in table and llm.prices. Without MODEL, tests llm.model and \
            llm.fallback_models. Fallback is off while testing, so each row is the model named; \
            retries (llm.max_retries) still apply and show in NOTE. Failures are printed in \
            full after the table.

            EXAMPLES:
              vibectl model test
              vibectl model test gpt-4o claude-sonnet-4 ollama:llama3.2
              vibectl model test openai:gpt-4.1-mini -o json

            EXIT STATUS:
              0   every model answered
              1   a model failed (unknown, no key, key rejected, unreachable)
              64  usage error
              130 interrupted (Ctrl-C)
            """)

    @Argument(
        help: ArgumentHelp("Models to test (default: llm.model and llm.fallback_models).", valueName: "model"),
        completion: modelNameCompletions())
    var models: [String] = []

    @Option(name: .shortAndLong, help: "Output format: text, json or yaml.")
    var output: OutputFormat = .text

    @Option(help: ArgumentHelp("Give up on a model after this many seconds (retries included).", valueName: "seconds"))
    var timeout: Double?

    @OptionGroup var global: GlobalOptions

    /// The fixed system prompt.
    static let systemPrompt = "You are a connectivity check."
    /// The fixed user prompt.
    static let userPrompt = "Reply with the single word: ready"

    func validate() throws {
        if let timeout, !(timeout > 0 && timeout <= 86_400) {
            throw ValidationError("--timeout must be a number of seconds above 0 (at most 86400).")
        }
    }

    /// The outcome of testing one model.
    struct Outcome {
        var model: String
        var result: JSON?
        var error: CLIError?
        var wallMilliseconds: Int
    }

    func run() throws {
        let configDir = global.configDir ?? RootOptions.shared.configDir
        let names = try models.isEmpty ? Self.configuredModels(Client(configDir: configDir)) : models
        // Fallback off: each row must be the model it names, not whichever answered.
        let client = try Client(configDir: configDir, overrides: ["llm.fallback_models": [String]()])
        let spinner = Console.isInteractive(fd: STDERR_FILENO) ? Spinner() : nil
        let interrupt = Interrupt(client: client)
        var outcomes: [Outcome] = []
        for name in names {
            if interrupt.fired { break }
            outcomes.append(test(name, on: client, spinner: spinner))
        }
        interrupt.restore()

        switch output {
        case .text:
            Console.out(formatTable(Self.tableRows(outcomes)).joined(separator: "\n"))
        case .json, .yaml:
            let document = Self.document(outcomes)
            if output == .json { Console.out(document.compactText) } else { Console.out(document.yamlText) }
        }
        for outcome in outcomes {
            if let error = outcome.error, error.status != VIBECTL_ECANCELED {
                Console.error("\(outcome.model): \(error.message)", hint: error.hint)
            }
        }
        if interrupt.fired { throw ExitCode(130) }
        if outcomes.contains(where: { $0.error != nil }) { throw ExitCode(1) }
    }

    /// Tests one model, with the spinner running while the call is in progress.
    func test(_ name: String, on client: Client, spinner: Spinner?) -> Outcome {
        var members: [(String, JSON)] = [
            ("version", .number("1")),
            ("system", .array([.string(Self.systemPrompt)])),
            ("user", .array([.string(Self.userPrompt)])),
            ("stream", .bool(true)),
            ("model", .string(name)),
            ("max_tokens", .number("16")),
        ]
        if let timeout { members.append(("timeout_seconds", .number(String(timeout)))) }
        spinner?.start("testing \(name)")
        defer { spinner?.stop() }
        let clock = ContinuousClock()
        let started = clock.now
        var outcome = Outcome(model: name, result: nil, error: nil, wallMilliseconds: 0)
        do {
            let (_, json) = try client.complete(.object(members)) { event in
                switch event["type"]?.stringValue {
                case "text"?: spinner?.update("receiving from \(name)")
                case "retrying"?:
                    let attempt = event["data"]?["attempt"]?.displayText ?? "?"
                    spinner?.update("retrying \(name) (attempt \(attempt))")
                default: break
                }
            }
            outcome.result = json
        } catch {
            outcome.error = error
        }
        let elapsed = clock.now - started
        outcome.wallMilliseconds = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        return outcome
    }

    /// llm.model followed by llm.fallback_models, without duplicates.
    static func configuredModels(_ client: Client) throws(CLIError) -> [String] {
        var names: [String] = []
        if let model = try client.configGet("llm.model").json["value"]?.stringValue, !model.isEmpty {
            names.append(model)
        }
        for entry in try client.configGet("llm.fallback_models").json["value"]?.arrayValue ?? [] {
            if let name = entry.stringValue, !name.isEmpty, !names.contains(name) { names.append(name) }
        }
        guard !names.isEmpty else {
            throw CLIError(
                message: "no model to test: llm.model is empty",
                hint: "name models, e.g. 'vibectl model test gpt-4o', or set one with 'vibectl config set llm.model gpt-4o'")
        }
        return names
    }

    /// The short RESULT label of a failed call.
    static func resultLabel(_ error: CLIError) -> String {
        switch error.status {
        case VIBECTL_EAUTH?: return "auth error"
        case VIBECTL_ETRANSIENT?: return "transient error"
        case VIBECTL_EMODEL?: return "model error"
        case VIBECTL_ETIMEOUT?: return "timeout"
        case VIBECTL_ECANCELED?: return "cancelled"
        case VIBECTL_EINVAL?: return "invalid"
        case let status?: return String(cString: vibectl_status_name(status))
        case nil: return "error"
        }
    }

    /// A whole number of a metrics document as text, or "-".
    static func number(_ value: JSON?) -> String {
        guard let value, case .number(let text) = value else { return "-" }
        if let double = Double(text), !text.contains("e"), !text.contains("E") {
            return double == double.rounded() ? String(Int(double)) : String(format: "%.0f", double)
        }
        return text
    }

    /// A cost in USD as text: six decimals, "-" when unknown.
    static func cost(_ value: JSON?) -> String {
        guard let value, case .number(let text) = value, let amount = Double(text) else { return "-" }
        return amount == 0 ? "0" : String(format: "%.6f", amount)
    }

    /// The rows of the text table, header first.
    static func tableRows(_ outcomes: [Outcome]) -> [[String]] {
        var rows = [["MODEL", "RESULT", "LATENCY ms", "TTFT ms", "TOKENS in/out", "COST USD", "NOTE"]]
        for outcome in outcomes {
            if let error = outcome.error {
                rows.append([
                    outcome.model, resultLabel(error), String(outcome.wallMilliseconds), "-", "-", "-",
                    tableCell(error.message, limit: 60),
                ])
                continue
            }
            let metrics = outcome.result?["metrics"]
            var notes: [String] = []
            if let reply = outcome.result?["text"]?.stringValue {
                let trimmed = reply.trimmingCharacters(in: .whitespacesAndNewlines)
                notes.append(trimmed.isEmpty ? "empty reply" : "reply: " + tableCell(trimmed, limit: 30))
            }
            if let retries = metrics?["retries"]?.intValue, retries > 0 {
                notes.append(retries == 1 ? "1 retry" : "\(retries) retries")
            }
            if let used = outcome.result?["model"]?.stringValue, metrics?["fallback_used"]?.boolValue == true {
                notes.append("answered by \(used)")
            }
            for warning in outcome.result?["warnings"]?.arrayValue ?? [] {
                if let text = warning.stringValue { notes.append(tableCell(text, limit: 40)) }
            }
            let latency = metrics?["duration_ms"].map { number($0) } ?? String(outcome.wallMilliseconds)
            rows.append([
                outcome.model, "ok", latency, number(metrics?["ttft_ms"]),
                "\(number(metrics?["input_tokens"]))/\(number(metrics?["output_tokens"]))", cost(metrics?["cost_usd"]),
                notes.joined(separator: "; "),
            ])
        }
        return rows
    }

    /// The `-o json` document: {"version":1,"results":[{model, ok, error_code, error, hint, metrics, ...}]}.
    static func document(_ outcomes: [Outcome]) -> JSON {
        let results: [JSON] = outcomes.map { outcome in
            let error = outcome.error
            return .object([
                ("model", .string(outcome.model)),
                ("ok", .bool(error == nil)),
                ("error_code", error?.status.map { .string(String(cString: vibectl_status_name($0))) } ?? .null),
                ("error", error.map { .string($0.message) } ?? .null),
                ("hint", error?.hint.map { .string($0) } ?? .null),
                ("answered_by", outcome.result?["model"] ?? .null),
                ("text", outcome.result?["text"] ?? .null),
                ("wall_ms", .number(String(outcome.wallMilliseconds))),
                ("metrics", outcome.result?["metrics"] ?? .null),
            ])
        }
        return .object([("version", .number("1")), ("results", .array(results))])
    }
}

/// A one-line spinner with the elapsed time, redrawn on stderr by a background thread.
final class Spinner: @unchecked Sendable {
    private let lock = NSLock()
    private var label = ""
    private var started = Date()
    private var running = false
    private var finished: DispatchSemaphore?
    private static let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

    /// Starts drawing `label` with the time since now.
    func start(_ label: String) {
        let done = DispatchSemaphore(value: 0)
        lock.withLock {
            self.label = label
            started = Date()
            running = true
            finished = done
        }
        let thread = Thread { [self] in
            var frame = 0
            while true {
                let state: (String, TimeInterval)? = lock.withLock {
                    running ? (self.label, Date().timeIntervalSince(started)) : nil
                }
                guard let (text, elapsed) = state else { break }
                let symbol = Self.frames[frame % Self.frames.count]
                Console.errRaw("\r\u{1B}[K\(symbol) \(text)  \(String(format: "%.1f", elapsed))s")
                frame += 1
                usleep(100_000)
            }
            Console.errRaw("\r\u{1B}[K")
            done.signal()
        }
        thread.start()
    }

    /// Changes the label while keeping the elapsed time.
    func update(_ label: String) {
        lock.withLock { self.label = label }
    }

    /// Stops drawing and erases the line.
    func stop() {
        let done: DispatchSemaphore? = lock.withLock {
            running = false
            defer { finished = nil }
            return finished
        }
        done?.wait()
    }
}

/// Turns Ctrl-C during `model test` into vibectl_client_cancel(), so the table of the models
/// tested so far is still printed.
final class Interrupt: @unchecked Sendable {
    private let lock = NSLock()
    private var didFire = false
    private let source: any DispatchSourceSignal

    /// Starts listening for SIGINT; `client`'s call in progress is cancelled when it arrives.
    init(client: Client) {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: DispatchQueue.global())
        let cancel = CancelHandle(client)
        source.setEventHandler { [weak self] in
            self?.lock.withLock { self?.didFire = true }
            cancel.cancel()
        }
        source.resume()
    }

    /// Whether Ctrl-C arrived.
    var fired: Bool { lock.withLock { didFire } }

    /// Stops listening and restores the default SIGINT disposition.
    func restore() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}

/// A client reference usable from the signal-handling queue: vibectl_client_cancel() is
/// documented as safe from any thread.
private final class CancelHandle: @unchecked Sendable {
    private let client: Client

    init(_ client: Client) { self.client = client }

    func cancel() { client.cancel() }
}
