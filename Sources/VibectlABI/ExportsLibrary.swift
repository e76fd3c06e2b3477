import CVibectl
import Glibc
import VibectlCore
import VibectlStore

// Library-wide functions of include/vibectl.h: versions, statuses, errors, strings, schema.
// Each is declared in the header; `@c @implementation` makes the compiler check the Swift
// signature against that declaration.

/// The version string, as static C bytes (a test keeps it equal to `VibectlVersion.string`).
let versionCString: StaticString = "0.3.0"

/// Returns the library's version as "major.minor.patch".
@c @implementation
public func vibectl_version_string() -> UnsafePointer<CChar> {
    CStrings.staticString(versionCString)
}

/// Returns the library's version number (major * 10000 + minor * 100 + patch).
@c @implementation
public func vibectl_version_number() -> Int32 {
    Int32(VibectlVersion.number)
}

/// Returns the ABI version of the loaded library.
@c @implementation
public func vibectl_abi_version() -> Int32 {
    Int32(VibectlVersion.abi)
}

/// Returns the static name of a status code.
@c @implementation
public func vibectl_status_name(_ status: Int32) -> UnsafePointer<CChar> {
    CStrings.staticString(statusName(status))
}

/// The name of every status, as static bytes; a test keeps it equal to `VibectlError.Code.all`.
func statusName(_ status: Int32) -> StaticString {
    switch status {
    case 0: "VIBECTL_OK"
    case -1: "VIBECTL_ERROR"
    case -2: "VIBECTL_EINVAL"
    case -3: "VIBECTL_ENOTFOUND"
    case -4: "VIBECTL_ECONFIG"
    case -5: "VIBECTL_EIO"
    case -6: "VIBECTL_ELOCKED"
    case -7: "VIBECTL_ECANCELED"
    case -8: "VIBECTL_EUSER"
    case -9: "VIBECTL_ETIMEOUT"
    case -10: "VIBECTL_EKUBECTL"
    case -11: "VIBECTL_EMODEL"
    case -12: "VIBECTL_ETRANSIENT"
    case -13: "VIBECTL_EAUTH"
    default: "VIBECTL_UNKNOWN"
    }
}

/// Returns the calling thread's last-error record.
@c @implementation
public func vibectl_error_last() -> UnsafePointer<vibectl_error> {
    UnsafePointer(LastError.current.record)
}

/// Clears the calling thread's last error.
@c @implementation
public func vibectl_error_clear() {
    LastError.clear()
}

/// Releases a string returned through an out-parameter.
@c @implementation
public func vibectl_string_free(_ s: UnsafeMutablePointer<CChar>?) {
    free(s)
}

/// Writes the configuration schema as JSON.
@c @implementation
public func vibectl_config_schema(_ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    ABICall.run {
        let out = try CStrings.prepare(out_json, "out_json")
        try CStrings.give(ConfigSchema.json().jsonString(), to: out)
    }
}
