import Foundation
import VibectlCore
import VibectlKubectl
import VibectlOutput

/// Limits of an auto or semiauto loop.
public struct LoopLimits: Sendable, Equatable {
    /// The most steps (`--limit` / `--max-steps`); `nil` for no limit.
    public var maxSteps: Int?
    /// The most wall-clock seconds; `nil` for no limit.
    public var maxSeconds: Double?
    /// The most model cost in USD (from the price table); `nil` for no limit.
    public var maxCost: Double?
    /// Seconds to pause between steps.
    public var intervalSeconds: Double

    /// Creates limits.
    public init(maxSteps: Int? = nil, maxSeconds: Double? = nil, maxCost: Double? = nil, intervalSeconds: Double = 0) {
        self.maxSteps = maxSteps
        self.maxSeconds = maxSeconds
        self.maxCost = maxCost
        self.intervalSeconds = intervalSeconds
    }

    static let knownKeys = ["version", "max_steps", "max_seconds", "max_cost", "interval_seconds"]

    /// Parses `{"version":1,"max_steps":N,"max_seconds":S,"max_cost":USD,"interval_seconds":S}`; `nil` means defaults.
    public init(json text: String?) throws {
        self.init()
        guard let text, !text.allSatisfy(\.isWhitespace) else { return }
        guard case .object(let object) = try JSONValue.parse(text, what: "loop_json") else {
            throw VibectlError(.invalidArgument, "loop_json must be a JSON object", hint: #"e.g. {"version": 1, "max_steps": 10}"#)
        }
        for key in object.keys.sorted() where !Self.knownKeys.contains(key) {
            throw VibectlError(.invalidArgument, "unknown loop option '\(key)'", hint: "valid: \(Self.knownKeys.joined(separator: ", "))")
        }
        func number(_ key: String, _ range: ClosedRange<Double>) throws -> Double? {
            guard let value = object[key], !value.isNull else { return nil }
            guard let number = value.doubleValue, range.contains(number) else {
                throw VibectlError(
                    .invalidArgument, "loop option \(key) must be a number from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }
        if let steps = try number("max_steps", 1...100_000) { maxSteps = Int(steps) }
        maxSeconds = try number("max_seconds", 0.001...604_800)
        maxCost = try number("max_cost", 0...100_000)
        intervalSeconds = try number("interval_seconds", 0...86_400) ?? 0
    }
}

/// Why a loop ended, and the exit code that goes with it.
public enum LoopEnd: String, Sendable {
    /// The planner said DONE (exit code: DONE's).
    case done
    /// A step failed in a way that stops the loop (exit code: the step's, never 0).
    case halted
    /// The user chose exit (semiauto): 0.
    case exited
    /// A limit was reached (max steps, seconds or cost): 4.
    case limitReached = "limit_reached"
    /// The same command gave the same result three times: 5.
    case repeating
}

/// The result of an auto or semiauto loop.
public struct LoopResult: Sendable {
    /// Why it ended.
    public var end: LoopEnd
    /// The exit code a CLI exits with.
    public var exitCode: Int32
    /// What happened, in one sentence.
    public var message: String
    /// Every step's result.
    public var steps: [StepResult]

    /// `{"version":1,"end","exit_code","message","steps":[...],"metrics":{"model_calls","cost_usd",...}}`.
    public func json() -> JSONValue {
        let calls = steps.flatMap { $0.metrics.calls }
        let costs = calls.compactMap(\.metrics.costUSD)
        return [
            "version": 1, "end": .string(end.rawValue), "exit_code": .int(Int(exitCode)), "message": .string(message),
            "steps": .array(steps.map { $0.json() }),
            "metrics": [
                "steps": .int(steps.count), "model_calls": .int(calls.count),
                "prompt_chars": .int(calls.reduce(0) { $0 + $1.promptChars }),
                "cost_usd": costs.isEmpty ? .null : .double((costs.reduce(0, +) * 1e6).rounded() / 1e6),
            ],
        ]
    }
}

extension VibeEngine {
    /// The loop's repeat threshold: the same command with the same result this many times stops it.
    static let repeatLimit = 3

    /// Runs vibe steps until DONE, a halting error, a limit, a repeated command, or (semiauto) the user's exit.
    ///
    /// Each step's compacted output goes straight into the next planning call (not only through memory).
    /// The mode decides confirmation as for one step: `auto` asks only for what the classifier forces;
    /// `semiauto` asks for every step that needs it and offers "exit".
    public func loop(_ request: String, options: VibeOptions, limits: LoopLimits, hooks: EngineHooks) async throws -> LoopResult {
        let start = ContinuousClock.now
        var steps: [StepResult] = []
        var history: [(command: String, output: String)] = []
        var seen: [String: Int] = [:]
        var cost = 0.0
        func end(_ reason: LoopEnd, _ code: Int32, _ message: String) -> LoopResult {
            hooks.emit("loop_ended", ["end": .string(reason.rawValue), "exit_code": .int(Int(code)), "message": .string(message)])
            return LoopResult(end: reason, exitCode: code, message: message, steps: steps)
        }
        while true {
            if let max = limits.maxSteps, steps.count >= max {
                return end(.limitReached, 4, "stopped after \(max) steps (the step limit)")
            }
            if let max = limits.maxSeconds, Self.seconds(since: start) >= max {
                return end(.limitReached, 4, "stopped after \(Int(max)) s (the time limit)")
            }
            if let max = limits.maxCost, cost >= max {
                return end(.limitReached, 4, String(format: "stopped at $%.4f (the cost limit of $%.4f)", cost, max))
            }
            if !steps.isEmpty, limits.intervalSeconds > 0 {
                do { try await Task.sleep(for: .milliseconds(Int64(limits.intervalSeconds * 1000))) } catch {
                    throw VibectlError(.canceled, "the loop was cancelled")
                }
            }
            hooks.emit("step_started", ["step": .int(steps.count + 1)])
            let step = try await vibe(steps.isEmpty ? request : "", options: options, hooks: hooks, history: history)
            steps.append(step)
            hooks.emit(
                "step_finished",
                [
                    "step": .int(steps.count), "status": .string(step.status.rawValue), "exit_code": .int(Int(step.exitCode)),
                    "message": step.message.map(JSONValue.string) ?? .null,
                    "summary_error": step.summaryError.map(JSONValue.string) ?? .null,
                ])
            cost += step.metrics.calls.compactMap(\.metrics.costUSD).reduce(0, +)
            switch step.status {
            case .done:
                return end(.done, step.exitCode, step.message ?? "done")
            case .exited:
                return end(.exited, 0, "stopped by the user")
            default:
                break
            }
            if step.halt {
                let code = step.exitCode == 0 ? 1 : step.exitCode
                return end(.halted, code, step.message ?? "step \(steps.count) ended with \(step.status.rawValue)")
            }
            history = try historyEntry(for: step, options: options)
            if let record = step.commands.last {
                let key = record.argv.joined(separator: "\u{1F}") + "\u{1E}\(record.output.exitCode)\u{1E}" + record.output.stdout
                    + "\u{1E}" + record.output.stderr
                seen[key, default: 0] += 1
                if seen[key, default: 0] >= Self.repeatLimit {
                    return end(
                        .repeating, 5,
                        "stopped: \(record.display) gave the same result \(Self.repeatLimit) times; the plan is not making progress")
                }
            }
        }
    }

    /// What the next planning call sees of a step: its command and compacted output, or its note.
    func historyEntry(for step: StepResult, options: VibeOptions) throws -> [(command: String, output: String)] {
        if let record = step.commands.last {
            let compacted = try compact(record.output.textForModel, options: options, intent: step.plan?.request)
            return [("\(record.display) (exit code \(record.output.exitCode))", compacted.text.isEmpty ? "(no output)" : compacted.text)]
        }
        if let message = step.message { return [("(\(step.status.rawValue))", message)] }
        return []
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
