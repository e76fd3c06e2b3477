import Foundation
import Synchronization
import VibectlCore
import VibectlKubectl
import VibectlModels
import VibectlOutput
import VibectlStore

/// Plans, checks, confirms, runs, summarises and remembers one step (docs/engine.md).
///
/// Stateless between calls apart from the stores: every call reads the configuration afresh.
public struct VibeEngine: Sendable {
    /// The configuration.
    public let config: ConfigStore
    /// The memory.
    public let memory: MemoryStore
    /// The models.
    public let models: ModelService
    /// The environment kubectl runs with.
    public let environment: [String: String]
    /// Redacts text when `security.redact` is on; identity otherwise.
    public let redact: @Sendable (String) throws -> String

    /// How many times a host may answer `memory` before the engine stops asking.
    static let maxConfirmationRounds = 20
    /// Characters of an unusable planner reply kept for debugging.
    static let rawReplyLimit = 2000

    /// Creates an engine over the stores of one client.
    public init(
        config: ConfigStore, memory: MemoryStore, models: ModelService, environment: [String: String],
        redact: @escaping @Sendable (String) throws -> String
    ) {
        self.config = config
        self.memory = memory
        self.models = models
        self.environment = environment
        self.redact = redact
    }

    // MARK: - Plan

    /// Plans the next step for `request`.
    /// - Throws: Model errors; `.model` when the planner's reply is unusable twice (its raw text, redacted, in the hint).
    ///
    /// - Parameter history: Earlier steps' commands and compacted outputs, given to the planner directly
    ///   (loops and `check`), not only through memory.
    public func plan(
        _ request: String, options: VibeOptions, hooks: EngineHooks, metrics: StepMetrics = StepMetrics(),
        history: [(command: String, output: String)] = []
    ) async throws -> PlanResult {
        hooks.emit(
            "plan_started",
            ["request": .string(request), "verb": options.verb.map(JSONValue.string) ?? .null, "model": options.model.map(JSONValue.string) ?? .null])
        let context = try promptContext()
        var input: CompactionResult?
        if let text = options.input, !text.allSatisfy(\.isWhitespace) {
            input = try compact(text, options: options, intent: request)
        }
        var modelRequest = try Prompts.plan(context: context, verb: options.verb, request: request, input: input, history: history)
        return try await plan(modelRequest: &modelRequest, request: request, verb: options.verb, options: options, hooks: hooks, metrics: metrics)
    }

    /// Sends a planning request, parsing and checking the reply; asks once more when it does not fit.
    func plan(
        modelRequest: inout ModelRequest, request: String, verb: String?, options: VibeOptions, hooks: EngineHooks,
        metrics: StepMetrics
    ) async throws -> PlanResult {
        let gateway = ModelGateway(models: models, redact: redact, hooks: hooks, metrics: metrics)
        var lastProblem: (reason: String, raw: String)?
        for attempt in 1...2 {
            if let problem = lastProblem {
                modelRequest.userFragments.append(
                    "Your previous reply could not be used: \(problem.reason). Reply again with exactly one JSON object that follows the schema.")
            }
            let reply = try await gateway.call(modelRequest, purpose: "plan", model: options.model, stream: false)
            do {
                let parsed = try PlannerContract.parse(reply.text)
                let result = try checkedPlan(parsed, request: request, verb: verb)
                // The plan carries its safety verdict; the "safety" event comes when the command is about to run.
                hooks.emit("plan", result.json().objectValue ?? [:])
                return result
            } catch let error as PlannerReplyError {
                let raw = try excerpt(reply.text)
                lastProblem = (error.reason, raw)
                hooks.emit("plan_invalid", ["reason": .string(error.reason), "raw": .string(raw), "attempt": .int(attempt)])
            }
        }
        let problem = lastProblem ?? (reason: "unknown", raw: "")
        throw VibectlError(
            .model, "the planner's reply did not fit the planner contract twice: \(problem.reason)",
            hint: "try again or use a model with structured output (see docs/models.md); the reply was: \"\(problem.raw)\"")
    }

    /// The plan with its argv normalised and classified. Throws ``PlannerReplyError`` for a COMMAND that is unusable.
    public func checkedPlan(_ reply: PlannerReply, request: String, verb: String?) throws -> PlanResult {
        guard case .command(let commands, let manifest, _, _) = reply.action else {
            return PlanResult(reply: reply, verb: verb, request: request, argv: nil, safety: nil)
        }
        let argv = Self.normalisedArguments(commands, verb: verb)
        guard !argv.isEmpty else {
            throw PlannerReplyError("the COMMAND has no kubectl arguments")
        }
        let safety = try classify(argv, manifest: manifest, request: request)
        return PlanResult(reply: reply, verb: verb, request: request, argv: argv, safety: safety)
    }

    /// The planned arguments as kubectl will get them: a leading `kubectl` dropped, everything from a `---`
    /// element on dropped (a heredoc remnant), and for a verb's own planning the verb first — never twice.
    public static func normalisedArguments(_ commands: [String], verb: String?) -> [String] {
        var argv = commands
        if argv.first == "kubectl" { argv.removeFirst() }
        if let cut = argv.firstIndex(of: "---") { argv = Array(argv[..<cut]) }
        if let verb, !verb.isEmpty, argv.first != verb { argv.insert(verb, at: 0) }
        return argv
    }

    /// The safety classifier's verdict, with the user's own flags and request as context.
    func classify(_ argv: [String], manifest: String?, request: String) throws -> SafetyAssessment {
        let context = SafetyContext(
            userFlags: try EngineSettings.userFlags(config), userAskedForShell: EngineSettings.asksForShell(request))
        return SafetyClassifier.classify(argv, manifest: manifest, context: context)
    }

    // MARK: - Execute

    /// Plans and executes one step. An unusable planner reply ends the step as `planner_error` (not halting).
    public func vibe(
        _ request: String, options: VibeOptions, hooks: EngineHooks, history: [(command: String, output: String)] = []
    ) async throws -> StepResult {
        let metrics = StepMetrics()
        let plan: PlanResult
        do {
            plan = try await self.plan(request, options: options, hooks: hooks, metrics: metrics, history: history)
        } catch let error as VibectlError where error.message.hasPrefix("the planner's reply did not fit") {
            var result = StepResult(status: .plannerError, message: error.message, halt: false, plan: nil, metrics: metrics)
            result.hint = error.hint
            finish(result, hooks: hooks)
            return result
        }
        return try await execute(plan, options: options, hooks: hooks, metrics: metrics)
    }

    /// Executes a plan (re-checked: planner output is untrusted, whoever passes it in).
    public func execute(
        _ plan: PlanResult, options: VibeOptions, hooks: EngineHooks, metrics: StepMetrics = StepMetrics()
    ) async throws -> StepResult {
        let result: StepResult
        switch plan.reply.action {
        case .thought(let text):
            hooks.emit("thought", ["text": .string(text)])
            result = StepResult(status: .thought, message: text, halt: false, plan: plan, metrics: metrics)
        case .feedback(let message, let explanation, let suggestion):
            hooks.emit(
                "feedback",
                [
                    "message": .string(message), "explanation": explanation.map(JSONValue.string) ?? .null,
                    "suggestion": suggestion.map(JSONValue.string) ?? .null,
                ])
            result = StepResult(status: .feedback, message: message, halt: false, plan: plan, metrics: metrics)
        case .wait(let seconds):
            hooks.emit("wait", ["seconds": .int(seconds)])
            do {
                try await Task.sleep(for: .seconds(seconds))
            } catch {
                throw VibectlError(.canceled, "the step was cancelled while waiting")
            }
            result = StepResult(status: .waited, message: "waited \(seconds) s", halt: false, plan: plan, metrics: metrics)
        case .error(let message):
            result = StepResult(status: .error, message: message, halt: true, plan: plan, metrics: metrics)
        case .done(let exitCode, let explanation):
            result = StepResult(status: .done, exitCode: exitCode, message: explanation, halt: true, plan: plan, metrics: metrics)
        case .command(_, let manifest, let allowed, let explanation):
            let checked: PlanResult
            do {
                checked = try checkedPlan(plan.reply, request: plan.request, verb: plan.verb)
            } catch let error as PlannerReplyError {
                throw VibectlError(.invalidArgument, "the plan cannot run: \(error.reason)", hint: "plan again")
            }
            result = try await runCommand(
                checked, manifest: manifest, allowed: allowed, explanation: explanation, options: options, hooks: hooks,
                metrics: metrics)
        }
        finish(result, hooks: hooks)
        return result
    }

    /// Emits `done` for a finished step.
    private func finish(_ result: StepResult, hooks: EngineHooks) {
        hooks.emit("done", ["status": .string(result.status.rawValue), "exit_code": .int(Int(result.exitCode))])
    }

    /// The COMMAND path: safety → confirmation → kubectl → summary + memory.
    private func runCommand(
        _ plan: PlanResult, manifest: String?, allowed: [Int32], explanation: String?, options: VibeOptions,
        hooks: EngineHooks, metrics: StepMetrics
    ) async throws -> StepResult {
        guard let argv = plan.argv, let safety = plan.safety else {
            throw VibectlError(.internal, "a COMMAND plan without arguments reached execution")
        }
        hooks.emit("safety", safety.json().objectValue ?? [:])
        if safety.verdict == .reject {
            let reasons = safety.reasons.filter { $0.hasPrefix("rejected") }
            return StepResult(
                status: .rejected, message: "not run: " + (reasons.isEmpty ? safety.reasons : reasons).joined(separator: "; "),
                halt: true, plan: plan, metrics: metrics)
        }
        let mode = try EngineSettings.mode(config, option: options.mode)
        let needsConfirmation = safety.verdict == .confirm && (safety.forced || (mode != .auto && !options.yes))
        if needsConfirmation {
            let request = ConfirmationRequest(
                argv: argv, manifest: manifest, explanation: explanation, safety: safety, mode: mode,
                choices: mode == .semiauto ? ConfirmationChoice.allCases : ConfirmationChoice.allCases.filter { $0 != .exit },
                memory: try memory.get())
            if let stop = try await confirm(request, plan: plan, options: options, hooks: hooks, metrics: metrics) {
                return stop
            }
        }

        let runner = try EngineSettings.runner(config, environment: environment, timeoutSeconds: options.timeoutSeconds)
        let record = try await runKubectl(
            argv, manifest: manifest, allowed: allowed, runner: runner, hooks: hooks, metrics: metrics, rawOutput: true)
        let output = record.output
        let display = record.display
        var result = StepResult(
            status: output.succeeded ? .completed : .failed, exitCode: output.exitCode,
            message: output.succeeded ? nil : "kubectl exited with code \(output.exitCode)", halt: false, plan: plan,
            metrics: metrics)
        result.commands = [record]

        guard options.summary else {
            result.halt = !output.succeeded
            return result
        }
        try await summarise(
            into: &result, output: output, display: display, verb: argv.first, request: plan.request,
            hints: plan.reply.presentationHints, options: options, hooks: hooks)
        result.halt = !output.succeeded && result.recovery == nil
        return result
    }

    /// The call after a command, folded into `result`: summary or recovery, memory. A model failure here
    /// never loses kubectl's output: `summaryError` says why there is no summary.
    func summarise(
        into result: inout StepResult, output: KubectlOutput, display: String, verb: String?, request: String?, hints: String?,
        options: VibeOptions, hooks: EngineHooks
    ) async throws {
        do {
            let report = try await report(
                text: output.textForModel, failed: !output.succeeded, command: display, exitCode: output.exitCode, verb: verb,
                request: request, hints: hints, options: options, hooks: hooks, metrics: result.metrics)
            result.summary = report.summary
            result.recovery = report.recovery
            result.memoryUpdated = report.memoryUpdated
            result.memory = report.memory
        } catch {
            let failure = error as? VibectlError ?? VibectlError(.internal, "the summary failed", cause: "\(error)")
            // Cancellation (and a host aborting through a callback) ends the call; anything else is reported.
            if failure.code == .canceled || failure.code == .callbackAborted || error is CancellationError { throw failure }
            result.summaryError = failure.message + (failure.hint.map { " (\($0))" } ?? "")
            hooks.emit("error", ["message": .string(failure.message), "code": .string(failure.code.name), "stage": "summary"])
        }
    }

    /// Runs kubectl once, emitting command_started, command_output (when `rawOutput`) and command_exited.
    func runKubectl(
        _ argv: [String], manifest: String?, allowed: [Int32], runner: KubectlRunner, hooks: EngineHooks, metrics: StepMetrics,
        rawOutput: Bool
    ) async throws -> CommandRecord {
        let display = CommandDisplay.render(argv, manifest: manifest)
        hooks.emit("command_started", ["argv": .array(argv.map(JSONValue.string)), "display": .string(display)])
        let output = try await runner.run(KubectlInvocation(arguments: argv, manifest: manifest, allowedExitCodes: Set(allowed)))
        metrics.recordKubectl(milliseconds: output.durationMs)
        if rawOutput {
            hooks.emit(
                "command_output",
                ["stdout": .string(output.stdout), "stderr": .string(output.stderr), "truncated": .bool(output.stdoutTruncated)])
        }
        hooks.emit(
            "command_exited",
            ["exit_code": .int(Int(output.exitCode)), "duration_ms": .int(output.durationMs), "succeeded": .bool(output.succeeded)])
        return CommandRecord(argv: argv, display: display, output: output)
    }

    /// Asks the host; returns a final result when the command must not run, `nil` to run it.
    private func confirm(
        _ request: ConfirmationRequest, plan: PlanResult, options: VibeOptions, hooks: EngineHooks, metrics: StepMetrics
    ) async throws -> StepResult? {
        guard let ask = hooks.confirm else {
            return StepResult(
                status: .needsConfirmation,
                message: "not run: \(CommandDisplay.render(request.argv, manifest: request.manifest)) needs confirmation ("
                    + request.safety.reasons.joined(separator: "; ") + ")",
                halt: true, plan: plan, metrics: metrics)
        }
        for _ in 0..<Self.maxConfirmationRounds {
            hooks.emit("confirm_requested", request.json().objectValue ?? [:])
            let decision = try await ask(request)
            hooks.emit(
                "confirm_answered", ["choice": .string(decision.choice.rawValue), "note": decision.note.map(JSONValue.string) ?? .null])
            switch decision.choice {
            case .yes:
                return nil
            case .memory:
                hooks.emit("memory_shown", ["memory": .string(try memory.get())])
                continue
            case .yesAnd, .noBut:
                if let note = decision.note, !note.allSatisfy(\.isWhitespace) {
                    _ = try await updateMemory(note, options: options, hooks: hooks, metrics: metrics)
                }
                if decision.choice == .yesAnd { return nil }
                return StepResult(status: .declined, message: "declined by the user", halt: true, plan: plan, metrics: metrics)
            case .no:
                return StepResult(status: .declined, message: "declined by the user", halt: true, plan: plan, metrics: metrics)
            case .exit:
                guard request.choices.contains(.exit) else {
                    return StepResult(status: .declined, message: "declined by the user", halt: true, plan: plan, metrics: metrics)
                }
                return StepResult(status: .exited, message: "stopped by the user", halt: true, plan: plan, metrics: metrics)
            }
        }
        return StepResult(
            status: .declined, message: "declined: no answer after \(Self.maxConfirmationRounds) requests", halt: true, plan: plan,
            metrics: metrics)
    }

    // MARK: - Summary and memory

    /// What the call after a command produced.
    public struct Report: Sendable {
        /// The summary (success).
        public var summary: String?
        /// Recovery suggestions (failure).
        public var recovery: String?
        /// Whether memory was written.
        public var memoryUpdated: Bool
        /// The memory afterwards.
        public var memory: String?
        /// The compaction applied to the output.
        public var compaction: CompactionResult
    }

    /// One model call: the summary (or recovery suggestions) and the new memory; stores the memory.
    public func report(
        text: String, failed: Bool, command: String, exitCode: Int32, verb: String?, request: String?, hints: String?,
        options: VibeOptions, hooks: EngineHooks, metrics: StepMetrics
    ) async throws -> Report {
        let compaction = try compact(text, options: options, intent: request)
        let withMemory = try EngineSettings.memoryEnabled(config) && !options.freezeMemory
        let field = failed ? "recovery" : "summary"
        let modelRequest = try Prompts.summary(
            context: try promptContext(), verb: verb, failed: failed, hints: hints, withMemory: withMemory,
            memoryMaxChars: try EngineSettings.memoryMaxChars(config), request: request, command: command, exitCode: exitCode,
            output: compaction)
        hooks.emit("summary_started", ["kind": .string(field), "model": options.model.map(JSONValue.string) ?? .null])
        let extractor = ExtractorBox(fields: [field])
        let reply = try await ModelGateway(models: models, redact: redact, hooks: hooks, metrics: metrics).call(
            modelRequest, purpose: field, model: options.model, stream: options.stream
        ) { chunk in
            for piece in extractor.feed(chunk) { hooks.emit("summary_text", ["text": .string(piece.text)]) }
        }
        var report = Report(memoryUpdated: false, memory: nil, compaction: compaction)
        let parsed = (try? JSONValue.parse(ReplySchema.stripFences(reply.text)))?.objectValue
        let body = parsed?[field]?.stringValue ?? (parsed == nil ? reply.text : "")
        if failed { report.recovery = body } else { report.summary = body }
        if !options.stream, !body.isEmpty { hooks.emit("summary_text", ["text": .string(body)]) }
        if withMemory, let newMemory = parsed?["memory"]?.stringValue, !newMemory.allSatisfy(\.isWhitespace) {
            let stored = try redact(newMemory)
            if try memory.recordAutomaticUpdate(stored, freezeForThisCall: options.freezeMemory) {
                let current = try memory.get()
                report.memoryUpdated = true
                report.memory = current
                hooks.emit("memory_updated", ["memory": .string(current)])
            }
        }
        return report
    }

    /// Summarises given text (`vibectl_summarize`): the same call as after a command.
    public func summarize(_ text: String, options: VibeOptions, hooks: EngineHooks) async throws -> (Report, StepMetrics) {
        let metrics = StepMetrics()
        let report = try await report(
            text: text, failed: options.failed, command: options.command ?? "(output given to vibectl)",
            exitCode: options.failed ? 1 : 0, verb: options.verb, request: options.request, hints: nil, options: options,
            hooks: hooks, metrics: metrics)
        return (report, metrics)
    }

    /// Folds `text` into memory with one model call; works while memory is frozen (an explicit request).
    /// - Returns: The previous and the new memory.
    public func updateMemory(
        _ text: String, options: VibeOptions, hooks: EngineHooks, metrics: StepMetrics = StepMetrics()
    ) async throws -> (previous: String, memory: String) {
        let context = try promptContext()
        let request = try Prompts.memoryUpdate(
            context: context, memoryMaxChars: try EngineSettings.memoryMaxChars(config), update: text)
        let reply = try await ModelGateway(models: models, redact: redact, hooks: hooks, metrics: metrics).call(
            request, purpose: "memory", model: options.model, stream: false)
        let parsed = (try? JSONValue.parse(ReplySchema.stripFences(reply.text)))?.objectValue
        guard let newMemory = parsed?["memory"]?.stringValue else {
            throw VibectlError(
                .model, "the model's memory update is not the JSON object {\"memory\": ...} that was asked for",
                hint: "try again or use a model with structured output; the reply began: \"\(try excerpt(reply.text))\"")
        }
        try memory.set(try redact(newMemory))
        let current = try memory.get()
        hooks.emit("memory_updated", ["memory": .string(current)])
        return (context.memory, current)
    }

    // MARK: - Helpers

    /// Time, target, instructions and memory for a prompt.
    func promptContext() throws -> PromptContext {
        PromptContext(
            time: Timestamp.iso8601(), kubeContext: try config.value("core.context").stringValue,
            namespace: try config.value("core.namespace").stringValue, instructions: try EngineSettings.instructions(config),
            memory: try memory.get())
    }

    /// Redacts, then compacts text to the output budget.
    func compact(_ text: String, options: VibeOptions, intent: String?) throws -> CompactionResult {
        let budget = try EngineSettings.budget(config, option: options.budget)
        return Compactor.compact(
            try redact(text),
            options: CompactionOptions(budget: budget, intent: intent, charsPerToken: try EngineSettings.charsPerToken(config)))
    }

    /// A reply's first characters, redacted, for error messages and events.
    func excerpt(_ text: String) throws -> String {
        let redacted = try redact(text)
        guard redacted.count > Self.rawReplyLimit else { return redacted }
        return String(redacted.prefix(Self.rawReplyLimit)) + "…"
    }
}

/// A ``StreamingFieldExtractor`` behind a lock, fed from the model call's event closure.
final class ExtractorBox: Sendable {
    private let extractor: Mutex<StreamingFieldExtractor>

    init(fields: Set<String>) {
        extractor = Mutex(StreamingFieldExtractor(fields: fields))
    }

    func feed(_ chunk: String) -> [(field: String, text: String)] {
        extractor.withLock { $0.feed(chunk) }
    }
}

extension KubectlOutput {
    /// What a model is shown of a run: stdout on success; stderr then stdout on failure (the error first).
    var textForModel: String {
        succeeded ? stdout : [stderr, stdout].filter { !$0.isEmpty }.joined(separator: "\n")
    }
}
