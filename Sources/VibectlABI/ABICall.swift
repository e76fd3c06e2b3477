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

    /// Like ``withClient(_:_:)`` for a call that returns a string: `*out` is NULL after any
    /// failure, including a bad client, and `body` receives the checked out-parameter.
    static func withClient(
        _ client: OpaquePointer?, out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ name: String,
        _ body: (ClientHandle, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) throws -> Void
    ) -> Int32 {
        out?.pointee = nil
        return withClient(client) { handle in
            let checked = try CStrings.prepare(out, name)
            try body(handle, checked)
        }
    }
}
