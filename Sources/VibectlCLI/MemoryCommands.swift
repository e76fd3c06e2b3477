import ArgumentParser
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `vibectl memory`: the context vibectl carries between commands.
struct MemoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory",
        abstract: "Show and change the memory vibectl carries between commands.",
        discussion: """
            Memory is a short text (at most memory.max_chars characters) stored beside the \
            configuration file. vibectl updates it after commands unless it is frozen; the \
            commands below change it explicitly, which also works while it is frozen.

            EXAMPLES:
              vibectl memory show
              vibectl memory set "Cluster: staging; namespace: payments"
              kubectl get ns -o name | vibectl memory set
              vibectl memory set --edit
              vibectl memory update "the staging namespace is ours; prod is read-only"
              vibectl memory freeze
              vibectl memory clear

            EXIT STATUS:
              0   success
              1   failure (no text given, unreadable or locked file, no usable model for update)
              64  usage error
            """,
        subcommands: [
            MemoryShow.self, MemorySet.self, MemoryUpdate.self, MemoryClear.self, MemoryFreeze.self, MemoryUnfreeze.self,
            MemoryStatusCommand.self,
        ]
    )
}

/// `vibectl memory show`.
struct MemoryShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print the memory.",
        discussion: """
            Text output is the memory itself; JSON output is the memory status document \
            (content, length, limit, frozen state, file). An empty memory prints a note on \
            stderr and exits 0.

            EXAMPLES:
              vibectl memory show
              vibectl memory show -o json

            EXIT STATUS:
              0   success (also when empty)
              1   failure
              64  usage error
            """)

    @Option(name: .shortAndLong, help: "Output format: text, json or yaml.")
    var output: OutputFormat = .text

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let client = try global.client()
        switch output {
        case .json, .yaml:
            let (raw, json) = try client.memoryStatus()
            Console.printMachine(json, raw: raw, format: output)
        case .text:
            let content = try client.memoryGet()
            if content.isEmpty {
                Console.note("Memory is empty. Use 'vibectl memory set' to add content.")
            } else {
                Console.out(content.hasSuffix("\n") ? String(content.dropLast()) : content)
            }
        }
    }
}

/// `vibectl memory set`.
struct MemorySet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Replace the memory with new text.",
        discussion: """
            The text comes from the arguments (joined with spaces), from an editor (--edit: \
            $VISUAL, then $EDITOR, then vi; lines starting with '#' at the top are dropped), or \
            from stdin when it is piped. Text longer than memory.max_chars is cut, with a warning.

            EXAMPLES:
              vibectl memory set "Cluster: staging; namespace: payments"
              vibectl memory set --edit
              echo "Deploys go through Argo CD" | vibectl memory set

            EXIT STATUS:
              0   success
              1   failure (no text, editor failed, locked file)
              64  usage error
            """)

    @Argument(help: ArgumentHelp("The new memory text.", valueName: "text"))
    var text: [String] = []

    @Flag(name: .shortAndLong, help: "Edit the memory in $VISUAL or $EDITOR.")
    var edit = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if edit && !text.isEmpty {
            throw ValidationError("Give the memory text as arguments or use --edit, not both.")
        }
    }

    func run() throws {
        let client = try global.client()
        let newText: String
        if !text.isEmpty {
            newText = text.joined(separator: " ")
        } else if edit {
            let current = try client.memoryGet()
            newText = try Editor.edit(seed: current.isEmpty ? "# Enter memory content here\n" : current)
            guard !newText.isEmpty else {
                throw CLIError(
                    message: "the editor returned no text; memory is unchanged",
                    hint: "Use 'vibectl memory clear' to empty the memory.")
            }
        } else if isatty(STDIN_FILENO) == 0 {
            newText = try Self.readStandardInput().trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            newText = ""
        }
        guard !newText.isEmpty else {
            throw CLIError(
                message: "no text provided",
                hint: "Give the text as arguments (vibectl memory set \"...\"), use --edit to open an editor, "
                    + "or pipe it on stdin (echo \"...\" | vibectl memory set).")
        }
        let (_, status) = try client.memorySet(newText)
        let chars = status["chars"]?.intValue ?? newText.count
        if status["truncated"]?.boolValue == true {
            let limit = status["max_chars"]?.intValue.map(String.init) ?? "the limit"
            Console.warning(
                "the text has \(newText.count) characters and was cut to \(limit) (memory.max_chars); "
                    + "raise the limit with 'vibectl config set memory.max_chars \(newText.count)'")
        }
        Console.out("Memory updated (\(chars) characters).")
    }

    /// All of stdin as UTF-8 text; "" when stdin is closed.
    static func readStandardInput() throws(CLIError) -> String {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EBADF { break }
                throw CLIError(message: "could not read stdin: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            data.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// `vibectl memory update`.
struct MemoryUpdate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Fold new information into the memory, with one model call.",
        discussion: """
            The model merges the text into the current memory (keeping it within \
            memory.max_chars) and the result is stored, redacted. Unlike 'memory set', which \
            replaces the memory, this keeps what is still true. Works while memory is frozen. \
            The text comes from the arguments (joined with spaces) or from stdin when it is \
            piped. Prints the new memory.

            EXAMPLES:
              vibectl memory update "the staging namespace is ours; prod is read-only"
              echo "deploys go through Argo CD" | vibectl memory update
              vibectl memory update --model gpt-4o-mini "web runs 3 replicas"

            EXIT STATUS:
              0   success
              1   failure (no text, no usable model: the hint says how to set one up)
              64  usage error
            """)

    @Argument(help: ArgumentHelp("What to remember.", valueName: "text"))
    var text: [String] = []

    @Option(help: ArgumentHelp("The model for this call (default: llm.model).", valueName: "name"))
    var model: String?

    @Option(name: .shortAndLong, help: "Output format: text, json or yaml.")
    var output: OutputFormat = .text

    @OptionGroup var global: GlobalOptions

    func run() throws {
        var update = text.joined(separator: " ").trimmingCharacters(in: .whitespacesAndNewlines)
        if update.isEmpty, isatty(STDIN_FILENO) == 0 {
            update = try MemorySet.readStandardInput().trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard !update.isEmpty else {
            throw CLIError(
                message: "no text provided",
                hint: "Give the text as arguments (vibectl memory update \"...\") or pipe it on stdin "
                    + "(echo \"...\" | vibectl memory update).")
        }
        let client = try global.client()
        var options: [(String, JSON)] = [("version", .number("1"))]
        if let model = model ?? RootOptions.shared.vibeFlags?.model { options.append(("model", .string(model))) }
        let status = StatusLine(enabled: Console.isInteractive(fd: STDERR_FILENO))
        status.show("updating memory")
        let result: (text: String, json: JSON)
        do {
            result = try client.memoryUpdate(update, options: .object(options)) { event in
                if event["type"]?.stringValue == "retrying" {
                    let attempt = event["data"]?["attempt"]?.displayText ?? "?"
                    status.writing { Console.err("note: the model call failed; retrying (attempt \(attempt))") }
                }
            }
        } catch {
            status.stop()
            throw ModelErrorHint.decorate(
                error, model: ModelErrorHint.modelInUse(client: client, option: model ?? RootOptions.shared.vibeFlags?.model))
        }
        status.stop()
        switch output {
        case .json, .yaml: Console.printMachine(result.json, raw: result.text, format: output)
        case .text:
            let memory = result.json["memory"]?.stringValue ?? ""
            if memory.isEmpty {
                Console.note("Memory is empty.")
            } else {
                Console.out(memory.hasSuffix("\n") ? String(memory.dropLast()) : memory)
            }
        }
    }
}

/// `vibectl memory clear`.
struct MemoryClear: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clear",
        abstract: "Empty the memory.",
        discussion: """
            EXAMPLES:
              vibectl memory clear

            \(HelpText.standardExitStatus)
            """)

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try global.client().memoryClear()
        Console.out("Memory cleared.")
    }
}

/// `vibectl memory freeze`.
struct MemoryFreeze: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "freeze",
        abstract: "Stop automatic memory updates (sets memory.enabled to false).",
        discussion: """
            Explicit changes ('vibectl memory set', 'clear') still work while memory is frozen.

            EXAMPLES:
              vibectl memory freeze

            \(HelpText.standardExitStatus)
            """)

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try global.client().memoryFreeze()
        Console.out("Memory frozen: automatic updates are off until 'vibectl memory unfreeze'.")
    }
}

/// `vibectl memory unfreeze`.
struct MemoryUnfreeze: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unfreeze",
        abstract: "Resume automatic memory updates (sets memory.enabled to true).",
        discussion: """
            EXAMPLES:
              vibectl memory unfreeze

            \(HelpText.standardExitStatus)
            """)

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try global.client().memoryUnfreeze()
        Console.out("Memory unfrozen: automatic updates are on.")
    }
}

/// `vibectl memory status`.
struct MemoryStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Describe the memory: length, limit, frozen state, file.",
        discussion: """
            EXAMPLES:
              vibectl memory status
              vibectl memory status -o json

            \(HelpText.standardExitStatus)
            """)

    @Option(name: .shortAndLong, help: "Output format: text, json or yaml.")
    var output: OutputFormat = .text

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let (raw, json) = try global.client().memoryStatus()
        guard output == .text else {
            Console.printMachine(json, raw: raw, format: output)
            return
        }
        func text(_ key: String) -> String {
            guard let value = json[key], value != .null else { return "-" }
            if let flag = value.boolValue { return flag ? "yes" : "no" }
            return value.displayText
        }
        let rows = [
            ["Characters:", "\(text("chars")) of \(text("max_chars")) (memory.max_chars)"],
            ["Frozen:", text("frozen")],
            ["File:", text("path")],
            ["Exists:", text("exists")],
            ["Updated:", text("updated")],
        ]
        Console.out(formatTable(rows).joined(separator: "\n"))
    }
}
