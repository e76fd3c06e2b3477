import CVibectl
import Foundation
import VibectlCore

// The client handle: create, free, cancel.

/// Creates a client from an options JSON document.
@c @implementation
public func vibectl_client_new(_ out: UnsafeMutablePointer<OpaquePointer?>?, _ options_json: UnsafePointer<CChar>?) -> Int32 {
    ABICall.run {
        guard let out else {
            throw VibectlError(.invalidArgument, "out is NULL", hint: "pass the address of a vibectl_client * variable")
        }
        out.pointee = nil
        let options = try ClientOptions(json: CStrings.readOptional(options_json, "options_json"))
        let handle = try ClientHandle(options: options, environment: ProcessInfo.processInfo.environment)
        out.pointee = ClientRegistry.register(handle)
    }
}

/// Destroys a client; NULL and unknown pointers are ignored.
@c @implementation
public func vibectl_client_free(_ client: OpaquePointer?) {
    guard let client else { return }
    ClientRegistry.remove(client)
}

/// Cancels the calls in progress on a client; callable from any thread.
@c @implementation
public func vibectl_client_cancel(_ client: OpaquePointer?) -> Int32 {
    ABICall.run {
        // No call lock here: the point is to reach a call that holds it.
        try ClientRegistry.lookup(client).cancel()
    }
}
