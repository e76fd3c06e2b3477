import VibectlCore
import VibectlKubectl
import VibectlOutput
import VibectlStore

/// The verdict of `check`, with its exit code (0 true, 1 false, 2 poorly posed, 3 cannot determine).
public enum CheckVerdict: String, Sendable {
    case `true`
    case `false`
    case poorlyPosed = "poorly_posed"
    case cannotDetermine = "cannot_determine"

    /// The exit code of the verdict.
    public var exitCode: Int32 {
        switch self {
        case .true: 0
        case .false: 1
        case .poorlyPosed: 2
        case .cannotDetermine: 3
        }
    }

    /// The verdict for a DONE exit code; anything outside 0…3 cannot be trusted, so it is "cannot determine".
    init(exitCode: Int32) {
        switch exitCode {
        case 0: self = .true
        case 1: self = .false
        case 2: self = .poorlyPosed
        default: self = .cannotDetermine
        }
    }
}

/// The result of `check`.
public struct CheckResult: Sendable {
    /// The verdict.
    public var verdict: CheckVerdict
    /// Why, in the model's words (or ours, when the check was stopped).
    public var explanation: String
    /// The read-only commands run.
    public var commands: [CommandRecord]
    /// Planning iterations used.
    public var iterations: Int
    /// Model calls and time.
    public var metrics: StepMetrics

    /// `{"version":1,"verdict","exit_code","explanation","iterations","commands":[...],"metrics"}`.
    public func json() -> JSONValue {
        [
            "version": 1, "verdict": .string(verdict.rawValue), "exit_code": .int(Int(verdict.exitCode)),
            "explanation": .string(explanation), "iterations": .int(iterations),
            "commands": .array(commands.map { $0.json() }), "metrics": metrics.json(),
        ]
    }
}

extension VibeEngine {
    /// Evaluates a predicate with read-only commands (docs/engine.md, "check").
    ///
    /// Each iteration plans with the checker prompt and the compacted outputs of every earlier command; a
    /// COMMAND must be read-only (anything else ends the check: cannot determine), DONE carries the verdict,
    /// THOUGHT and WAIT continue, ERROR and FEEDBACK end it. At most `maxIterations` plans
    /// (default `features.check_max_iterations`).
    public func check(
        _ predicate: String, options: VibeOptions, maxIterations: Int? = nil, hooks: EngineHooks
    ) async throws -> CheckResult {
        let limit = try maxIterations ?? options.maxIterations ?? config.value("features.check_max_iterations").intValue ?? 10
        let metrics = StepMetrics()
        var result = CheckResult(verdict: .cannotDetermine, explanation: "", commands: [], iterations: 0, metrics: metrics)
        guard !predicate.allSatisfy(\.isWhitespace) else {
            result.verdict = .poorlyPosed
            result.explanation = "the predicate is empty"
            return finished(result, hooks: hooks)
        }
        var history: [(command: String, output: String)] = []
        let runner = try EngineSettings.runner(config, environment: environment, timeoutSeconds: options.timeoutSeconds)
        for iteration in 1...max(1, limit) {
            result.iterations = iteration
            hooks.emit("check_iteration", ["iteration": .int(iteration), "max_iterations": .int(limit)])
            var request = try Prompts.check(
                context: try promptContext(), predicate: predicate, iteration: iteration, maxIterations: limit, history: history)
            let plan = try await self.plan(
                modelRequest: &request, request: predicate, verb: nil, options: options, hooks: hooks, metrics: metrics)
            switch plan.reply.action {
            case .done(let exitCode, let explanation):
                result.verdict = CheckVerdict(exitCode: exitCode)
                result.explanation = explanation ?? ""
                return finished(result, hooks: hooks)
            case .thought(let text):
                history.append(("(your note)", text))
            case .wait(let seconds):
                hooks.emit("wait", ["seconds": .int(seconds)])
                do { try await Task.sleep(for: .seconds(seconds)) } catch {
                    throw VibectlError(.canceled, "the check was cancelled while waiting")
                }
            case .error(let message):
                result.explanation = message
                return finished(result, hooks: hooks)
            case .feedback(let message, _, _):
                result.verdict = .poorlyPosed
                result.explanation = message
                return finished(result, hooks: hooks)
            case .command(_, let manifest, let allowed, _):
                guard let argv = plan.argv, let safety = plan.safety, safety.verdict == .safe, safety.verbClass == .readOnly,
                    manifest == nil
                else {
                    let display = plan.argv.map { CommandDisplay.render($0, manifest: manifest) } ?? "a command"
                    result.explanation = "refused: check runs read-only commands only, and the plan was \(display)"
                    hooks.emit("error", ["message": .string(result.explanation), "code": "VIBECTL_EINVAL", "stage": "check"])
                    return finished(result, hooks: hooks)
                }
                let record = try await runKubectl(
                    argv, manifest: nil, allowed: allowed, runner: runner, hooks: hooks, metrics: metrics, rawOutput: false)
                result.commands.append(record)
                let output = record.output
                let compacted = try compact(output.textForModel, options: options, intent: predicate)
                history.append(("\(record.display) (exit code \(output.exitCode))", compacted.text.isEmpty ? "(no output)" : compacted.text))
            }
        }
        result.explanation = "no verdict after \(limit) iterations (features.check_max_iterations)"
        return finished(result, hooks: hooks)
    }

    private func finished(_ result: CheckResult, hooks: EngineHooks) -> CheckResult {
        hooks.emit(
            "done", ["status": .string(result.verdict.rawValue), "exit_code": .int(Int(result.verdict.exitCode))])
        return result
    }
}
