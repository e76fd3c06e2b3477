import Foundation
import VibectlCore
import VibectlKubectl
import VibectlModels

/// How a step ended (docs/engine.md, "Step results and exit codes").
public enum StepStatus: String, Sendable {
    /// kubectl ran and its exit code is allowed.
    case completed
    /// kubectl ran and its exit code is not allowed.
    case failed
    /// The planner said DONE.
    case done
    /// The user declined (no, no_but).
    case declined
    /// Confirmation was needed and nobody could be asked.
    case needsConfirmation = "needs_confirmation"
    /// The safety classifier rejected the plan.
    case rejected
    /// The user chose exit (semiauto).
    case exited
    /// The planner thought aloud.
    case thought
    /// The planner gave feedback instead of acting.
    case feedback
    /// The planner asked to wait, and the engine waited.
    case waited
    /// The planner said ERROR.
    case error
    /// The planner's reply was unusable, even when asked again.
    case plannerError = "planner_error"

    /// The CLI exit code for a status, when it does not come from kubectl or DONE.
    var standardExitCode: Int32 {
        switch self {
        case .declined: 10
        case .needsConfirmation: 11
        case .rejected: 12
        case .error, .plannerError: 1
        default: 0
        }
    }
}

/// A planned step: the planner's reply plus what the engine made of it.
public struct PlanResult: Sendable, Equatable {
    /// The planner's reply.
    public var reply: PlannerReply
    /// The verb the plan was made for (`nil` for `vibe`).
    public var verb: String?
    /// The request it answers.
    public var request: String
    /// For a COMMAND: the full kubectl arguments (verb first, without `kubectl`).
    public var argv: [String]?
    /// For a COMMAND: the safety classifier's verdict.
    public var safety: SafetyAssessment?

    /// Creates a plan result.
    public init(reply: PlannerReply, verb: String?, request: String, argv: [String]?, safety: SafetyAssessment?) {
        self.reply = reply
        self.verb = verb
        self.request = request
        self.argv = argv
        self.safety = safety
    }

    /// The plan JSON of `vibectl_plan` (without metrics).
    public func json() -> JSONValue {
        [
            "version": 1,
            "action": reply.action.json(),
            "presentation_hints": reply.presentationHints.map(JSONValue.string) ?? .null,
            "verb": verb.map(JSONValue.string) ?? .null,
            "request": .string(request),
            "argv": argv.map { .array($0.map(JSONValue.string)) } ?? .null,
            "display": argv.map { .string(CommandDisplay.render($0, manifest: manifest)) } ?? .null,
            "safety": safety?.json() ?? .null,
        ]
    }

    /// The manifest of a COMMAND, if any.
    public var manifest: String? {
        if case .command(_, let manifest, _, _) = reply.action { return manifest }
        return nil
    }
}

/// One kubectl run within a step.
public struct CommandRecord: Sendable {
    /// The kubectl arguments as planned (verb first).
    public var argv: [String]
    /// The command as shown to a user.
    public var display: String
    /// kubectl's output and exit code.
    public var output: KubectlOutput

    /// `{"argv","display","exit_code","succeeded","duration_ms","stdout","stderr","stdout_truncated"}`.
    public func json() -> JSONValue {
        [
            "argv": .array(argv.map(JSONValue.string)),
            "display": .string(display),
            "exit_code": .int(Int(output.exitCode)),
            "succeeded": .bool(output.succeeded),
            "allowed_exit_codes": .array(output.allowedExitCodes.sorted().map { .int(Int($0)) }),
            "duration_ms": .int(output.durationMs),
            "stdout": .string(output.stdout),
            "stderr": .string(output.stderr),
            "stdout_truncated": .bool(output.stdoutTruncated),
        ]
    }
}

/// The result of one step: `vibectl_execute` and `vibectl_vibe`.
public struct StepResult: Sendable {
    /// How the step ended.
    public var status: StepStatus
    /// The CLI exit code (kubectl's, DONE's, or the status's).
    public var exitCode: Int32
    /// A sentence for the user (why it ended this way).
    public var message: String?
    /// How to fix what went wrong, when there is a fix.
    public var hint: String?
    /// Whether an auto loop should stop here.
    public var halt: Bool
    /// The plan executed, if there was one.
    public var plan: PlanResult?
    /// kubectl runs.
    public var commands: [CommandRecord] = []
    /// The model's summary of the output.
    public var summary: String?
    /// Recovery suggestions after a failed command.
    public var recovery: String?
    /// Why there is no summary although one was wanted (no model, model failed).
    public var summaryError: String?
    /// Whether memory was written, and its text after the step.
    public var memoryUpdated = false
    /// The memory after the step.
    public var memory: String?
    /// Model calls and time.
    public var metrics: StepMetrics

    /// Creates a result.
    public init(status: StepStatus, exitCode: Int32? = nil, message: String?, halt: Bool, plan: PlanResult?, metrics: StepMetrics) {
        self.status = status
        self.exitCode = exitCode ?? status.standardExitCode
        self.message = message
        self.halt = halt
        self.plan = plan
        self.metrics = metrics
    }

    /// The step result JSON of docs/abi.md.
    public func json() -> JSONValue {
        [
            "version": 1,
            "status": .string(status.rawValue),
            "exit_code": .int(Int(exitCode)),
            "message": message.map(JSONValue.string) ?? .null,
            "hint": hint.map(JSONValue.string) ?? .null,
            "halt": .bool(halt),
            "plan": plan?.json() ?? .null,
            "commands": .array(commands.map { $0.json() }),
            "summary": summary.map(JSONValue.string) ?? .null,
            "recovery": recovery.map(JSONValue.string) ?? .null,
            "summary_error": summaryError.map(JSONValue.string) ?? .null,
            "memory": ["updated": .bool(memoryUpdated), "text": memory.map(JSONValue.string) ?? .null],
            "metrics": metrics.json(),
        ]
    }
}

/// How a command is shown to a user: `kubectl` and the arguments, quoted where a shell would need it.
public enum CommandDisplay {
    /// `kubectl get pods -l 'app=web x'` (+ ` (with manifest)`).
    public static func render(_ argv: [String], manifest: String?) -> String {
        let words = ["kubectl"] + argv.map(quote)
        return words.joined(separator: " ") + (manifest == nil ? "" : " (with manifest)")
    }

    static func quote(_ word: String) -> String {
        let plain = !word.isEmpty && word.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_./:=,@%+".unicodeScalars.contains($0)
        }
        return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
