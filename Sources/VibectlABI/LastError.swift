import CVibectl
import Glibc
import VibectlCore

/// The calling thread's last error, as the C record `vibectl_error` and the strings it points to.
///
/// One box per thread, kept in a pthread key and released by the key's destructor when the
/// thread exits. Only the owning thread touches its box, so no lock is needed.
final class LastErrorBox {
    let record: UnsafeMutablePointer<vibectl_error>
    private var message: UnsafeMutablePointer<CChar>?
    private var hint: UnsafeMutablePointer<CChar>?

    init() {
        record = UnsafeMutablePointer<vibectl_error>.allocate(capacity: 1)
        record.initialize(to: vibectl_error(code: 0, message: CStrings.empty, hint: nil))
    }

    deinit {
        free(message)
        free(hint)
        record.deinitialize(count: 1)
        record.deallocate()
    }

    /// Records a failure; the strings stay valid until the next call on this thread.
    func set(code: Int32, message text: String, hint hintText: String?) {
        free(message)
        free(hint)
        message = strdup(text)
        hint = hintText.flatMap { strdup($0) }
        record.pointee = vibectl_error(
            code: code,
            message: message.map { UnsafePointer($0) } ?? CStrings.empty,
            hint: hint.map { UnsafePointer($0) })
    }

    /// Records success.
    func clear() {
        guard record.pointee.code != 0 || message != nil else { return }
        free(message)
        free(hint)
        message = nil
        hint = nil
        record.pointee = vibectl_error(code: 0, message: CStrings.empty, hint: nil)
    }
}

/// Access to the per-thread ``LastErrorBox``.
enum LastError {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { pointer in
            guard let pointer else { return }
            Unmanaged<LastErrorBox>.fromOpaque(pointer).release()
        }
        return key
    }()

    /// The calling thread's box, created on first use.
    static var current: LastErrorBox {
        if let pointer = pthread_getspecific(key) {
            return Unmanaged<LastErrorBox>.fromOpaque(pointer).takeUnretainedValue()
        }
        let box = LastErrorBox()
        pthread_setspecific(key, Unmanaged.passRetained(box).toOpaque())
        return box
    }

    /// Records `error` for the calling thread and returns its C status.
    static func record(_ error: VibectlError) -> Int32 {
        current.set(code: error.code.status, message: error.fullMessage, hint: error.hint)
        return error.code.status
    }

    /// Clears the calling thread's error.
    static func clear() {
        current.clear()
    }
}
