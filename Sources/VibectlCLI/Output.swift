import ArgumentParser
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The `-o/--output` formats.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json, yaml
}

/// Writing to stdout and stderr, with colour only where the user can see it.
enum Console {
    /// Writes `text` and a newline to stdout.
    static func out(_ text: String) {
        writeAll(text + "\n", to: STDOUT_FILENO)
    }

    /// Writes `text` to stdout as it is, without a newline (raw command output, streamed text).
    static func outRaw(_ text: String) {
        writeAll(text, to: STDOUT_FILENO)
    }

    /// Writes `text` and a newline to stderr.
    static func err(_ text: String) {
        writeAll(text + "\n", to: STDERR_FILENO)
    }

    /// Writes a `warning: ` line to stderr.
    static func warning(_ text: String) {
        err(paint("warning:", code: "33", fd: STDERR_FILENO) + " " + text)
    }

    /// Writes `text` to stderr as it is, without a newline (for redrawing a status line).
    static func errRaw(_ text: String) {
        writeAll(text, to: STDERR_FILENO)
    }

    /// Whether `fd` is a terminal that can redraw a line (`TERM` is not `dumb`).
    static func isInteractive(fd: Int32) -> Bool {
        ProcessInfo.processInfo.environment["TERM"] != "dumb" && isatty(fd) == 1
    }

    /// Writes a note (no prefix) to stderr.
    static func note(_ text: String) {
        err(text)
    }

    /// Writes `error: <message>` and, when there is one, `hint: <hint>` to stderr.
    static func error(_ message: String, hint: String?) {
        var text = paint("error:", code: "31", fd: STDERR_FILENO) + " " + message
        if let hint, !hint.isEmpty { text += "\n" + paint("hint:", code: "36", fd: STDERR_FILENO) + " " + hint }
        err(text)
    }

    /// Prints a JSON document the library returned, exactly as returned.
    static func printLibraryJSON(_ text: String) {
        out(text.hasSuffix("\n") ? String(text.dropLast()) : text)
    }

    /// Prints `json` in the requested machine format (json or yaml).
    static func printMachine(_ json: JSON, raw: String?, format: OutputFormat) {
        switch format {
        case .json: if let raw { printLibraryJSON(raw) } else { out(json.prettyText()) }
        case .yaml: out(json.yamlText)
        case .text: out(json.prettyText())
        }
    }

    /// Whether to colour what goes to `fd`: a terminal, `NO_COLOR` unset or empty, `TERM` not `dumb`.
    static func useColour(fd: Int32) -> Bool {
        let environment = ProcessInfo.processInfo.environment
        if let noColour = environment["NO_COLOR"], !noColour.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return isatty(fd) == 1
    }

    /// Wraps `text` in an SGR colour code when colour is allowed on `fd`.
    static func paint(_ text: String, code: String, fd: Int32) -> String {
        useColour(fd: fd) ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    private static func writeAll(_ text: String, to fd: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { buffer in
                write(fd, buffer.baseAddress, buffer.count)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            bytes = bytes.dropFirst(written)
        }
    }
}

/// Renders rows of cells as left-aligned columns separated by two spaces.
func formatTable(_ rows: [[String]]) -> [String] {
    let columns = rows.map(\.count).max() ?? 0
    var widths = [Int](repeating: 0, count: columns)
    for row in rows {
        for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
    }
    return rows.map { row in
        row.enumerated().map { index, cell in
            index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
        }.joined(separator: "  ")
    }
}

/// Shortens a value for a table cell: one line, at most `limit` characters.
func tableCell(_ text: String, limit: Int = 60) -> String {
    var single = text
    if single.contains(where: \.isNewline) || single.contains("\t") {
        single = String(JSON.quote(single).dropFirst().dropLast())
    }
    guard single.count > limit else { return single }
    return String(single.prefix(limit - 1)) + "… (\(text.count) chars)"
}

/// Help text shared by several commands.
enum HelpText {
    /// The exit-status section of every command that has no codes of its own.
    static let standardExitStatus = """
        EXIT STATUS:
          0   success
          1   failure
          64  usage error
        """
}
