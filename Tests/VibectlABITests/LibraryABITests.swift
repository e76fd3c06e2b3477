import CVibectl
import Foundation
import Testing
import VibectlCore

@testable import VibectlABI

@Suite("Library-wide ABI: versions, statuses, errors")
struct LibraryABITests {
    @Test("runtime versions agree with the header macros and the Swift constants")
    func versions() {
        #expect(String(cString: vibectl_version_string()) == VIBECTL_VERSION_STRING)
        #expect(String(cString: vibectl_version_string()) == VibectlVersion.string)
        #expect(vibectl_version_number() == VIBECTL_VERSION_NUMBER)
        #expect(vibectl_abi_version() == VIBECTL_ABI_VERSION)
        #expect(Int(VIBECTL_VERSION_MAJOR) == VibectlVersion.major)
        #expect(Int(VIBECTL_VERSION_MINOR) == VibectlVersion.minor)
        #expect(Int(VIBECTL_VERSION_PATCH) == VibectlVersion.patch)
    }

    @Test("every Swift error code has the C status and name of the header")
    func statusNames() {
        let header: [(Int32, String)] = [
            (VIBECTL_OK, "VIBECTL_OK"), (VIBECTL_ERROR, "VIBECTL_ERROR"), (VIBECTL_EINVAL, "VIBECTL_EINVAL"),
            (VIBECTL_ENOTFOUND, "VIBECTL_ENOTFOUND"), (VIBECTL_ECONFIG, "VIBECTL_ECONFIG"), (VIBECTL_EIO, "VIBECTL_EIO"),
            (VIBECTL_ELOCKED, "VIBECTL_ELOCKED"), (VIBECTL_ECANCELED, "VIBECTL_ECANCELED"), (VIBECTL_EUSER, "VIBECTL_EUSER"),
            (VIBECTL_ETIMEOUT, "VIBECTL_ETIMEOUT"), (VIBECTL_EKUBECTL, "VIBECTL_EKUBECTL"),
            (VIBECTL_EMODEL, "VIBECTL_EMODEL"), (VIBECTL_ETRANSIENT, "VIBECTL_ETRANSIENT"), (VIBECTL_EAUTH, "VIBECTL_EAUTH"),
        ]
        for (status, name) in header {
            #expect(String(cString: vibectl_status_name(status)) == name)
        }
        #expect(VibectlError.Code.all.count == header.count - 1)
        for code in VibectlError.Code.all {
            #expect(String(cString: vibectl_status_name(code.status)) == code.name)
        }
        #expect(String(cString: vibectl_status_name(-999)) == "VIBECTL_UNKNOWN")
        #expect(String(cString: vibectl_status_name(42)) == "VIBECTL_UNKNOWN")
    }

    @Test("the last error is per thread and cleared by a successful call")
    func lastErrorIsThreadLocal() throws {
        var out: UnsafeMutablePointer<CChar>?
        #expect(vibectl_config_get(nil, "llm.model", &out) == VIBECTL_EINVAL)
        #expect(vibectl_error_last().pointee.code == VIBECTL_EINVAL)
        #expect(lastMessage().contains("client is NULL"))

        let other = Thread.detachNewThreadAndWait { vibectl_error_last().pointee.code }
        #expect(other == VIBECTL_OK)

        var schema: UnsafeMutablePointer<CChar>?
        #expect(vibectl_config_schema(&schema) == VIBECTL_OK)
        vibectl_string_free(schema)
        #expect(vibectl_error_last().pointee.code == VIBECTL_OK)
        #expect(lastMessage() == "")
        #expect(vibectl_error_last().pointee.hint == nil)

        _ = vibectl_config_schema(nil)
        #expect(vibectl_error_last().pointee.code == VIBECTL_EINVAL)
        vibectl_error_clear()
        #expect(vibectl_error_last().pointee.code == VIBECTL_OK)
    }

    @Test("the schema lists sections and keys with defaults")
    func schema() throws {
        let (status, json) = takeString { vibectl_config_schema($0) }
        #expect(status == VIBECTL_OK)
        let schema = try object(json)
        #expect(schema["version"] as? Int == 1)
        let sections = try #require(schema["sections"] as? [String])
        #expect(sections.contains("llm") && sections.contains("security") && sections.contains("core"))
        let keys = try #require(schema["keys"] as? [[String: Any]])
        let model = try #require(keys.first { $0["key"] as? String == "llm.model" })
        #expect(model["default"] as? String == "claude-3.7-sonnet")
    }

    @Test("freeing NULL and unknown pointers is harmless")
    func freeTolerance() {
        vibectl_string_free(nil)
        vibectl_client_free(nil)
        var bogus = 0
        withUnsafeMutablePointer(to: &bogus) { pointer in
            vibectl_client_free(OpaquePointer(pointer))
            var out: UnsafeMutablePointer<CChar>?
            #expect(vibectl_config_get(OpaquePointer(pointer), "llm.model", &out) == VIBECTL_EINVAL)
            #expect(lastMessage().contains("not a live vibectl_client"))
            #expect(out == nil)
        }
    }
}

extension Thread {
    /// Runs `body` on a new thread and waits for its result.
    static func detachNewThreadAndWait<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T? {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<T>()
        Thread.detachNewThread {
            box.value = body()
            done.signal()
        }
        done.wait()
        return box.value
    }
}

/// A box handed between two threads that a semaphore orders. `@unchecked`: the semaphore is the synchronisation.
final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
