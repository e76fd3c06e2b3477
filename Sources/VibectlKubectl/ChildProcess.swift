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
final class ChildProcess: Sendable {
    /// The child's process id.
    let pid: pid_t

    private struct State {
        var reaped = false
        var cancelRequested = false
    }

    private let state = Mutex(State())

    init(pid: pid_t) {
        self.pid = pid
    }

    /// Whether ``cancel(killGrace:)`` has been called.
    var wasCancelled: Bool {
        state.withLock { $0.cancelRequested }
    }

    /// Sends `signal` to the child if it has not been reaped yet.
    func send(_ signal: Int32) {
        state.withLock { state in
            if !state.reaped {
                _ = kill(pid, signal)
            }
        }
    }

    /// Sends SIGTERM now and SIGKILL after `killGrace` seconds if the child is still not reaped.
    func cancel(killGrace: Double) {
        let first = state.withLock { state -> Bool in
            let first = !state.cancelRequested
            state.cancelRequested = true
            if first && !state.reaped {
                _ = kill(pid, SIGTERM)
            }
            return first && !state.reaped
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
