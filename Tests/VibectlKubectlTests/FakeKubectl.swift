import Foundation
import VibectlTestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Scripts for the pass-through tests that `FakeKubectl` does not cover (exec, traps, signals).
extension ScratchDirectory {
    /// Writes a `#!/bin/sh` script named `name` with `body`, with `mode`, and returns its path.
    @discardableResult
    func script(_ name: String, _ body: String, mode: Int = 0o755) throws -> String {
        let path = file(name)
        try "#!/bin/sh\n\(body)\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

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

/// Whether a process with `pid` still exists (a zombie counts as existing).
func processExists(_ pid: Int32) -> Bool {
    kill(pid, 0) == 0 || errno != ESRCH
}
