import Foundation
import Testing
import VibectlTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The built `vibectl-cli` binary, found next to the test bundle.
enum CLIBinary {
    /// The binary's path, or nil when it has not been built.
    static let path: String? = {
        var candidates: [String] = []
        if let explicit = ProcessInfo.processInfo.environment["VIBECTL_CLI_PATH"] { candidates.append(explicit) }
        // The test bundle lives in the build directory (.build/<triple>/debug), as does the CLI.
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("vibectl-cli").path)
        if let executable = Bundle.main.executableURL {
            candidates.append(executable.deletingLastPathComponent().appendingPathComponent("vibectl-cli").path)
        }
        if let first = CommandLine.arguments.first {
            let url = URL(fileURLWithPath: first).resolvingSymlinksInPath()
            candidates.append(url.deletingLastPathComponent().appendingPathComponent("vibectl-cli").path)
        }
        // Last resort: <repo>/.build/debug/vibectl-cli, from this source file's location.
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(repo.appendingPathComponent(".build/debug/vibectl-cli").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()
}

/// One isolated vibectl environment: its own config dir and HOME, never the real ~/.config.
final class CLIFixture: Sendable {
    /// The scratch directory holding everything of this fixture.
    let scratch: ScratchDirectory
    /// VIBECTL_CONFIG_DIR of every run.
    let configDir: String
    /// HOME of every run.
    let home: String
    /// The runner for the vibectl binary.
    let runner: CLIRunner

    /// Creates the directories; fails the test clearly when the binary is missing.
    init(environment extra: [String: String] = [:]) throws {
        let binary = try #require(
            CLIBinary.path,
            "vibectl-cli is not built next to the tests; run 'swift build' (or set VIBECTL_CLI_PATH)")
        scratch = try ScratchDirectory(prefix: "vibectl-cli")
        configDir = scratch.file("config")
        home = scratch.file("home")
        try FileManager.default.createDirectory(atPath: configDir, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        runner = CLIRunner(
            executable: binary,
            environment: CLIRunner.isolatedEnvironment(
                ["VIBECTL_CONFIG_DIR": configDir, "HOME": home].merging(extra) { $1 }))
    }

    /// The binary's path.
    var binary: String { runner.executable }

    /// The config file the library writes.
    var configFile: String { configDir + "/client/config.yaml" }

    /// Runs `vibectl args...` and returns what it did.
    @discardableResult
    func run(
        _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:], timeout: Double = 30
    ) async throws -> CLIResult {
        try await runner.run(arguments, stdin: stdin, environment: environment, timeout: timeout)
    }

    /// Runs `vibectl args...` and requires exit status 0 (the failure message shows stderr).
    @discardableResult
    func succeed(
        _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> CLIResult {
        let result = try await run(arguments, stdin: stdin, environment: environment)
        try #require(
            result.status == 0,
            "vibectl \(arguments.joined(separator: " ").prefix(120)) exited \(result.status): \(result.stderr.prefix(2000))",
            sourceLocation: sourceLocation)
        return result
    }

    /// Runs `args` with `-o json` appended and parses stdout as a JSON object.
    func json(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: Any] {
        let result = try await succeed(arguments + ["-o", "json"], sourceLocation: sourceLocation)
        return try parseObject(result.stdout, sourceLocation: sourceLocation)
    }

    /// An executable shell script in the scratch directory.
    ///
    /// Written through a close-on-exec descriptor: a child spawned meanwhile by a test running in
    /// parallel must not inherit a writable descriptor of it, or executing it fails with ETXTBSY.
    func script(_ name: String, _ body: String) throws -> String {
        let path = scratch.file(name)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        try #require(fd >= 0, "cannot create \(path)")
        let bytes = Array(("#!/bin/sh\n" + body).utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        try #require(written == bytes.count, "cannot write \(path)")
        return path
    }
}

/// Parses text as a JSON object.
func parseObject(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
    let parsed = try? JSONSerialization.jsonObject(with: Data(text.utf8))
    return try #require(parsed as? [String: Any], "not a JSON object: \(text.prefix(500))", sourceLocation: sourceLocation)
}

/// Whether a JSON value (from JSONSerialization) is the number `expected` or its text.
func jsonValue(_ value: Any?, equals expected: Int) -> Bool {
    if let text = value as? String { return text == String(expected) }
    if let number = value as? NSNumber { return number.doubleValue == Double(expected) }
    return false
}

/// The value of a dotted key in a `config show -o json` document.
func shownValue(_ document: [String: Any], _ key: String) -> Any? {
    var current: Any? = document["values"]
    for part in key.split(separator: ".") {
        current = (current as? [String: Any])?[String(part)]
    }
    return current
}
