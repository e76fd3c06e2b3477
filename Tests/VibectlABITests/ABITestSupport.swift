import CVibectl
import Foundation
import Testing
import VibectlTestSupport

/// A client over a scratch config dir, freed at the end of the test.
final class TestClient {
    let directory: ScratchDirectory
    let handle: OpaquePointer

    init(overrides: [String: Any] = [:]) throws {
        directory = try ScratchDirectory(prefix: "vibectl-abi")
        var options: [String: Any] = ["version": 1, "config_dir": directory.path]
        if !overrides.isEmpty { options["overrides"] = overrides }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: options), as: UTF8.self)
        var client: OpaquePointer?
        let status = vibectl_client_new(&client, json)
        guard status == VIBECTL_OK, let client else {
            throw ABIFailure(status: status, message: lastMessage())
        }
        handle = client
    }

    deinit {
        vibectl_client_free(handle)
    }
}

/// A failed call, for `#require`-style reporting.
struct ABIFailure: Error, CustomStringConvertible {
    let status: Int32
    let message: String
    var description: String { "status \(status): \(message)" }
}

/// The calling thread's last error message.
func lastMessage() -> String {
    String(cString: vibectl_error_last().pointee.message)
}

/// The calling thread's last error hint, if any.
func lastHint() -> String? {
    vibectl_error_last().pointee.hint.map { String(cString: $0) }
}

/// Calls a function that returns a string through `char **`, returning (status, string).
func takeString(_ call: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32) -> (Int32, String?) {
    var out: UnsafeMutablePointer<CChar>?
    let status = call(&out)
    defer { vibectl_string_free(out) }
    return (status, out.map { String(cString: $0) })
}

/// Parses JSON returned by the library into a dictionary.
func object(_ json: String?) throws -> [String: Any] {
    let text = try #require(json)
    return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}

/// Collects the events a call delivers; passed as user_data.
final class EventLog {
    var events: [[String: Any]] = []
    var abortAfter: Int?
    var threads: Set<UInt> = []
    var onEvent: ((String) -> Void)?
}

/// The C event callback used by tests: records into the `EventLog` behind user_data.
let recordEvent: vibectl_event_cb = { json, userData in
    guard let userData else { return 0 }
    let log = Unmanaged<EventLog>.fromOpaque(userData).takeUnretainedValue()
    let text = String(cString: json)
    if let event = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] {
        log.events.append(event)
    }
    log.threads.insert(UInt(bitPattern: Int(bitPattern: pthread_self())))
    log.onEvent?(text)
    if let limit = log.abortAfter, log.events.count >= limit { return 1 }
    return 0
}
