import ArgumentParser
import CVibectl
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The budgets of `auto` and `semiauto`.
struct LoopBudget: ParsableArguments {
    @Option(name: [.customShort("l"), .long], help: ArgumentHelp("Stop after N steps (same as --max-steps).", valueName: "n"))
    var limit: Int?

    @Option(name: .customLong("max-steps"), help: ArgumentHelp("Stop after N steps (exit 4).", valueName: "n"))
    var maxSteps: Int?

    @Option(name: .customLong("max-seconds"), help: ArgumentHelp("Stop after S seconds (exit 4).", valueName: "s"))
    var maxSeconds: Double?

    @Option(
        name: .customLong("max-cost"),
        help: ArgumentHelp("Stop when the model calls have cost USD dollars (exit 4; llm.prices).", valueName: "usd"))
    var maxCost: Double?

    func validate() throws {
        for (name, value) in [("--limit", limit), ("--max-steps", maxSteps)] {
            if let value, value < 1 { throw ValidationError("\(name) must be at least 1") }
        }
        if let maxSeconds, maxSeconds <= 0 { throw ValidationError("--max-seconds must be more than 0") }
        if let maxCost, maxCost < 0 { throw ValidationError("--max-cost must not be negative") }
    }

    /// The `loop_json` document.
    func json(interval: Double) -> JSON {
        var members: [(String, JSON)] = [("version", .number("1"))]
        let steps = [limit, maxSteps].compactMap { $0 }.min()
        if let steps { members.append(("max_steps", .number(String(steps)))) }
        if let maxSeconds { members.append(("max_seconds", .number(String(maxSeconds)))) }
        if let maxCost { members.append(("max_cost", .number(String(maxCost)))) }
        members.append(("interval_seconds", .number(String(interval))))
        return .object(members)
    }
}

/// Runs a loop for `auto` and `semiauto`.
enum LoopRunner {
    static func run(
        request: [String], mode: ExecutionModeOption, interval: Double, budget: LoopBudget, flags localFlags: VibeFlags,
        output: OutputFormat, global: GlobalOptions
    ) throws {
        var flags = VibeFlags.effective(localFlags)
        flags.mode = mode
        let client = try global.client()
        let display = try DisplaySettings(client: client, flags: flags, output: output)
        let options = VibeStep.engineOptions(flags: flags, display: display)

        let interrupt = Interrupt(client: client)
        defer { interrupt.restore() }
        let renderer = VibeRenderer(display: display, loopMode: true)
        defer { renderer.close() }
        let prompt = ConfirmPrompt.open(interrupt: interrupt, renderer: renderer)
        if mode == .semiauto, output == .text {
            Console.note(
                prompt == nil
                    ? "note: no terminal: a step that needs confirmation ends the loop (exit 11)"
                    : "note: each command that changes the cluster is confirmed; answer [e]xit to stop")
        }

        let result: (text: String, json: JSON)
        do {
            result = try client.loop(
                request.joined(separator: " "), options: .object(options), limits: budget.json(interval: interval),
                onEvent: { renderer.handle($0) }, confirm: prompt.map { prompt in { prompt.ask($0) } })
        } catch {
            renderer.close()
            throw VibeStep.interrupted(error, interrupt: interrupt, client: client, flags: flags)
        }
        renderer.close()
        if output == .text {
            renderer.finishLoop(result.json)
        } else {
            if result.json["end"]?.stringValue == "halted", let last = result.json["steps"]?.arrayValue?.last {
                renderer.reportProblem(last)
            }
            Console.printMachine(result.json, raw: result.text, format: output)
        }
        try VibeStep.exit(with: result.json)
    }

    /// The exit status section shared by auto and semiauto.
    static let exitStatus = """
        EXIT STATUS:
          N    DONE's exit code (0 when the planner says the goal is reached)
          N    a halting step's code, never 0: 1 error, 10 declined, 11 needs confirmation and
               no terminal, 12 rejected, or kubectl's failing code
          0    you chose [e]xit (semiauto)
          4    a budget was reached (--limit/--max-steps, --max-seconds, --max-cost)
          5    the same command gave the same result three times (not making progress)
          130  interrupted (Ctrl-C)
        """
}

/// `vibectl auto [REQUEST]`: vibe steps without confirmation until the goal is reached.
struct AutoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auto",
        abstract: "Repeat vibe steps without asking until DONE, a halting error, a budget, or Ctrl-C.",
        discussion: """
            Each step plans one kubectl command from the goal (or memory), runs it and summarises \
            it; the next step sees the previous command's output. Mutating commands run without \
            asking; the confirmations the safety check forces (--force, Secrets, RBAC, ...) still \
            ask on a terminal, and without one they end the loop (exit 11). Every end but DONE \
            exits non-zero, with the reason on stderr.

            EXAMPLES:
              vibectl auto "make every deployment in staging healthy" --max-steps 10
              vibectl auto --interval 30 --max-seconds 1800 "watch web and restart it if it crash-loops"
              vibectl auto -o json "..." | jq .end

            \(LoopRunner.exitStatus)
            """)

    @Argument(help: ArgumentHelp("The goal in plain English (words are joined); memory when omitted.", valueName: "request"))
    var request: [String] = []

    @Option(name: [.customShort("i"), .long], help: ArgumentHelp("Seconds to pause between steps.", valueName: "s"))
    var interval: Double = 5

    @OptionGroup var budget: LoopBudget

    @Option(name: .shortAndLong, help: "Output format: text, json (the loop result document) or yaml.")
    var output: OutputFormat = .text

    @OptionGroup var flags: VibeFlags

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if interval < 0 { throw ValidationError("--interval must not be negative") }
    }

    func run() throws {
        try LoopRunner.run(
            request: request, mode: .auto, interval: interval, budget: budget, flags: flags, output: output, global: global)
    }
}

/// `vibectl semiauto [REQUEST]`: vibe steps, each command that changes the cluster confirmed, with an exit choice.
struct SemiautoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "semiauto",
        abstract: "Repeat vibe steps, confirming each change ([e]xit stops), until DONE or a budget.",
        discussion: """
            Like 'vibectl auto', but every command that needs confirmation is asked on the \
            terminal with the choices [y]es, [n]o, yes [a]nd, no [b]ut, [m]emory and [e]xit. \
            Without a terminal, the first such command ends the loop (exit 11).

            EXAMPLES:
              vibectl semiauto "clean up the failed jobs in batch"
              vibectl semiauto --limit 5

            \(LoopRunner.exitStatus)
            """)

    @Argument(help: ArgumentHelp("The goal in plain English (words are joined); memory when omitted.", valueName: "request"))
    var request: [String] = []

    @OptionGroup var budget: LoopBudget

    @Option(name: .shortAndLong, help: "Output format: text, json (the loop result document) or yaml.")
    var output: OutputFormat = .text

    @OptionGroup var flags: VibeFlags

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try LoopRunner.run(
            request: request, mode: .semiauto, interval: 0, budget: budget, flags: flags, output: output, global: global)
    }
}

/// `vibectl check PREDICATE`: true, false, poorly posed or cannot determine, from read-only commands.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Evaluate a statement about the cluster with read-only commands; the exit status is the verdict.",
        discussion: """
            The model plans read-only kubectl commands (anything else is refused and the verdict \
            is 'cannot determine'), sees their output, and answers. Text output is the verdict \
            and the explanation on stdout; -o json is the result document (verdict, exit_code, \
            explanation, iterations, commands with their output, metrics).

            EXAMPLES:
              vibectl check "every deployment in shop has all replicas ready"
              vibectl check "no pod in web restarted in the last hour" || alert
              vibectl check -o json "the ingress has a TLS certificate" | jq .verdict

            EXIT STATUS:
              0    true
              1    false
              2    poorly posed (also an empty predicate)
              3    cannot determine (also a refused, non-read-only plan, or no verdict in time)
              64   usage error
              130  interrupted (Ctrl-C)
            A library failure (no model key, provider unreachable) is reported as error: and
            also exits 1; use -o json to tell it from 'false' (no document is printed then).
            """)

    @Argument(help: ArgumentHelp("The statement to check (words are joined).", valueName: "predicate"))
    var predicate: [String] = []

    @Option(
        name: .customLong("max-iterations"),
        help: ArgumentHelp("At most N planning steps (default features.check_max_iterations).", valueName: "n"))
    var maxIterations: Int?

    @Option(name: .shortAndLong, help: "Output format: text, json (the check result document) or yaml.")
    var output: OutputFormat = .text

    @OptionGroup var flags: VibeFlags

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let maxIterations, !(1...100).contains(maxIterations) {
            throw ValidationError("--max-iterations must be from 1 to 100")
        }
    }

    func run() throws {
        let flags = VibeFlags.effective(flags)
        let client = try global.client()
        let display = try DisplaySettings(client: client, flags: flags, output: output)
        var options = VibeStep.engineOptions(flags: flags, display: display)
        if let maxIterations { options.append(("max_iterations", .number(String(maxIterations)))) }

        let interrupt = Interrupt(client: client)
        defer { interrupt.restore() }
        let renderer = VibeRenderer(display: display)
        defer { renderer.close() }
        let result: (text: String, json: JSON)
        do {
            result = try client.check(
                predicate.joined(separator: " "), options: .object(options), onEvent: { renderer.handle($0) })
        } catch {
            renderer.close()
            throw VibeStep.interrupted(error, interrupt: interrupt, client: client, flags: flags)
        }
        renderer.close()
        if output == .text {
            let verdict = result.json["verdict"]?.stringValue ?? "cannot_determine"
            let label = verdict.replacingOccurrences(of: "_", with: " ")
            let explanation = result.json["explanation"]?.stringValue ?? ""
            Console.out(explanation.isEmpty ? label : "\(label): \(explanation)")
            if display.showMetrics.totals, let metrics = result.json["metrics"] {
                Console.err("metrics: " + VibeRenderer.totalMetrics(metrics))
            }
        } else {
            Console.printMachine(result.json, raw: result.text, format: output)
        }
        try VibeStep.exit(with: result.json)
    }
}
