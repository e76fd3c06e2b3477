import Foundation
import Synchronization
import VibectlCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One kubectl call: its arguments, an optional manifest for stdin, and per-call overrides.
public struct KubectlInvocation: Sendable {
    /// kubectl's arguments without the program name, passed verbatim (never through a shell).
    public var arguments: [String]
    /// A YAML/JSON manifest piped to kubectl's stdin; `-f -` is added unless the arguments carry it.
    public var manifest: String?
    /// Exit codes that count as success (`diff` uses `[0, 1]`).
    public var allowedExitCodes: Set<Int32> = [0]
    /// The time limit for this call; `nil` uses the runner's (`core.timeout_seconds`), `.zero` means none.
    public var timeout: Duration?
    /// The kube context for this call; `nil` uses the runner's.
    public var context: String?
    /// The namespace for this call; `nil` uses the runner's.
    public var namespace: String?
    /// The kubeconfig for this call; `nil` uses the runner's.
    public var kubeconfig: String?

    /// Creates an invocation.
    public init(
        arguments: [String], manifest: String? = nil, allowedExitCodes: Set<Int32> = [0], timeout: Duration? = nil,
        context: String? = nil, namespace: String? = nil, kubeconfig: String? = nil
    ) {
        self.arguments = arguments
        self.manifest = manifest
        self.allowedExitCodes = allowedExitCodes
        self.timeout = timeout
        self.context = context
        self.namespace = namespace
        self.kubeconfig = kubeconfig
    }
}

/// What a captured kubectl run produced.
public struct KubectlOutput: Sendable {
    /// The argv that ran, starting with the resolved kubectl path.
    public let argv: [String]
    /// kubectl's exit code; 128 + the signal number when a signal ended it.
    public let exitCode: Int32
    /// Standard output (at most the runner's cap, then a marker line when truncated).
    public let stdout: String
    /// Standard error (at most the runner's cap, then a marker line when truncated).
    public let stderr: String
    /// Whether stdout went over the cap (the text then ends with a marker line).
    public let stdoutTruncated: Bool
    /// A 0600 file with the complete stdout when it went over the cap; the caller removes it.
    public let spillFile: String?
    /// How long kubectl ran, in milliseconds.
    public let durationMs: Int
    /// The exit codes this call allowed.
    public let allowedExitCodes: Set<Int32>

    /// Whether the exit code is one of the call's allowed exit codes.
    public var succeeded: Bool { allowedExitCodes.contains(exitCode) }

    /// Creates an output.
    public init(
        argv: [String], exitCode: Int32, stdout: String, stderr: String, stdoutTruncated: Bool, spillFile: String?,
        durationMs: Int, allowedExitCodes: Set<Int32> = [0]
    ) {
        self.argv = argv
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
        self.stdoutTruncated = stdoutTruncated
        self.spillFile = spillFile
        self.durationMs = durationMs
        self.allowedExitCodes = allowedExitCodes
    }
}

/// Runs kubectl with captured output: argv only (never a shell), its own process group, time limits,
/// cancellation, bounded memory.
public struct KubectlRunner: Sendable {
    /// `core.kubectl_command`: a name looked up on PATH from `environment`, or a path.
    public let kubectlCommand: String
    /// `core.kubeconfig`, or `nil`; an empty string counts as unset.
    public let kubeconfig: String?
    /// `core.context`, or `nil`.
    public let context: String?
    /// `core.namespace`, or `nil`.
    public let namespace: String?
    /// `core.timeout_seconds` as a duration; `nil` or `.zero` means no limit.
    public let timeout: Duration?
    /// `core.max_output_bytes`: the most bytes of each stream held in memory.
    public let maxOutputBytes: Int
    /// The child's complete environment (so `KUBECONFIG` is honoured when it is in it).
    public let environment: [String: String]
    /// Seconds between SIGTERM and SIGKILL when stopping kubectl.
    let killGrace: Double

    /// Creates a runner from the `core.*` settings.
    ///
    /// - Parameters:
    ///   - kubectlCommand: `core.kubectl_command`.
    ///   - kubeconfig: `core.kubeconfig`, or `nil`.
    ///   - context: `core.context`, or `nil`.
    ///   - namespace: `core.namespace`, or `nil`.
    ///   - timeout: `core.timeout_seconds`; `nil` or `.zero` for no limit.
    ///   - maxOutputBytes: `core.max_output_bytes`; values below 1 are treated as 1.
    ///   - environment: the child's environment.
    public init(
        kubectlCommand: String, kubeconfig: String?, context: String?, namespace: String?, timeout: Duration?,
        maxOutputBytes: Int, environment: [String: String]
    ) {
        self.init(
            kubectlCommand: kubectlCommand, kubeconfig: kubeconfig, context: context, namespace: namespace,
            timeout: timeout, maxOutputBytes: maxOutputBytes, environment: environment, killGrace: 2.0)
    }

    /// Creates a runner with a custom SIGTERM → SIGKILL grace (tests).
    init(
        kubectlCommand: String, kubeconfig: String?, context: String?, namespace: String?, timeout: Duration?,
        maxOutputBytes: Int, environment: [String: String], killGrace: Double
    ) {
        self.kubectlCommand = kubectlCommand
        self.kubeconfig = kubeconfig
        self.context = context
        self.namespace = namespace
        self.timeout = timeout
        self.maxOutputBytes = max(1, maxOutputBytes)
        self.environment = environment
        self.killGrace = killGrace
    }

    // MARK: - argv

    /// The full argv that will run: the resolved path, the `--kubeconfig`/`--context`/`--namespace`
    /// flags the arguments do not already carry, the arguments, and `-f -` for a manifest.
    ///
    /// - Throws: `.kubectl` when kubectl is missing or not executable; `.invalidArgument` for a NUL
    ///   byte, or a manifest together with another `-f`/`--filename`.
    public func resolve(_ invocation: KubectlInvocation) throws -> [String] {
        let path = try KubectlLauncher.resolveCommand(kubectlCommand, environment: environment)
        try KubectlLauncher.validate(arguments: invocation.arguments)
        let arguments = invocation.arguments
        let flagRegion = arguments.firstIndex(of: "--").map { Array(arguments[..<$0]) } ?? arguments
        var argv = [path]
        let settings: [(flag: String, short: String?, value: String?, setting: String)] = [
            ("--kubeconfig", nil, Self.nonEmpty(invocation.kubeconfig) ?? Self.nonEmpty(kubeconfig), "kubeconfig"),
            ("--context", nil, Self.nonEmpty(invocation.context) ?? Self.nonEmpty(context), "context"),
            ("--namespace", "-n", Self.nonEmpty(invocation.namespace) ?? Self.nonEmpty(namespace), "namespace"),
        ]
        for (flag, short, value, setting) in settings {
            guard let value else { continue }
            try KubectlLauncher.validate(setting: value, named: "the \(setting)")
            if Self.carries(flagRegion, flag: flag, short: short) { continue }
            if flag == "--namespace" && Self.carries(flagRegion, flag: "--all-namespaces", short: "-A") { continue }
            argv += [flag, value]
        }
        var tail = arguments
        if invocation.manifest != nil {
            let filenames = Self.filenameValues(flagRegion)
            if filenames.contains(where: { $0 != "-" }) {
                throw VibectlError(
                    .invalidArgument,
                    "a manifest was given together with -f \(filenames.first { $0 != "-" } ?? "")",
                    hint: "pass the manifest or a file, not both: the manifest is sent on stdin with -f -")
            }
            if filenames.isEmpty {
                let insertAt = arguments.firstIndex(of: "--") ?? arguments.count
                tail.insert(contentsOf: ["-f", "-"], at: insertAt)
            }
        }
        argv += tail
        return argv
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    /// Whether `arguments` set `flag` (`--flag v`, `--flag=v`) or its short form (`-n v`, `-nv`, `-n=v`).
    static func carries(_ arguments: [String], flag: String, short: String?) -> Bool {
        arguments.contains { argument in
            if argument == flag || argument.hasPrefix(flag + "=") { return true }
            if let short, argument.hasPrefix(short), !argument.hasPrefix("--") { return true }
            return false
        }
    }

    /// The values of every `-f`/`--filename` in `arguments`.
    static func filenameValues(_ arguments: [String]) -> [String] {
        var values: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "-f" || argument == "--filename" {
                values.append(index + 1 < arguments.count ? arguments[index + 1] : "")
                index += 2
                continue
            }
            if argument.hasPrefix("--filename=") {
                values.append(String(argument.dropFirst("--filename=".count)))
            } else if argument.hasPrefix("-f"), !argument.hasPrefix("--") {
                var value = argument.dropFirst(2)
                if value.hasPrefix("=") { value = value.dropFirst() }
                values.append(String(value))
            }
            index += 1
        }
        return values
    }

    /// The effective time limit for `invocation`, or `nil` for none.
    func effectiveTimeout(_ invocation: KubectlInvocation) -> (limit: Duration, perCall: Bool)? {
        if let perCall = invocation.timeout {
            return perCall > .zero ? (perCall, true) : nil
        }
        if let timeout, timeout > .zero { return (timeout, false) }
        return nil
    }

    // MARK: - Running

    /// Runs kubectl to completion and returns its exit code and captured output.
    ///
    /// A non-allowed exit code is not thrown: check ``KubectlOutput/succeeded``. Each stream keeps at
    /// most `maxOutputBytes` in memory; stdout beyond that is written completely to a 0600 temp file
    /// (``KubectlOutput/spillFile``). The child runs in its own process group; on timeout or task
    /// cancellation the group gets SIGTERM, then SIGKILL after a grace, and the child is always reaped.
    ///
    /// - Throws: `.kubectl` (missing, not executable, could not start), `.invalidArgument`,
    ///   `.timeout` naming the limit, `.canceled`.
    public func run(_ invocation: KubectlInvocation) async throws -> KubectlOutput {
        let argv = try resolve(invocation)
        if Task.isCancelled {
            throw VibectlError(.canceled, "kubectl was cancelled before it started")
        }
        let started = try await start(argv, manifest: invocation.manifest)
        let cap = maxOutputBytes
        let stdoutFD = started.stdoutFD
        let stderrFD = started.stderrFD
        let result = await supervise(started, invocation: invocation) {
            async let out = onDedicatedThread("vibectl-kubectl-stdout") {
                captureStream(fd: stdoutFD, cap: cap, spill: true, spillPrefix: "vibectl-kubectl-stdout")
            }
            async let err = onDedicatedThread("vibectl-kubectl-stderr") {
                captureStream(fd: stderrFD, cap: cap, spill: false, spillPrefix: "vibectl-kubectl-stderr")
            }
            return await (out, err)
        }
        let (stdout, stderr) = result.value
        if let failure = result.failure {
            if let spill = stdout.spillFile { unlink(spill) }
            throw failure
        }
        return KubectlOutput(
            argv: argv, exitCode: result.exitCode, stdout: stdout.text(streamName: "stdout"),
            stderr: stderr.text(streamName: "stderr"), stdoutTruncated: stdout.truncated, spillFile: stdout.spillFile,
            durationMs: result.durationMs, allowedExitCodes: invocation.allowedExitCodes)
    }

    /// Runs kubectl and yields its stdout line by line as the lines arrive (for watch/follow).
    ///
    /// Lines come without their newline; a line longer than `maxOutputBytes` is yielded in pieces.
    /// The stream finishes when kubectl exits with an allowed code, and throws `.kubectl` (with
    /// the exit code and the end of stderr) otherwise, or the errors of ``run(_:)``. Ending the
    /// iteration early stops kubectl (SIGTERM to its group, then SIGKILL) and reaps it.
    ///
    /// Memory stays bounded: at most ``lineBuffer`` lines wait for the consumer; when it falls behind, the
    /// reading thread waits, the pipe fills, and kubectl itself is held back — no line is dropped.
    public func lines(_ invocation: KubectlInvocation) -> AsyncThrowingStream<String, any Error> {
        let (stream, continuation) = AsyncThrowingStream<String, any Error>.makeStream(
            bufferingPolicy: .bufferingOldest(Self.lineBuffer))
        let task = Task { [self] in
            do {
                let argv = try resolve(invocation)
                if Task.isCancelled {
                    throw VibectlError(.canceled, "kubectl was cancelled before it started")
                }
                let started = try await start(argv, manifest: invocation.manifest)
                let cap = maxOutputBytes
                let stdoutFD = started.stdoutFD
                let stderrFD = started.stderrFD
                let result = await supervise(started, invocation: invocation) {
                    async let out: Void = onDedicatedThread("vibectl-kubectl-lines") {
                        streamLines(fd: stdoutFD, cap: cap) { line in
                            // A full buffer refuses the line; wait for the consumer instead of dropping it.
                            while case .dropped = continuation.yield(line) { usleep(1000) }
                        }
                    }
                    async let err = onDedicatedThread("vibectl-kubectl-stderr") {
                        captureStream(fd: stderrFD, cap: cap, spill: false, spillPrefix: "vibectl-kubectl-stderr")
                    }
                    _ = await out
                    return await err
                }
                if let failure = result.failure { throw failure }
                if !invocation.allowedExitCodes.contains(result.exitCode) {
                    let stderr = result.value.text(streamName: "stderr").trimmingCharacters(in: .whitespacesAndNewlines)
                    throw VibectlError(
                        .kubectl, "kubectl exited with code \(result.exitCode)",
                        hint: nil, cause: stderr.isEmpty ? nil : String(stderr.suffix(2000)))
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: VibectlError.wrapping(error, as: .kubectl, context: "kubectl"))
            }
        }
        continuation.onTermination = { termination in
            if case .cancelled = termination { task.cancel() }
        }
        return stream
    }

    /// Lines ``lines(_:)`` holds for a consumer that is behind.
    static let lineBuffer = 1024

    // MARK: - Internals

    /// A started child with our ends of its pipes.
    struct Started: Sendable {
        let argv: [String]
        let child: ChildProcess
        let stdoutFD: Int32
        let stderrFD: Int32
        let start: ContinuousClock.Instant
    }

    /// Spawns `argv` in a new process group with piped stdout/stderr and, for a manifest, a stdin
    /// socket fed from a dedicated thread (otherwise stdin is /dev/null).
    private func start(_ argv: [String], manifest: String?) async throws -> Started {
        let stdoutPipe = try KubectlLauncher.makePipe()
        let stderrPipe: (read: Int32, write: Int32)
        do { stderrPipe = try KubectlLauncher.makePipe() } catch {
            close(stdoutPipe.read)
            close(stdoutPipe.write)
            throw error
        }
        var stdinPair: (ours: Int32, theirs: Int32)?
        if manifest != nil {
            do { stdinPair = try KubectlLauncher.makeSocketPair() } catch {
                for fd in [stdoutPipe.read, stdoutPipe.write, stderrPipe.read, stderrPipe.write] { close(fd) }
                throw error
            }
        }
        let stdio = KubectlLauncher.Stdio(
            stdin: stdinPair?.theirs, stdout: stdoutPipe.write, stderr: stderrPipe.write, nullStdin: true)
        let start = ContinuousClock.now
        let pid: pid_t
        do {
            pid = try await KubectlLauncher.spawnRetryingBusyText(
                argv, environment: environment, stdio: stdio, newProcessGroup: true)
        } catch {
            var fds = [stdoutPipe.read, stdoutPipe.write, stderrPipe.read, stderrPipe.write]
            if let stdinPair { fds += [stdinPair.ours, stdinPair.theirs] }
            for fd in fds { close(fd) }
            throw error
        }
        // The child has its copies; ours would keep the pipes open forever.
        close(stdoutPipe.write)
        close(stderrPipe.write)
        let child = ChildProcess(pid: pid, processGroup: true)
        child.markOutputOpen(true)
        if let stdinPair, let manifest {
            close(stdinPair.theirs)
            let ours = stdinPair.ours
            let bytes = Array(manifest.utf8)
            let thread = Thread { feedStdin(fd: ours, bytes) }
            thread.name = "vibectl-kubectl-stdin"
            thread.stackSize = 64 * 1024
            thread.start()
        }
        return Started(argv: argv, child: child, stdoutFD: stdoutPipe.read, stderrFD: stderrPipe.read, start: start)
    }

    /// The end of a supervised run.
    struct Supervised<T: Sendable>: Sendable {
        let value: T
        let exitCode: Int32
        let durationMs: Int
        let failure: VibectlError?
    }

    /// Waits for the readers and the child under the time limit and task cancellation; always reaps.
    private func supervise<T: Sendable>(
        _ started: Started, invocation: KubectlInvocation, readers: @escaping @Sendable () async -> T
    ) async -> Supervised<T> {
        let child = started.child
        let timedOut = Mutex(false)
        let grace = killGrace
        var timer: Task<Void, Never>?
        let limit = effectiveTimeout(invocation)
        if let limit {
            timer = Task.detached {
                do { try await Task.sleep(for: limit.limit) } catch { return }
                timedOut.withLock { $0 = true }
                child.cancel(killGrace: grace)
            }
        }
        let (value, status) = await withTaskCancellationHandler {
            async let status = child.exitStatus()
            let value = await readers()
            child.markOutputOpen(false)
            return (value, await status)
        } onCancel: {
            child.cancel(killGrace: grace)
        }
        timer?.cancel()
        let durationMs = KubectlLauncher.milliseconds(since: started.start)
        var failure: VibectlError?
        var exitCode: Int32 = -1
        if timedOut.withLock({ $0 }), let limit {
            let seconds = Double(limit.limit.components.seconds) + Double(limit.limit.components.attoseconds) / 1e18
            let shown = seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.3g", seconds)
            failure = VibectlError(
                .timeout,
                limit.perCall
                    ? "kubectl did not finish within the \(shown) s limit set for this call and was stopped"
                    : "kubectl did not finish within core.timeout_seconds (\(shown) s) and was stopped",
                hint: (limit.perCall
                    ? "give this call a longer timeout, "
                    : "raise the limit, e.g. vibectl config set core.timeout_seconds 600 (0 = no limit), ")
                    + "or narrow the command (a namespace, a label selector)")
        } else if child.wasCancelled || Task.isCancelled {
            failure = VibectlError(.canceled, "kubectl was cancelled")
        } else if let status {
            exitCode = PassthroughResult.fromWaitStatus(status, durationMs: durationMs).exitCode
        } else {
            failure = VibectlError(
                .internal, "kubectl (pid \(child.pid)) ended but its exit status was lost",
                hint: "the host process must not ignore SIGCHLD or reap children it did not start")
        }
        return Supervised(value: value, exitCode: exitCode, durationMs: durationMs, failure: failure)
    }
}

/// Reads `fd` to EOF and calls `yield` with each line (without "\n", a trailing "\r" removed),
/// splitting lines longer than `cap` bytes. Closes `fd`.
func streamLines(fd: Int32, cap: Int, yield: (String) -> Void) {
    defer { close(fd) }
    var pending: [UInt8] = []
    let chunkSize = 64 * 1024
    var buffer = [UInt8](repeating: 0, count: chunkSize)
    func emit(_ bytes: ArraySlice<UInt8>) {
        var line = bytes
        if line.last == 0x0D { line = line.dropLast() }
        yield(String(decoding: line, as: UTF8.self))
    }
    while true {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, chunkSize) }
        if count < 0 {
            if errno == EINTR { continue }
            break
        }
        if count == 0 { break }
        var start = 0
        for index in 0..<count where buffer[index] == 0x0A {
            pending.append(contentsOf: buffer[start..<index])
            emit(pending[...])
            pending.removeAll(keepingCapacity: true)
            start = index + 1
        }
        pending.append(contentsOf: buffer[start..<count])
        while pending.count > cap {
            let piece = pending.prefix(utf8BoundaryAtOrBefore: cap)
            let cut = piece.isEmpty ? cap : piece.count
            emit(pending[0..<cut])
            pending.removeFirst(cut)
        }
    }
    if !pending.isEmpty { emit(pending[...]) }
}
