import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A spawned child that can be signalled safely until it is reaped, and waited for exactly once.
///
/// The pid is only signalled while the child is known not to be reaped (the waiter uses
/// `waitid(WNOWAIT)` first and reaps under the same lock), so a cancellation racing with the
/// child's exit can never hit a recycled pid.
///
/// A child that leads its own process group (``processGroup``) is signalled as a group, so its
/// descendants are stopped too. Once the leader is reaped the group is still signalled while
/// ``markOutputOpen(_:)`` says a descendant may still hold the output pipes: a process group id
/// cannot be reused while any member of the group is alive.
final class ChildProcess: Sendable {
    /// The child's process id.
    let pid: pid_t
    /// Whether the child leads a process group of its own (spawned with pgroup 0).
    let processGroup: Bool

    private struct State {
        var reaped = false
        var cancelRequested = false
        var outputOpen = false
    }

    private let state = Mutex(State())

    init(pid: pid_t, processGroup: Bool = false) {
        self.pid = pid
        self.processGroup = processGroup
    }

    /// Records whether the child's output pipes are still open (someone in the group may hold them).
    func markOutputOpen(_ open: Bool) {
        state.withLock { $0.outputOpen = open }
    }

    /// Signals the child (or its group) when that cannot hit a recycled pid; the lock is held.
    private func signalLocked(_ state: State, _ signal: Int32) -> Bool {
        if !state.reaped {
            _ = kill(processGroup ? -pid : pid, signal)
            if processGroup { _ = kill(pid, signal) }
            return true
        }
        if processGroup && state.outputOpen {
            _ = kill(-pid, signal)
            return true
        }
        return false
    }

    /// Whether ``cancel(killGrace:)`` has been called.
    var wasCancelled: Bool {
        state.withLock { $0.cancelRequested }
    }

    /// Sends `signal` to the child if it has not been reaped yet.
    func send(_ signal: Int32) {
        state.withLock { state in
            _ = signalLocked(state, signal)
        }
    }

    /// Sends SIGTERM now and SIGKILL after `killGrace` seconds if the child is still not reaped.
    func cancel(killGrace: Double) {
        let first = state.withLock { state -> Bool in
            let first = !state.cancelRequested
            state.cancelRequested = true
            guard first else { return false }
            return signalLocked(state, SIGTERM)
        }
        guard first else { return }
        let grace = killGrace.isFinite ? max(0, killGrace) : 2.0
        DispatchQueue.global().asyncAfter(deadline: .now() + grace) { [self] in
            send(SIGKILL)
        }
    }

    /// Blocks the calling (dedicated, non-cooperative) thread until the child ends, reaps it,
    /// and returns the raw wait status, or `nil` when the status was lost (someone else reaped it,
    /// e.g. because the host ignores SIGCHLD).
    func blockingWait() -> Int32? {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == -1 && errno == EINTR {}
        return state.withLock { state -> Int32? in
            var status: Int32 = 0
            var rc: pid_t = -1
            repeat {
                rc = waitpid(pid, &status, 0)
            } while rc == -1 && errno == EINTR
            state.reaped = true
            return rc == pid ? status : nil
        }
    }

    /// Waits for the child on a dedicated thread, so no thread of Swift's cooperative pool blocks.
    func exitStatus() async -> Int32? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Int32?, Never>) in
            let thread = Thread { [self] in
                continuation.resume(returning: blockingWait())
            }
            thread.name = "vibectl-kubectl-wait"
            thread.stackSize = 64 * 1024
            thread.start()
        }
    }
}
