import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What a finished process left behind: its status and everything it wrote.
public struct CLIResult: Sendable {
    /// The exit status, or 128 + the signal number when a signal killed it.
    public let status: Int32
    /// Whether a signal ended the process (then `status` is 128 + the signal).
    public let signaled: Bool
    /// Whether the runner killed it because it ran past its timeout.
    public let timedOut: Bool
    /// Everything written to stdout.
    public let stdoutData: Data
    /// Everything written to stderr.
    public let stderrData: Data

    /// stdout as UTF-8 text.
    public var stdout: String { String(decoding: stdoutData, as: UTF8.self) }
    /// stderr as UTF-8 text.
    public var stderr: String { String(decoding: stderrData, as: UTF8.self) }
}

/// Runs an executable with arguments, environment and stdin, capturing its output, with a timeout.
///
/// The child gets its own pipes for stdout and stderr, `/dev/null` or the given bytes on stdin
/// (never a terminal), default dispositions for the usual signals and exactly the environment
/// given (nothing is inherited implicitly).
public struct CLIRunner: Sendable {
    /// The program to run (an absolute path, or a name looked up in the `PATH` of `environment`).
    public var executable: String
    /// The child's complete environment.
    public var environment: [String: String]

    /// Creates a runner.
    public init(executable: String, environment: [String: String]) {
        self.executable = executable
        self.environment = environment
    }

    /// Runs the program to completion (or until `timeout` seconds, then kills it).
    public func run(
        _ arguments: [String], stdin: Data? = nil, environment extra: [String: String] = [:], timeout: Double = 30
    ) throws -> CLIResult {
        try start(arguments, stdin: stdin, environment: extra).wait(timeout: timeout)
    }

    /// Runs the program to completion without blocking a Swift concurrency thread: the waiting
    /// happens on a thread of its own, so tests running in parallel are not starved.
    public func run(
        _ arguments: [String], stdin: Data? = nil, environment extra: [String: String] = [:], timeout: Double = 30
    ) async throws -> CLIResult {
        try await start(arguments, stdin: stdin, environment: extra).result(timeout: timeout)
    }

    /// Starts the program and returns at once; call ``RunningProcess/wait(timeout:)`` to collect it.
    public func start(_ arguments: [String], stdin: Data? = nil, environment extra: [String: String] = [:]) throws
        -> RunningProcess
    {
        try RunningProcess(
            executable: executable, arguments: arguments,
            environment: environment.merging(extra) { $1 }, stdin: stdin)
    }

    /// An environment holding only what a test needs from the parent (PATH, LANG) plus `values`.
    public static func isolatedEnvironment(_ values: [String: String]) -> [String: String] {
        var environment: [String: String] = [:]
        let parent = ProcessInfo.processInfo.environment
        environment["PATH"] = parent["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        if let lang = parent["LANG"] { environment["LANG"] = lang }
        environment["TERM"] = "dumb"
        environment["NO_COLOR"] = "1"
        return environment.merging(values) { $1 }
    }
}

/// The failure to start a process.
public struct CLIRunnerError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public let description: String
}

/// A started child process whose output is being collected.
public final class RunningProcess: @unchecked Sendable {
    /// The child's process id.
    public let pid: pid_t

    private let lock = NSLock()
    private var reaped = false
    private var result: CLIResult?
    private var stdoutBuffer = Data()
    private var stderrBuffer = Data()
    private let readers = DispatchGroup()

    init(executable: String, arguments: [String], environment: [String: String], stdin: Data?) throws {
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        var inPipe: [Int32] = [-1, -1]
        guard makePipe(&outPipe), makePipe(&errPipe), makePipe(&inPipe) else {
            throw CLIRunnerError(description: "pipe failed: \(String(cString: strerror(errno)))")
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if stdin == nil {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        } else {
            posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        }
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        closeOtherDescriptors(&actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signalNumber in [SIGINT, SIGQUIT, SIGPIPE, SIGTERM, SIGHUP, SIGCHLD] { sigaddset(&defaults, signalNumber) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var child: pid_t = 0
        let status = argv.withUnsafeBufferPointer { argvBuffer in
            envp.withUnsafeBufferPointer { envpBuffer in
                guard let argvBase = argvBuffer.baseAddress, let envpBase = envpBuffer.baseAddress else { return EINVAL }
                return posix_spawnp(&child, executable, &actions, &attributes, argvBase, envpBase)
            }
        }
        close(outPipe[1])
        close(errPipe[1])
        close(inPipe[0])
        guard status == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            close(inPipe[1])
            throw CLIRunnerError(description: "could not start \(executable): \(String(cString: strerror(status)))")
        }
        pid = child

        collect(outPipe[0]) { process, data in process.stdoutBuffer.append(data) }
        collect(errPipe[0]) { process, data in process.stderrBuffer.append(data) }
        let writeEnd = inPipe[1]
        if let stdin {
            Thread.detachNewThread {
                // The child may exit without reading; EPIPE then just ends the writing.
                signal(SIGPIPE, SIG_IGN)
                stdin.withUnsafeBytes { buffer in
                    var offset = 0
                    while offset < buffer.count {
                        let written = write(writeEnd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                        if written < 0 {
                            if errno == EINTR { continue }
                            break
                        }
                        offset += written
                    }
                }
                close(writeEnd)
            }
        } else {
            close(writeEnd)
        }
    }

    private func collect(_ fd: Int32, append: @escaping @Sendable (RunningProcess, Data) -> Void) {
        readers.enter()
        Thread.detachNewThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                let data = Data(buffer[0..<count])
                lock.withLock { append(self, data) }
            }
            close(fd)
            readers.leave()
        }
    }

    /// Sends `signal` to the child unless it has already been collected.
    public func kill(_ signal: Int32 = SIGKILL) {
        lock.withLock {
            if !reaped { _ = Glibc.kill(pid, signal) }
        }
    }

    /// Whether the child has exited (without collecting it; ``wait(timeout:)`` still returns its result).
    public var hasExited: Bool {
        if lock.withLock({ reaped }) { return true }
        var info = siginfo_t()
        guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 else { return true }
        return info._sifields._sigchld.si_pid != 0
    }

    /// Waits for the child like ``wait(timeout:)``, on a thread of its own rather than a Swift concurrency thread.
    public func result(timeout: Double = 30) async -> CLIResult {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { [self] in
                continuation.resume(returning: wait(timeout: timeout))
            }
        }
    }

    /// Waits for the child to exit (killing it after `timeout` seconds) and returns what it did.
    ///
    /// This blocks the calling thread; from async code use ``result(timeout:)``.
    public func wait(timeout: Double = 30) -> CLIResult {
        if let done = lock.withLock({ result }) { return done }
        let deadline = DispatchTime.now() + timeout
        let timedOutFlag = TimedOutFlag()
        DispatchQueue.global().asyncAfter(deadline: deadline) { [self] in
            lock.withLock {
                if !reaped {
                    timedOutFlag.set()
                    _ = Glibc.kill(pid, SIGKILL)
                }
            }
        }
        // Wait without reaping first, so that the timer can never signal a recycled pid.
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
        lock.withLock { reaped = true }
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
        // Output still open after exit means a grandchild holds the pipe: don't hang on it.
        _ = readers.wait(timeout: .now() + 5)
        let signaled = raw & 0x7F != 0
        let status = signaled ? 128 + (raw & 0x7F) : (raw >> 8) & 0xFF
        return lock.withLock {
            let finished = CLIResult(
                status: status, signaled: signaled, timedOut: timedOutFlag.value,
                stdoutData: stdoutBuffer, stderrData: stderrBuffer)
            result = finished
            return finished
        }
    }
}

/// `pipe2(fds, O_CLOEXEC)`, so that no child started meanwhile on another thread inherits the pipe.
///
/// glibc declares pipe2 only under _GNU_SOURCE, which the Swift Glibc module does not define,
/// so it is looked up at run time; the fallback (pipe + FD_CLOEXEC) has a small race.
private func makePipe(_ fds: inout [Int32]) -> Bool {
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
    if let symbol = dlsym(nil, "pipe2") {
        let pipe2 = unsafeBitCast(symbol, to: Pipe2.self)
        return fds.withUnsafeMutableBufferPointer { pipe2($0.baseAddress, O_CLOEXEC) } == 0
    }
    guard pipe(&fds) == 0 else { return false }
    for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    return true
}

/// Makes the child close every descriptor above stderr, so it never holds a file another test
/// is writing (which would make executing that file fail with ETXTBSY) or the write end of
/// another test's pipe. glibc ≥ 2.34 has posix_spawn_file_actions_addclosefrom_np, declared only
/// under _GNU_SOURCE, hence the run-time lookup; without it, close-on-exec flags are all there is.
private func closeOtherDescriptors(_ actions: inout posix_spawn_file_actions_t) {
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
    guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return }
    let addCloseFrom = unsafeBitCast(symbol, to: AddCloseFrom.self)
    _ = addCloseFrom(&actions, 3)
}

/// A thread-safe boolean set once by the timeout timer.
private final class TimedOutFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    func set() { lock.withLock { flag = true } }
    var value: Bool { lock.withLock { flag } }
}
