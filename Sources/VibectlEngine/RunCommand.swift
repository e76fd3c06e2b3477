import VibectlCore
import VibectlKubectl

extension VibeEngine {
    /// Runs the user's own kubectl command and summarises its output (`vibectl get pods`, `vibectl_run`).
    ///
    /// The arguments are what the user typed, so they are not classified (vibectl is never stricter than
    /// kubectl about the user's own command); they still run from an argv, never a shell. Then one model
    /// call returns the summary (or recovery suggestions) and the new memory, as after a planned command.
    /// Without a usable model the output stands and `summaryError` says why there is no summary.
    /// `diff` counts exit code 1 (differences found) as success unless the options say otherwise.
    public func run(_ arguments: [String], options: VibeOptions, hooks: EngineHooks) async throws -> StepResult {
        let metrics = StepMetrics()
        guard let verb = arguments.first, !verb.hasPrefix("-") else {
            throw VibectlError(
                .invalidArgument, "the kubectl arguments must start with a verb", hint: #"e.g. ["get", "pods"]"#)
        }
        let allowed = options.allowedExitCodes ?? (verb == "diff" ? [0, 1] : [0])
        let runner = try EngineSettings.runner(config, environment: environment, timeoutSeconds: options.timeoutSeconds)
        let record = try await runKubectl(
            arguments, manifest: options.stdin, allowed: allowed, runner: runner, hooks: hooks, metrics: metrics, rawOutput: true)
        let output = record.output
        var result = StepResult(
            status: output.succeeded ? .completed : .failed, exitCode: output.exitCode,
            message: output.succeeded ? nil : "kubectl exited with code \(output.exitCode)", halt: !output.succeeded, plan: nil,
            metrics: metrics)
        result.commands = [record]
        if options.summary {
            try await summarise(
                into: &result, output: output, display: record.display, verb: verb, request: options.request, hints: nil,
                options: options, hooks: hooks)
            result.halt = !output.succeeded && result.recovery == nil
        }
        hooks.emit("done", ["status": .string(result.status.rawValue), "exit_code": .int(Int(result.exitCode))])
        return result
    }
}
