import ArgumentParser
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `vibectl compact`: shows exactly what a model would be sent for the text on stdin.
struct CompactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Print what a model would be sent for the text on stdin: redacted, then compacted.",
        discussion: """
            Reads command output on stdin and runs it through vibectl_compact, the same step \
            vibectl applies before a model sees any output: secrets are replaced with \
            [REDACTED:<kind>] (unless security.redact is off or --no-redact is given), then the \
            text is reduced to the budget (default output.max_chars) while keeping the facts: \
            counts, unhealthy items, images, errors. Use it to check what leaves your machine.

            Text output is the compacted text on stdout and a one-line summary on stderr (type, \
            sizes, token estimate, redactions by kind, what was dropped). -o json prints the \
            library's document (docs/abi.md).

            EXAMPLES:
              kubectl get pods -A -o json | vibectl compact --budget 2000
              kubectl logs deploy/web | vibectl compact --intent "why does it crash"
              kubectl get secret db -o yaml | vibectl compact -o json
              vibectl compact --no-redact < saved-output.txt

            EXIT STATUS:
              0   success
              1   failure (stdin is a terminal, invalid security.redact_patterns entry)
              64  usage error
            """)

    @Option(help: ArgumentHelp("Character budget (default: output.max_chars).", valueName: "chars"))
    var budget: Int?

    @Option(help: ArgumentHelp("What you want to know; matching lines and fields are kept first.", valueName: "text"))
    var intent: String?

    @Flag(
        inversion: .prefixedNo,
        help: "Redact secrets first (default: security.redact, normally on).")
    var redact: Bool?

    @Option(name: .shortAndLong, help: "Output format: text, json or yaml.")
    var output: OutputFormat = .text

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let budget, budget < 1 {
            throw ValidationError("--budget must be at least 1, not \(budget).")
        }
    }

    func run() throws {
        let input = try StandardInput.read(command: "compact", example: "kubectl get pods -o json | vibectl compact")
        var options: [String: Any] = ["version": 1]
        if let budget { options["budget"] = budget }
        if let intent { options["intent"] = intent }
        if let redact { options["redact"] = redact }
        let (raw, json) = try global.client().compact(input, options: options)
        guard output == .text else {
            Console.printMachine(json, raw: raw, format: output)
            return
        }
        let text = json["text"]?.stringValue ?? ""
        if !text.isEmpty { StandardOutput.write(text.hasSuffix("\n") ? text : text + "\n") }
        Console.note(Self.summary(json, redactionSwitchedOff: redact == false))
    }

    /// The one-line summary: type, sizes, token estimate, redactions, dropped parts.
    static func summary(_ json: JSON, redactionSwitchedOff: Bool) -> String {
        let type = json["type"]?.stringValue ?? "text"
        let original = json["original_chars"]?.intValue ?? 0
        let kept = json["kept_chars"]?.intValue ?? 0
        var line = "compacted \(type): \(grouped(original)) → \(grouped(kept)) chars"
        if let tokens = json["kept_tokens_estimate"]?.intValue { line += " (~\(grouped(tokens)) tokens)" }
        if redactionSwitchedOff {
            line += "; not redacted (--no-redact)"
        } else {
            line += "; " + Findings(json["redactions"]).sentence
        }
        let dropped = (json["dropped"]?.arrayValue ?? []).compactMap(\.stringValue)
        if !dropped.isEmpty {
            let shown = dropped.prefix(4).joined(separator: ", ")
            line += "; dropped: " + shown + (dropped.count > 4 ? ", … (\(dropped.count - 4) more)" : "")
        }
        return line
    }

    /// `n` with its thousands separated by spaces: 1 234 567.
    static func grouped(_ number: Int) -> String {
        let digits = String(number.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(" ") }
            result.append(digit)
        }
        return (number < 0 ? "-" : "") + result
    }
}

/// `vibectl redact`: replaces the secrets in the text on stdin.
struct RedactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redact",
        abstract: "Replace the secrets in the text on stdin with [REDACTED:<kind>].",
        discussion: """
            Runs vibectl_redact on stdin: Secret data, tokens, JWTs, PEM blocks, kubeconfig \
            credentials, cloud and API keys, password-like values, high-entropy blobs and \
            matches of security.redact_patterns are replaced. This always redacts, even when \
            security.redact is off. Text output is the redacted text on stdout and the findings \
            by kind on stderr; -o json prints the library's document, which never contains a secret.

            EXAMPLES:
              kubectl get secret db -o yaml | vibectl redact
              vibectl redact -o json < pod-logs.txt

            EXIT STATUS:
              0   success (also when nothing was found)
              1   failure (stdin is a terminal, invalid security.redact_patterns entry)
              64  usage error
            """)

    @Option(name: .shortAndLong, help: "Output format: text, json or yaml.")
    var output: OutputFormat = .text

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let input = try StandardInput.read(command: "redact", example: "kubectl get secret db -o yaml | vibectl redact")
        let (raw, json) = try global.client().redact(input)
        guard output == .text else {
            Console.printMachine(json, raw: raw, format: output)
            return
        }
        let text = json["text"]?.stringValue ?? ""
        if !text.isEmpty { StandardOutput.write(text.hasSuffix("\n") ? text : text + "\n") }
        Console.note(Findings(json["findings"]).sentence)
    }
}

/// `vibectl classify`: the safety verdict on a planned kubectl command.
struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Say whether a planned kubectl command is safe, needs confirmation, or is rejected.",
        discussion: """
            Runs vibectl_classify on the kubectl arguments (without "kubectl"), the check vibectl \
            applies to every command a model plans. Shell operators, other programs, flags that \
            change the credentials or the cluster (unless your config sets them or --user-flag \
            names them) and shells opened with exec are rejected; mutating commands need \
            confirmation, and dangerous flags (--force, --grace-period=0, …) force it even in \
            auto mode. Options of classify itself come before the kubectl arguments; put '--' \
            before arguments that start with '-'.

            Text output is the verdict, the verb class and the reasons; -o json prints the \
            library's document. The exit status is the verdict, so scripts can branch on it.

            EXAMPLES:
              vibectl classify get pods -n kube-system
              vibectl classify -- delete pod web-1 --force
              vibectl classify --manifest deploy.yaml apply -f -
              vibectl classify -o json -- exec -it web-1 -- sh

            EXIT STATUS:
              0   safe
              2   confirm (the command needs the user's confirmation)
              3   reject
              1   failure (unreadable manifest, bad arguments)
              64  usage error (no kubectl arguments)
            """)

    @Option(
        help: ArgumentHelp("A manifest the command would apply with -f - ('-' reads stdin).", valueName: "file"),
        completion: .file())
    var manifest: String?

    @Option(
        name: .customLong("user-flag"), parsing: .unconditionalSingleValue,
        help: ArgumentHelp("A flag the user set themselves (e.g. --context), so it is allowed; repeatable.", valueName: "flag"))
    var userFlags: [String] = []

    @Flag(name: .customLong("user-asked-for-shell"), help: "The user asked for a shell, so exec into one is allowed.")
    var userAskedForShell = false

    @Option(name: .shortAndLong, help: "Output format: text, json or yaml.")
    var output: OutputFormat = .text

    @OptionGroup var global: GlobalOptions

    @Argument(
        parsing: .captureForPassthrough,
        help: ArgumentHelp("The planned kubectl arguments, without \"kubectl\".", valueName: "kubectl-args"))
    var arguments: [String] = []

    /// The process exit status for a verdict.
    static func exitStatus(forVerdict verdict: String) -> Int32 {
        switch verdict {
        case "safe": return 0
        case "confirm": return 2
        default: return 3
        }
    }

    func validate() throws {
        if kubectlArguments.isEmpty {
            throw ValidationError("Give the planned kubectl arguments, e.g. 'vibectl classify -- delete pod web-1'.")
        }
    }

    /// The kubectl arguments, without the '--' that separates them from classify's options.
    var kubectlArguments: [String] {
        arguments.first == "--" ? Array(arguments.dropFirst()) : arguments
    }

    func run() throws {
        var options: [String: Any] = ["version": 1]
        if let manifest { options["manifest"] = try Self.readManifest(manifest) }
        if !userFlags.isEmpty { options["user_flags"] = userFlags }
        if userAskedForShell { options["user_asked_for_shell"] = true }
        let (raw, json) = try global.client().classify(kubectlArguments, options: options)
        let verdict = json["verdict"]?.stringValue ?? "reject"
        if output == .text {
            let forced = json["forced"]?.boolValue == true && verdict == "confirm" ? " (forced: even in auto mode)" : ""
            var lines = formatTable([
                ["Verdict:", verdict + forced],
                ["Class:", json["class"]?.stringValue ?? "unknown"],
            ])
            let reasons = (json["reasons"]?.arrayValue ?? []).compactMap(\.stringValue)
            if reasons.isEmpty {
                lines.append("Reasons:  none")
            } else {
                lines.append("Reasons:")
                lines += reasons.map { "  - " + $0 }
            }
            Console.out(lines.joined(separator: "\n"))
        } else {
            Console.printMachine(json, raw: raw, format: output)
        }
        let status = Self.exitStatus(forVerdict: verdict)
        if status != 0 { throw ExitCode(status) }
    }

    /// The manifest text from a file, or from stdin for "-".
    static func readManifest(_ path: String) throws(CLIError) -> String {
        if path == "-" {
            return try StandardInput.read(command: "classify --manifest -", example: "cat deploy.yaml | vibectl classify --manifest - apply -f -")
        }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CLIError(
                message: "cannot read the manifest \(path): \((error as NSError).localizedDescription)",
                hint: "Give the path of a readable UTF-8 YAML or JSON file, or '-' to read it from stdin.")
        }
    }
}

/// Secret findings by kind, as the library reports them ({"jwt": 2, "pem": 1}).
struct Findings {
    /// (kind, count) pairs, most frequent first, then by kind.
    let counts: [(String, Int)]

    init(_ json: JSON?) {
        counts = (json?.objectValue ?? [])
            .compactMap { kind, value in value.intValue.map { (kind, $0) } }
            .filter { $0.1 > 0 }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
    }

    /// "redacted 3 secrets (2 jwt, 1 pem)", or "no secrets found".
    var sentence: String {
        let total = counts.reduce(0) { $0 + $1.1 }
        guard total > 0 else { return "no secrets found" }
        let kinds = counts.map { "\($0.1) \($0.0)" }.joined(separator: ", ")
        return "redacted \(total) secret\(total == 1 ? "" : "s") (\(kinds))"
    }
}

/// Reading the text a command works on from stdin.
enum StandardInput {
    /// All of stdin; fails with usage advice when stdin is a terminal or holds a NUL byte.
    static func read(command: String, example: String) throws(CLIError) -> String {
        guard isatty(STDIN_FILENO) == 0 else {
            throw CLIError(
                message: "vibectl \(command) reads the text from stdin, and stdin is a terminal",
                hint: "Pipe the output into it, e.g. '\(example)', or redirect a file with '< FILE'.")
        }
        let text = try MemorySet.readStandardInput()
        guard !text.utf8.contains(0) else {
            throw CLIError(
                message: "stdin contains a NUL byte; vibectl \(command) works on text, not binary data",
                hint: "Pipe text output (e.g. kubectl ... -o json), not a binary file.")
        }
        return text
    }
}

/// Writing text to stdout exactly as it is (no newline added).
enum StandardOutput {
    /// Writes all of `text` to stdout.
    static func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { buffer in
                Glibc.write(STDOUT_FILENO, buffer.baseAddress, buffer.count)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            bytes = bytes.dropFirst(written)
        }
    }
}
