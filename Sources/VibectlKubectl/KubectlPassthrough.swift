import Foundation
import VibectlCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs kubectl attached to the caller's terminal (stdin/stdout/stderr inherited), never through a shell.
public struct KubectlPassthrough: Sendable {
    /// The hint attached to every "kubectl not found / not executable" error.
    public static let installHint =
        "install kubectl (https://kubernetes.io/docs/tasks/tools/) or set core.kubectl_command to its path: "
        + "vibectl config set core.kubectl_command /path/to/kubectl"

    /// The PATH searched when `environment` has none (the same fallback as `execvp`, plus /usr/local/bin).
    static let defaultSearchPath = "/usr/local/bin:/usr/bin:/bin"

    /// The kubectl command: a name looked up on PATH, or a path (anything containing "/").
    public let kubectlCommand: String
    /// The kubeconfig passed as `--kubeconfig`, or `nil` to pass none.
    public let kubeconfig: String?
    /// The complete environment of the child, also the source of PATH for the lookup.
    public let environment: [String: String]

    /// Creates a runner.
    ///
    /// - Parameters:
    ///   - kubectlCommand: `core.kubectl_command` — a name looked up on PATH from `environment`, or a path.
    ///   - kubeconfig: `core.kubeconfig`, or `nil`; an empty string counts as unset.
    ///   - environment: the child's environment.
    public init(kubectlCommand: String, kubeconfig: String?, environment: [String: String]) {
        self.kubectlCommand = kubectlCommand
        self.kubeconfig = kubeconfig
        self.environment = environment
    }

    /// The full argv that will run: `[resolvedPath, "--kubeconfig", K (only when set), args...]`.
    ///
    /// - Throws: `VibectlError(.kubectl)` when the command is not found on PATH or is not
    ///   executable; `VibectlError(.invalidArgument)` for an empty command or any argument
    ///   (or the kubeconfig) containing a NUL byte.
    public func resolve(_ arguments: [String]) throws -> [String] {
        let command = kubectlCommand
        if command.isEmpty {
            throw VibectlError(
                .invalidArgument, "core.kubectl_command is empty",
                hint: "set it to a command name or path: vibectl config set core.kubectl_command kubectl"
            )
        }
        if command.utf8.contains(0) {
            throw VibectlError(.invalidArgument, "core.kubectl_command contains a NUL byte")
        }
        var argv = [try locate(command)]
        if let kubeconfig, !kubeconfig.isEmpty {
            if kubeconfig.utf8.contains(0) {
                throw VibectlError(.invalidArgument, "core.kubeconfig contains a NUL byte")
            }
            argv += ["--kubeconfig", kubeconfig]
        }
        for (index, argument) in arguments.enumerated() where argument.utf8.contains(0) {
            throw VibectlError(
                .invalidArgument, "kubectl argument \(index + 1) contains a NUL byte",
                hint: "arguments are passed to kubectl verbatim and cannot contain NUL"
            )
        }
        argv += arguments
        return argv
    }

    /// Spawns kubectl (posix_spawn, never a shell), calls `onStarted(argv, pid)` right after
    /// spawning, and waits for it to exit.
    ///
    /// The child inherits file descriptors 0, 1 and 2, starts with default signal handling and an
    /// empty signal mask, and gets exactly `environment`. Task cancellation sends it SIGTERM, then
    /// SIGKILL after `killGrace` seconds if it is still alive; the child is always reaped before
    /// this returns or throws. The wait happens on a dedicated thread, never on a cooperative one.
    ///
    /// - Throws: as ``resolve(_:)``; `VibectlError(.kubectl)` when the spawn fails;
    ///   `VibectlError(.canceled)` when the task was cancelled.
    public func run(
        _ arguments: [String],
        killGrace: Double = 2.0,
        onStarted: @Sendable ([String], Int32) -> Void
    ) async throws -> PassthroughResult {
        let argv = try resolve(arguments)
        if Task.isCancelled {
            throw VibectlError(.canceled, "kubectl was cancelled before it started")
        }
        let start = ContinuousClock.now
        let pid = try await spawnRetryingBusyText(argv)
        let child = ChildProcess(pid: pid)
        onStarted(argv, pid)
        let status = await withTaskCancellationHandler {
            await child.exitStatus()
        } onCancel: {
            child.cancel(killGrace: killGrace)
        }
        let elapsed = ContinuousClock.now - start
        let durationMs = Int(elapsed.components.seconds) * 1000
            + Int(elapsed.components.attoseconds / 1_000_000_000_000_000)
        if child.wasCancelled || Task.isCancelled {
            throw VibectlError(.canceled, "kubectl was cancelled", hint: nil)
        }
        guard let status else {
            throw VibectlError(
                .internal, "kubectl (pid \(pid)) ended but its exit status was lost",
                hint: "the host process must not ignore SIGCHLD or reap children it did not start"
            )
        }
        return PassthroughResult.fromWaitStatus(status, durationMs: durationMs)
    }

    // MARK: - Lookup

    /// Finds the executable for `command`: a path is checked as is, a bare name is searched on PATH.
    private func locate(_ command: String) throws -> String {
        if command.contains("/") {
            switch Self.check(command) {
            case .executable:
                return command
            case .missing:
                throw VibectlError(
                    .kubectl, "kubectl command '\(command)' was not found", hint: Self.installHint)
            case .notExecutable(let why):
                throw VibectlError(
                    .kubectl, "kubectl command '\(command)' is not executable (\(why))", hint: Self.installHint)
            }
        }
        let searchPath = environment["PATH"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultSearchPath
        var firstNonExecutable: (path: String, why: String)?
        // Empty PATH entries would mean the current directory; never run kubectl from there.
        for directory in searchPath.split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = directory.hasSuffix("/") ? "\(directory)\(command)" : "\(directory)/\(command)"
            switch Self.check(candidate) {
            case .executable:
                return candidate
            case .missing:
                continue
            case .notExecutable(let why):
                if firstNonExecutable == nil { firstNonExecutable = (candidate, why) }
            }
        }
        if let firstNonExecutable {
            throw VibectlError(
                .kubectl,
                "kubectl command '\(command)' was found at \(firstNonExecutable.path) but is not executable "
                    + "(\(firstNonExecutable.why))",
                hint: Self.installHint
            )
        }
        throw VibectlError(
            .kubectl,
            "kubectl command '\(command)' was not found on PATH (searched \(Self.brief(searchPath)))",
            hint: Self.installHint
        )
    }

    private enum FileCheck {
        case executable
        case missing
        case notExecutable(String)
    }

    private static func check(_ path: String) -> FileCheck {
        var info = stat()
        if stat(path, &info) != 0 {
            return errno == ENOENT || errno == ENOTDIR ? .missing : .notExecutable(String(cString: strerror(errno)))
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            return .notExecutable("it is a directory")
        }
        if (info.st_mode & S_IFMT) != S_IFREG {
            return .notExecutable("it is not a regular file")
        }
        if access(path, X_OK) != 0 {
            return .notExecutable("no execute permission")
        }
        return .executable
    }

    /// A PATH value shortened for an error message.
    private static func brief(_ searchPath: String) -> String {
        let limit = 200
        if searchPath.count <= limit { return searchPath }
        return String(searchPath.prefix(limit)) + "…"
    }

    // MARK: - Spawning

    /// Spawns, retrying briefly while the executable is "busy" (ETXTBSY: another process still
    /// holds it open for writing, e.g. an installer that just wrote it, or a sibling spawned in
    /// the instant before that writer closed it).
    private func spawnRetryingBusyText(_ argv: [String]) async throws -> pid_t {
        var attempt = 0
        while true {
            switch try spawn(argv) {
            case .success(let pid):
                return pid
            case .failure(let error):
                attempt += 1
                guard error.errorNumber == ETXTBSY, attempt < 20 else { throw error.error }
                do {
                    try await Task.sleep(for: .milliseconds(10))
                } catch {
                    throw VibectlError(.canceled, "kubectl was cancelled before it started")
                }
            }
        }
    }

    /// A failed spawn: the errno and the error to report.
    private struct SpawnFailure: Error {
        let errorNumber: Int32
        let error: VibectlError
    }

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34+), looked up at run time because the
    /// Glibc module does not import GNU extensions; `nil` where it does not exist.
    private static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32

    /// Starts `argv` with posix_spawn: stdio inherited and every other descriptor closed, default
    /// signal dispositions, empty signal mask.
    private func spawn(_ argv: [String]) throws -> Result<pid_t, SpawnFailure> {
        guard let path = argv.first else {
            throw VibectlError(.internal, "kubectl argv is empty")
        }
        var envStrings: [String] = []
        envStrings.reserveCapacity(environment.count)
        for (key, value) in environment.sorted(by: { $0.key < $1.key }) {
            // Entries a C environment cannot represent are dropped rather than mangled.
            if key.isEmpty || key.contains("=") || key.utf8.contains(0) || value.utf8.contains(0) { continue }
            envStrings.append("\(key)=\(value)")
        }

        var attributes = posix_spawnattr_t()
        guard posix_spawnattr_init(&attributes) == 0 else {
            throw VibectlError(.kubectl, "could not prepare to start kubectl", cause: String(cString: strerror(errno)))
        }
        defer { posix_spawnattr_destroy(&attributes) }
        var defaultSignals = sigset_t()
        sigfillset(&defaultSignals)
        sigdelset(&defaultSignals, SIGKILL)
        sigdelset(&defaultSignals, SIGSTOP)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var fileActions = posix_spawn_file_actions_t()
        guard posix_spawn_file_actions_init(&fileActions) == 0 else {
            throw VibectlError(.kubectl, "could not prepare to start kubectl", cause: String(cString: strerror(errno)))
        }
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        // Only 0, 1 and 2 reach kubectl: the host's other descriptors (sockets, files being
        // written) must not leak into it.
        if let addCloseFrom = Self.addCloseFrom {
            _ = addCloseFrom(&fileActions, 3)
        }

        let cArgv = try CStringArray(argv)
        defer { cArgv.deallocate() }
        let cEnv = try CStringArray(envStrings)
        defer { cEnv.deallocate() }

        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &fileActions, &attributes, cArgv.pointer, cEnv.pointer)
        if rc == 0 {
            return .success(pid)
        }
        let reason = String(cString: strerror(rc))
        let error: VibectlError
        switch rc {
        case ENOENT, ENOTDIR:
            error = VibectlError(.kubectl, "kubectl command '\(path)' was not found (\(reason))", hint: Self.installHint)
        case EACCES, EPERM, ENOEXEC:
            error = VibectlError(
                .kubectl, "kubectl command '\(path)' could not be executed (\(reason))", hint: Self.installHint)
        default:
            error = VibectlError(.kubectl, "kubectl command '\(path)' could not be started (\(reason))")
        }
        return .failure(SpawnFailure(errorNumber: rc, error: error))
    }
}

/// A NULL-terminated array of C strings owned by the caller, for argv/envp.
private struct CStringArray {
    let pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    let count: Int

    init(_ strings: [String]) throws {
        count = strings.count
        pointer = .allocate(capacity: strings.count + 1)
        pointer.initialize(repeating: nil, count: strings.count + 1)
        for (index, string) in strings.enumerated() {
            guard let copy = strdup(string) else {
                deallocate()
                throw VibectlError(.internal, "out of memory while preparing kubectl's arguments")
            }
            pointer[index] = copy
        }
    }

    func deallocate() {
        for index in 0..<count {
            free(pointer[index])
        }
        pointer.deallocate()
    }
}
