import Synchronization
import VibectlCore

/// The live `vibectl_client` handles.
///
/// A C caller can pass anything as a handle. Looking every pointer up here turns a freed or
/// foreign pointer into `VIBECTL_EINVAL` instead of a crash, and keeps a handle alive while
/// a call on it is running.
enum ClientRegistry {
    private static let live = Mutex<[UInt: ClientHandle]>([:])

    /// Registers a new handle and returns the opaque pointer the caller will hold.
    static func register(_ handle: ClientHandle) -> OpaquePointer {
        let raw = Unmanaged.passUnretained(handle).toOpaque()
        live.withLock { $0[UInt(bitPattern: raw)] = handle }
        return OpaquePointer(raw)
    }

    /// The handle behind `pointer`.
    /// - Throws: `invalidArgument` for NULL or a pointer that is not a live client.
    static func lookup(_ pointer: OpaquePointer?) throws -> ClientHandle {
        guard let pointer else {
            throw VibectlError(.invalidArgument, "client is NULL", hint: "create one with vibectl_client_new()")
        }
        let key = UInt(bitPattern: UnsafeRawPointer(pointer))
        guard let handle = live.withLock({ $0[key] }) else {
            throw VibectlError(
                .invalidArgument, "client is not a live vibectl_client (was it already freed?)",
                hint: "pass a pointer returned by vibectl_client_new() that has not been passed to vibectl_client_free()")
        }
        return handle
    }

    /// Removes a handle; returns it, or `nil` when the pointer was not live.
    @discardableResult
    static func remove(_ pointer: OpaquePointer) -> ClientHandle? {
        let key = UInt(bitPattern: UnsafeRawPointer(pointer))
        return live.withLock { $0.removeValue(forKey: key) }
    }
}
