import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Opens the user's editor on a temporary file and returns what they saved.
enum Editor {
    /// The editor command: $VISUAL, then $EDITOR, then vi.
    static var command: String {
        let environment = ProcessInfo.processInfo.environment
        for name in ["VISUAL", "EDITOR"] {
            if let value = environment[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty { return value }
        }
        return "vi"
    }

    /// Edits `seed` and returns the result without its leading `#` lines, trimmed.
    static func edit(seed: String) throws(CLIError) -> String {
        var template = Array((NSTemporaryDirectory() + "/vibectl-memory-XXXXXX.md").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.map { mkstemps($0, 3) } ?? -1
        }
        guard fd >= 0 else {
            throw CLIError(
                message: "could not create a temporary file for the editor: \(String(cString: strerror(errno)))",
                hint: "Check that $TMPDIR is writable, or pass the text as arguments.")
        }
        let path = template.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { String(cString: $0) } ?? ""
        }
        defer { unlink(path) }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        do {
            try handle.write(contentsOf: Data(seed.utf8))
            try handle.close()
        } catch {
            throw CLIError(message: "could not write the temporary file \(path): \(error)")
        }

        let editor = command
        // Run through sh like git does, so that EDITOR="code --wait" works; the file is "$1".
        let status = try spawnAndWait(["/bin/sh", "-c", "\(editor) \"$1\"", "vibectl-editor", path])
        guard status == 0 else {
            throw CLIError(
                message: "the editor '\(editor)' exited with status \(status); memory is unchanged",
                hint: "Set $VISUAL or $EDITOR to a working editor, or pass the text as arguments.")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError(message: "could not read the edited file \(path)")
        }
        return stripLeadingComments(String(decoding: data, as: UTF8.self))
    }

    /// Drops the `#` lines before the first other line, then trims surrounding whitespace.
    static func stripLeadingComments(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let body = lines.drop { $0.hasPrefix("#") }
        return body.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts `argv` with posix_spawn, attached to this terminal, and returns its exit status.
    static func spawnAndWait(_ argv: [String]) throws(CLIError) -> Int32 {
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
        cArgs.append(nil)
        defer { for pointer in cArgs { free(pointer) } }
        var pid: pid_t = 0
        let spawnStatus = cArgs.withUnsafeBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress, let program = buffer.first ?? nil else { return EINVAL }
            return posix_spawn(&pid, program, nil, nil, base, environ)
        }
        guard spawnStatus == 0 else {
            throw CLIError(
                message: "could not start the editor: \(String(cString: strerror(spawnStatus)))",
                hint: "Set $VISUAL or $EDITOR to a working editor, or pass the text as arguments.")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return -1 }
        }
        let exited = status & 0x7F == 0
        return exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }
}
