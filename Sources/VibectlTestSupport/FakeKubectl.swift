import Foundation

/// A fake kubectl for tests: a shell script that records its arguments and exits with a chosen code.
///
/// The script writes each argument on its own line to ``argvFile`` (so a test can prove the
/// arguments arrived verbatim, without a shell in between), can sleep first, and exits with
/// ``exitCode``.
public struct FakeKubectl: Sendable {
    /// The script's path; set `core.kubectl_command` to it.
    public let path: String
    /// Where the script records its arguments, one per line.
    public let argvFile: String

    /// Writes the script into `directory`.
    /// - Parameters:
    ///   - directory: An existing directory.
    ///   - name: The script's file name.
    ///   - exitCode: The code the script exits with.
    ///   - sleepSeconds: How long it sleeps before exiting (0 for none).
    ///   - stdout: Text it prints on standard output.
    public init(in directory: String, name: String = "kubectl", exitCode: Int32 = 0, sleepSeconds: Double = 0, stdout: String = "")
        throws
    {
        path = directory + "/" + name
        argvFile = directory + "/" + name + ".argv"
        let quotedArgv = Self.shellQuote(argvFile)
        var script = "#!/bin/sh\n: > \(quotedArgv)\nfor arg in \"$@\"; do printf '%s\\n' \"$arg\" >> \(quotedArgv); done\n"
        if !stdout.isEmpty { script += "printf '%s' \(Self.shellQuote(stdout))\n" }
        if sleepSeconds > 0 { script += "sleep \(sleepSeconds)\n" }
        script += "exit \(exitCode)\n"
        try Self.writeExecutable(script, to: path)
    }

    /// Writes an executable file through a close-on-exec descriptor, so a process spawned
    /// concurrently by another test cannot inherit it (exec would then fail with ETXTBSY).
    private static func writeExecutable(_ text: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fchmod(fd, 0o755) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }

    /// The arguments of the last run, or `nil` if the script has not run.
    public func recordedArguments() -> [String]? {
        guard let text = try? String(contentsOfFile: argvFile, encoding: .utf8) else { return nil }
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    private static func shellQuote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
