import Foundation
import VibectlCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Command resolution and posix_spawn shared by ``KubectlPassthrough`` and ``KubectlRunner``.
enum KubectlLauncher {
    /// The PATH searched when the environment has none (the same fallback as `execvp`, plus /usr/local/bin).
    static let defaultSearchPath = "/usr/local/bin:/usr/bin:/bin"

    // MARK: - Resolution

    /// Checks `core.kubectl_command` and returns the executable's path.
    ///
    /// - Throws: `.invalidArgument` for an empty command or a NUL byte; `.kubectl` when the
    ///   command is missing or not executable.
    static func resolveCommand(_ command: String, environment: [String: String]) throws -> String {
        if command.isEmpty {
            throw VibectlError(
                .invalidArgument, "core.kubectl_command is empty",
                hint: "set it to a command name or path: vibectl config set core.kubectl_command kubectl"
            )
        }
        if command.utf8.contains(0) {
            throw VibectlError(.invalidArgument, "core.kubectl_command contains a NUL byte")
        }
        return try locate(command, environment: environment)
    }

    /// Throws `.invalidArgument` when any argument contains a NUL byte.
    static func validate(arguments: [String]) throws {
        for (index, argument) in arguments.enumerated() where argument.utf8.contains(0) {
            throw VibectlError(
                .invalidArgument, "kubectl argument \(index + 1) contains a NUL byte",
                hint: "arguments are passed to kubectl verbatim and cannot contain NUL"
            )
        }
    }

    /// Throws `.invalidArgument` when a config value (`core.kubeconfig`, …) contains a NUL byte.
    static func validate(setting value: String, named name: String) throws {
        if value.utf8.contains(0) {
            throw VibectlError(.invalidArgument, "\(name) contains a NUL byte")
        }
    }

    /// Finds the executable for `command`: a path is checked as is, a bare name is searched on PATH.
    static func locate(_ command: String, environment: [String: String]) throws -> String {
        if command.contains("/") {
            switch check(command) {
            case .executable:
                return command
            case .missing:
                throw VibectlError(
                    .kubectl, "kubectl command '\(command)' was not found", hint: KubectlPassthrough.installHint)
            case .notExecutable(let why):
                throw VibectlError(
                    .kubectl, "kubectl command '\(command)' is not executable (\(why))",
                    hint: KubectlPassthrough.installHint)
            }
        }
        let searchPath = environment["PATH"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultSearchPath
        var firstNonExecutable: (path: String, why: String)?
        // Empty PATH entries would mean the current directory; never run kubectl from there.
        for directory in searchPath.split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = directory.hasSuffix("/") ? "\(directory)\(command)" : "\(directory)/\(command)"
            switch check(candidate) {
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
                hint: KubectlPassthrough.installHint
            )
        }
        throw VibectlError(
            .kubectl,
            "kubectl command '\(command)' was not found on PATH (searched \(brief(searchPath)))",
            hint: KubectlPassthrough.installHint
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

    /// Where the child's standard descriptors come from.
    struct Stdio {
        /// Descriptors to install as the child's 0, 1 and 2; `nil` inherits the parent's.
        var stdin: Int32?
        var stdout: Int32?
        var stderr: Int32?
        /// Open /dev/null as stdin when `stdin` is `nil` (instead of inheriting).
        var nullStdin: Bool

        /// Everything inherited (the pass-through).
        static let inherited = Stdio(stdin: nil, stdout: nil, stderr: nil, nullStdin: false)
    }

    /// Spawns, retrying briefly while the executable is "busy" (ETXTBSY: another process still
    /// holds it open for writing, e.g. an installer that just wrote it, or a sibling spawned in
    /// the instant before that writer closed it).
    static func spawnRetryingBusyText(
        _ argv: [String], environment: [String: String], stdio: Stdio, newProcessGroup: Bool
    ) async throws -> pid_t {
        var attempt = 0
        while true {
            switch try spawn(argv, environment: environment, stdio: stdio, newProcessGroup: newProcessGroup) {
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
    struct SpawnFailure: Error {
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

    /// `pipe2` (not imported by the Glibc module), looked up at run time.
    private static let pipe2Function: Pipe2? = {
        guard let symbol = dlsym(nil, "pipe2") else { return nil }
        return unsafeBitCast(symbol, to: Pipe2.self)
    }()

    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32

    /// Creates a close-on-exec pipe (so children spawned concurrently elsewhere never inherit it).
    static func makePipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        let rc: Int32
        if let pipe2Function {
            rc = fds.withUnsafeMutableBufferPointer { pipe2Function($0.baseAddress, O_CLOEXEC) }
        } else {
            rc = fds.withUnsafeMutableBufferPointer { pipe($0.baseAddress) }
            if rc == 0 {
                _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
                _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
            }
        }
        guard rc == 0 else {
            throw VibectlError(.kubectl, "could not create a pipe for kubectl", cause: String(cString: strerror(errno)))
        }
        return (fds[0], fds[1])
    }

    /// Creates a close-on-exec connected socket pair, used for kubectl's stdin so that writing to
    /// it after kubectl exits gives EPIPE (with MSG_NOSIGNAL) instead of a process-killing SIGPIPE.
    static func makeSocketPair() throws -> (ours: Int32, theirs: Int32) {
        var fds: [Int32] = [-1, -1]
        #if canImport(Glibc)
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #else
        let type = SOCK_STREAM
        #endif
        let rc = fds.withUnsafeMutableBufferPointer { socketpair(AF_UNIX, type, 0, $0.baseAddress) }
        guard rc == 0 else {
            throw VibectlError(
                .kubectl, "could not create a socket for kubectl's stdin", cause: String(cString: strerror(errno)))
        }
        #if !canImport(Glibc)
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        var on: Int32 = 1
        _ = setsockopt(fds[0], SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
        #endif
        return (fds[0], fds[1])
    }

    /// Starts `argv` with posix_spawn: the chosen stdio and every other descriptor closed, default
    /// signal dispositions, empty signal mask, optionally in a new process group of its own.
    static func spawn(
        _ argv: [String], environment: [String: String], stdio: Stdio, newProcessGroup: Bool
    ) throws -> Result<pid_t, SpawnFailure> {
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
        var flags = Int32(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)
        if newProcessGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        var fileActions = posix_spawn_file_actions_t()
        guard posix_spawn_file_actions_init(&fileActions) == 0 else {
            throw VibectlError(.kubectl, "could not prepare to start kubectl", cause: String(cString: strerror(errno)))
        }
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        if let fd = stdio.stdin {
            posix_spawn_file_actions_adddup2(&fileActions, fd, 0)
        } else if stdio.nullStdin {
            posix_spawn_file_actions_addopen(&fileActions, 0, "/dev/null", O_RDONLY, 0)
        }
        if let fd = stdio.stdout {
            posix_spawn_file_actions_adddup2(&fileActions, fd, 1)
        }
        if let fd = stdio.stderr {
            posix_spawn_file_actions_adddup2(&fileActions, fd, 2)
        }
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
            error = VibectlError(
                .kubectl, "kubectl command '\(path)' was not found (\(reason))", hint: KubectlPassthrough.installHint)
        case EACCES, EPERM, ENOEXEC:
            error = VibectlError(
                .kubectl, "kubectl command '\(path)' could not be executed (\(reason))",
                hint: KubectlPassthrough.installHint)
        default:
            error = VibectlError(.kubectl, "kubectl command '\(path)' could not be started (\(reason))")
        }
        return .failure(SpawnFailure(errorNumber: rc, error: error))
    }

    /// Milliseconds elapsed since `start`.
    static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let elapsed = ContinuousClock.now - start
        return Int(elapsed.components.seconds) * 1000
            + Int(elapsed.components.attoseconds / 1_000_000_000_000_000)
    }
}

/// A NULL-terminated array of C strings owned by the caller, for argv/envp.
struct CStringArray {
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
