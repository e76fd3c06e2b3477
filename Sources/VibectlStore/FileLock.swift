#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import VibectlCore

/// An exclusive advisory lock on a lock file (`flock`), shared by every vibectl process and thread.
///
/// Each acquisition opens the lock file anew, so two threads of one process exclude each
/// other just as two processes do. The kernel drops the lock when its holder dies, so a
/// crashed writer never leaves the file locked.
enum FileLock {
    /// Runs `body` while holding the lock on `path`, creating the lock file (mode 0600) if needed.
    ///
    /// Polls with `LOCK_NB` so that it can give up after `timeout` seconds.
    /// - Throws: `.locked` naming the lock file after `timeout`; `.io` when the lock file cannot be opened.
    static func withLock<T>(_ path: String, timeout: Double, _ body: () throws -> T) throws -> T {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw FileSystem.ioError("cannot open the lock file \(path)", errno: errno)
        }
        defer { close(fd) }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .milliseconds(Int64(max(0, timeout) * 1000)))
        var pause: UInt32 = 1_000
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let error = errno
            if error == EINTR { continue }
            guard error == EWOULDBLOCK || error == EAGAIN else {
                throw FileSystem.ioError("cannot lock \(path)", errno: error)
            }
            if clock.now >= deadline {
                throw VibectlError(
                    .locked,
                    "timed out after \(ValueCoercion.format(timeout)) s waiting for the lock file \(path), which another vibectl process holds",
                    hint: "wait for the other vibectl process to finish and retry; `fuser \(path)` shows which process holds it")
            }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
