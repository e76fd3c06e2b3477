import CVibectl
import VibectlCore
import VibectlStore

// Configuration: get, set, unset, show, info.

/// Reads one key's effective value as JSON.
@c @implementation
public func vibectl_config_get(
    _ client: OpaquePointer?, _ key: UnsafePointer<CChar>?, _ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    ABICall.withClient(client, out: out_json, "out_json") { handle, out in
        let entry = try handle.config.get(CStrings.read(key, "key"))
        try CStrings.give(entry.json().jsonString(), to: out)
    }
}

/// Sets a key from text and saves the file.
@c @implementation
public func vibectl_config_set(_ client: OpaquePointer?, _ key: UnsafePointer<CChar>?, _ value: UnsafePointer<CChar>?) -> Int32 {
    ABICall.withClient(client) { handle in
        let key = try CStrings.read(key, "key")
        try handle.config.set(key, text: CStrings.read(value, "value"))
    }
}

/// Sets a key from a JSON value and saves the file.
@c @implementation
public func vibectl_config_set_json(
    _ client: OpaquePointer?, _ key: UnsafePointer<CChar>?, _ value_json: UnsafePointer<CChar>?
) -> Int32 {
    ABICall.withClient(client) { handle in
        let key = try CStrings.read(key, "key")
        let value = try JSONValue.parse(CStrings.read(value_json, "value_json"), what: "value_json")
        try handle.config.set(key, json: value)
    }
}

/// Removes a key from the file, so its default applies.
@c @implementation
public func vibectl_config_unset(_ client: OpaquePointer?, _ key: UnsafePointer<CChar>?) -> Int32 {
    ABICall.withClient(client) { handle in
        try handle.config.unset(CStrings.read(key, "key"))
    }
}

/// Shows everything, a section, or a key as JSON.
@c @implementation
public func vibectl_config_show(
    _ client: OpaquePointer?, _ selector: UnsafePointer<CChar>?, _ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    ABICall.withClient(client, out: out_json, "out_json") { handle, out in
        let shown = try handle.config.show(CStrings.readOptional(selector, "selector"))
        try CStrings.give(shown.jsonString(), to: out)
    }
}

/// Describes the config file as JSON.
@c @implementation
public func vibectl_config_info(_ client: OpaquePointer?, _ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    ABICall.withClient(client, out: out_json, "out_json") { handle, out in
        try CStrings.give(handle.config.info().jsonString(), to: out)
    }
}
