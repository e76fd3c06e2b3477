import ArgumentParser
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A kubectl verb that vibectl wraps as `vibectl <verb> ARGS...` and `vibectl <verb> vibe REQUEST`.
protocol KubectlVerb {
    /// The verb, e.g. "get".
    static var name: String { get }
    /// What kubectl does with it, for the help.
    static var abstract: String { get }
    /// One example of the standard form, e.g. "get pods -n kube-system".
    static var example: String { get }
    /// One example request of the vibe form.
    static var vibeExample: String { get }
}

/// Marks the commands whose arguments belong to kubectl (for ``ArgumentRewrite``).
protocol KubectlVerbCommand {}

/// `vibectl <verb> ARGS...`: kubectl's verb, its output summarised; `vibectl <verb> vibe REQUEST` plans its arguments.
struct VerbCommand<Verb: KubectlVerb>: ParsableCommand, KubectlVerbCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: Verb.name,
            abstract: "kubectl \(Verb.name), summarised (\(Verb.abstract)).",
            discussion: """
                Runs `kubectl \(Verb.name) ARGS...` (arguments untouched, unknown flags included; -o \
                is kubectl's), then the model summarises the output with the focus of '\(Verb.name)'. \
                Without a usable model kubectl's own output is printed, with one line saying why \
                there is no summary. vibectl's own flags (--model, --show-raw-output, --no-show-vibe, \
                --show-kubectl, --freeze-memory, --json, ...) may come before or after the verb; \
                nothing after '--' is ever taken as vibectl's. `vibectl \(Verb.name) vibe REQUEST` \
                plans the arguments of '\(Verb.name)' for the request and runs them as 'vibectl vibe' \
                does (confirmation, safety check, summary). Interactive and live forms (exec -it, \
                attach, edit, port-forward, get -w, logs -f, events -w, --help) run kubectl attached to \
                the terminal, without a summary.

                EXAMPLES:
                  vibectl \(Verb.example)
                  vibectl \(Verb.name) vibe "\(Verb.vibeExample)"
                  vibectl \(Verb.example) --show-raw-output

                EXIT STATUS:
                  N    kubectl's own exit status (diff: 1 when there are differences)
                  1    failure (kubectl not found, a library error)
                  10, 11, 12, 130   the vibe form: as 'vibectl vibe'
                  64   usage error (e.g. 'vibe' without a request)
                """)
    }

    // `Vibectl.main` hands a verb's words to ``VerbRunner`` before swift-argument-parser sees them
    // (see ``VerbDispatch``); this declaration serves help and completion. It is not
    // `.captureForPassthrough`: a root subcommand that captures makes the root stop its option scan
    // at any word of that name, which broke `vibectl config get KEY --config-dir DIR`.
    @Argument(
        parsing: .remaining,
        help: ArgumentHelp("kubectl's arguments after '\(Verb.name)', or 'vibe' and a request.", valueName: "args"))
    var arguments: [String] = []

    func run() throws {
        try VerbRunner.run(verb: Verb.name, captured: arguments)
    }
}

/// Finds a verb command on the command line, so that its words reach ``VerbRunner`` untouched.
enum VerbDispatch {
    /// The verb names (the verb commands and `version`).
    static var names: Set<String> { Set(VerbTable.all.map { $0.name }) }

    /// `(root options, verb, the verb's words)` when the first word after the root options is a
    /// verb; nil otherwise (also for `--help` among the root options).
    static func split(_ arguments: [String]) -> (root: [String], verb: String, rest: [String])? {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" || argument == "-h" || argument == "--help" { return nil }
            if argument.hasPrefix("-") {
                if ArgumentRewrite.rootValueOptions.contains(argument) { index += 1 }
                index += 1
                continue
            }
            guard names.contains(argument) else { return nil }
            return (Array(arguments[..<index]), argument, Array(arguments[(index + 1)...]))
        }
        return nil
    }
}

/// The words after a verb, split into kubectl's arguments and vibectl's own flags.
///
/// vibectl's flags are recognised anywhere before a `--` (after it everything is kubectl's, `--`
/// included). `-o/--output` is never vibectl's here: it is kubectl's output format. vibectl's
/// machine output for a verb is `--json` or `--yaml` (or `-o json|yaml` before the verb).
struct VerbTail {
    /// kubectl's arguments, in order.
    var kubectlArgs: [String] = []
    /// The recognised vibectl flags, for ``VibeFlags``.
    var flagArgs: [String] = []
    /// `--config-dir`.
    var configDir: String?
    /// `--json` / `--yaml` (text when neither).
    var output: OutputFormat = .text

    /// vibectl's flags that take a value.
    static let valueFlags: Set<String> = ["--model", "--mode", "--show-metrics"]
    /// vibectl's flags without a value.
    static let boolFlags: Set<String> = [
        "--yes", "--freeze-memory", "--show-raw-output", "--no-show-raw-output", "--show-vibe", "--no-show-vibe",
        "--show-kubectl", "--no-show-kubectl", "--show-streaming", "--no-show-streaming",
    ]

    init(_ arguments: [String]) throws(CLIError) {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" {
                kubectlArgs.append(contentsOf: arguments[index...])
                break
            }
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            let hasInlineValue = argument.contains("=")
            if Self.boolFlags.contains(argument) {
                flagArgs.append(argument)
            } else if argument == "--json" {
                output = .json
            } else if argument == "--yaml" {
                output = .yaml
            } else if Self.valueFlags.contains(name) || name == "--config-dir" {
                let value: String
                if hasInlineValue {
                    value = String(argument.dropFirst(name.count + 1))
                } else {
                    guard index + 1 < arguments.count else {
                        throw CLIError(
                            message: "missing value for '\(name)'", hint: "e.g. \(name) VALUE (vibectl's own option)",
                            exitCode: 64)
                    }
                    index += 1
                    value = arguments[index]
                }
                if name == "--config-dir" {
                    configDir = value
                } else {
                    flagArgs.append(name + "=" + value)
                }
            } else {
                kubectlArgs.append(argument)
            }
            index += 1
        }
    }

    /// The vibe flags in effect: these, then the ones given before the verb.
    func flags() throws(CLIError) -> VibeFlags {
        do {
            return try VibeFlags.parse(flagArgs).merged(with: RootOptions.shared.vibeFlags)
        } catch {
            throw CLIError(message: VibeFlags.message(for: error), exitCode: 64)
        }
    }

    /// A client for `--config-dir` given here or before the verb.
    func client() throws(CLIError) -> Client {
        try Client(configDir: configDir ?? RootOptions.shared.configDir)
    }
}

/// Runs a verb command: the vibe form, a pass-through with the terminal attached, or the standard path.
enum VerbRunner {
    /// The subcommands of `rollout`.
    static let rolloutSubcommands = ["status", "history", "undo", "restart", "pause", "resume"]

    static func run(verb: String, captured: [String]) throws {
        let tail = try VerbTail(captured)
        let flags = try tail.flags()
        let args = tail.kubectlArgs

        if args.first == "vibe" {
            let words = args.dropFirst().filter { $0 != "--" }
            let request = words.joined(separator: " ").trimmingCharacters(in: .whitespaces)
            guard !request.isEmpty else {
                throw CLIError(
                    message: "missing request after 'vibe'",
                    hint: "Say what you want in plain English, e.g.: vibectl \(verb) vibe \"\(example(for: verb))\"",
                    exitCode: 64)
            }
            let client = try tail.client()
            try VibeStep.run(request: request, verb: verb, flags: flags, output: tail.output, client: client)
            return
        }

        if verb == "rollout" { try checkRollout(args) }

        let stdinIsTerminal = isatty(STDIN_FILENO) == 1
        let readsStdin = readsStandardInput(args)
        let client = try tail.client()
        if needsTerminal(verb: verb, args: args) || (readsStdin && stdinIsTerminal) {
            if flags.showKubectl == true { Console.err((["kubectl", verb] + args).joined(separator: " ")) }
            let code = try SignalsIgnored.during([SIGINT, SIGQUIT]) { () throws(CLIError) -> Int32 in
                try client.kubectlPassthrough([verb] + args)
            }
            if code != 0 { throw ExitCode(code) }
            return
        }
        let stdin = readsStdin ? try MemorySet.readStandardInput() : nil
        try runStandard(verb: verb, args: args, stdin: stdin, flags: flags, output: tail.output, client: client)
    }

    /// `vibectl_run`: kubectl captured, then the summary (or kubectl's output and why there is none).
    static func runStandard(
        verb: String, args: [String], stdin: String?, flags: VibeFlags, output: OutputFormat, client: Client
    ) throws {
        let display = try DisplaySettings(client: client, flags: flags, output: output)
        var options = VibeStep.engineOptions(flags: flags, display: display)
        options.append(("summary", .bool(display.showVibe)))
        if let stdin { options.append(("stdin", .string(stdin))) }

        let interrupt = Interrupt(client: client)
        defer { interrupt.restore() }
        let renderer = VibeRenderer(display: display, noSummaryIsNote: true)
        defer { renderer.close() }
        let result: (text: String, json: JSON)
        do {
            result = try client.run([verb] + args, options: .object(options), onEvent: { renderer.handle($0) })
        } catch {
            renderer.close()
            throw VibeStep.interrupted(error, interrupt: interrupt, client: client, flags: flags)
        }
        renderer.close()
        if output == .text {
            renderer.finish(result.json)
        } else {
            Console.printMachine(result.json, raw: result.text, format: output)
        }
        try VibeStep.exit(with: result.json)
    }

    /// Whether kubectl must run attached to the terminal, without a summary: interactive verbs,
    /// live watch/follow, port-forward, and kubectl's own help.
    static func needsTerminal(verb: String, args: [String]) -> Bool {
        let options = Array(args.prefix { $0 != "--" })
        if options.contains("-h") || options.contains("--help") { return true }
        func flag(_ long: [String], short: Character?, valueShorts: Set<Character>) -> Bool {
            for option in options {
                for name in long {
                    if option == name || option == name + "=true" { return true }
                }
                if let short, option.hasPrefix("-"), !option.hasPrefix("--"), option.count > 1 {
                    // A cluster of one-letter flags, e.g. -it or -Aw; a letter that takes a value ends it.
                    for letter in option.dropFirst() {
                        if letter == short { return true }
                        if valueShorts.contains(letter) || !letter.isLetter { break }
                    }
                }
            }
            return false
        }
        switch verb {
        case "attach", "edit", "port-forward":
            return true
        case "exec":
            return flag(["--stdin"], short: "i", valueShorts: ["c", "n", "s", "f"])
                || flag(["--tty"], short: "t", valueShorts: ["c", "n", "s", "f"])
        case "get":
            return flag(["--watch", "--watch-only"], short: "w", valueShorts: ["n", "o", "l", "L", "f", "k", "s"])
        case "logs":
            return flag(["--follow"], short: "f", valueShorts: ["c", "l", "n", "s"])
        case "events":
            return flag(["--watch"], short: "w", valueShorts: ["n", "o", "s"])
        default:
            return false
        }
    }

    /// Whether the arguments ask kubectl to read a manifest on stdin (`-f -`, `--filename=-`, ...).
    static func readsStandardInput(_ args: [String]) -> Bool {
        let options = Array(args.prefix { $0 != "--" })
        for (index, option) in options.enumerated() {
            if ["--filename=-", "-f=-", "-f-"].contains(option) { return true }
            if option == "-f" || option == "--filename", index + 1 < options.count, options[index + 1] == "-" {
                return true
            }
        }
        return false
    }

    /// `rollout` needs one of its subcommands (the original crashed on every one; each works here).
    static func checkRollout(_ args: [String]) throws(CLIError) {
        let valueOptions: Set<String> = [
            "-n", "--namespace", "--context", "--kubeconfig", "-s", "--server", "--cluster", "--user",
        ]
        var index = 0
        var subcommand: String?
        while index < args.count {
            let argument = args[index]
            if argument == "--" { break }
            if valueOptions.contains(argument) {
                index += 2
                continue
            }
            if !argument.hasPrefix("-") {
                subcommand = argument
                break
            }
            index += 1
        }
        let list = rolloutSubcommands.joined(separator: ", ")
        guard let subcommand else {
            throw CLIError(
                message: "missing subcommand for rollout; use one of: \(list)",
                hint: "e.g. vibectl rollout status deployment/web, or vibectl rollout vibe \"undo the last web rollout\"",
                exitCode: 64)
        }
        guard rolloutSubcommands.contains(subcommand) else {
            throw CLIError(message: "unknown rollout subcommand '\(subcommand)'; use one of: \(list)", exitCode: 64)
        }
    }

    /// An example request for a verb's vibe form.
    static func example(for verb: String) -> String {
        VerbTable.all.first { $0.name == verb }?.vibeExample ?? "what you want"
    }
}

/// Every verb command.
enum VerbTable {
    /// The verb types, in help order.
    static let all: [any KubectlVerb.Type] = [
        Verbs.Get.self, Verbs.Describe.self, Verbs.Logs.self, Verbs.Events.self, Verbs.Create.self,
        Verbs.Delete.self, Verbs.Scale.self, Verbs.Rollout.self, Verbs.Wait.self, Verbs.Apply.self,
        Verbs.Patch.self, Verbs.Edit.self, Verbs.Diff.self, Verbs.ClusterInfo.self, Verbs.Exec.self,
        Verbs.Cp.self, Verbs.Top.self, Verbs.Explain.self, Verbs.Label.self, Verbs.Annotate.self,
        Verbs.Auth.self, Verbs.Cordon.self, Verbs.Uncordon.self, Verbs.Drain.self, Verbs.ApiResources.self,
        Verbs.ApiVersions.self, Verbs.Attach.self, Verbs.PortForward.self, Verbs.Version.self,
    ]

    /// The verb subcommands the root command registers: all of them when the command line asks for help or a
    /// completion script, none otherwise. Verbs are dispatched before argument parsing (``VerbDispatch``), so
    /// the parser needs their types only to describe them, and instantiating 28 generic command types costs
    /// every start-up about a millisecond.
    static var registered: [any ParsableCommand.Type] {
        let describing: Set<String> = ["-h", "--help", "-help", "help", "--help-hidden", "completion", "--experimental-dump-help"]
        let asksForDescription = CommandLine.arguments.dropFirst().contains { argument in
            describing.contains(argument) || argument.hasPrefix("---completion")
                || argument.hasPrefix("--generate-completion-script")
        }
        return asksForDescription ? commands : []
    }

    /// The subcommands of the root command (`version` is ``VersionCommand``, which also serves the verb).
    static let commands: [any ParsableCommand.Type] = [
        VerbCommand<Verbs.Get>.self, VerbCommand<Verbs.Describe>.self, VerbCommand<Verbs.Logs>.self,
        VerbCommand<Verbs.Events>.self, VerbCommand<Verbs.Create>.self, VerbCommand<Verbs.Delete>.self,
        VerbCommand<Verbs.Scale>.self, VerbCommand<Verbs.Rollout>.self, VerbCommand<Verbs.Wait>.self,
        VerbCommand<Verbs.Apply>.self, VerbCommand<Verbs.Patch>.self, VerbCommand<Verbs.Edit>.self,
        VerbCommand<Verbs.Diff>.self, VerbCommand<Verbs.ClusterInfo>.self, VerbCommand<Verbs.Exec>.self,
        VerbCommand<Verbs.Cp>.self, VerbCommand<Verbs.Top>.self, VerbCommand<Verbs.Explain>.self,
        VerbCommand<Verbs.Label>.self, VerbCommand<Verbs.Annotate>.self, VerbCommand<Verbs.Auth>.self,
        VerbCommand<Verbs.Cordon>.self, VerbCommand<Verbs.Uncordon>.self, VerbCommand<Verbs.Drain>.self,
        VerbCommand<Verbs.ApiResources>.self, VerbCommand<Verbs.ApiVersions>.self, VerbCommand<Verbs.Attach>.self,
        VerbCommand<Verbs.PortForward>.self,
    ]
}

/// The verbs (one type each, as swift-argument-parser wants a type per command).
enum Verbs {
    enum Get: KubectlVerb {
        static let name = "get", abstract = "list resources", example = "get pods -n kube-system"
        static let vibeExample = "all nginx pods in kube-system"
    }
    enum Describe: KubectlVerb {
        static let name = "describe", abstract = "show a resource in detail", example = "describe pod web-1"
        static let vibeExample = "why is the web pod pending"
    }
    enum Logs: KubectlVerb {
        static let name = "logs", abstract = "print a container's logs", example = "logs web-1 --tail=200"
        static let vibeExample = "errors of the web deployment in the last hour"
    }
    enum Events: KubectlVerb {
        static let name = "events", abstract = "list events", example = "events -n web"
        static let vibeExample = "warnings in the web namespace"
    }
    enum Create: KubectlVerb {
        static let name = "create", abstract = "create a resource", example = "create namespace staging"
        static let vibeExample = "a configmap app-config with LOG_LEVEL=debug"
    }
    enum Delete: KubectlVerb {
        static let name = "delete", abstract = "delete resources", example = "delete pod web-1"
        static let vibeExample = "the completed jobs in batch"
    }
    enum Scale: KubectlVerb {
        static let name = "scale", abstract = "set the replicas", example = "scale deployment/web --replicas=3"
        static let vibeExample = "web to three replicas"
    }
    enum Rollout: KubectlVerb {
        static let name = "rollout", abstract = "status, history, undo, restart, pause, resume"
        static let example = "rollout status deployment/web", vibeExample = "undo the last web rollout"
    }
    enum Wait: KubectlVerb {
        static let name = "wait", abstract = "wait for a condition"
        static let example = "wait --for=condition=Ready pod/web-1 --timeout=60s", vibeExample = "until web is available"
    }
    enum Apply: KubectlVerb {
        static let name = "apply", abstract = "apply a manifest", example = "apply -f deploy.yaml"
        static let vibeExample = "an nginx deployment with two replicas"
    }
    enum Patch: KubectlVerb {
        static let name = "patch", abstract = "patch a resource"
        static let example = #"patch deployment web -p '{"spec":{"replicas":2}}'"#
        static let vibeExample = "add the label tier=frontend to web"
    }
    enum Edit: KubectlVerb {
        static let name = "edit", abstract = "edit a resource in $EDITOR, interactive", example = "edit deployment/web"
        static let vibeExample = "raise the web memory limit to 512Mi"
    }
    enum Diff: KubectlVerb {
        static let name = "diff", abstract = "diff a manifest against the cluster, exit 1 on differences"
        static let example = "diff -f deploy.yaml", vibeExample = "what would change if I applied deploy.yaml"
    }
    enum ClusterInfo: KubectlVerb {
        static let name = "cluster-info", abstract = "the control plane's addresses", example = "cluster-info"
        static let vibeExample = "is the control plane reachable"
    }
    enum Exec: KubectlVerb {
        static let name = "exec", abstract = "run a command in a container; -it is interactive"
        static let example = "exec web-1 -- cat /etc/os-release", vibeExample = "show the environment of web-1"
    }
    enum Cp: KubectlVerb {
        static let name = "cp", abstract = "copy files to and from containers", example = "cp web-1:/tmp/dump ./dump"
        static let vibeExample = "copy /var/log/app.log from web-1 to here"
    }
    enum Top: KubectlVerb {
        static let name = "top", abstract = "CPU and memory use", example = "top pods -n web"
        static let vibeExample = "which pods use the most memory"
    }
    enum Explain: KubectlVerb {
        static let name = "explain", abstract = "document a resource's fields", example = "explain deployment.spec.strategy"
        static let vibeExample = "what maxSurge means"
    }
    enum Label: KubectlVerb {
        static let name = "label", abstract = "set labels", example = "label pod web-1 tier=frontend"
        static let vibeExample = "mark web-1 as canary"
    }
    enum Annotate: KubectlVerb {
        static let name = "annotate", abstract = "set annotations", example = "annotate deployment web owner=team-a"
        static let vibeExample = "note that web is owned by team-a"
    }
    enum Auth: KubectlVerb {
        static let name = "auth", abstract = "can-i, whoami", example = "auth can-i create deployments -n web"
        static let vibeExample = "can I delete pods in web"
    }
    enum Cordon: KubectlVerb {
        static let name = "cordon", abstract = "mark a node unschedulable", example = "cordon node-1"
        static let vibeExample = "the node with the most failing pods"
    }
    enum Uncordon: KubectlVerb {
        static let name = "uncordon", abstract = "mark a node schedulable", example = "uncordon node-1"
        static let vibeExample = "every cordoned node"
    }
    enum Drain: KubectlVerb {
        static let name = "drain", abstract = "evict a node's pods", example = "drain node-1 --ignore-daemonsets"
        static let vibeExample = "node-1 for maintenance"
    }
    enum ApiResources: KubectlVerb {
        static let name = "api-resources", abstract = "the resource types", example = "api-resources --namespaced=true"
        static let vibeExample = "which resources belong to networking"
    }
    enum ApiVersions: KubectlVerb {
        static let name = "api-versions", abstract = "the API versions", example = "api-versions"
        static let vibeExample = "is autoscaling/v2 available"
    }
    enum Attach: KubectlVerb {
        static let name = "attach", abstract = "attach to a running container, interactive", example = "attach -it web-1"
        static let vibeExample = "the main container of web-1"
    }
    enum PortForward: KubectlVerb {
        static let name = "port-forward", abstract = "forward local ports, until Ctrl-C"
        static let example = "port-forward svc/web 8080:80", vibeExample = "the web service to local port 8080"
    }
    enum Version: KubectlVerb {
        static let name = "version", abstract = "client and server versions", example = "version --client"
        static let vibeExample = "is the server older than the client"
    }
}
