import ArgumentParser
import Foundation

/// How a confirmation is handled: `--mode`.
enum ExecutionModeOption: String, ExpressibleByArgument, CaseIterable, Sendable {
    case manual, semiauto, auto
}

/// Which model metrics to print: `--show-metrics`.
enum MetricsDisplay: String, ExpressibleByArgument, CaseIterable, Sendable {
    case hidden = "none", total, sub, all

    /// Whether each model call's metrics are printed.
    var perCall: Bool { self == .sub || self == .all }
    /// Whether the step's totals are printed.
    var totals: Bool { self == .total || self == .all }
}

/// vibectl's own flags for commands that plan and run steps. The root command declares them
/// too, so they work before or after the subcommand (`vibectl --yes vibe ...`,
/// `vibectl vibe --yes ...`); ``RootOptions`` keeps what the root parsed.
struct VibeFlags: ParsableArguments, Sendable {
    @Option(help: ArgumentHelp("The model for this call (default: llm.model), e.g. gpt-4o.", valueName: "name"))
    var model: String?

    @Flag(help: "Run commands that need confirmation without asking (except those the safety check always asks about).")
    var yes = false

    @Option(help: ArgumentHelp("Confirmation mode for this call (default: security.confirmation_mode).", valueName: "mode"))
    var mode: ExecutionModeOption?

    @Flag(name: .customLong("freeze-memory"), help: "Read memory but do not update it during this call.")
    var freezeMemory = false

    @Flag(
        name: .customLong("show-raw-output"), inversion: .prefixedNo,
        help: "Print kubectl's own output as well as the summary (default: display.show_raw_output).")
    var showRawOutput: Bool?

    @Flag(
        name: .customLong("show-vibe"), inversion: .prefixedNo,
        help: "Print the model's summary (default: display.show_vibe).")
    var showVibe: Bool?

    @Flag(
        name: .customLong("show-kubectl"), inversion: .prefixedNo,
        help: "Print each kubectl command on stderr before it runs (default: display.show_kubectl).")
    var showKubectl: Bool?

    @Option(
        name: .customLong("show-metrics"),
        help: ArgumentHelp(
            "Model metrics on stderr: none, total, sub (each call) or all (default: display.show_metrics).",
            valueName: "which"))
    var showMetrics: MetricsDisplay?

    @Flag(
        name: .customLong("show-streaming"), inversion: .prefixedNo,
        help: "Print the summary as it arrives, on a terminal (default: display.show_streaming).")
    var showStreaming: Bool?

    /// These flags where given, else the ones given before the subcommand (`root`).
    func merged(with root: VibeFlags?) -> VibeFlags {
        guard let root else { return self }
        var merged = self
        merged.model = model ?? root.model
        merged.yes = yes || root.yes
        merged.mode = mode ?? root.mode
        merged.freezeMemory = freezeMemory || root.freezeMemory
        merged.showRawOutput = showRawOutput ?? root.showRawOutput
        merged.showVibe = showVibe ?? root.showVibe
        merged.showKubectl = showKubectl ?? root.showKubectl
        merged.showMetrics = showMetrics ?? root.showMetrics
        merged.showStreaming = showStreaming ?? root.showStreaming
        return merged
    }

    /// The flags in effect for a subcommand: its own merged with the root's.
    static func effective(_ local: VibeFlags) -> VibeFlags {
        local.merged(with: RootOptions.shared.vibeFlags)
    }
}

/// Moves `-o/--output FORMAT` given before the subcommand to after it, where the subcommand's
/// own `-o` option parses it (`vibectl -o json vibe ...` is `vibectl vibe -o json ...`). The
/// root command parses its other options wherever they appear, so only `-o` needs this. Nothing
/// moves for `just`, whose arguments all belong to kubectl.
enum ArgumentRewrite {
    /// The root's options that take a value, so their values are not mistaken for the subcommand.
    static let rootValueOptions: Set<String> = ["--config-dir", "--model", "--mode", "--show-metrics"]

    /// `arguments` for `kubectl vibe …`: kubectl runs the plugin `kubectl-vibe` with the words after `vibe`,
    /// so `kubectl vibe "show failing pods"` means `vibectl vibe "show failing pods"`. When the program is
    /// named `kubectl-vibe` and its first word is not a vibectl command, `vibe` goes in front of that word
    /// (or at the end when there is none: plan the next step from memory); `kubectl vibe get pods` and
    /// `kubectl vibe memory show` keep their meaning.
    static func asKubectlPlugin(_ arguments: [String], program: String, root: any ParsableCommand.Type) -> [String] {
        guard program.split(separator: "/").last == "kubectl-vibe" else { return arguments }
        var index = 0
        while index < arguments.count, arguments[index].hasPrefix("-"), arguments[index] != "--" {
            if ["-h", "--help", "--version"].contains(arguments[index]) { return arguments }
            index += rootValueOptions.contains(arguments[index]) ? 2 : 1
        }
        var result = arguments
        if index < arguments.count {
            let word = arguments[index]
            let known = root.configuration.subcommands.contains {
                $0.configuration.commandName == word || $0.configuration.aliases.contains(word)
            }
            if known || word == "help" { return arguments }
            result.insert("vibe", at: index)
        } else {
            result.append("vibe")
        }
        return result
    }

    /// `arguments` (without the program name) with a leading `-o FORMAT` moved after the subcommand path.
    static func moveLeadingOutputOption(_ arguments: [String], root: any ParsableCommand.Type) -> [String] {
        var moved: [String] = []
        var kept: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            guard argument.hasPrefix("-"), argument != "--", argument != "-" else { break }
            if argument == "-o" || argument == "--output" {
                moved.append(argument)
                if index + 1 < arguments.count { moved.append(arguments[index + 1]) }
                index += 2
                continue
            }
            if argument.hasPrefix("--output=") || (argument.hasPrefix("-o") && !argument.hasPrefix("--")) {
                moved.append(argument)
                index += 1
                continue
            }
            kept.append(argument)
            if rootValueOptions.contains(argument), index + 1 < arguments.count {
                kept.append(arguments[index + 1])
                index += 1
            }
            index += 1
        }
        guard !moved.isEmpty else { return arguments }
        // The subcommand path: as many names as match the command tree.
        var rest = Array(arguments[index...])
        var command: any ParsableCommand.Type = root
        var depth = 0
        if let first = rest.first, VerbDispatch.names.contains(first) {
            // A verb (registered with the parser only for help; see VerbTable.registered): after it, -o is
            // kubectl's, so vibectl's own format goes as --json / --yaml.
            rest.insert(contentsOf: verbOutputOptions(moved), at: 1)
            return kept + rest
        }
        while depth < rest.count,
            let next = command.configuration.subcommands.first(where: {
                $0.configuration.commandName == rest[depth] || $0.configuration.aliases.contains(rest[depth])
            })
        {
            if ObjectIdentifier(next) == ObjectIdentifier(JustCommand.self) { return arguments }
            if next is any KubectlVerbCommand.Type {
                // After a verb, -o is kubectl's: vibectl's own format goes as --json / --yaml.
                rest.insert(contentsOf: verbOutputOptions(moved), at: depth + 1)
                return kept + rest
            }
            command = next
            depth += 1
        }
        guard depth > 0 else { return arguments }
        rest.insert(contentsOf: moved, at: depth)
        return kept + rest
    }

    /// `-o json|yaml|text` given before a verb, as the verb's `--json` / `--yaml` (text: nothing);
    /// any other format (`-o wide`) is kubectl's and stays `-o FORMAT`.
    static func verbOutputOptions(_ moved: [String]) -> [String] {
        var result: [String] = []
        var index = 0
        while index < moved.count {
            let option = moved[index]
            var value: String
            if option == "-o" || option == "--output" {
                value = index + 1 < moved.count ? moved[index + 1] : ""
                index += 2
            } else if option.hasPrefix("--output=") {
                value = String(option.dropFirst("--output=".count))
                index += 1
            } else {
                value = String(option.dropFirst(2))
                if value.hasPrefix("=") { value.removeFirst() }
                index += 1
            }
            switch value {
            case "json": result.append("--json")
            case "yaml": result.append("--yaml")
            case "text": break
            default: result.append(contentsOf: ["-o", value])
            }
        }
        return result
    }
}
