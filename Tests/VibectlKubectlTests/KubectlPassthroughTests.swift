import Foundation
import Synchronization
import Testing
import VibectlCore
import VibectlKubectl
import VibectlTestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Records what onStarted received.
private final class StartRecord: Sendable {
    let value = Mutex<(argv: [String], pid: Int32)?>(nil)
    var pid: Int32? { value.withLock { $0?.pid } }
    var argv: [String]? { value.withLock { $0?.argv } }
    func callback() -> @Sendable ([String], Int32) -> Void {
        { [self] argv, pid in value.withLock { $0 = (argv, pid) } }
    }

    /// The child's pid once it has started, polling for up to `seconds` (a loaded machine starts it late).
    func startedPid(within seconds: Double = 20) async -> Int32? {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        repeat {
            if let pid { return pid }
            try? await Task.sleep(for: .milliseconds(20))
        } while ContinuousClock.now < deadline
        return pid
    }
}

private func elapsedSeconds(since start: ContinuousClock.Instant) -> Double {
    let duration = ContinuousClock.now - start
    return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

@Suite("kubectl pass-through")
struct KubectlPassthroughTests {
    // MARK: exit codes and arguments

    @Test("kubectl's exit code is returned unchanged", arguments: [Int32(0), 3, 42])
    func exitCodePropagated(code: Int32) async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-kubectl-test")
        let fake = try FakeKubectl(in: dir.path, exitCode: code)
        let runner = KubectlPassthrough(kubectlCommand: fake.path, kubeconfig: nil, environment: dir.environment())
        let result = try await runner.run(["version"]) { _, _ in }
        #expect(result.exitCode == code)
        #expect(result.signal == nil)
        #expect(fake.recordedArguments() == ["version"])
    }

    @Test("arguments reach kubectl verbatim, never through a shell")
    func argumentsVerbatim() async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-kubectl-test")
        let fake = try FakeKubectl(in: dir.path)
        let pwned = dir.file("pwned")
        let arguments = [
            "get", "pods", "two words", "  padded  ", "\"double\"", "'single'", "a;b", "x && y", "$(touch \(pwned))",
            "`touch \(pwned)`", "*", "$HOME", "back\\slash", "ünïcødé", "--flag=value with space", "",
        ]
        let runner = KubectlPassthrough(kubectlCommand: fake.path, kubeconfig: nil, environment: dir.environment())
        let result = try await runner.run(arguments) { _, _ in }
        #expect(result.exitCode == 0)
        #expect(fake.recordedArguments() == arguments)
        #expect(!FileManager.default.fileExists(atPath: pwned), "an argument was evaluated by a shell")
    }

    @Test("--kubeconfig is inserted first when set")
    func kubeconfigInsertedFirst() async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-kubectl-test")
        let fake = try FakeKubectl(in: dir.path)
        let kubeconfig = "/some dir/kube config"
        let runner = KubectlPassthrough(kubectlCommand: fake.path, kubeconfig: kubeconfig, environment: dir.environment())
        #expect(try runner.resolve(["get", "ns"]) == [fake.path, "--kubeconfig", kubeconfig, "get", "ns"])
        _ = try await runner.run(["get", "ns"]) { _, _ in }
        #expect(fake.recordedArguments() == ["--kubeconfig", kubeconfig, "get", "ns"])
    }

    @Test("no --kubeconfig when it is nil or empty", arguments: [String?.none, ""])
    func kubeconfigAbsent(kubeconfig: String?) async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-kubectl-test")
        let fake = try FakeKubectl(in: dir.path)
        let runner = KubectlPassthrough(kubectlCommand: fake.path, kubeconfig: kubeconfig, environment: dir.environment())
        #expect(try runner.resolve(["get", "ns"]) == [fake.path, "get", "ns"])
        _ = try await runner.run(["get", "ns"]) { _, _ in }
        #expect(fake.recordedArguments() == ["get", "ns"])
    }

    @Test("onStarted receives the argv and the live child's pid")
    func onStartedReceivesArgvAndPid() async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-kubectl-test")
        let fake = try dir.script("kubectl", "echo $$ > \"$PID_FILE\"")
        let runner = KubectlPassthrough(
            kubectlCommand: fake, kubeconfig: "/k", environment: dir.environment(["PID_FILE": dir.file("pid")]))
        let record = StartRecord()
        _ = try await runner.run(["get", "pods"], onStarted: record.callback())
        #expect(record.argv == [fake, "--kubeconfig", "/k", "get", "pods"])
        let pid = try #require(record.pid)
        #expect(try dir.lines(of: "pid") == ["\(pid)"])
    }

    @Test("the child gets exactly the given environment")
    func environmentPassedExactly() async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-kubectl-test")
        let fake = try dir.script("kubectl", "env > \"$ENV_FILE\"")
        let runner = KubectlPassthrough(
            kubectlCommand: fake, kubeconfig: nil,
            environment: dir.environment(["ENV_FILE": dir.file("env"), "VIBECTL_TEST_VALUE": "a b=c"]))
        _ = try await runner.run([]) { _, _ in }
        let lines = try dir.lines(of: "env")
        #expect(lines.contains("VIBECTL_TEST_VALUE=a b=c"))
        #expect(lines.contains("PATH=/usr/bin:/bin"))
        #expect(!lines.contains { $0.hasPrefix("HOME=") }, "HOME leaked from the test process")
    }

    @Test("durationMs reflects how long kubectl ran")
    func durationMeasured() async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-kubectl-test")
        let fake = try dir.script("kubectl", "sleep 0.3")
        let runner = KubectlPassthrough(kubectlCommand: fake, kubeconfig: nil, environment: dir.environment())
        let result = try await runner.run([]) { _, _ in }
        // Only a lower bound: a loaded machine may take any time longer.
        #expect(result.durationMs >= 250)
    }

    // MARK: lookup

    @Test("a bare name is found on the environment's PATH")
    func nameFoundOnPath() throws {
        let dir = try ScratchDirectory(prefix: "vibectl-kubectl-test")
        let fake = try dir.script("my-kubectl", "exit 0")
        let runner = KubectlPassthrough(
            kubectlCommand: "my-kubectl", kubeconfig: nil, environment: ["PATH": "/nonexistent::\(dir.path)"])
        #expect(try runner.resolve(["x"]) == [fake, "x"])
    }

    @Test("a missing command fails with .kubectl, naming it and giving the install hint")
    func commandNotFound() async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-kubectl-test")
        let runner = KubectlPassthrough(
            kubectlCommand: "kubectl-that-does-not-exist", kubeconfig: nil, environment: ["PATH": dir.path])
        let error = try #require(throws: VibectlError.self) { try runner.resolve(["get"]) }
        #expect(error.code == .kubectl)
        #expect(error.message.contains("kubectl-that-does-not-exist"))
        #expect(error.message.contains(dir.path))
        #expect(error.hint?.contains("vibectl config set core.kubectl_command") == true)
        #expect(error.hint?.contains("https://kubernetes.io/docs/tasks/tools/") == true)

        let started = StartRecord()
        let runError = await #expect(throws: VibectlError.self) {
            try await runner.run(["get"], onStarted: started.callback())
        }
        #expect(runError?.code == .kubectl)
        #expect(started.pid == nil, "onStarted was called although nothing started")
    }

    @Test("a missing absolute path fails with .kubectl")
    func pathNotFound() throws {
        let dir = try ScratchDirectory(prefix: "vibectl-kubectl-test")
        let missing = dir.file("nope/kubectl")
        let runner = KubectlPassthrough(kubectlCommand: missing, kubeconfig: nil, environment: [:])
        let error = try #require(throws: VibectlError.self) { try runner.resolve([]) }
        #expect(error.code == .kubectl)
        #expect(error.message.contains(missing))
        #expect(error.hint == KubectlPassthrough.installHint)
    }

    @Test("a file without execute permission fails with .kubectl")
    func notExecutable() throws {
        let dir = try ScratchDirectory(prefix: "vibectl-kubectl-test")
        let fake = try dir.script("kubectl", "exit 0", mode: 0o644)
        for runner in [
            KubectlPassthrough(kubectlCommand: fake, kubeconfig: nil, environment: [:]),
            KubectlPassthrough(kubectlCommand: "kubectl", kubeconfig: nil, environment: ["PATH": dir.path]),
        ] {
            let error = try #require(throws: VibectlError.self) { try runner.resolve([]) }
            #expect(error.code == .kubectl)
            #expect(error.message.contains("not executable"))
            #expect(error.hint == KubectlPassthrough.installHint)
        }
    }

    @Test("a directory is not taken for kubectl")
    func directoryIsNotExecutable() throws {
        let dir = try ScratchDirectory(prefix: "vibectl-kubectl-test")
        let runner = KubectlPassthrough(kubectlCommand: dir.path, kubeconfig: nil, environment: [:])
        let error = try #require(throws: VibectlError.self) { try runner.resolve([]) }
        #expect(error.code == .kubectl)
        #expect(error.message.contains("directory"))
    }

    @Test("an empty command or a NUL byte is an invalid argument")
    func invalidArguments() throws {
        let dir = try ScratchDirectory(prefix: "vibectl-kubectl-test")
        let fake = try dir.script("kubectl", "exit 0")
        let empty = KubectlPassthrough(kubectlCommand: "", kubeconfig: nil, environment: [:])
        #expect(try #require(throws: VibectlError.self) { try empty.resolve([]) }.code == .invalidArgument)
        let good = KubectlPassthrough(kubectlCommand: fake, kubeconfig: nil, environment: [:])
        let nul = try #require(throws: VibectlError.self) { try good.resolve(["ok", "bad\u{0}arg"]) }
        #expect(nul.code == .invalidArgument)
        #expect(nul.message.contains("argument 2"))
        let badConfig = KubectlPassthrough(kubectlCommand: fake, kubeconfig: "a\u{0}b", environment: [:])
        #expect(try #require(throws: VibectlError.self) { try badConfig.resolve([]) }.code == .invalidArgument)
    }

    // MARK: signals and cancellation

    @Test("a child killed by a signal reports 128 + the signal", arguments: [SIGKILL, SIGTERM])
    func killedBySignal(signal: Int32) async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-kubectl-test")
        let fake = try dir.script("kubectl", "kill -\(signal) $$\nsleep 5")
        let runner = KubectlPassthrough(kubectlCommand: fake, kubeconfig: nil, environment: dir.environment())
        let result = try await runner.run([]) { _, _ in }
        #expect(result.exitCode == 128 + signal)
        #expect(result.signal == signal)
    }

    @Test("the child starts with no blocked and no ignored signals")
    func childSignalStateIsClean() async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-kubectl-test")
        let fake = try dir.script(
            "kubectl", "grep -E '^Sig(Blk|Ign):' /proc/$$/status | tr -d ' \\t' > \"$OUT_FILE\"")
        // The parent ignores SIGINT (as a CLI waiting on kubectl does); the child must not inherit that.
        let previous = Glibc.signal(SIGINT, SIG_IGN)
        defer { _ = Glibc.signal(SIGINT, previous) }
        let runner = KubectlPassthrough(
            kubectlCommand: fake, kubeconfig: nil, environment: dir.environment(["OUT_FILE": dir.file("sig")]))
        _ = try await runner.run([]) { _, _ in }
        let lines = try dir.lines(of: "sig")
        try #require(lines.count == 2, "\(lines)")
        let masks = lines.map { UInt64($0.split(separator: ":").last ?? "", radix: 16) }
        // Only the 31 standard signals: 32 and 33 are glibc-internal and never reach kubectl's handlers.
        let standard: UInt64 = 0x7fff_ffff
        #expect(masks[0].map { $0 & standard } == 0, "blocked signals: \(lines[0])")
        #expect(masks[1].map { $0 & standard } == 0, "ignored signals: \(lines[1])")
    }

    @Test("cancelling the task stops kubectl with SIGTERM, reaps it and throws .canceled")
    func cancellationTerminates() async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-kubectl-test")
        let fake = try dir.script("kubectl", "exec sleep 30")
        let runner = KubectlPassthrough(kubectlCommand: fake, kubeconfig: nil, environment: dir.environment())
        let record = StartRecord()
        let task = Task { try await runner.run([], onStarted: record.callback()) }
        let pid = try #require(await record.startedPid())
        #expect(processExists(pid))
        let start = ContinuousClock.now
        task.cancel()
        let error = await #expect(throws: VibectlError.self) { try await task.value }
        #expect(error?.code == .canceled)
        #expect(elapsedSeconds(since: start) < 15, "a 30 s child must be stopped, not waited for")
        #expect(!processExists(pid), "the child is still alive or a zombie")
    }

    @Test("a child that ignores SIGTERM is killed after killGrace")
    func cancellationEscalatesToSigkill() async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-kubectl-test")
        let ready = dir.file("trap-set")
        let fake = try dir.script("kubectl", "trap '' TERM\n: > '\(ready)'\nexec sleep 30")
        let runner = KubectlPassthrough(kubectlCommand: fake, kubeconfig: nil, environment: dir.environment())
        let record = StartRecord()
        let task = Task { try await runner.run([], killGrace: 0.5, onStarted: record.callback()) }
        let pid = try #require(await record.startedPid())
        // Cancel only once the child ignores SIGTERM, however slowly the machine started it.
        let deadline = ContinuousClock.now + .seconds(20)
        while !FileManager.default.fileExists(atPath: ready), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        try #require(FileManager.default.fileExists(atPath: ready), "the fake kubectl never set its trap")
        let start = ContinuousClock.now
        task.cancel()
        let error = await #expect(throws: VibectlError.self) { try await task.value }
        #expect(error?.code == .canceled)
        let elapsed = elapsedSeconds(since: start)
        #expect(elapsed >= 0.4, "the child ignored SIGTERM, so only SIGKILL after the grace can end it")
        #expect(elapsed < 15, "a 30 s child must be killed, not waited for")
        #expect(!processExists(pid))
    }

    @Test("a task cancelled before the call starts nothing")
    func cancelledBeforeStart() async throws {
        let dir = try ScratchDirectory(prefix: "vibectl-kubectl-test")
        let fake = try dir.script("kubectl", "exec sleep 30")
        let runner = KubectlPassthrough(kubectlCommand: fake, kubeconfig: nil, environment: dir.environment())
        let record = StartRecord()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await runner.run([], onStarted: record.callback())
        }
        let error = await #expect(throws: VibectlError.self) { try await task.value }
        #expect(error?.code == .canceled)
        #expect(record.pid == nil)
    }

    @Test("waiting does not hold cooperative threads: many runs are in flight at once", .timeLimit(.minutes(1)))
    func waitsDoNotBlockThePool() async throws {
        // Each fake announces itself, then waits until all twelve have started. If waiting
        // for a child held a thread of the (small) cooperative pool, the later runs could not
        // start while the earlier ones wait, and the fakes would give up with exit code 9.
        let dir = try ScratchDirectory(prefix: "vibectl-kubectl-test")
        let runs = 12
        let fake = try dir.script(
            "kubectl",
            """
            touch "\(dir.path)/started.$$"
            tries=0
            while [ "$(ls "\(dir.path)" | grep -c '^started\\.')" -lt \(runs) ]; do
              tries=$((tries + 1)); [ "$tries" -gt 600 ] && exit 9
              sleep 0.05
            done
            exit 0
            """)
        let runner = KubectlPassthrough(kubectlCommand: fake, kubeconfig: nil, environment: dir.environment())
        let codes = try await withThrowingTaskGroup(of: Int32.self) { group in
            for _ in 0..<runs {
                group.addTask { try await runner.run([]) { _, _ in }.exitCode }
            }
            return try await group.reduce(into: [Int32]()) { $0.append($1) }
        }
        #expect(codes == Array(repeating: 0, count: runs), "a run gave up waiting for the others to start")
    }
}
