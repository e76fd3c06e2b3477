import VibectlCore

/// What the safety classifier says about a planned kubectl command.
public enum SafetyVerdict: String, Sendable, Codable {
    /// The command only reads; it may run without asking.
    case safe
    /// The command changes something; a human (or, unless `forced`, auto mode) must approve it.
    case confirm
    /// The command must not run: it is not a plain kubectl command or it redirects credentials or target.
    case reject
}

/// The kind of effect a kubectl verb has.
public enum VerbClass: String, Sendable, Codable {
    /// The verb only reads from the cluster or the local kubeconfig.
    case readOnly = "read-only"
    /// The verb changes the cluster or the local kubeconfig.
    case mutating
    /// The verb opens a session, a tunnel or a file copy (exec, attach, cp, debug, port-forward, proxy).
    case interactive
    /// The verb is not one the classifier knows, or there is none.
    case unknown
}

/// What the user (not the planner) asked for, so that the classifier can allow it.
public struct SafetyContext: Sendable {
    /// Flag names the user's own config or command line set (e.g. `--context`; `-s` and `--context=x` are
    /// read as `--server` and `--context`); the planner may then use them.
    public var userFlags: Set<String>
    /// Whether the user's request asked for a shell inside a container.
    public var userAskedForShell: Bool

    /// Creates a context.
    ///
    /// - Parameters:
    ///   - userFlags: long flag names such as `--context`, `--kubeconfig`, `--namespace` that the user set.
    ///   - userAskedForShell: `true` when the user explicitly asked for a shell in a container.
    public init(userFlags: Set<String> = [], userAskedForShell: Bool = false) {
        self.userFlags = userFlags
        self.userAskedForShell = userAskedForShell
    }
}

/// The classifier's answer: a verdict, the verb class and human-readable reasons.
///
/// Reasons start with a stable category prefix (`read-only:`, `dry-run:`, `mutating:`, `interactive:`,
/// `unknown verb:`, `dangerous flag <flag>:`, `sensitive resource:`, `manifest:`, `rejected:`) so that a
/// caller can tell a plain "mutating" confirmation from a forced one without parsing prose.
public struct SafetyAssessment: Sendable, Equatable {
    /// Whether the command may run, needs confirmation, or must not run.
    public let verdict: SafetyVerdict
    /// The class of the command's verb after dry-run downgrades.
    public let verbClass: VerbClass
    /// Why, one entry per rule that fired, most important first.
    public let reasons: [String]
    /// Whether no mode may skip the human: a rejection, or a confirmation forced by a dangerous flag,
    /// a sensitive resource, a manifest rule or an interactive verb (auto mode skips only plain "mutating").
    public let forced: Bool

    /// Creates an assessment.
    ///
    /// - Parameters:
    ///   - verdict: the verdict.
    ///   - verbClass: the verb class.
    ///   - reasons: the reasons, most important first.
    ///   - forced: whether auto mode must still ask (always `true` for `reject`).
    public init(verdict: SafetyVerdict, verbClass: VerbClass, reasons: [String], forced: Bool) {
        self.verdict = verdict
        self.verbClass = verbClass
        self.reasons = reasons
        self.forced = forced
    }

    /// The assessment as `{"verdict","class","reasons","forced"}`.
    public func json() -> JSONValue {
        .object([
            "verdict": .string(verdict.rawValue),
            "class": .string(verbClass.rawValue),
            "reasons": .array(reasons.map { .string($0) }),
            "forced": .bool(forced),
        ])
    }
}

/// Decides whether a kubectl command planned by a model may run, needs confirmation, or must be rejected.
///
/// Planner output is untrusted input: whatever a model proposes may have been steered by text it read
/// (pod logs, annotations, web pages). The classifier therefore looks only at the argument vector and the
/// manifest, never at the model's explanation. See docs/safety.md.
public enum SafetyClassifier {
    /// Classifies a planned kubectl argument vector (without the program name; a leading `kubectl` is tolerated).
    ///
    /// - Parameters:
    ///   - argv: the planned arguments, e.g. `["delete", "pod", "x", "--force"]`.
    ///   - manifest: YAML or JSON that would be piped to kubectl with `-f -`, if any.
    ///   - context: what the user, not the planner, asked for.
    /// - Returns: the verdict (reject > confirm > safe), the verb class and the reasons.
    public static func classify(
        _ argv: [String], manifest: String? = nil, context: SafetyContext = SafetyContext()
    ) -> SafetyAssessment {
        var collector = ReasonCollector()
        let arguments = argv.first == "kubectl" ? Array(argv.dropFirst()) : argv
        guard !arguments.isEmpty else {
            collector.reject("rejected: the planned command is empty")
            return collector.assessment(verbClass: .unknown)
        }

        let command = ParsedCommand(arguments)
        checkShellSyntax(command, context: context, into: &collector)
        checkCredentialFlags(command, context: context, into: &collector)

        guard let verb = command.verb else {
            collector.reject("rejected: no kubectl verb in the planned command")
            return collector.assessment(verbClass: .unknown)
        }
        if SafetyRules.isForeignProgram(verb) {
            collector.reject("rejected: '\(SafetyRules.shortened(verb))' is not kubectl; only kubectl commands may run")
            return collector.assessment(verbClass: .unknown)
        }

        let verbClass = classifyVerb(command, into: &collector)
        var effective = verbClass
        if verbClass == .mutating, let mode = command.dryRunMode {
            effective = .readOnly
            collector.note("dry-run: --dry-run=\(mode) makes '\(command.verbPhrase)' read-only")
        }

        switch effective {
        case .readOnly:
            if verbClass == .readOnly { collector.note("read-only: '\(command.verbPhrase)' does not change the cluster") }
        case .mutating:
            collector.confirm("mutating: '\(command.verbPhrase)' changes the cluster")
            checkDangerousFlags(command, into: &collector)
            checkSensitiveResources(command, into: &collector)
            checkRemoteManifests(command, into: &collector)
            if verb == "run" { checkRun(command, context: context, into: &collector) }
            if let manifest { checkManifest(manifest, verb: verb, into: &collector) }
        case .interactive:
            checkInteractive(command, context: context, into: &collector)
        case .unknown:
            break
        }
        return collector.assessment(verbClass: effective)
    }

    // MARK: - Rules

    private static func checkShellSyntax(_ command: ParsedCommand, context: SafetyContext, into collector: inout ReasonCollector) {
        let containerCommandExempt = context.userAskedForShell && SafetyRules.commandCarryingVerbs.contains(command.verb ?? "")
        for (index, token) in command.tokens.enumerated() {
            if containerCommandExempt, let dashDash = command.dashDashIndex, index > dashDash { continue }
            let allowsTemplateSyntax = command.templateValueIndices.contains(index)
            if let problem = SafetyRules.shellProblem(in: token, allowsTemplateSyntax: allowsTemplateSyntax) {
                collector.reject("rejected: argument \(index + 1) \(problem); planned commands never run through a shell")
            }
        }
    }

    private static func checkCredentialFlags(_ command: ParsedCommand, context: SafetyContext, into collector: inout ReasonCollector) {
        var seen = Set<String>()
        let allowed = Set(context.userFlags.map(SafetyRules.normalizedUserFlag))
        for flag in command.flags where SafetyRules.credentialFlags.contains(flag.name) {
            guard !allowed.contains(flag.name), !seen.contains(flag.name) else { continue }
            seen.insert(flag.name)
            collector.reject(
                "rejected: \(flag.name) redirects credentials or the target cluster and the user did not set it")
        }
    }

    private static func classifyVerb(_ command: ParsedCommand, into collector: inout ReasonCollector) -> VerbClass {
        guard let verb = command.verb else { return .unknown }
        let sub = command.subverb
        switch verb {
        case "auth":
            switch sub {
            case "can-i", "whoami": return .readOnly
            case "reconcile":
                collector.force("sensitive resource: 'auth reconcile' rewrites RBAC rules")
                return .mutating
            default:
                collector.force("unknown verb: 'auth \(SafetyRules.shortened(sub ?? ""))' is not a known auth subcommand")
                return .unknown
            }
        case "rollout":
            switch sub {
            case "status", "history": return .readOnly
            case "undo", "restart", "pause", "resume": return .mutating
            default:
                collector.force("unknown verb: 'rollout \(SafetyRules.shortened(sub ?? ""))' is not a known rollout subcommand")
                return .unknown
            }
        case "config":
            switch sub {
            case "view":
                if command.hasTrueFlag("--raw") || command.hasTrueFlag("--flatten") {
                    collector.force("dangerous flag --raw: 'config view --raw' prints kubeconfig credentials")
                }
                return .readOnly
            case "get-contexts", "get-clusters", "get-users", "current-context": return .readOnly
            case "use-context", "use", "set-context", "delete-context", "delete-cluster", "delete-user", "rename-context":
                collector.force("sensitive resource: 'config \(sub ?? "")' changes which cluster later commands reach")
                return .mutating
            case "set", "unset", "set-cluster", "set-credentials":
                collector.reject("rejected: 'config \(sub ?? "")' rewrites kubeconfig servers or credentials; run it yourself")
                return .mutating
            default:
                collector.force("unknown verb: 'config \(SafetyRules.shortened(sub ?? ""))' is not a known config subcommand")
                return .unknown
            }
        case "apply":
            if sub == "view-last-applied" { return .readOnly }
            return .mutating
        case "certificate":
            collector.force("sensitive resource: 'certificate \(SafetyRules.shortened(sub ?? ""))' decides who gets cluster credentials")
            return .mutating
        default:
            if SafetyRules.readOnlyVerbs.contains(verb) { return .readOnly }
            if SafetyRules.mutatingVerbs.contains(verb) { return .mutating }
            if SafetyRules.interactiveVerbs.contains(verb) { return .interactive }
            collector.force(
                "unknown verb: '\(SafetyRules.shortened(verb))' is not a kubectl verb this classifier knows (plugins run arbitrary programs)")
            return .unknown
        }
    }

    private static func checkDangerousFlags(_ command: ParsedCommand, into collector: inout ReasonCollector) {
        var seen = Set<String>()
        for flag in command.flags {
            guard let why = SafetyRules.dangerousFlagReason(flag), !seen.contains(flag.name) else { continue }
            seen.insert(flag.name)
            collector.force("dangerous flag \(SafetyRules.describe(flag)): \(why)")
        }
    }

    private static func checkSensitiveResources(_ command: ParsedCommand, into collector: inout ReasonCollector) {
        let isDelete = command.verb == "delete"
        var seen = Set<String>()
        for type in command.resourceTypes {
            guard !seen.contains(type) else { continue }
            seen.insert(type)
            if SafetyRules.privilegedResources.contains(type) {
                collector.force("sensitive resource: \(command.verb ?? "") on \(type) touches credentials or permissions")
            } else if isDelete, SafetyRules.wideDeleteResources.contains(type) {
                collector.force("sensitive resource: deleting \(type) removes everything that depends on it")
            }
        }
        if command.verb == "create", command.subverb == "token" {
            collector.force("sensitive resource: 'create token' mints a service-account credential")
        }
    }

    private static func checkRemoteManifests(_ command: ParsedCommand, into collector: inout ReasonCollector) {
        for flag in command.flags where flag.name == "--filename" || flag.name == "--kustomize" {
            guard let value = flag.value?.lowercased(), value.hasPrefix("http://") || value.hasPrefix("https://") else { continue }
            collector.force("manifest: \(flag.name) fetches a manifest from a URL nobody has reviewed")
        }
    }

    private static func checkManifest(_ manifest: String, verb: String, into collector: inout ReasonCollector) {
        let facts = ManifestScan(manifest)
        for kind in facts.kinds {
            let key = kind.lowercased()
            if SafetyRules.privilegedResources.contains(key) {
                collector.force("manifest: kind \(kind) touches credentials or permissions")
            } else if verb == "delete", SafetyRules.wideDeleteResources.contains(key) {
                collector.force("manifest: deleting kind \(kind) removes everything that depends on it")
            }
        }
        for field in facts.hostAccessFields {
            collector.force("manifest: \(field) gives a pod access to the node")
        }
    }

    /// Whether the container command is a shell or interpreter, or `debug`/`run` attach a terminal with no command.
    private static func opensShell(_ command: ParsedCommand) -> Bool {
        if !command.containerCommand.isEmpty {
            return SafetyRules.startsShell(command.containerCommand)
        }
        return (command.verb == "debug" || command.verb == "run") && command.attachesTerminal
    }

    private static func checkRun(_ command: ParsedCommand, context: SafetyContext, into collector: inout ReasonCollector) {
        if opensShell(command) && !context.userAskedForShell {
            collector.reject("rejected: 'run' would open a shell in a new pod and the user did not ask for one")
        } else if command.attachesTerminal {
            collector.force("interactive: 'run' with -i/-t attaches a terminal to the new pod")
        }
    }

    private static func checkInteractive(_ command: ParsedCommand, context: SafetyContext, into collector: inout ReasonCollector) {
        let verb = command.verb ?? ""
        switch verb {
        case "exec", "debug":
            let shell = opensShell(command)
            if shell && !context.userAskedForShell {
                collector.reject("rejected: '\(verb)' would open a shell in a container and the user did not ask for one")
                return
            }
            if shell {
                collector.force("interactive: '\(verb)' opens a shell in a container (the user asked for one)")
            } else {
                collector.force("interactive: '\(verb)' runs a command inside a container")
            }
            if verb == "debug", command.resourceTypes.contains("node") || command.resourceTypes.contains("nodes") {
                collector.force("sensitive resource: debugging a node runs a pod with the host's filesystem")
            }
        case "port-forward", "proxy":
            collector.force("interactive: '\(verb)' opens a tunnel into the cluster with the user's credentials")
            for flag in command.flags where flag.name == "--address" || flag.name == "--accept-hosts" {
                if let value = flag.value, !SafetyRules.isLoopbackOnly(value) {
                    collector.force("dangerous flag \(flag.name): exposes the tunnel beyond this machine")
                }
            }
        case "cp":
            collector.force("interactive: 'cp' copies files into or out of a container")
        default:
            collector.force("interactive: '\(verb)' attaches to a running container")
        }
    }
}

/// Accumulates reasons and derives the verdict (reject > confirm > safe).
struct ReasonCollector {
    private(set) var rejects: [String] = []
    private(set) var forcedConfirms: [String] = []
    private(set) var confirms: [String] = []
    private(set) var notes: [String] = []

    mutating func reject(_ reason: String) { rejects.append(reason) }
    mutating func force(_ reason: String) { forcedConfirms.append(reason) }
    mutating func confirm(_ reason: String) { confirms.append(reason) }
    mutating func note(_ reason: String) { notes.append(reason) }

    func assessment(verbClass: VerbClass) -> SafetyAssessment {
        let reasons = rejects + forcedConfirms + confirms + notes
        if !rejects.isEmpty {
            return SafetyAssessment(verdict: .reject, verbClass: verbClass, reasons: reasons, forced: true)
        }
        if !forcedConfirms.isEmpty {
            return SafetyAssessment(verdict: .confirm, verbClass: verbClass, reasons: reasons, forced: true)
        }
        if !confirms.isEmpty || verbClass != .readOnly {
            let all = reasons.isEmpty ? ["unknown verb: nothing is known about this command"] : reasons
            return SafetyAssessment(verdict: .confirm, verbClass: verbClass, reasons: all, forced: verbClass != .mutating)
        }
        return SafetyAssessment(verdict: .safe, verbClass: verbClass, reasons: reasons, forced: false)
    }
}
