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
        var argv = [try KubectlLauncher.resolveCommand(kubectlCommand, environment: environment)]
        if let kubeconfig, !kubeconfig.isEmpty {
            try KubectlLauncher.validate(setting: kubeconfig, named: "core.kubeconfig")
            argv += ["--kubeconfig", kubeconfig]
        }
        try KubectlLauncher.validate(arguments: arguments)
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
        let pid = try await KubectlLauncher.spawnRetryingBusyText(
            argv, environment: environment, stdio: .inherited, newProcessGroup: false)
        let child = ChildProcess(pid: pid)
        onStarted(argv, pid)
        let status = await withTaskCancellationHandler {
            await child.exitStatus()
        } onCancel: {
            child.cancel(killGrace: killGrace)
        }
        let durationMs = KubectlLauncher.milliseconds(since: start)
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
}
