import VibectlCore

/// The frame every exported function runs in: errors become statuses and the thread's
/// last-error record; nothing thrown crosses into C.
enum ABICall {
    /// Runs `body`; returns `VIBECTL_OK` or the status of the error it threw.
    static func run(_ body: () throws -> Void) -> Int32 {
        do {
            try body()
            LastError.clear()
            return 0
        } catch let error as VibectlError {
            return LastError.record(error)
        } catch {
            return LastError.record(.wrapping(error, context: "unexpected internal failure"))
        }
    }

    /// Runs `body` with the live handle behind `client`, holding the handle's call lock.
    static func withClient(_ client: OpaquePointer?, _ body: (ClientHandle) throws -> Void) -> Int32 {
        run {
            let handle = try ClientRegistry.lookup(client)
            try handle.callLock.withLock { try body(handle) }
        }
    }
}
