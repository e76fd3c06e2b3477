import ArgumentParser
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Options every command accepts, before or after the subcommand.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .customLong("config-dir"),
        help: ArgumentHelp(
            "Configuration directory (default: $VIBECTL_CONFIG_DIR, $XDG_CONFIG_HOME/vibectl, ~/.config/vibectl).",
            valueName: "dir"),
        completion: .directory)
    var configDir: String?

    /// Creates a client for these options.
    func client() throws(CLIError) -> Client {
        try Client(configDir: configDir ?? RootOptions.shared.configDir)
    }
}

/// What the root command parsed, for subcommands that cannot declare the global options
/// themselves (`just` passes every argument after it to kubectl untouched).
final class RootOptions: @unchecked Sendable {
    /// The one instance.
    static let shared = RootOptions()
    private let lock = NSLock()
    private var storedConfigDir: String?
    private var storedVibeFlags: VibeFlags?

    /// The `--config-dir` given before the subcommand.
    var configDir: String? {
        get { lock.withLock { storedConfigDir } }
        set { lock.withLock { storedConfigDir = newValue } }
    }

    /// The vibe flags the root command parsed (`--yes`, `--model`, ...).
    var vibeFlags: VibeFlags? {
        get { lock.withLock { storedVibeFlags } }
        set { lock.withLock { storedVibeFlags = newValue } }
    }
}

/// The `vibectl` command.
@main
struct Vibectl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vibectl",
        abstract: "Drive kubectl in plain English, with memory, on top of libvibectl.",
        discussion: """
            vibectl is a thin front end for libvibectl: every command below calls the C \
            functions of include/vibectl.h, so a C program or the Python binding can do the same.

            Configuration lives in <config-dir>/client/config.yaml; values come from \
            VIBECTL_<SECTION>_<KEY> environment variables, then the file, then the defaults \
            ('vibectl config schema' lists every key).

            EXAMPLES:
              # Ask in plain English: vibectl plans a kubectl command, runs it and summarises
              vibectl vibe "which pods in payments are not ready, and why?"
              # Allow commands that change the cluster without asking (flags go before or after)
              vibectl --yes vibe "scale deployment web to 3 replicas"
              # Explain piped output
              kubectl logs web-1 | vibectl vibe "why did it crash"
              # Show the effective configuration and where each value comes from
              vibectl config show
              # Use another kubectl binary
              vibectl config set core.kubectl_command /usr/local/bin/kubectl
              # kubectl's own verbs, summarised (flags pass through; -o is kubectl's)
              vibectl get pods -n payments --show-raw-output
              vibectl logs web-1 --tail=500
              # ... or planned from a request for that verb
              vibectl scale vibe "web to 3 replicas"
              # Loops and checks
              vibectl auto "make every deployment in staging healthy" --max-steps 10
              vibectl check "every deployment in shop has all replicas ready"
              # Run kubectl through vibectl (every argument after 'just' goes to kubectl)
              vibectl just get pods -n kube-system
              # See which models have keys, and test them (latency, tokens, cost)
              vibectl model list
              vibectl model test gpt-4o claude-sonnet-4
              # Remember context between commands
              vibectl memory set "Working in the staging cluster, namespace payments"
              vibectl memory update "web now runs 3 replicas"
              # See exactly what a model would be sent for some output (redacted, compacted)
              kubectl get pods -A -o json | vibectl compact --budget 2000
              # Check a planned command: exit 0 safe, 2 confirm, 3 reject
              vibectl classify -- delete pod web-1 --force
              # Enable bash completion
              source <(vibectl completion bash)

            EXIT STATUS:
              0     success
              1     failure (stderr has the error, and a hint when there is a fix)
              64    usage error (unknown command or option, missing argument)
              2, 3  'vibectl classify': confirm, reject (0 is safe)
              0-3   'vibectl check': true, false, poorly posed, cannot determine
              4, 5  'vibectl auto'/'semiauto': a budget was reached; the plan kept repeating
              N     'vibectl just' and the verb commands ('vibectl get ...') exit with kubectl's
                    own exit status; 'vibectl vibe' too when a command ran, or with the
                    planner's code when it says DONE
              10    'vibectl vibe': you declined the command
              11    'vibectl vibe': the command needs confirmation and there is no terminal
                    (re-run with --yes, or in a terminal)
              12    'vibectl vibe': the safety check rejected the planned command
              130   interrupted (Ctrl-C)

            ENVIRONMENT:
              VIBECTL_CONFIG_DIR      configuration directory (--config-dir wins)
              VIBECTL_<P>_API_KEY     API key of provider P (also <P>_API_KEY, e.g. OPENAI_API_KEY)
              NO_COLOR, TERM=dumb     disable colour (colour is used only on a terminal)
            """,
        // Grouped in the help ("VIBE SUBCOMMANDS:", ...); parsing sees every group's commands alike.
        groupedSubcommands: [
            CommandGroup(
                name: "Vibe",
                subcommands: [
                    VibeCommand.self, AutoCommand.self, SemiautoCommand.self, CheckCommand.self, MemoryCommand.self,
                    InstructionsCommand.self,
                ]),
            CommandGroup(name: "kubectl verb", subcommands: VerbTable.registered),
            CommandGroup(
                name: "Tool",
                subcommands: [
                    ConfigCommand.self, ModelCommand.self, CompactCommand.self, RedactCommand.self,
                    ClassifyCommand.self, JustCommand.self, VersionCommand.self, CompletionCommand.self,
                ]),
        ]
    )

    @OptionGroup var global: GlobalOptions

    @OptionGroup(title: "Options for vibe and memory update (before or after the subcommand)")
    var vibeFlags: VibeFlags

    mutating func validate() throws {
        RootOptions.shared.configDir = global.configDir
        RootOptions.shared.vibeFlags = vibeFlags
    }

    /// Parses the command line, runs the command and exits with the documented status.
    static func main() {
        let exitStatus: Int32
        do {
            let arguments = ArgumentRewrite.moveLeadingOutputOption(
                ArgumentRewrite.asKubectlPlugin(
                    Array(CommandLine.arguments.dropFirst()), program: CommandLine.arguments.first ?? "", root: Vibectl.self),
                root: Vibectl.self)
            if let (root, verb, rest) = VerbDispatch.split(arguments) {
                // The root options parse as usual; the verb's words go to kubectl and vibectl's flags among them.
                _ = try parseAsRoot(root)
                if verb == "version" {
                    try VersionCommand.run(captured: rest)
                } else {
                    try VerbRunner.run(verb: verb, captured: rest)
                }
            } else {
                var command = try parseAsRoot(arguments)
                try command.run()
            }
            exitStatus = 0
        } catch let error as CLIError {
            Console.error(error.message, hint: error.hint)
            exitStatus = error.exitCode
        } catch {
            let code = exitCode(for: error)
            let text = fullMessage(for: error)
            if text.isEmpty {
                // An ExitCode thrown on purpose (e.g. kubectl's status from `just`).
            } else if code == .success {
                Console.out(text)
            } else if text.hasPrefix("Error: ") {
                // ArgumentParser's usage errors, in vibectl's `error: ` style.
                let body = text.dropFirst("Error: ".count)
                let firstLine = body.prefix { $0 != "\n" }
                let rest = body.dropFirst(firstLine.count)
                Console.error(String(firstLine), hint: nil)
                let usage = rest.trimmingCharacters(in: .whitespacesAndNewlines)
                if !usage.isEmpty { Console.err(usage) }
            } else {
                Console.err(text)
            }
            exitStatus = code.rawValue
        }
        Glibc.exit(exitStatus)
    }
}
