import ArgumentParser
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `vibectl instructions`: the custom instructions every prompt carries.
struct InstructionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "instructions",
        abstract: "Show and change the custom instructions sent with every request to the model.",
        discussion: """
            Custom instructions (the configuration key system.custom_instructions) go into \
            every prompt: the plan, the summary and memory updates. Use them for standing \
            preferences ("prefer kubectl get -o wide", "answer in French").

            EXAMPLES:
              vibectl instructions show
              vibectl instructions set "Always use the namespace payments unless told otherwise."
              vibectl instructions set --edit
              vibectl instructions clear

            \(HelpText.standardExitStatus)
            """,
        subcommands: [InstructionsShow.self, InstructionsSet.self, InstructionsClear.self]
    )
}

/// `vibectl instructions show`.
struct InstructionsShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print the custom instructions.",
        discussion: """
            Text output is the instructions themselves. When none are set, a note goes to \
            stderr and the exit status is 0. JSON output is the library's document \
            (instructions and where they come from: file, env or default).

            EXAMPLES:
              vibectl instructions show
              vibectl instructions show -o json

            \(HelpText.standardExitStatus)
            """)

    @Option(name: .shortAndLong, help: "Output format: text, json or yaml.")
    var output: OutputFormat = .text

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let (raw, json) = try global.client().instructionsGet()
        guard output == .text else {
            Console.printMachine(json, raw: raw, format: output)
            return
        }
        let text = json["instructions"]?.stringValue ?? ""
        if text.allSatisfy(\.isWhitespace) {
            Console.note("No custom instructions are set. Use 'vibectl instructions set' to add some.")
        } else {
            Console.out(text.hasSuffix("\n") ? String(text.dropLast()) : text)
        }
    }
}

/// `vibectl instructions set`.
struct InstructionsSet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Replace the custom instructions.",
        discussion: """
            The text comes from the arguments (joined with spaces), from an editor (--edit: \
            $VISUAL, then $EDITOR, then vi; lines starting with '#' at the top are dropped), or \
            from stdin when it is piped. It is saved in the configuration file.

            EXAMPLES:
              vibectl instructions set "Prefer -o wide for get."
              vibectl instructions set --edit
              cat team-rules.txt | vibectl instructions set

            EXIT STATUS:
              0   success
              1   failure (no text, editor failed, locked file)
              64  usage error
            """)

    @Argument(help: ArgumentHelp("The instructions.", valueName: "text"))
    var text: [String] = []

    @Flag(name: .shortAndLong, help: "Edit the instructions in $VISUAL or $EDITOR.")
    var edit = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if edit && !text.isEmpty {
            throw ValidationError("Give the instructions as arguments or use --edit, not both.")
        }
    }

    func run() throws {
        let client = try global.client()
        let newText: String
        if !text.isEmpty {
            newText = text.joined(separator: " ").trimmingCharacters(in: .whitespacesAndNewlines)
        } else if edit {
            let current = try client.instructionsGet().json["instructions"]?.stringValue ?? ""
            newText = try Editor.edit(seed: current.isEmpty ? "# Enter custom instructions here\n" : current)
            guard !newText.isEmpty else {
                throw CLIError(
                    message: "the editor returned no text; the instructions are unchanged",
                    hint: "Use 'vibectl instructions clear' to remove them.")
            }
        } else if isatty(STDIN_FILENO) == 0 {
            newText = try MemorySet.readStandardInput().trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            newText = ""
        }
        guard !newText.isEmpty else {
            throw CLIError(
                message: "no text provided",
                hint: "Give the text as arguments (vibectl instructions set \"...\"), use --edit to open an editor, "
                    + "or pipe it on stdin (echo \"...\" | vibectl instructions set).")
        }
        try client.instructionsSet(newText)
        Console.out("Custom instructions set (\(newText.count) characters).")
    }
}

/// `vibectl instructions clear`.
struct InstructionsClear: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clear",
        abstract: "Remove the custom instructions.",
        discussion: """
            EXAMPLES:
              vibectl instructions clear

            \(HelpText.standardExitStatus)
            """)

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try global.client().instructionsClear()
        Console.out("Custom instructions cleared.")
    }
}
