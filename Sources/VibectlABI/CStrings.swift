import Glibc
import VibectlCore

/// Conversions between C strings and Swift strings at the ABI boundary.
enum CStrings {
    /// A static empty C string.
    static var empty: UnsafePointer<CChar> { staticString("") }

    /// A pointer to a string literal's bytes, valid for the life of the process.
    static func staticString(_ literal: StaticString) -> UnsafePointer<CChar> {
        UnsafeRawPointer(literal.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    /// Reads a required NUL-terminated UTF-8 argument.
    /// - Throws: `invalidArgument` naming `name` when the pointer is NULL or the bytes are not UTF-8.
    static func read(_ pointer: UnsafePointer<CChar>?, _ name: String) throws -> String {
        guard let pointer else {
            throw VibectlError(.invalidArgument, "\(name) is NULL", hint: "pass a NUL-terminated UTF-8 string")
        }
        return try decode(pointer, name)
    }

    /// Reads an optional argument: NULL gives `nil`.
    static func readOptional(_ pointer: UnsafePointer<CChar>?, _ name: String) throws -> String? {
        guard let pointer else { return nil }
        return try decode(pointer, name)
    }

    private static func decode(_ pointer: UnsafePointer<CChar>, _ name: String) throws -> String {
        let length = strlen(pointer)
        let bytes = UnsafeRawBufferPointer(start: pointer, count: length)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw VibectlError(
                .invalidArgument, "\(name) is not valid UTF-8",
                hint: "encode the text as UTF-8 before passing it to libvibectl")
        }
        return text
    }

    /// Checks that an out-parameter is usable and clears it, so it is NULL if the call fails.
    static func prepare(_ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ name: String) throws
        -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    {
        guard let out else {
            throw VibectlError(.invalidArgument, "\(name) is NULL", hint: "pass the address of a char * variable")
        }
        out.pointee = nil
        return out
    }

    /// Hands a copy of `text` to the caller, who frees it with `vibectl_string_free`.
    static func give(_ text: String, to out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) throws {
        guard let copy = strdup(text) else {
            throw VibectlError(.internal, "out of memory while returning a string")
        }
        out.pointee = copy
    }
}
