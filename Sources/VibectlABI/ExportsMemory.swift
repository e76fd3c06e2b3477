import CVibectl
import VibectlCore
import VibectlStore

// Memory: get, set, clear, freeze, unfreeze, status.

/// Reads the memory text.
@c @implementation
public func vibectl_memory_get(_ client: OpaquePointer?, _ out_text: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    ABICall.withClient(client, out: out_text, "out_text") { handle, out in
        try CStrings.give(handle.memory.get(), to: out)
    }
}

/// Replaces the memory text; optionally returns the resulting status.
@c @implementation
public func vibectl_memory_set(
    _ client: OpaquePointer?, _ text: UnsafePointer<CChar>?, _ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    out_json?.pointee = nil
    return ABICall.withClient(client) { handle in
        // Memory is sent to models with every request, so it is redacted like them.
        let status = try handle.memory.set(handle.redactIfEnabled(CStrings.read(text, "text")))
        if let out_json { try CStrings.give(status.json().jsonString(), to: out_json) }
    }
}

/// Empties the memory.
@c @implementation
public func vibectl_memory_clear(_ client: OpaquePointer?) -> Int32 {
    ABICall.withClient(client) { handle in try handle.memory.clear() }
}

/// Freezes memory (persisted).
@c @implementation
public func vibectl_memory_freeze(_ client: OpaquePointer?) -> Int32 {
    ABICall.withClient(client) { handle in try handle.memory.freeze() }
}

/// Unfreezes memory (persisted).
@c @implementation
public func vibectl_memory_unfreeze(_ client: OpaquePointer?) -> Int32 {
    ABICall.withClient(client) { handle in try handle.memory.unfreeze() }
}

/// Describes the memory as JSON.
@c @implementation
public func vibectl_memory_status(_ client: OpaquePointer?, _ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    ABICall.withClient(client, out: out_json, "out_json") { handle, out in
        try CStrings.give(handle.memory.status().json().jsonString(), to: out)
    }
}
