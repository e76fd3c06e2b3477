import Foundation
import Testing
import VibectlTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A fake kubectl that records its argv and signal dispositions, echoes stdin for `apply`, and exits with a code.
struct RecordingKubectl {
    let path: String
    let argvFile: String
    let sigIgnFile: String

    init(_ cli: CLIFixture, exitCode: Int32 = 0) throws {
        argvFile = cli.scratch.file("kubectl.argv")
        sigIgnFile = cli.scratch.file("kubectl.sigign")
        path = try cli.script(
            "kubectl",
            """
            : > '\(argvFile)'
            for arg in "$@"; do printf '%s\\n' "$arg" >> '\(argvFile)'; done
            grep '^SigIgn' /proc/$$/status > '\(sigIgnFile)'
            for arg in "$@"; do
              if [ "$arg" = "apply" ]; then cat; fi
            done
            echo "fake kubectl ran"
            exit \(exitCode)
            """)
    }

    /// The arguments of the last run, one per element.
    func arguments() throws -> [String] {
        var lines = try String(contentsOfFile: argvFile, encoding: .utf8).components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// The ignored-signal mask the fake kubectl started with.
    func ignoredSignals() throws -> UInt64 {
        let line = try String(contentsOfFile: sigIgnFile, encoding: .utf8)
        let hex = line.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        return try #require(UInt64(hex, radix: 16), "bad SigIgn line \(line)")
    }
}

@Suite("vibectl just")
struct JustCLITests {
    @Test("kubectl receives the exact argv, --kubeconfig first, and its exit code becomes vibectl's")
    func exactArgvAndExitCode() async throws {
        let cli = try CLIFixture()
        let kubectl = try RecordingKubectl(cli, exitCode: 3)
        try await cli.succeed(["config", "set", "core.kubectl_command", kubectl.path])
        try await cli.succeed(["config", "set", "core.kubeconfig", "/path/with space/kc"])
        let arguments = ["get", "pods", "-n", "kube system", "-o", "yaml", "--selector=app in (a,b)", "*", "$HOME", "--"]
        let result = try await cli.run(["just"] + arguments)
        #expect(result.status == 3)
        #expect(result.stdout == "fake kubectl ran\n")
        #expect(try kubectl.arguments() == ["--kubeconfig", "/path/with space/kc"] + arguments)
    }

    @Test("flags after just reach kubectl, including --help and vibectl's own option names")
    func flagsPassThrough() async throws {
        let cli = try CLIFixture()
        let kubectl = try RecordingKubectl(cli)
        try await cli.succeed(["config", "set", "core.kubectl_command", kubectl.path])
        let help = try await cli.succeed(["just", "--help"])
        #expect(help.stdout == "fake kubectl ran\n")
        #expect(try kubectl.arguments() == ["--help"])
        try await cli.succeed(["just", "--config-dir", "x", "-h", "version"])
        #expect(try kubectl.arguments() == ["--config-dir", "x", "-h", "version"])
    }

    @Test("--config-dir before just selects the configuration that names kubectl")
    func configDirBeforeJust() async throws {
        let cli = try CLIFixture()
        let kubectl = try RecordingKubectl(cli, exitCode: 0)
        let other = cli.scratch.file("other")
        try await cli.succeed(["--config-dir", other, "config", "set", "core.kubectl_command", kubectl.path])
        try await cli.succeed(["--config-dir", other, "just", "version", "--client"])
        #expect(try kubectl.arguments() == ["version", "--client"])
    }

    @Test("stdin passes through to kubectl")
    func stdinPassesThrough() async throws {
        let cli = try CLIFixture()
        let kubectl = try RecordingKubectl(cli)
        try await cli.succeed(["config", "set", "core.kubectl_command", kubectl.path])
        let manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\n"
        let result = try await cli.succeed(["just", "apply", "-f", "-"], stdin: Data(manifest.utf8))
        #expect(result.stdout == manifest + "fake kubectl ran\n")
    }

    @Test("kubectl starts with SIGINT and SIGQUIT at their defaults, so Ctrl-C reaches it")
    func signalsNotIgnoredInKubectl() async throws {
        let cli = try CLIFixture()
        let kubectl = try RecordingKubectl(cli)
        try await cli.succeed(["config", "set", "core.kubectl_command", kubectl.path])
        try await cli.succeed(["just", "get", "pods"])
        let mask = try kubectl.ignoredSignals()
        #expect(mask & (1 << 1) == 0, "kubectl inherited SIGINT ignored")
        #expect(mask & (1 << 2) == 0, "kubectl inherited SIGQUIT ignored")
    }

    @Test("Ctrl-C: vibectl survives SIGINT while kubectl runs, and reports kubectl's death by SIGINT as 130")
    func interruptWaitsForKubectl() async throws {
        let cli = try CLIFixture()
        let pidFile = cli.scratch.file("kubectl.pid")
        let kubectl = try cli.script("kubectl", "echo $$ > '\(pidFile)'.tmp\nmv '\(pidFile)'.tmp '\(pidFile)'\nexec sleep 20\n")
        try await cli.succeed(["config", "set", "core.kubectl_command", kubectl])
        let vibectl = try cli.runner.start(["just", "get", "pods", "--watch"])
        var kubectlPid: pid_t?
        for _ in 0..<500 where kubectlPid == nil {
            kubectlPid = (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap {
                pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            if kubectlPid == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        let child = try #require(kubectlPid, "the fake kubectl never started")

        // SIGINT to vibectl alone: it keeps waiting for kubectl.
        kill(vibectl.pid, SIGINT)
        try await Task.sleep(for: .milliseconds(200))
        #expect(!vibectl.hasExited, "vibectl died of SIGINT instead of waiting for kubectl")

        // SIGINT to kubectl (what Ctrl-C does to the foreground group): vibectl exits 130.
        kill(child, SIGINT)
        let result = await vibectl.result(timeout: 10)
        #expect(!result.signaled)
        #expect(result.status == 130)
    }

    @Test("a missing kubectl is an error with a hint and exit 1")
    func missingKubectl() async throws {
        let cli = try CLIFixture()
        try await cli.succeed(["config", "set", "core.kubectl_command", cli.scratch.file("no-such-kubectl")])
        let result = try await cli.run(["just", "get", "pods"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: "))
        #expect(result.stderr.contains("no-such-kubectl"))
        #expect(result.stderr.contains("\nhint: "))
    }

    @Test("just without arguments is a usage error")
    func noArguments() async throws {
        let cli = try CLIFixture()
        let result = try await cli.run(["just"])
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("error: "))
    }
}
