import Foundation
import Testing
import VibectlCore
import VibectlKubectl
import VibectlTestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - helpers (prefixed: the test target is shared with other suites)

/// A runner for a fake kubectl with the given settings.
private func runnerFor(
    _ command: String, in dir: ScratchDirectory, kubeconfig: String? = nil, context: String? = nil,
    namespace: String? = nil, timeout: Duration? = nil, maxOutputBytes: Int = 64 << 20,
    environment: [String: String] = [:]
) -> KubectlRunner {
    KubectlRunner(
        kubectlCommand: command, kubeconfig: kubeconfig, context: context, namespace: namespace, timeout: timeout,
        maxOutputBytes: maxOutputBytes, environment: dir.environment(environment))
}

/// Whether `pid` is alive and not a zombie (an orphan may stay a zombie when init does not reap).
private func runnerProcessIsRunning(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else {
        return kill(pid, 0) == 0
    }
    guard let paren = stat.lastIndex(of: ")") else { return false }
    let state = stat[stat.index(after: paren)...].trimmingCharacters(in: .whitespaces)
    return !(state.hasPrefix("Z") || state.hasPrefix("X"))
}

/// Polls `condition` every 50 ms for up to `seconds`; returns whether it became true.
private func runnerEventually(within seconds: Double, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return condition()
}

/// Reads a pid a fake wrote to `name`, waiting for it to appear.
private func runnerPid(_ dir: ScratchDirectory, _ name: String) async -> Int32? {
    var pid: Int32?
    _ = await runnerEventually(within: 20) {
        guard let text = try? String(contentsOfFile: dir.file(name), encoding: .utf8),
            let value = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { return false }
        pid = value
        return true
    }
    return pid
}

private func runnerSeconds(since start: ContinuousClock.Instant) -> Double {
    let duration = ContinuousClock.now - start
    return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

@Suite("kubectl runner")
struct RunnerTests {
    // MARK: argv

    @Test("arguments reach kubectl verbatim, never through a shell, and stdout is captured")
    func argumentsVerbatim() async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-runner-test")
        let fake = try FakeKubectl(in: dir.path, stdout: "pod-a Running\n")
        let pwned = dir.file("pwned")
        let arguments = [
            "get", "pods", "two words", "\"double\"", "'single'", "a;b", "x && y", "$(touch \(pwned))",
            "`touch \(pwned)`", "*", "$HOME", "back\\slash", "ünïcødé", "",
        ]
        let output = try await runnerFor(fake.path, in: dir).run(KubectlInvocation(arguments: arguments))
        #expect(fake.recordedArguments() == arguments)
        #expect(output.argv == [fake.path] + arguments)
        #expect(output.stdout == "pod-a Running\n")
        #expect(output.exitCode == 0 && output.succeeded)
        #expect(!output.stdoutTruncated && output.spillFile == nil)
        #expect(!FileManager.default.fileExists(atPath: pwned), "an argument was evaluated by a shell")
    }

    @Test("--kubeconfig, --context and --namespace come from the runner's config")
    func configFlagsAdded() async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-runner-test")
        let fake = try FakeKubectl(in: dir.path)
        let runner = runnerFor(fake.path, in: dir, kubeconfig: "/k/config", context: "prod", namespace: "web")
        _ = try await runner.run(KubectlInvocation(arguments: ["get", "pods"]))
        #expect(
            fake.recordedArguments()
                == ["--kubeconfig", "/k/config", "--context", "prod", "--namespace", "web", "get", "pods"])
    }

    @Test("per-call kubeconfig, context and namespace override the runner's")
    func invocationOverrides() async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-runner-test")
        let fake = try FakeKubectl(in: dir.path)
        let runner = runnerFor(fake.path, in: dir, kubeconfig: "/k/config", context: "prod", namespace: "web")
        let invocation = KubectlInvocation(
            arguments: ["get", "pods"], context: "staging", namespace: "api", kubeconfig: "/other")
        _ = try await runner.run(invocation)
        #expect(
            fake.recordedArguments()
                == ["--kubeconfig", "/other", "--context", "staging", "--namespace", "api", "get", "pods"])
    }

    @Test("nothing is added when neither config nor call sets it (empty strings count as unset)")
    func noFlagsWhenUnset() async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-runner-test")
        let fake = try FakeKubectl(in: dir.path)
        let runner = runnerFor(fake.path, in: dir, kubeconfig: "", context: nil, namespace: "")
        _ = try await runner.run(KubectlInvocation(arguments: ["version"]))
        #expect(fake.recordedArguments() == ["version"])
    }

    @Test(
        "a flag the arguments already carry is never duplicated",
        arguments: [
            ["get", "pods", "--context", "mine", "--namespace", "ns", "--kubeconfig", "/mine"],
            ["get", "pods", "--context=mine", "--namespace=ns", "--kubeconfig=/mine"],
            ["get", "pods", "-n", "ns", "--context=mine", "--kubeconfig", "/mine"],
            ["get", "pods", "-nns", "--context=mine", "--kubeconfig=/mine"],
        ])
    func flagsNotDuplicated(arguments: [String]) async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-runner-test")
        let fake = try FakeKubectl(in: dir.path)
        let runner = runnerFor(fake.path, in: dir, kubeconfig: "/k/config", context: "prod", namespace: "web")
        _ = try await runner.run(KubectlInvocation(arguments: arguments))
        #expect(fake.recordedArguments() == arguments)
    }

    @Test("--all-namespaces suppresses the configured namespace")
    func allNamespacesSuppressesNamespace() async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-runner-test")
        let fake = try FakeKubectl(in: dir.path)
        let runner = runnerFor(fake.path, in: dir, namespace: "web")
        _ = try await runner.run(KubectlInvocation(arguments: ["get", "pods", "-A"]))
        #expect(fake.recordedArguments() == ["get", "pods", "-A"])
    }

    @Test("KUBECONFIG from the environment reaches kubectl")
    func kubeconfigEnvironmentHonoured() async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-runner-test")
        let fake = try dir.script("kubectl", "printf '%s' \"$KUBECONFIG\"")
        let runner = runnerFor(fake, in: dir, environment: ["KUBECONFIG": "/a/one:/b/two"])
        let output = try await runner.run(KubectlInvocation(arguments: ["config", "view"]))
        #expect(output.stdout == "/a/one:/b/two")
    }

    // MARK: stdin

    @Test("a manifest goes to kubectl's stdin with -f -")
    func manifestOnStdin() async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-runner-test")
        let stdinFile = dir.file("stdin.txt")
        let fake = try dir.script(
            "kubectl", "cat > '\(stdinFile)'\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '\(dir.file("argv"))'")
        // Large enough to fill a socket buffer several times over.
        let manifest = String(repeating: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n---\n", count: 20_000)
        let output = try await runnerFor(fake, in: dir).run(
            KubectlInvocation(arguments: ["apply", "--server-side"], manifest: manifest))
        #expect(output.succeeded)
        #expect(try dir.lines(of: "argv") == ["apply", "--server-side", "-f", "-"])
        #expect(try String(contentsOfFile: stdinFile, encoding: .utf8) == manifest)
    }

    @Test("-f - already in the arguments is kept and not added twice")
    func manifestDashFKept() async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-runner-test")
        let fake = try dir.script(
            "kubectl", "cat > '\(dir.file("stdin"))'\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '\(dir.file("argv"))'")
        _ = try await runnerFor(fake, in: dir).run(
            KubectlInvocation(arguments: ["create", "-f", "-"], manifest: "kind: Namespace\n"))
        #expect(try dir.lines(of: "argv") == ["create", "-f", "-"])
        #expect(try dir.lines(of: "stdin") == ["kind: Namespace"])
    }

    @Test(
        "a manifest together with another -f is rejected before kubectl runs",
        arguments: [["apply", "-f", "deploy.yaml"], ["apply", "--filename=x.yaml"], ["apply", "-fx.yaml"]])
    func manifestWithOtherFileRejected(arguments: [String]) async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-runner-test")
        let fake = try FakeKubectl(in: dir.path)
        let error = try await #require(throws: VibectlError.self) {
            try await runnerFor(fake.path, in: dir).run(KubectlInvocation(arguments: arguments, manifest: "kind: Pod\n"))
        }
        #expect(error.code == .invalidArgument)
        #expect(error.hint != nil)
        #expect(fake.recordedArguments() == nil, "kubectl must not run")
    }

    @Test("without a manifest kubectl's stdin is empty (not the host's)")
    func stdinIsNullWithoutManifest() async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-runner-test")
        let fake = try dir.script("kubectl", "readlink /proc/$$/fd/0\nn=$(cat | wc -c)\nprintf 'read %s' $n")
        let output = try await runnerFor(fake, in: dir).run(KubectlInvocation(arguments: ["get"]))
        #expect(output.stdout == "/dev/null\nread 0")
    }

    // MARK: exit codes and output

    @Test("an allowed non-zero exit code succeeds, and exit code, stdout and stderr are all kept")
    func allowedExitCodes() async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-runner-test")
        let fake = try dir.script("kubectl", "printf 'diff -u a b\\n+x\\n'\nprintf 'warning: w\\n' >&2\nexit 1")
        let runner = runnerFor(fake, in: dir)
        let diff = try await runner.run(KubectlInvocation(arguments: ["diff", "-f", "x"], allowedExitCodes: [0, 1]))
        #expect(diff.succeeded)
        #expect(diff.exitCode == 1)
        #expect(diff.stdout == "diff -u a b\n+x\n")
        #expect(diff.stderr == "warning: w\n")
        let plain = try await runner.run(KubectlInvocation(arguments: ["get"]))
        #expect(!plain.succeeded, "exit 1 is not allowed by default, and it is reported, not thrown")
        #expect(plain.exitCode == 1)
        #expect(plain.stderr == "warning: w\n")
    }

    @Test("5 MB on stdout and 5 MB on stderr are read without deadlock", .timeLimit(.minutes(1)))
    func largeOutput() async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-runner-test")
        // stderr first: a runner that read stdout to the end before stderr would hang here.
        let fake = try dir.script(
            "kubectl", "head -c 5242880 /dev/zero | tr '\\0' e >&2\nhead -c 5242880 /dev/zero | tr '\\0' o")
        let output = try await runnerFor(fake, in: dir).run(KubectlInvocation(arguments: ["get"]))
        #expect(output.stdout.utf8.count == 5_242_880)
        #expect(output.stderr.utf8.count == 5_242_880)
        #expect(output.stdout.utf8.allSatisfy { $0 == UInt8(ascii: "o") })
        #expect(!output.stdoutTruncated && output.spillFile == nil)
    }

    @Test("stdout over the cap is kept complete in a 0600 file and marked in memory")
    func outputSpilled() async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-runner-test")
        let fake = try dir.script("kubectl", "seq 1 20000\nprintf 'e%.0s' $(seq 1 3000) >&2")
        let cap = 1000
        let output = try await runnerFor(fake, in: dir, maxOutputBytes: cap).run(KubectlInvocation(arguments: ["get"]))
        let full = (1...20000).map(String.init).joined(separator: "\n") + "\n"
        let spill = try #require(output.spillFile)
        defer { unlink(spill) }
        #expect(output.stdoutTruncated)
        #expect(try String(contentsOfFile: spill, encoding: .utf8) == full)
        var info = stat()
        #expect(stat(spill, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(output.stdout.hasPrefix(String(full.prefix(cap))))
        let lastLine = output.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(lastLine.contains("truncated") && lastLine.contains(spill) && lastLine.contains("\(full.utf8.count)"))
        #expect(output.stdout.utf8.count < cap + 300, "memory keeps only the first cap bytes plus a marker")
        #expect(output.stderr.hasPrefix(String(repeating: "e", count: cap)))
        #expect(output.stderr.contains("truncated"), "stderr over the cap is cut with a marker too")
    }

    @Test("truncation never splits a UTF-8 character")
    func truncationKeepsUTF8() async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-runner-test")
        let fake = try dir.script("kubectl", "i=0; while [ $i -lt 200 ]; do printf 'é'; i=$((i+1)); done")
        let output = try await runnerFor(fake, in: dir, maxOutputBytes: 11).run(KubectlInvocation(arguments: ["get"]))
        defer { if let spill = output.spillFile { unlink(spill) } }
        #expect(output.stdout.hasPrefix("ééééé\n"))
        #expect(!output.stdout.contains("\u{FFFD}"))
    }

    // MARK: timeout and cancellation

    @Test("a timeout stops the whole process group, reaps kubectl and throws .timeout naming the limit")
    func timeoutKillsGroup() async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-runner-test")
        let fake = try dir.script(
            "kubectl", "sleep 60 &\necho $! > '\(dir.file("grandchild"))'\necho $$ > '\(dir.file("child"))'\nwait")
        let start = ContinuousClock.now
        let error = try await #require(throws: VibectlError.self) {
            try await runnerFor(fake, in: dir, timeout: .seconds(1)).run(KubectlInvocation(arguments: ["get"]))
        }
        #expect(runnerSeconds(since: start) < 30, "did not wait for the 60 s sleep")
        #expect(error.code == .timeout)
        #expect(error.message.contains("core.timeout_seconds") && error.message.contains("1 s"))
        #expect(error.hint?.contains("core.timeout_seconds") == true)
        let child = try #require(await runnerPid(dir, "child"))
        let grandchild = try #require(await runnerPid(dir, "grandchild"))
        #expect(kill(child, 0) == -1 && errno == ESRCH, "kubectl was reaped: no zombie")
        #expect(await runnerEventually(within: 10) { !runnerProcessIsRunning(grandchild) }, "the grandchild died too")
    }

    @Test("a per-call timeout overrides the config and says so")
    func perCallTimeout() async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-runner-test")
        let fake = try dir.script("kubectl", "sleep 60")
        let runner = runnerFor(fake, in: dir, timeout: .seconds(300))
        let start = ContinuousClock.now
        let error = try await #require(throws: VibectlError.self) {
            try await runner.run(KubectlInvocation(arguments: ["get"], timeout: .milliseconds(500)))
        }
        #expect(runnerSeconds(since: start) < 30)
        #expect(error.code == .timeout)
        #expect(error.message.contains("this call"))
    }

    @Test("cancelling the task stops kubectl and its children, reaps it and throws .canceled")
    func cancellation() async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-runner-test")
        let fake = try dir.script(
            "kubectl", "sleep 60 &\necho $! > '\(dir.file("grandchild"))'\necho $$ > '\(dir.file("child"))'\nwait")
        let runner = runnerFor(fake, in: dir)
        let start = ContinuousClock.now
        let task = Task { try await runner.run(KubectlInvocation(arguments: ["get"])) }
        let child = try #require(await runnerPid(dir, "child"))
        let grandchild = try #require(await runnerPid(dir, "grandchild"))
        task.cancel()
        let error = try await #require(throws: VibectlError.self) { try await task.value }
        #expect(error.code == .canceled)
        #expect(runnerSeconds(since: start) < 30)
        #expect(kill(child, 0) == -1 && errno == ESRCH, "kubectl was reaped: no zombie")
        #expect(await runnerEventually(within: 10) { !runnerProcessIsRunning(grandchild) })
    }

    // MARK: streaming

    @Test("lines are yielded as they arrive, before kubectl exits")
    func linesStream() async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-runner-test")
        let go = dir.file("go")
        // The fake prints the second line only after the test has seen the first one.
        let fake = try dir.script(
            "kubectl",
            "echo 'pod-a 1/1 Running'\nn=0\nwhile [ ! -e '\(go)' ] && [ $n -lt 600 ]; do sleep 0.05; n=$((n+1)); done\n"
                + "if [ -e '\(go)' ]; then printf 'pod-b 0/1 CrashLoopBackOff\\r\\nno-newline'; else echo 'first line not seen'; fi")
        var received: [String] = []
        for try await line in runnerFor(fake, in: dir).lines(KubectlInvocation(arguments: ["get", "pods", "-w"])) {
            received.append(line)
            if received.count == 1 {
                _ = FileManager.default.createFile(atPath: go, contents: Data())
            }
        }
        #expect(received == ["pod-a 1/1 Running", "pod-b 0/1 CrashLoopBackOff", "no-newline"])
    }

    @Test("a consumer slower than kubectl holds kubectl back (bounded buffer) and still gets every line, in order")
    func linesStreamSlowConsumer() async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-runner-test")
        let finished = dir.file("finished")
        // 20 000 lines of ~60 bytes: far more than the line buffer plus a pipe can hold.
        let count = 20000
        let fake = try dir.script(
            "kubectl",
            "i=1\nwhile [ $i -le \(count) ]; do echo \"line $i ..................................................\"; i=$((i+1)); done\n"
                + ": > '\(finished)'")
        var received: [String] = []
        var finishedWhileBehind = true
        for try await line in runnerFor(fake, in: dir).lines(KubectlInvocation(arguments: ["logs", "-f", "x"])) {
            received.append(line)
            if received.count == 1 {
                // Fall behind; a bounded buffer keeps kubectl from finishing meanwhile.
                try await Task.sleep(for: .seconds(1))
                finishedWhileBehind = FileManager.default.fileExists(atPath: finished)
            }
        }
        #expect(!finishedWhileBehind, "kubectl ran to the end while the consumer was behind: the buffer is not bounded")
        #expect(received.count == count)
        #expect(received == (1...count).map { "line \($0) .................................................." })
    }

    @Test("the line stream throws .kubectl with stderr when the exit code is not allowed")
    func linesStreamFailure() async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-runner-test")
        let fake = try dir.script("kubectl", "echo partial\necho 'error: pods \"x\" not found' >&2\nexit 1")
        var received: [String] = []
        let error = try await #require(throws: VibectlError.self) {
            for try await line in runnerFor(fake, in: dir).lines(KubectlInvocation(arguments: ["logs", "-f", "x"])) {
                received.append(line)
            }
        }
        #expect(received == ["partial"])
        #expect(error.code == .kubectl)
        #expect(error.message.contains("1"))
        #expect(error.cause?.contains("not found") == true)
    }

    @Test("leaving the line stream early stops kubectl and reaps it")
    func linesStreamEarlyExit() async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-runner-test")
        let fake = try dir.script("kubectl", "echo $$ > '\(dir.file("child"))'\necho first\nsleep 60")
        let start = ContinuousClock.now
        do {
            let stream = runnerFor(fake, in: dir).lines(KubectlInvocation(arguments: ["get", "-w"]))
            for try await line in stream {
                #expect(line == "first")
                break
            }
        }
        let child = try #require(await runnerPid(dir, "child"))
        #expect(await runnerEventually(within: 20) { kill(child, 0) == -1 && errno == ESRCH }, "reaped, no zombie")
        #expect(runnerSeconds(since: start) < 30)
    }

    // MARK: errors

    @Test("a missing kubectl fails with .kubectl and the install hint", arguments: ["/nonexistent/kubectl", "kubectl-nope"])
    func missingKubectl(command: String) async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-runner-test")
        let error = try await #require(throws: VibectlError.self) {
            try await runnerFor(command, in: dir).run(KubectlInvocation(arguments: ["get"]))
        }
        #expect(error.code == .kubectl)
        #expect(error.message.contains("not found"))
        #expect(error.hint == KubectlPassthrough.installHint)
    }

    @Test("a kubectl without execute permission fails with .kubectl, saying so")
    func notExecutableKubectl() async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-runner-test")
        let path = try dir.script("kubectl", "exit 0", mode: 0o644)
        let error = try await #require(throws: VibectlError.self) {
            try await runnerFor(path, in: dir).run(KubectlInvocation(arguments: ["get"]))
        }
        #expect(error.code == .kubectl)
        #expect(error.message.contains("not executable"))
        #expect(error.hint == KubectlPassthrough.installHint)
        // The streaming mode reports the same error.
        let streamError = try await #require(throws: VibectlError.self) {
            for try await _ in runnerFor(path, in: dir).lines(KubectlInvocation(arguments: ["get"])) {}
        }
        #expect(streamError.code == .kubectl)
    }
}
