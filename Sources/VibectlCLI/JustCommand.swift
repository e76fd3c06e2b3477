import ArgumentParser
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `vibectl just`: runs kubectl with the given arguments, attached to the terminal.
struct JustCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "just",
        abstract: "Run kubectl with these arguments, exactly as given.",
        discussion: """
            Runs core.kubectl_command (never through a shell) with `--kubeconfig \
            <core.kubeconfig>` first when that key is set, then every argument after 'just', \
            untouched: '-n', '-o yaml' and even '--help' go to kubectl. kubectl inherits stdin, \
            stdout and stderr, so 'exec -it' and 'edit' work; Ctrl-C goes to kubectl while \
            vibectl waits for it. Global vibectl options must come before 'just'.

            EXAMPLES:
              vibectl just get pods -n kube-system
              vibectl just exec -it deploy/web -- sh
              vibectl --config-dir ./ci-config just apply -f deploy.yaml

            EXIT STATUS:
              N   kubectl's own exit status
              1   kubectl cannot be started (not found, not executable)
              64  usage error (no kubectl arguments)
            """)

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("Arguments for kubectl.", valueName: "kubectl-args"))
    var arguments: [String] = []

    func validate() throws {
        if arguments.isEmpty {
            throw ValidationError("Give kubectl arguments after 'just', e.g. 'vibectl just get pods'.")
        }
    }

    func run() throws {
        let client = try Client(configDir: RootOptions.shared.configDir)
        // Like system(3): while kubectl runs, Ctrl-C and Ctrl-\ reach kubectl (same process
        // group) and vibectl waits for it instead of dying first.
        let exitCode = try SignalsIgnored.during([SIGINT, SIGQUIT]) { () throws(CLIError) -> Int32 in
            try client.kubectlPassthrough(arguments)
        }
        if exitCode != 0 { throw ExitCode(exitCode) }
    }
}

/// Ignores signals for the duration of a call and restores the previous dispositions after.
enum SignalsIgnored {
    /// Runs `body` with `signals` ignored.
    static func during<T>(_ signals: [Int32], _ body: () throws(CLIError) -> T) throws(CLIError) -> T {
        var previous: [(Int32, sigaction)] = []
        for signalNumber in signals {
            var ignore = sigaction()
            ignore.__sigaction_handler.sa_handler = SIG_IGN
            sigemptyset(&ignore.sa_mask)
            var old = sigaction()
            if sigaction(signalNumber, &ignore, &old) == 0 { previous.append((signalNumber, old)) }
        }
        defer {
            for (signalNumber, old) in previous {
                var restore = old
                sigaction(signalNumber, &restore, nil)
            }
        }
        return try body()
    }
}
