/// The one error type every vibectl module throws across its boundary.
///
/// A `VibectlError` carries a ``Code`` that maps one-to-one onto a C status in
/// `include/vibectl.h`, a message that says what went wrong, an optional hint that
/// says how to fix it, and an optional description of the underlying cause.
public struct VibectlError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The category of failure; stable, because it is the C status code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The C status value (`VIBECTL_*` in include/vibectl.h): always negative.
        public let status: Int32
        /// The name of the C constant, e.g. `VIBECTL_EINVAL`.
        public let name: String

        private init(_ status: Int32, _ name: String) {
            self.status = status
            self.name = name
        }

        /// An unexpected internal failure (`VIBECTL_ERROR`).
        public static let `internal` = Code(-1, "VIBECTL_ERROR")
        /// An argument was NULL, not UTF-8, malformed JSON, or an invalid value (`VIBECTL_EINVAL`).
        public static let invalidArgument = Code(-2, "VIBECTL_EINVAL")
        /// A key, section or object does not exist (`VIBECTL_ENOTFOUND`).
        public static let notFound = Code(-3, "VIBECTL_ENOTFOUND")
        /// A configuration or memory file is corrupt or has invalid content (`VIBECTL_ECONFIG`).
        public static let config = Code(-4, "VIBECTL_ECONFIG")
        /// A file could not be read or written (`VIBECTL_EIO`).
        public static let io = Code(-5, "VIBECTL_EIO")
        /// Another process held a lock for too long (`VIBECTL_ELOCKED`).
        public static let locked = Code(-6, "VIBECTL_ELOCKED")
        /// The call was cancelled through `vibectl_client_cancel` (`VIBECTL_ECANCELED`).
        public static let canceled = Code(-7, "VIBECTL_ECANCELED")
        /// A host callback returned non-zero (`VIBECTL_EUSER`).
        public static let callbackAborted = Code(-8, "VIBECTL_EUSER")
        /// An operation ran out of time (`VIBECTL_ETIMEOUT`).
        public static let timeout = Code(-9, "VIBECTL_ETIMEOUT")
        /// kubectl is missing, not executable, or could not be started (`VIBECTL_EKUBECTL`).
        public static let kubectl = Code(-10, "VIBECTL_EKUBECTL")
        /// A permanent model failure: unknown model, invalid request, unusable reply (`VIBECTL_EMODEL`).
        public static let model = Code(-11, "VIBECTL_EMODEL")
        /// A transient model failure that persisted through retries and fallbacks: rate limited,
        /// overloaded, server error, provider unreachable (`VIBECTL_ETRANSIENT`).
        public static let transient = Code(-12, "VIBECTL_ETRANSIENT")
        /// No API key for the provider, or the provider rejected it (`VIBECTL_EAUTH`).
        public static let auth = Code(-13, "VIBECTL_EAUTH")

        /// Every code, in status order; the table the ABI and the bindings are checked against.
        public static let all: [Code] = [
            .internal, .invalidArgument, .notFound, .config, .io, .locked, .canceled,
            .callbackAborted, .timeout, .kubectl, .model, .transient, .auth,
        ]

        /// The code for a C status, or `nil` when the status is not an error this library knows.
        public static func forStatus(_ status: Int32) -> Code? {
            all.first { $0.status == status }
        }

        public var description: String { name }
    }

    /// What failed.
    public var code: Code
    /// What went wrong, in one sentence a user can act on.
    public var message: String
    /// How to fix it, when there is a fix.
    public var hint: String?
    /// The underlying error, described (never containing a secret).
    public var cause: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, hint: String? = nil, cause: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
        self.cause = cause
    }

    /// The message followed by the cause, as shown to a user.
    public var fullMessage: String {
        guard let cause, !cause.isEmpty else { return message }
        return "\(message) (\(cause))"
    }

    public var description: String {
        var text = "\(code.name): \(fullMessage)"
        if let hint { text += "\nhint: \(hint)" }
        return text
    }
}

extension VibectlError {
    /// Wraps any error as a `VibectlError`, keeping one that already is.
    public static func wrapping(_ error: any Error, as code: Code = .internal, context: String) -> VibectlError {
        if let error = error as? VibectlError { return error }
        if error is CancellationError { return VibectlError(.canceled, "\(context) was cancelled") }
        return VibectlError(code, context, cause: String(describing: error))
    }
}
