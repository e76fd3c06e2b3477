import ArgumentParser
import CVibectl
import Foundation

/// `vibectl version`: the library, ABI and header versions.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the version of libvibectl and of the ABI it speaks.",
        discussion: """
            Prints the version of the loaded libvibectl, its ABI version and the ABI version of \
            the header this vibectl was built against. Refuses to run (exit 1) when the two ABI \
            versions differ.

            EXAMPLES:
              vibectl version
              vibectl version -o json

            EXIT STATUS:
              0   success
              1   ABI mismatch
              64  usage error
            """)

    @Option(name: .shortAndLong, help: "Output format: text, json or yaml.")
    var output: OutputFormat = .text

    func run() throws {
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
