/// The outcome of an attached kubectl run.
public struct PassthroughResult: Sendable, Equatable {
    /// kubectl's exit code; 128 + the signal number when a signal ended it.
    public let exitCode: Int32
    /// The signal that ended kubectl, or `nil` when it exited by itself.
    public let signal: Int32?
    /// How long kubectl ran, in milliseconds.
    public let durationMs: Int

    /// Creates a result.
    public init(exitCode: Int32, signal: Int32?, durationMs: Int) {
        self.exitCode = exitCode
        self.signal = signal
        self.durationMs = durationMs
    }

    /// Decodes a raw `waitpid` status into a result.
    static func fromWaitStatus(_ status: Int32, durationMs: Int) -> PassthroughResult {
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros that Swift does not import.
        let termSignal = status & 0x7f
        if termSignal == 0 {
            return PassthroughResult(exitCode: (status >> 8) & 0xff, signal: nil, durationMs: durationMs)
        }
        // Stopped (0x7f) is not reported by waitpid without WUNTRACED; treat anything
        // else as "killed by termSignal".
        return PassthroughResult(exitCode: 128 + termSignal, signal: termSignal, durationMs: durationMs)
    }
}
