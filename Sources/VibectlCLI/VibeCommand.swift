import ArgumentParser
import CVibectl
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `vibectl vibe [REQUEST]`: plans one kubectl step for a request in plain English, runs it
/// (asking first when it changes the cluster) and summarises the result.
struct VibeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vibe",
        abstract: "Plan and run one kubectl step for a request in plain English, then summarise the result.",
        discussion: """
            The model plans a kubectl command (or answers, waits, or says the task is done); \
            vibectl checks it with the safety classifier, asks before running anything that \
            changes the cluster, runs kubectl, and prints the model's summary of the output. \
            Memory carries context to the next call. Without REQUEST, the next step is planned \
            from memory. Text piped on stdin is sent with the request (redacted and compacted), \
            or is the request when there is no argument.

            On a terminal, a command that needs confirmation asks: [y]es, [n]o, yes [a]nd \
            (add a note to memory, then run), no [b]ut (add a note, do not run), [m]emory \
            (show it). Without a terminal nobody can be asked: such a command is not run and \
            the exit status is 11, unless --yes or --mode auto allows it. Commands the safety \
            check forces (e.g. --force, manifests with Secrets or RBAC) always ask, so they \
            never run without a terminal.

            EXAMPLES:
              vibectl vibe "show me the pods in kube-system"
              vibectl vibe --yes "scale deployment web to 3 replicas"
              kubectl logs web-1 | vibectl vibe "why did it crash"
              vibectl vibe -o json "which pods are not ready" | jq .summary
              vibectl vibe                       # the next step, from memory

            EXIT STATUS:
              0    success (or the plan was a thought, feedback or a wait)
              N    kubectl's exit status when a command ran; the planner's code for DONE
              1    failure: the planner reported an error, its reply was unusable, or a
                   library error (no model key, provider unreachable, ...)
              10   you declined the command
              11   the command needs confirmation and there is no terminal to ask
              12   the safety check rejected the planned command (it was not run)
              130  interrupted (Ctrl-C)
            """)

    @Argument(help: ArgumentHelp("What you want, in plain English (several words are joined).", valueName: "request"))
    var request: [String] = []

    @Option(name: .shortAndLong, help: "Output format: text, json (the step result document) or yaml.")
    var output: OutputFormat = .text

    @OptionGroup var flags: VibeFlags

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let flags = VibeFlags.effective(flags)
        let client = try global.client()
        try VibeStep.run(request: request.joined(separator: " "), verb: nil, flags: flags, output: output, client: client)
    }
}

/// One vibe step, as `vibectl vibe` and `vibectl <verb> vibe` run it: stdin, the options, the
/// call with its renderer and confirmation prompt, the output and the exit status.
enum VibeStep {
    /// Runs one step for `request` (planning the arguments of `verb` when given) and exits with its code.
    static func run(request: String, verb: String?, flags: VibeFlags, output: OutputFormat, client: Client) throws {
        let display = try DisplaySettings(client: client, flags: flags, output: output)

        // The request, and text piped on stdin.
        var requestText = request
        var input: String?
        if isatty(STDIN_FILENO) == 0 {
            let piped = try MemorySet.readStandardInput()
            if !piped.allSatisfy(\.isWhitespace) {
                if requestText.isEmpty {
                    requestText = piped.trimmingCharacters(in: .whitespacesAndNewlines)
                } else {
                    input = piped
                }
            }
        }

        var options = engineOptions(flags: flags, display: display)
        if let verb { options.append(("verb", .string(verb))) }
        if let input { options.append(("input", .string(input))) }

        let interrupt = Interrupt(client: client)
        defer { interrupt.restore() }
        let renderer = VibeRenderer(display: display)
        defer { renderer.close() }
        let prompt = ConfirmPrompt.open(interrupt: interrupt, renderer: renderer)

        let result: (text: String, json: JSON)
        do {
            result = try client.vibe(
                requestText, options: .object(options), onEvent: { renderer.handle($0) },
                confirm: prompt.map { prompt in { prompt.ask($0) } })
        } catch {
            renderer.close()
            throw interrupted(error, interrupt: interrupt, client: client, flags: flags)
        }
        renderer.close()
        if output == .text {
            renderer.finish(result.json)
        } else {
            renderer.finishMachine(result.json)
            Console.printMachine(result.json, raw: result.text, format: output)
        }
        try exit(with: result.json)
    }

    /// The vibe options every engine call shares: model, mode, yes, freeze_memory, stream.
    static func engineOptions(flags: VibeFlags, display: DisplaySettings) -> [(String, JSON)] {
        var options: [(String, JSON)] = [("version", .number("1"))]
        if let model = flags.model { options.append(("model", .string(model))) }
        if let mode = flags.mode { options.append(("mode", .string(mode.rawValue))) }
        if flags.yes { options.append(("yes", .bool(true))) }
        if flags.freezeMemory { options.append(("freeze_memory", .bool(true))) }
        options.append(("stream", .bool(display.streaming)))
        return options
    }

    /// The error to throw for a failed engine call: exit 130 after Ctrl-C, else the library's error with the model hint.
    static func interrupted(_ error: CLIError, interrupt: Interrupt, client: Client, flags: VibeFlags) -> any Error {
        if interrupt.fired || error.status == VIBECTL_ECANCELED {
            Console.note("Interrupted.")
            return ExitCode(130)
        }
        return ModelErrorHint.decorate(error, model: ModelErrorHint.modelInUse(client: client, option: flags.model))
    }

    /// Exits with a result document's `exit_code` when it is not 0.
    static func exit(with result: JSON) throws {
        let code = result["exit_code"]?.intValue ?? (result["status"]?.stringValue == "completed" ? 0 : 1)
        if code != 0 { throw ExitCode(Int32(truncatingIfNeeded: code)) }
    }
}

/// Adds to the library's hint for the model errors the fix that applies to every command that needs a model.
enum ModelErrorHint {
    /// `error` with a hint that also says how to pick and check a model, for EAUTH, ETRANSIENT and EMODEL;
    /// `model` (e.g. "claude-3.7-sonnet, from llm.model") is added to the message when it does not name it.
    static func decorate(_ error: CLIError, model: String? = nil) -> CLIError {
        guard let status = error.status, [VIBECTL_EAUTH, VIBECTL_ETRANSIENT, VIBECTL_EMODEL].contains(status) else {
            return error
        }
        var decorated = error
        if let model, let name = model.split(separator: ",").first, !error.message.contains(name) {
            decorated.message += " (model \(model))"
        }
        let more =
            "check the model with 'vibectl model check', or pick another with --model NAME or "
            + "'vibectl config set llm.model NAME' ('vibectl model list' shows which models have keys)"
        if let hint = error.hint, !hint.isEmpty {
            decorated.hint = hint + (hint.hasSuffix(".") ? " Then " : "; then ") + more
        } else {
            decorated.hint = more.prefix(1).uppercased() + more.dropFirst()
        }
        return decorated
    }
}

extension ModelErrorHint {
    /// The model a call used and where the name came from: "gpt-4o, from --model" or "claude-3.7-sonnet, from llm.model".
    static func modelInUse(client: Client, option: String?) -> String? {
        if let option { return "\(option), from --model" }
        guard let entry = try? client.configGet("llm.model").json, let name = entry["value"]?.stringValue else { return nil }
        let source = entry["env_var"]?.stringValue ?? "llm.model"
        return "\(name), from \(source)"
    }
}

/// What to show, from the flags, then the display.* configuration keys, then where output goes.
struct DisplaySettings {
    /// Print kubectl's output as well as the summary.
    var showRawOutput: Bool
    /// Print the model's summary.
    var showVibe: Bool
    /// Print each kubectl command on stderr.
    var showKubectl: Bool
    /// Which model metrics to print on stderr.
    var showMetrics: MetricsDisplay
    /// Print the memory on stderr after it changes.
    var showMemory: Bool
    /// Print the summary as it arrives (stdout is a terminal and display.show_streaming is on).
    var streaming: Bool
    /// Draw a spinner on stderr while waiting (stderr is a terminal).
    var spinner: Bool
    /// `-o json` or `yaml`: stdout carries only the document.
    var machine: Bool

    init(client: Client, flags: VibeFlags, output: OutputFormat) throws(CLIError) {
        let section = try client.configShow("display").json
        func value(_ key: String) -> JSON? {
            let values = section["values"]
            return values?[key] ?? values?["display"]?[key] ?? values?["display." + key]
        }
        showRawOutput = flags.showRawOutput ?? value("show_raw_output")?.boolValue ?? false
        showVibe = flags.showVibe ?? value("show_vibe")?.boolValue ?? true
        showKubectl = flags.showKubectl ?? value("show_kubectl")?.boolValue ?? false
        showMetrics =
            flags.showMetrics ?? value("show_metrics")?.stringValue.flatMap { MetricsDisplay(rawValue: $0) } ?? MetricsDisplay.hidden
        showMemory = value("show_memory")?.boolValue ?? true
        machine = output != .text
        let showStreaming = flags.showStreaming ?? value("show_streaming")?.boolValue ?? true
        streaming = !machine && showVibe && showStreaming && isatty(STDOUT_FILENO) == 1
        spinner = Console.isInteractive(fd: STDERR_FILENO)
    }
}

/// Turns the events of a step and its result into output: results on stdout, notes on stderr.
///
/// Without a terminal the output depends only on the events, so it is the same on every run.
final class VibeRenderer {
    private let display: DisplaySettings
    private let status: StatusLine
    /// Text of the summary already streamed to stdout.
    private var streamed = ""
    /// Whether stdout is in the middle of a streamed line.
    private var streamOpen = false
    /// Whether kubectl's output went to stdout already.
    private var rawPrinted = false
    /// kubectl's output, from the `command_output` event.
    private var commandOutput: (stdout: String, stderr: String)?
    /// Rendering the steps of a loop: each step's output is printed from its events as it ends.
    private let loopMode: Bool
    /// The prefix of the line that says why there is no summary (`warning:` after a planned step,
    /// `note:` after the user's own command, where kubectl's output is the answer).
    private let noSummaryIsNote: Bool

    init(display: DisplaySettings, loopMode: Bool = false, noSummaryIsNote: Bool = false) {
        self.display = display
        self.loopMode = loopMode
        self.noSummaryIsNote = noSummaryIsNote
        status = StatusLine(enabled: display.spinner)
    }

    /// Stops the spinner and ends a streamed line.
    func close() {
        status.stop()
        endStream()
    }

    /// Handles one event of the call in progress.
    func handle(_ event: JSON) {
        let data = event["data"] ?? .object([])
        switch event["type"]?.stringValue ?? "" {
        case "plan_started":
            status.show("planning")
        case "plan_invalid":
            // After the last attempt the step's own error says what went wrong.
            guard (data["attempt"]?.intValue ?? 1) < 2 else { return }
            let reason = data["reason"]?.stringValue ?? "it does not fit the planner contract"
            note("note: the model's plan could not be used (\(reason)); asking again")
            status.show("planning")
        case "plan":
            status.hide()
        case "command_started":
            let display = data["display"]?.stringValue ?? "kubectl"
            if self.display.showKubectl { err(display) }
            status.show("running " + Self.shortCommand(display))
        case "command_output":
            let stdout = data["stdout"]?.stringValue ?? ""
            let stderr = data["stderr"]?.stringValue ?? ""
            commandOutput = (stdout, stderr)
            if display.showRawOutput && !display.machine {
                printRaw(stdout: stdout, stderr: stderr)
            }
        case "summary_started":
            status.show(data["kind"]?.stringValue == "recovery" ? "looking for a fix" : "summarizing")
        case "summary_text":
            // In a loop the (whole, when not streaming) summary is printed as it comes, step by step.
            let live = display.streaming || (loopMode && display.showVibe && !display.machine)
            guard live, let text = data["text"]?.stringValue, !text.isEmpty else { return }
            status.stopPhase()
            streamed += text
            streamOpen = !text.hasSuffix("\n")
            status.writing { Console.outRaw(text) }
        case "memory_shown":
            let memory = data["memory"]?.stringValue ?? ""
            err(memory.isEmpty ? "Memory is empty." : "Memory:\n" + Self.indent(memory))
        case "memory_updated":
            guard display.showMemory, !display.machine else { return }
            let memory = data["memory"]?.stringValue ?? ""
            err("Memory updated:\n" + Self.indent(memory.isEmpty ? "(empty)" : memory))
        case "wait":
            let seconds = data["seconds"]?.intValue ?? 0
            note("Waiting \(seconds) s as planned.")
            status.show("waiting \(seconds) s")
        case "retrying":
            let attempt = data["attempt"]?.displayText ?? "?"
            let reason = data["reason"]?.stringValue.map { ": \($0)" } ?? ""
            note("note: the model call failed\(reason); retrying (attempt \(attempt))")
            status.show("retrying (attempt \(attempt))")
        case "fallback":
            let from = data["from"]?.stringValue ?? "the model"
            let to = data["to"]?.stringValue ?? "the next model"
            let reason = data["reason"]?.stringValue.map { " (\($0))" } ?? ""
            note("note: \(from) failed\(reason); trying \(to)")
        case "metrics":
            if display.showMetrics.perCall { err("metrics: " + Self.callMetrics(data)) }
        case "done":
            status.stopPhase()
            if loopMode { stepEnded(data["status"]?.stringValue ?? "") }
        case "step_started":
            guard loopMode, !display.machine else { return }
            endStream()
            streamed = ""
            rawPrinted = false
            commandOutput = nil
            err("step \(data["step"]?.displayText ?? "?")")
        case "thought":
            guard loopMode, !display.machine, let text = data["text"]?.stringValue, !text.isEmpty else { return }
            out(text)
        case "feedback":
            guard loopMode, !display.machine else { return }
            if let text = data["message"]?.stringValue, !text.isEmpty { out(text) }
            if let explanation = data["explanation"]?.stringValue, !explanation.isEmpty { err(explanation) }
        default:
            break
        }
    }

    /// In a loop: the end of one step, whose result is known only when the loop returns.
    private func stepEnded(_ stepStatus: String) {
        guard !display.machine, stepStatus == "completed" || stepStatus == "failed" else { return }
        endStream()
        let hasSummary = !streamed.allSatisfy(\.isWhitespace)
        if !rawPrinted, let output = commandOutput {
            if !hasSummary {
                printRaw(stdout: output.stdout, stderr: output.stderr)
            } else if stepStatus == "failed", !output.stderr.isEmpty {
                err(output.stderr.hasSuffix("\n") ? String(output.stderr.dropLast()) : output.stderr)
            }
        }
    }

    /// Prints the end of a loop in text mode: the problem of a halting step, DONE's explanation, or why it stopped.
    func finishLoop(_ result: JSON) {
        endStream()
        let end = result["end"]?.stringValue ?? ""
        let message = result["message"]?.stringValue ?? ""
        let steps = result["steps"]?.arrayValue ?? []
        for (index, step) in steps.enumerated() {
            if let problem = step["summary_error"]?.stringValue, !problem.isEmpty, display.showVibe {
                Console.warning("step \(index + 1): no summary: \(problem)")
            }
        }
        switch end {
        case "done":
            if display.showVibe, !message.isEmpty { out(message) }
        case "halted":
            let last = steps.last ?? .object([])
            switch last["status"]?.stringValue ?? "" {
            case "declined", "needs_confirmation", "rejected", "error", "planner_error": reportProblem(last)
            default: Console.error("the loop stopped: \(message)", hint: nil)
            }
        case "exited":
            note("Stopped by the user.")
        default:
            Console.error("the loop \(message.hasPrefix("stopped") ? message : "stopped: " + message)", hint: nil)
        }
        if display.showMetrics.totals, let metrics = result["metrics"] {
            err("metrics: " + Self.totalMetrics(metrics))
        }
    }

    /// Prints the outcome of a step in text mode (the summary, messages, totals).
    func finish(_ result: JSON) {
        endStream()
        let stepStatus = result["status"]?.stringValue ?? ""
        let message = result["message"]?.stringValue
        let action = result["plan"]?["action"]
        switch stepStatus {
        case "completed", "failed":
            let body = result["summary"]?.stringValue ?? result["recovery"]?.stringValue ?? ""
            let hasSummary = display.showVibe && !body.allSatisfy(\.isWhitespace)
            let command = result["commands"]?.arrayValue?.first
            let stdout = commandOutput?.stdout ?? command?["stdout"]?.stringValue ?? ""
            let stderr = commandOutput?.stderr ?? command?["stderr"]?.stringValue ?? ""
            if !rawPrinted {
                if !hasSummary {
                    // Never worse than kubectl: without a summary, kubectl's own output is the answer.
                    printRaw(stdout: stdout, stderr: stderr)
                } else if stepStatus == "failed", !stderr.isEmpty {
                    err(stderr.hasSuffix("\n") ? String(stderr.dropLast()) : stderr)
                }
            }
            if hasSummary && streamed.allSatisfy(\.isWhitespace) {
                out(body.hasSuffix("\n") ? String(body.dropLast()) : body)
            }
            if let problem = result["summary_error"]?.stringValue, !problem.isEmpty, display.showVibe {
                if noSummaryIsNote { note("note: no summary: \(problem)") } else { Console.warning("no summary: \(problem)") }
            }
        case "done":
            if display.showVibe, let message, !message.isEmpty { out(message) }
        case "thought":
            if let text = action?["text"]?.stringValue ?? message, !text.isEmpty { out(text) }
        case "feedback":
            if let text = action?["message"]?.stringValue ?? message, !text.isEmpty { out(text) }
            if let explanation = action?["explanation"]?.stringValue, !explanation.isEmpty { err(explanation) }
            if let suggestion = action?["suggestion"]?.stringValue, !suggestion.isEmpty {
                err("Suggested memory note: \(suggestion)")
                err("  (keep it with: vibectl memory update \(Self.shellQuote(suggestion)))")
            }
        case "waited":
            break
        case "exited":
            note("Stopped: \(message ?? "stopped by the user").")
        default:
            reportProblem(result)
        }
        if display.showMetrics.totals, let metrics = result["metrics"] {
            err("metrics: " + Self.totalMetrics(metrics))
        }
    }

    /// In `-o json`/`yaml` mode: only the problems go to stderr, the document goes to stdout.
    func finishMachine(_ result: JSON) {
        reportProblem(result)
    }

    /// The stderr lines of a step that did not run its command or failed to plan.
    func reportProblem(_ result: JSON) {
        let message = result["message"]?.stringValue ?? ""
        switch result["status"]?.stringValue ?? "" {
        case "declined":
            note("Not run: \(message.isEmpty ? "declined" : message).")
        case "needs_confirmation":
            let forced = result["plan"]?["safety"]?["forced"]?.boolValue ?? false
            let hint =
                forced
                ? "The safety check always asks about this command, even with --yes or --mode auto; run vibectl in a "
                    + "terminal to confirm it, or run it yourself with 'vibectl just ...'."
                : "Re-run with --yes (or --mode auto) to run it without asking, or run vibectl in a terminal to be asked."
            Console.error(
                message.isEmpty ? "the command needs confirmation and there is no terminal to ask; it was not run" : message,
                hint: hint)
        case "rejected":
            Console.error(
                message.isEmpty ? "the safety check rejected the planned command; it was not run" : message,
                hint: "vibectl never runs such a command. Rephrase the request, or run kubectl yourself with 'vibectl just ...'.")
        case "error":
            Console.error(message.isEmpty ? "the planner reported an error" : message, hint: nil)
        case "planner_error":
            let hint = result["hint"]?.stringValue ?? ""
            Console.error(
                message.isEmpty ? "the model's plan could not be used" : message,
                hint: hint.isEmpty ? "Try again, or use a model with structured output (--model NAME)." : hint)
        default:
            break
        }
    }

    // MARK: Writing

    private func printRaw(stdout: String, stderr: String) {
        if !stdout.isEmpty {
            status.writing { Console.outRaw(stdout.hasSuffix("\n") ? stdout : stdout + "\n") }
        }
        if !stderr.isEmpty {
            status.writing { Console.errRaw(stderr.hasSuffix("\n") ? stderr : stderr + "\n") }
        }
        rawPrinted = true
    }

    private func endStream() {
        guard streamOpen else { return }
        streamOpen = false
        status.writing { Console.outRaw("\n") }
    }

    private func out(_ text: String) {
        endStream()
        status.writing { Console.out(text) }
    }

    private func err(_ text: String) {
        endStream()
        status.writing { Console.err(text) }
    }

    private func note(_ text: String) {
        err(text)
    }

    // MARK: Formatting

    /// `kubectl get pods` cut to a spinner-sized label.
    static func shortCommand(_ display: String) -> String {
        display.count > 50 ? String(display.prefix(49)) + "…" : display
    }

    /// Text indented by two spaces, line by line.
    static func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
    }

    /// A word quoted for a POSIX shell.
    static func shellQuote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// One model call's metrics: `plan gpt-4o: 412 ms, 120 in / 30 out tokens, $0.000123`.
    static func callMetrics(_ data: JSON) -> String {
        var parts: [String] = []
        let purpose = data["purpose"]?.stringValue ?? "call"
        let model = data["model"]?.stringValue.map { " " + $0 } ?? ""
        if let ms = number(data["latency_ms"] ?? data["duration_ms"]) { parts.append("\(ms) ms") }
        parts.append(tokens(data))
        if let cost = cost(data["cost_usd"]) { parts.append(cost) }
        if let retries = data["retries"]?.intValue, retries > 0 { parts.append(retries == 1 ? "1 retry" : "\(retries) retries") }
        return "\(purpose)\(model): " + parts.joined(separator: ", ")
    }

    /// The step's totals: `2 model calls, 240 in / 60 out tokens, $0.0002; model 800 ms, kubectl 30 ms, total 900 ms`.
    static func totalMetrics(_ metrics: JSON) -> String {
        let calls = metrics["model_calls"]?.intValue ?? 0
        var parts = [calls == 1 ? "1 model call" : "\(calls) model calls", tokens(metrics)]
        if let cost = cost(metrics["cost_usd"]) { parts.append(cost) }
        var times: [String] = []
        if let ms = number(metrics["model_ms"]) { times.append("model \(ms) ms") }
        if let ms = number(metrics["kubectl_ms"]) { times.append("kubectl \(ms) ms") }
        if let ms = number(metrics["duration_ms"]) { times.append("total \(ms) ms") }
        return "total " + parts.joined(separator: ", ") + (times.isEmpty ? "" : "; " + times.joined(separator: ", "))
    }

    private static func tokens(_ data: JSON) -> String {
        "\(number(data["input_tokens"]) ?? "-") in / \(number(data["output_tokens"]) ?? "-") out tokens"
    }

    /// A number rounded to a whole, or nil when absent.
    private static func number(_ value: JSON?) -> String? {
        guard let value, case .number(let text) = value, let double = Double(text) else { return nil }
        return String(Int(double.rounded()))
    }

    private static func cost(_ value: JSON?) -> String? {
        guard let value, case .number(let text) = value, let amount = Double(text) else { return nil }
        return amount == 0 ? "$0" : String(format: "$%.6f", amount)
    }
}

/// A one-line spinner with the elapsed time of the current phase, on stderr, only on a terminal.
///
/// Every write of the command goes through ``writing(_:)``, which erases the spinner first and
/// keeps it from drawing until the write is done, so the two never mix on one line.
/// `@unchecked Sendable`: shared with its drawing thread; every mutable field is guarded by `lock`.
final class StatusLine: @unchecked Sendable {
    private let lock = NSLock()
    private let enabled: Bool
    private var label: String?
    private var phaseStart = Date()
    private var drawn = false
    private var visible = true
    private var threadRunning = false
    private var stopping = false
    private var finished: DispatchSemaphore?
    private static let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

    init(enabled: Bool) { self.enabled = enabled }

    /// Shows `label` with the time since now, until the next phase, a hide or a stop.
    func show(_ label: String) {
        guard enabled else { return }
        lock.withLock {
            self.label = label
            phaseStart = Date()
            visible = true
        }
        startThread()
    }

    /// Erases the spinner until the next ``show(_:)``.
    func hide() {
        guard enabled else { return }
        lock.withLock {
            erase()
            visible = false
        }
    }

    /// Ends the current phase: erased, and not drawn again until the next ``show(_:)``.
    func stopPhase() {
        guard enabled else { return }
        lock.withLock {
            erase()
            label = nil
        }
    }

    /// Runs `write` with the spinner erased and held back.
    func writing(_ write: () -> Void) {
        guard enabled else { return write() }
        lock.lock()
        erase()
        write()
        lock.unlock()
    }

    /// Stops the drawing thread and erases the line.
    func stop() {
        guard enabled else { return }
        let done: DispatchSemaphore? = lock.withLock {
            stopping = true
            label = nil
            erase()
            return finished
        }
        done?.wait()
        lock.withLock {
            finished = nil
            threadRunning = false
            stopping = false
        }
    }

    /// Erases the drawn spinner; the lock must be held.
    private func erase() {
        if drawn {
            Console.errRaw("\r\u{1B}[K")
            drawn = false
        }
    }

    private func startThread() {
        let semaphore = DispatchSemaphore(value: 0)
        lock.lock()
        let alreadyRunning = threadRunning
        if !alreadyRunning {
            threadRunning = true
            finished = semaphore
        }
        lock.unlock()
        guard !alreadyRunning else { return }
        Thread.detachNewThread { [self] in
            drawLoop()
            semaphore.signal()
        }
    }

    /// Redraws the spinner every 100 ms until ``stop()``.
    private func drawLoop() {
        var frame = 0
        while true {
            lock.lock()
            if stopping {
                lock.unlock()
                return
            }
            if let label, visible {
                let elapsed = Date().timeIntervalSince(phaseStart)
                let symbol = Self.frames[frame % Self.frames.count]
                Console.errRaw("\r\u{1B}[K\(symbol) \(label)  \(Int(elapsed))s")
                drawn = true
            }
            lock.unlock()
            frame += 1
            usleep(100_000)
        }
    }
}

/// Asks the user on the terminal whether a planned command may run.
final class ConfirmPrompt {
    private let tty: Int32
    private let interrupt: Interrupt
    private let renderer: VibeRenderer
    /// The command last shown in full, so a repeated request (after [m]emory) shows only the question.
    private var lastShown: String?

    private init(tty: Int32, interrupt: Interrupt, renderer: VibeRenderer) {
        self.tty = tty
        self.interrupt = interrupt
        self.renderer = renderer
    }

    deinit { close(tty) }

    /// A prompt on the controlling terminal, or nil when nobody can be asked: stderr is not a
    /// terminal (where the question goes) or there is no terminal to read the answer from.
    static func open(interrupt: Interrupt, renderer: VibeRenderer) -> ConfirmPrompt? {
        guard isatty(STDERR_FILENO) == 1 else { return nil }
        let fd = Glibc.open("/dev/tty", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        guard isatty(fd) == 1 else {
            close(fd)
            return nil
        }
        return ConfirmPrompt(tty: fd, interrupt: interrupt, renderer: renderer)
    }

    /// The answer to a confirmation request (docs/abi.md, "confirmation request").
    func ask(_ request: JSON) -> ConfirmAnswer {
        renderer.close()
        let command = request["command"]?.stringValue ?? "kubectl"
        if lastShown != command {
            lastShown = command
            if let explanation = request["explanation"]?.stringValue, !explanation.isEmpty { Console.err(explanation) }
            Console.err("  " + Console.paint(command, code: "1", fd: STDERR_FILENO))
            if let manifest = request["manifest"]?.stringValue, !manifest.isEmpty {
                let lines = manifest.split(separator: "\n", omittingEmptySubsequences: false)
                for line in lines.prefix(40) { Console.err("    " + line) }
                if lines.count > 40 { Console.err("    … (\(lines.count - 40) more lines)") }
            }
            for reason in request["safety"]?["reasons"]?.arrayValue ?? [] {
                if let text = reason.stringValue { Console.err("  - " + text) }
            }
        }
        let choices = (request["choices"]?.arrayValue ?? []).compactMap(\.stringValue)
        let offersExit = choices.contains("exit")
        let question = "Run it? [y]es, [n]o, yes [a]nd, no [b]ut, [m]emory" + (offersExit ? ", [e]xit" : "") + " (default n): "
        while true {
            Console.errRaw(question)
            guard let line = readLine() else {
                Console.errRaw("\n")
                return ConfirmAnswer(choice: interrupt.fired ? -1 : VIBECTL_CONFIRM_NO, note: nil)
            }
            switch line.trimmingCharacters(in: .whitespaces).lowercased() {
            case "y", "yes": return ConfirmAnswer(choice: VIBECTL_CONFIRM_YES, note: nil)
            case "", "n", "no": return ConfirmAnswer(choice: VIBECTL_CONFIRM_NO, note: nil)
            case "a", "yes and":
                guard let note = askNote() else { return ConfirmAnswer(choice: -1, note: nil) }
                return ConfirmAnswer(choice: VIBECTL_CONFIRM_YES_AND, note: note)
            case "b", "no but":
                guard let note = askNote() else { return ConfirmAnswer(choice: -1, note: nil) }
                return ConfirmAnswer(choice: VIBECTL_CONFIRM_NO_BUT, note: note)
            case "m", "memory": return ConfirmAnswer(choice: VIBECTL_CONFIRM_MEMORY, note: nil)
            case "e" where offersExit, "exit" where offersExit: return ConfirmAnswer(choice: VIBECTL_CONFIRM_EXIT, note: nil)
            default:
                Console.err("Please answer y, n, a, b or m" + (offersExit ? " or e" : "") + ".")
            }
        }
    }

    /// Asks for the note of yes-and / no-but; nil when interrupted.
    private func askNote() -> String? {
        Console.errRaw("Note for memory: ")
        guard let line = readLine() else {
            Console.errRaw("\n")
            return interrupt.fired ? nil : ""
        }
        return line.trimmingCharacters(in: .whitespaces)
    }

    /// One line from the terminal; nil at end of input or after Ctrl-C.
    private func readLine() -> String? {
        var bytes: [UInt8] = []
        while true {
            if interrupt.fired { return nil }
            var descriptor = pollfd(fd: tty, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 100)
            if ready < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if ready == 0 { continue }
            var byte: UInt8 = 0
            let count = read(tty, &byte, 1)
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return nil
            }
            if count == 0 { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
    }
}
