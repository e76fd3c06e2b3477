import ArgumentParser
import Foundation

/// Completion candidates: every concrete key of the schema (and the sections when asked).
func configKeyCompletions(includeSections: Bool) -> CompletionKind {
    .custom { _, _, prefix in
        guard let schema = try? Library.schema() else { return [] }
        let keys = schema.keys.map(\.key).filter { !$0.contains("*") }
        return (includeSections ? schema.sections + keys : keys).filter { $0.hasPrefix(prefix) }
    }
}

/// `vibectl config`: read and change the configuration.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Show and change vibectl's configuration.",
        discussion: """
            Values come from, in order: VIBECTL_<SECTION>_<KEY> environment variables, \
            <config-dir>/client/config.yaml, the defaults. Secrets (providers.*.key) are \
            always shown masked.

            EXAMPLES:
              vibectl config show
              vibectl config show llm
              vibectl config get llm.model
              vibectl config set display.show_kubectl true
              vibectl config unset display.show_kubectl
              vibectl config info

            EXIT STATUS:
              0   success
              1   failure (unknown key, invalid value, unreadable file)
              64  usage error
            """,
        subcommands: [
            ConfigShow.self, ConfigGet.self, ConfigSet.self, ConfigUnset.self, ConfigInfo.self, ConfigSchema.self,
        ]
    )
}

/// Prints the library's warnings on stderr.
private func printWarnings(_ json: JSON) {
    for warning in json["warnings"]?.arrayValue ?? [] {
        if let text = warning.stringValue { Console.warning(text) }
    }
}

/// A value as shown in text output, given the key's type (a float 50 reads "50.0").
func displayValue(_ value: JSON, type: String?) -> String {
    if type == "float", case .number(let text) = value, !text.contains("."), !text.lowercased().contains("e") {
        return text + ".0"
    }
    return value.displayText
}

/// The source column of a table row: "(file)", "(env VIBECTL_LLM_MODEL)".
private func sourceLabel(_ source: String?, envVar: String?) -> String {
    guard let source else { return "" }
    if source == "env", let envVar { return "(env \(envVar))" }
    return "(\(source))"
}

/// `vibectl config show`.
struct ConfigShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show the effective configuration: everything, one section or one key.",
        discussion: """
            Text output is a table of `section.key  value  (source)`, grouped by section; long \
            values are shortened (use 'vibectl config get KEY' for the whole value). JSON output \
            is the library's own document (docs/abi.md, "config show").

            EXAMPLES:
              vibectl config show
              vibectl config show memory
              vibectl config show llm.model
              vibectl config show -o json

            EXIT STATUS:
              0   success
              1   failure (unknown section or key, corrupt file)
              64  usage error
            """)

    @Argument(
        help: ArgumentHelp(
            "A section (e.g. llm) or a dotted key (e.g. llm.model); all when omitted.", valueName: "section|key"),
        completion: configKeyCompletions(includeSections: true))
    var selector: String?

    @Option(name: .shortAndLong, help: "Output format: text, json or yaml.")
    var output: OutputFormat = .text

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let client = try global.client()
        let (raw, json) = try client.configShow(selector)
        printWarnings(json)
        switch output {
        case .json: Console.printLibraryJSON(raw)
        case .yaml: Console.out(json.yamlText)
        case .text:
            let schema = try? Library.schema()
            if json["scope"]?.stringValue == "key" {
                let key = json["key"]?.stringValue ?? selector ?? ""
                let value = displayValue(json["value"] ?? .null, type: schema?.key(matching: key)?.type)
                let source = sourceLabel(json["source"]?.stringValue, envVar: json["env_var"]?.stringValue)
                Console.out(formatTable([[key, value, source]]).joined(separator: "\n"))
            } else {
                Console.out(Self.table(json, schema: schema).joined(separator: "\n"))
            }
        }
    }

    /// The text table of a whole-configuration or section document, grouped by section.
    static func table(_ json: JSON, schema: Schema?) -> [String] {
        let sources = json["sources"]?.objectValue ?? []
        let values = json["values"] ?? .object([])
        let sectionScoped = json["scope"]?.stringValue == "section"
        let section = json["section"]?.stringValue
        var keys = sources.map(\.0)
        if let schema {
            let indexed = keys.enumerated().map { ($0.element, schema.order(of: $0.element), $0.offset) }
            keys = indexed.sorted { ($0.1.0, $0.1.1, $0.2) < ($1.1.0, $1.1.1, $1.2) }.map(\.0)
        }
        var rows: [[String]] = []
        var lastSection: String?
        for key in keys {
            let parts = key.split(separator: ".").map(String.init)
            let keySection = parts.first ?? key
            // A section document holds the section's members at the top of "values".
            var path = parts
            if sectionScoped, let section, parts.first == section { path = Array(parts.dropFirst()) }
            var value: JSON? = values
            for part in path { value = value?[part] }
            if let lastSection, lastSection != keySection { rows.append([]) }
            lastSection = keySection
            let source = sources.first { $0.0 == key }?.1.stringValue
            let shown = tableCell(displayValue(value ?? .null, type: schema?.key(matching: key)?.type))
            rows.append([key, shown, sourceLabel(source, envVar: nil)])
        }
        // Blank separator rows stay blank; the table is aligned over the non-blank ones.
        let aligned = formatTable(rows.filter { !$0.isEmpty })
        var lines: [String] = []
        var next = aligned.makeIterator()
        for row in rows {
            if row.isEmpty { lines.append("") } else if let line = next.next() { lines.append(line) }
        }
        return lines
    }
}

/// `vibectl config get`.
struct ConfigGet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Print the effective value of one key.",
        discussion: """
            Text output is the value alone (strings bare, lists and maps as JSON, null as \
            'null'), ready for scripts: $(vibectl config get llm.model). JSON output adds the \
            source, the type and whether the value is masked.

            EXAMPLES:
              vibectl config get llm.model
              vibectl config get memory.max_chars -o json

            EXIT STATUS:
              0   success
              1   failure (unknown key, corrupt file)
              64  usage error
            """)

    @Argument(
        help: ArgumentHelp("A dotted key, e.g. llm.model.", valueName: "key"),
        completion: configKeyCompletions(includeSections: false))
    var key: String

    @Option(name: .shortAndLong, help: "Output format: text, json or yaml.")
    var output: OutputFormat = .text

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let client = try global.client()
        let (raw, json) = try client.configGet(key)
        switch output {
        case .json: Console.printLibraryJSON(raw)
        case .yaml: Console.out(json.yamlText)
        case .text: Console.out(displayValue(json["value"] ?? .null, type: json["type"]?.stringValue))
        }
    }
}

/// `vibectl config set`.
struct ConfigSet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Set a key in the configuration file.",
        discussion: """
            The value is text, converted to the key's type: booleans accept true/false, yes/no, \
            on/off, 1/0; lists accept JSON (["a","b"]) or comma-separated text; nullable keys \
            accept null. The file is written atomically with mode 0600.

            EXAMPLES:
              vibectl config set llm.model claude-3.7-sonnet
              vibectl config set display.show_kubectl yes
              vibectl config set plugins.precedence a,b
              vibectl config set core.kubeconfig null

            EXIT STATUS:
              0   success
              1   failure (unknown key, invalid value, corrupt or locked file)
              64  usage error
            """)

    @Argument(
        help: ArgumentHelp("A dotted key, e.g. llm.model.", valueName: "key"),
        completion: configKeyCompletions(includeSections: false))
    var key: String

    @Argument(help: ArgumentHelp("The new value, as text.", valueName: "value"))
    var value: String

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let client = try global.client()
        try client.configSet(key, value)
        var shown = value
        if let (_, entry) = try? client.configGet(key) {
            let source = entry["source"]?.stringValue
            if source == "file" || entry["masked"]?.boolValue == true {
                shown = displayValue(entry["value"] ?? .null, type: entry["type"]?.stringValue)
            }
            if source == "env", let envVar = entry["env_var"]?.stringValue {
                Console.warning("\(envVar) is set in the environment and overrides the value in the file")
            }
        }
        Console.out("Configuration \(key) set to \(tableCell(shown, limit: 200))")
    }
}

/// `vibectl config unset`.
struct ConfigUnset: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unset",
        abstract: "Reset a key to its default by removing it from the configuration file.",
        discussion: """
            EXAMPLES:
              vibectl config unset llm.model

            EXIT STATUS:
              0   success (also when the key was not set)
              1   failure
              64  usage error
            """)

    @Argument(
        help: ArgumentHelp("A dotted key, e.g. llm.model.", valueName: "key"),
        completion: configKeyCompletions(includeSections: false))
    var key: String

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let client = try global.client()
        try client.configUnset(key)
        var message = "Configuration \(key) reset to default"
        if let (_, entry) = try? client.configGet(key) {
            let source = entry["source"]?.stringValue
            if source == "default" {
                let value = displayValue(entry["value"] ?? .null, type: entry["type"]?.stringValue)
                message += " (\(tableCell(value, limit: 200)))"
            } else if source == "env", let envVar = entry["env_var"]?.stringValue {
                Console.warning("\(envVar) is set in the environment and still overrides the default")
            }
        }
        Console.out(message)
    }
}

/// `vibectl config info`.
struct ConfigInfo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe the configuration file: path, existence, size, modification time.",
        discussion: """
            EXAMPLES:
              vibectl config info
              vibectl config info -o json

            \(HelpText.standardExitStatus)
            """)

    @Option(name: .shortAndLong, help: "Output format: text, json or yaml.")
    var output: OutputFormat = .text

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let client = try global.client()
        let (raw, json) = try client.configInfo()
        switch output {
        case .json: Console.printLibraryJSON(raw)
        case .yaml: Console.out(json.yamlText)
        case .text:
            func text(_ key: String) -> String {
                guard let value = json[key] else { return "-" }
                switch value {
                case .null: return "-"
                case .bool(let flag): return flag ? "yes" : "no"
                default: return value.displayText
                }
            }
            var size = text("size")
            if json["size"]?.intValue != nil { size += " bytes" }
            let rows = [
                ["Config directory:", text("config_dir")],
                ["Config file:", text("path")],
                ["Exists:", text("exists")],
                ["Size:", size],
                ["Modified:", text("modified")],
                ["Mode:", text("mode")],
                ["Memory file:", text("memory_path")],
            ]
            Console.out(formatTable(rows).joined(separator: "\n"))
        }
    }
}

/// `vibectl config schema`.
struct ConfigSchema: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "List every configuration key with its type, default and description.",
        discussion: """
            EXAMPLES:
              vibectl config schema
              vibectl config schema -o json

            EXIT STATUS:
              0   success
              64  usage error
            """)

    @Option(name: .shortAndLong, help: "Output format: text, json or yaml.")
    var output: OutputFormat = .text

    func run() throws {
        try Library.checkABI()
        let raw = try Library.schemaText()
        guard let json = JSON.parse(raw) else { throw Library.malformed("the configuration schema") }
        switch output {
        case .json: Console.printLibraryJSON(raw)
        case .yaml: Console.out(json.yamlText)
        case .text:
            let schema = Schema(json: json)
            var rows: [[String]] = [["KEY", "TYPE", "DEFAULT", "DESCRIPTION"]]
            for key in schema.keys {
                var type = key.type
                if key.json["nullable"]?.boolValue == true { type += "?" }
                var description = key.json["description"]?.stringValue ?? ""
                if let allowed = key.json["allowed_values"]?.arrayValue, !allowed.isEmpty {
                    description += " [" + allowed.map(\.displayText).joined(separator: ", ") + "]"
                }
                if let min = key.json["min"], min != .null, let max = key.json["max"], max != .null {
                    description += " [\(min.displayText)..\(max.displayText)]"
                }
                let defaultValue = tableCell(displayValue(key.json["default"] ?? .null, type: key.type), limit: 30)
                rows.append([key.key, type, defaultValue, description])
            }
            Console.out(formatTable(rows).joined(separator: "\n"))
        }
    }
}
