import CVibectl
import VibectlCore
import VibectlEngine
import VibectlOutput
import VibectlStore

// The vibe engine: plan, execute, vibe, summarise, memory update, custom instructions.

/// Plans the next step for a request without running anything.
@c @implementation
public func vibectl_plan(
    _ client: OpaquePointer?, _ request: UnsafePointer<CChar>?, _ options_json: UnsafePointer<CChar>?,
    _ callback: vibectl_event_cb?, _ user_data: UnsafeMutableRawPointer?,
    _ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    ABICall.withClient(client, out: out_json, "out_json") { handle, out in
        let text = try CStrings.read(request, "request")
        let options = try VibeOptions(json: CStrings.readOptional(options_json, "options_json"))
        let engine = handle.engine()
        let result = try EngineBridge.run(handle, callback, user_data) { hooks in
            let metrics = StepMetrics()
            let plan = try await engine.plan(text, options: options, hooks: hooks, metrics: metrics)
            var json = plan.json().objectValue ?? [:]
            json["metrics"] = metrics.json()
            return JSONValue.object(json)
        }
        try CStrings.give(result.jsonString(), to: out)
    }
}

/// Executes a plan: safety, confirmation, kubectl, summary and memory.
@c @implementation
public func vibectl_execute(
    _ client: OpaquePointer?, _ plan_json: UnsafePointer<CChar>?, _ options_json: UnsafePointer<CChar>?,
    _ callback: vibectl_event_cb?, _ user_data: UnsafeMutableRawPointer?, _ confirm: vibectl_confirm_cb?,
    _ confirm_data: UnsafeMutableRawPointer?, _ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    ABICall.withClient(client, out: out_json, "out_json") { handle, out in
        var options = try VibeOptions(json: CStrings.readOptional(options_json, "options_json"))
        let plan = try EngineBridge.plan(fromJSON: CStrings.read(plan_json, "plan_json"), options: &options, engine: handle.engine())
        let engine = handle.engine()
        let frozenOptions = options
        let result = try EngineBridge.run(handle, callback, user_data, confirm: confirm, confirmData: confirm_data) { hooks in
            try await engine.execute(plan, options: frozenOptions, hooks: hooks)
        }
        try CStrings.give(result.json().jsonString(), to: out)
    }
}

/// Plans and executes one step.
@c @implementation
public func vibectl_vibe(
    _ client: OpaquePointer?, _ request: UnsafePointer<CChar>?, _ options_json: UnsafePointer<CChar>?,
    _ callback: vibectl_event_cb?, _ user_data: UnsafeMutableRawPointer?, _ confirm: vibectl_confirm_cb?,
    _ confirm_data: UnsafeMutableRawPointer?, _ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    ABICall.withClient(client, out: out_json, "out_json") { handle, out in
        let text = try CStrings.read(request, "request")
        let options = try VibeOptions(json: CStrings.readOptional(options_json, "options_json"))
        let engine = handle.engine()
        let result = try EngineBridge.run(handle, callback, user_data, confirm: confirm, confirmData: confirm_data) { hooks in
            try await engine.vibe(text, options: options, hooks: hooks)
        }
        try CStrings.give(result.json().jsonString(), to: out)
    }
}

/// Summarises command output and updates memory in the same model call.
@c @implementation
public func vibectl_summarize(
    _ client: OpaquePointer?, _ text: UnsafePointer<CChar>?, _ options_json: UnsafePointer<CChar>?,
    _ callback: vibectl_event_cb?, _ user_data: UnsafeMutableRawPointer?,
    _ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    ABICall.withClient(client, out: out_json, "out_json") { handle, out in
        let input = try CStrings.read(text, "text")
        let options = try VibeOptions(json: CStrings.readOptional(options_json, "options_json"))
        let engine = handle.engine()
        let charsPerToken = try handle.config.value("output.chars_per_token").doubleValue ?? 4
        let result = try EngineBridge.run(handle, callback, user_data) { hooks in
            let (report, metrics) = try await engine.summarize(input, options: options, hooks: hooks)
            return JSONValue.object([
                "version": 1,
                "summary": report.summary.map(JSONValue.string) ?? .null,
                "recovery": report.recovery.map(JSONValue.string) ?? .null,
                "memory": ["updated": .bool(report.memoryUpdated), "text": report.memory.map(JSONValue.string) ?? .null],
                "compaction": EngineBridge.compactionSummary(report.compaction, charsPerToken: charsPerToken),
                "metrics": metrics.json(),
            ])
        }
        try CStrings.give(result.jsonString(), to: out)
    }
}

/// Folds text into memory with one model call.
@c @implementation
public func vibectl_memory_update(
    _ client: OpaquePointer?, _ text: UnsafePointer<CChar>?, _ options_json: UnsafePointer<CChar>?,
    _ callback: vibectl_event_cb?, _ user_data: UnsafeMutableRawPointer?,
    _ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    ABICall.withClient(client, out: out_json, "out_json") { handle, out in
        let update = try CStrings.read(text, "text")
        guard !update.allSatisfy(\.isWhitespace) else {
            throw VibectlError(.invalidArgument, "the memory update is empty", hint: "say what to remember, e.g. \"we work in the staging namespace\"")
        }
        let options = try VibeOptions(json: CStrings.readOptional(options_json, "options_json"))
        let engine = handle.engine()
        let result = try EngineBridge.run(handle, callback, user_data) { hooks in
            let metrics = StepMetrics()
            let (previous, memory) = try await engine.updateMemory(
                update, options: options, hooks: hooks, metrics: metrics)
            return JSONValue.object(["version": 1, "memory": .string(memory), "previous": .string(previous), "metrics": metrics.json()])
        }
        try CStrings.give(result.jsonString(), to: out)
    }
}

/// Runs the user's own kubectl command and summarises its output.
@c @implementation
public func vibectl_run(
    _ client: OpaquePointer?, _ args_json: UnsafePointer<CChar>?, _ options_json: UnsafePointer<CChar>?,
    _ callback: vibectl_event_cb?, _ user_data: UnsafeMutableRawPointer?,
    _ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    ABICall.withClient(client, out: out_json, "out_json") { handle, out in
        let arguments = try parseArguments(CStrings.read(args_json, "args_json"))
        let options = try VibeOptions(json: CStrings.readOptional(options_json, "options_json"))
        let engine = handle.engine()
        let result = try EngineBridge.run(handle, callback, user_data) { hooks in
            try await engine.run(arguments, options: options, hooks: hooks)
        }
        try CStrings.give(result.json().jsonString(), to: out)
    }
}

/// Runs vibe steps in a loop until DONE, a halting error, a limit, a repeat, or the user's exit.
@c @implementation
public func vibectl_loop(
    _ client: OpaquePointer?, _ request: UnsafePointer<CChar>?, _ options_json: UnsafePointer<CChar>?,
    _ loop_json: UnsafePointer<CChar>?, _ callback: vibectl_event_cb?, _ user_data: UnsafeMutableRawPointer?,
    _ confirm: vibectl_confirm_cb?, _ confirm_data: UnsafeMutableRawPointer?,
    _ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    ABICall.withClient(client, out: out_json, "out_json") { handle, out in
        let text = try CStrings.read(request, "request")
        let options = try VibeOptions(json: CStrings.readOptional(options_json, "options_json"))
        let limits = try LoopLimits(json: CStrings.readOptional(loop_json, "loop_json"))
        let engine = handle.engine()
        let result = try EngineBridge.run(handle, callback, user_data, confirm: confirm, confirmData: confirm_data) { hooks in
            try await engine.loop(text, options: options, limits: limits, hooks: hooks)
        }
        try CStrings.give(result.json().jsonString(), to: out)
    }
}

/// Evaluates a predicate with read-only commands.
@c @implementation
public func vibectl_check(
    _ client: OpaquePointer?, _ predicate: UnsafePointer<CChar>?, _ options_json: UnsafePointer<CChar>?,
    _ callback: vibectl_event_cb?, _ user_data: UnsafeMutableRawPointer?,
    _ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    ABICall.withClient(client, out: out_json, "out_json") { handle, out in
        let text = try CStrings.read(predicate, "predicate")
        let options = try VibeOptions(json: CStrings.readOptional(options_json, "options_json"))
        let engine = handle.engine()
        let result = try EngineBridge.run(handle, callback, user_data) { hooks in
            try await engine.check(text, options: options, hooks: hooks)
        }
        try CStrings.give(result.json().jsonString(), to: out)
    }
}

/// Reads the custom instructions.
@c @implementation
public func vibectl_instructions_get(_ client: OpaquePointer?, _ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?)
    -> Int32
{
    ABICall.withClient(client, out: out_json, "out_json") { handle, out in
        let entry = try handle.config.get(EngineBridge.instructionsKey)
        let json = entry.json().objectValue ?? [:]
        let result: JSONValue = ["version": 1, "instructions": json["value"] ?? .null, "source": json["source"] ?? .null]
        try CStrings.give(result.jsonString(), to: out)
    }
}

/// Sets the custom instructions ("" clears them).
@c @implementation
public func vibectl_instructions_set(_ client: OpaquePointer?, _ text: UnsafePointer<CChar>?) -> Int32 {
    ABICall.withClient(client) { handle in
        let value = try CStrings.read(text, "text")
        if value.allSatisfy(\.isWhitespace) {
            try handle.config.unset(EngineBridge.instructionsKey)
        } else {
            _ = try handle.config.set(EngineBridge.instructionsKey, json: .string(value))
        }
    }
}

/// Clears the custom instructions.
@c @implementation
public func vibectl_instructions_clear(_ client: OpaquePointer?) -> Int32 {
    ABICall.withClient(client) { handle in
        try handle.config.unset(EngineBridge.instructionsKey)
    }
}

/// Glue between the C calls and the engine: hooks over an event sink, plan parsing.
enum EngineBridge {
    /// Where custom instructions live.
    static let instructionsKey = "system.custom_instructions"

    /// Keys of a `vibectl_plan` result that `vibectl_execute` accepts besides the planner contract's.
    static let planResultKeys: Set<String> = ["version", "verb", "request", "argv", "display", "safety", "metrics"]

    /// Runs an engine call through the event pump with hooks over its sink; a failure is also reported as an
    /// `error` event (message, code, hint) before the call returns its status.
    static func run<T: Sendable>(
        _ handle: ClientHandle, _ callback: vibectl_event_cb?, _ userData: UnsafeMutableRawPointer?,
        confirm: vibectl_confirm_cb? = nil, confirmData: UnsafeMutableRawPointer? = nil,
        _ work: @escaping @Sendable (EngineHooks) async throws -> T
    ) throws -> T {
        try EventPump.run(on: handle, callback: callback, userData: userData, confirm: confirm, confirmData: confirmData) { sink in
            let hooks = Self.hooks(sink, confirm: confirm != nil)
            do {
                return try await work(hooks)
            } catch let error as VibectlError {
                hooks.emit(
                    "error",
                    ["message": .string(error.message), "code": .string(error.code.name), "hint": error.hint.map(JSONValue.string) ?? .null])
                throw error
            }
        }
    }

    /// Hooks that emit on `sink` and, when the host gave a confirm callback, ask it through the sink.
    static func hooks(_ sink: EventSink, confirm: Bool) -> EngineHooks {
        let emit: @Sendable (String, [String: JSONValue]) -> Void = { type, data in sink.emit(type, data) }
        guard confirm else { return EngineHooks(emit: emit, confirm: nil) }
        let ask: @Sendable (ConfirmationRequest) async throws -> ConfirmationDecision = { request in
            try await decision(sink.ask(request.json()))
        }
        return EngineHooks(emit: emit, confirm: ask)
    }

    /// The decision for a confirm callback's answer.
    static func decision(_ answer: (choice: Int32, note: String)) throws -> ConfirmationDecision {
        guard let choice = choice(answer.choice) else {
            throw VibectlError(
                .callbackAborted, "the confirm callback returned \(answer.choice), which is not a VIBECTL_CONFIRM_* choice")
        }
        let note: String? = choice == .yesAnd || choice == .noBut ? answer.note : nil
        return ConfirmationDecision(choice, note: note)
    }

    /// The choice for a `VIBECTL_CONFIRM_*` value.
    static func choice(_ value: Int32) -> ConfirmationChoice? {
        switch value {
        case VIBECTL_CONFIRM_YES: .yes
        case VIBECTL_CONFIRM_NO: .no
        case VIBECTL_CONFIRM_YES_AND: .yesAnd
        case VIBECTL_CONFIRM_NO_BUT: .noBut
        case VIBECTL_CONFIRM_MEMORY: .memory
        case VIBECTL_CONFIRM_EXIT: .exit
        default: nil
        }
    }

    /// A plan given to `vibectl_execute`: a `vibectl_plan` result or a bare planner reply. Its argv and safety
    /// are recomputed, never trusted. A plan's verb and request fill the options' when those are unset.
    static func plan(fromJSON text: String, options: inout VibeOptions, engine: VibeEngine) throws -> PlanResult {
        guard case .object(var object) = try JSONValue.parse(text, what: "plan_json") else {
            throw VibectlError(.invalidArgument, "plan_json must be a JSON object with an \"action\"", hint: "pass what vibectl_plan returned")
        }
        let verb = object["verb"]?.stringValue
        let request = object["request"]?.stringValue ?? ""
        for key in planResultKeys { object.removeValue(forKey: key) }
        let reply: PlannerReply
        do {
            reply = try PlannerContract.parse(JSONValue.object(object))
        } catch {
            throw VibectlError(.invalidArgument, "plan_json does not follow the planner contract: \(error.reason)", hint: "see docs/engine.md")
        }
        if options.verb == nil { options.verb = verb }
        do {
            return try engine.checkedPlan(reply, request: request, verb: options.verb)
        } catch let error as PlannerReplyError {
            throw VibectlError(.invalidArgument, "plan_json cannot run: \(error.reason)", hint: "see docs/engine.md")
        }
    }

    /// The compaction facts of a summary (not the text, which the model saw).
    static func compactionSummary(_ result: CompactionResult, charsPerToken: Double) -> JSONValue {
        var json = result.json(charsPerToken: charsPerToken).objectValue ?? [:]
        json.removeValue(forKey: "text")
        return .object(json)
    }
}
