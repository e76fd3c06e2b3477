import Foundation
import Testing
import VibectlCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fresh temporary directory holding fake kubectl scripts; removed on deinit.
final class FakeKubectlDir: Sendable {
    /// The directory's path.
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        var template = Array("\(base)/vibectl-kubectl-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            return mkdtemp(base) != nil
        }
        try #require(made, "mkdtemp failed")
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes an executable `#!/bin/sh` script named `name` with `body` and returns its path.
    @discardableResult
    func script(_ name: String, _ body: String, mode: Int = 0o755) throws -> String {
        let file = "\(path)/\(name)"
        try "#!/bin/sh\n\(body)\n".write(toFile: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file)
        return file
    }

    /// A file path inside the directory (not created).
    func file(_ name: String) -> String { "\(path)/\(name)" }

    /// An environment for fakes: a PATH with the system tools plus `extra`.
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = ["PATH": "/usr/bin:/bin"]
        environment.merge(extra) { _, new in new }
        return environment
    }

    /// Reads a file written by a fake, split into lines (no trailing empty line).
    func lines(of name: String) throws -> [String] {
        let text = try String(contentsOfFile: file(name), encoding: .utf8)
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}

/// The script body that writes its argv, one per line, to $ARGS_FILE and exits with `code`.
func recordArgvBody(exitCode code: Int32 = 0) -> String {
    """
    for a in "$@"; do printf '%s\\n' "$a"; done > "$ARGS_FILE"
    exit \(code)
    """
}

/// Whether a process with `pid` still exists (zombies count as existing).
func processExists(_ pid: Int32) -> Bool {
    kill(pid, 0) == 0 || errno != ESRCH
}
