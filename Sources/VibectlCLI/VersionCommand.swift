import ArgumentParser
import CVibectl
import Foundation

/// `vibectl version`: the library, ABI and header versions; with kubectl arguments, `kubectl version`.
struct VersionCommand: ParsableCommand, KubectlVerbCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the version of libvibectl and of the ABI it speaks; with arguments, kubectl's version.",
        discussion: """
            Alone (or with only -o text|json|yaml), prints the version of the loaded libvibectl, \
            its ABI version and the ABI version of the header this vibectl was built against; \
            refuses to run (exit 1) when the two ABI versions differ. With any other argument it \
            is the kubectl verb: `kubectl version ARGS...`, then a summary (--kubectl alone runs \
            plain `kubectl version`), and `version vibe REQUEST` plans its arguments.

            EXAMPLES:
              vibectl version
              vibectl version -o json
              vibectl version --kubectl
              vibectl version --client -o yaml

            EXIT STATUS:
              0   success
              1   ABI mismatch
              N   kubectl's exit status (the kubectl forms)
              64  usage error
            """)

    // Reached through ``VerbDispatch`` (see ``VerbCommand``); this declaration serves help.
    @Argument(
        parsing: .remaining,
        help: ArgumentHelp("-o text|json|yaml, or kubectl's arguments (--kubectl for none).", valueName: "args"))
    var arguments: [String] = []

    func run() throws {
        try Self.run(captured: arguments)
    }

    /// `vibectl version WORDS...`: vibectl's own version, or the kubectl verb.
    static func run(captured arguments: [String]) throws {
        var captured = arguments
        var forceKubectl = false
        if let index = captured.firstIndex(of: "--kubectl"), !captured[..<index].contains("--") {
            captured.remove(at: index)
            forceKubectl = true
        }
        let tail = try VerbTail(captured)
        if !forceKubectl, let format = ownFormat(tail) {
            try printOwnVersion(format)
            return
        }
        try VerbRunner.run(verb: "version", captured: captured)
    }

    /// The format when the arguments ask for vibectl's own version: none, or only `-o text|json|yaml`.
    static func ownFormat(_ tail: VerbTail) -> OutputFormat? {
        let args = tail.kubectlArgs
        if args.isEmpty { return tail.output }
        var value: String?
        if args.count == 2, args[0] == "-o" || args[0] == "--output" {
            value = args[1]
        } else if args.count == 1, args[0].hasPrefix("--output=") {
            value = String(args[0].dropFirst("--output=".count))
        } else if args.count == 1, args[0].hasPrefix("-o"), !args[0].hasPrefix("--") {
            value = String(args[0].dropFirst(2)).trimmingCharacters(in: CharacterSet(charactersIn: "="))
        }
        return value.flatMap { OutputFormat(rawValue: $0) }
    }

    private static func printOwnVersion(_ output: OutputFormat) throws {
        try Library.checkABI()
        let json = JSON.object([
            ("version", .number("1")),
            ("library", .string(Library.versionString)),
            ("abi", .number(String(Library.abiVersion))),
            ("header_abi", .number(String(Library.headerABIVersion))),
        ])
        switch output {
        case .text:
            Console.out(
                "vibectl \(Library.versionString) "
                    + "(libvibectl ABI \(Library.abiVersion), built against ABI \(Library.headerABIVersion))")
        case .json: Console.out(json.compactText)
        case .yaml: Console.out(json.yamlText)
        }
    }
}

/// `vibectl completion`: a shell completion script.
struct CompletionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "completion",
        abstract: "Print a shell completion script for bash, zsh or fish.",
        discussion: """
            EXAMPLES:
              # bash: load now, or add this line to ~/.bashrc
              source <(vibectl completion bash)
              # zsh: install into a directory on $fpath
              vibectl completion zsh > "${fpath[1]}/_vibectl"
              # fish
              vibectl completion fish > ~/.config/fish/completions/vibectl.fish

            EXIT STATUS:
              0   success
              64  usage error (unknown shell)
            """)

    /// The shells vibectl writes completion scripts for.
    enum Shell: String, ExpressibleByArgument, CaseIterable {
        case bash, zsh, fish
    }

    @Argument(help: "The shell: bash, zsh or fish.")
    var shell: Shell

    func run() {
        let script: String
        switch shell {
        case .bash: script = Vibectl.completionScript(for: .bash)
        case .zsh: script = Vibectl.completionScript(for: .zsh)
        case .fish: script = Vibectl.completionScript(for: .fish)
        }
        Console.out(script.hasSuffix("\n") ? String(script.dropLast()) : script)
    }
}
