import CVibectl
import VibectlCore
import VibectlModels
import VibectlStore

// Models: list, check, complete, metrics.

/// Lists the known models with key availability (never keys).
@c @implementation
public func vibectl_models_list(_ client: OpaquePointer?, _ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?)
    -> Int32
{
    ABICall.withClient(client, out: out_json, "out_json") { handle, out in
        let listings = try handle.models().listModels()
        let model = try handle.config.value("llm.model")
        let result: JSONValue = ["version": 1, "default": model, "models": .array(listings.map { $0.json() })]
        try CStrings.give(result.jsonString(), to: out)
    }
}

/// Checks that a model resolves, has a key, and that its provider answers.
@c @implementation
public func vibectl_model_check(
    _ client: OpaquePointer?, _ model: UnsafePointer<CChar>?, _ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    ABICall.withClient(client, out: out_json, "out_json") { handle, out in
        let name = try CStrings.readOptional(model, "model")
        let service = handle.models()
        let report = try EventPump.run(on: handle, callback: nil, userData: nil) { _ in
            try await service.check(model: name)
        }
        try CStrings.give(report.jsonString(), to: out)
    }
}

/// Runs one completion, streaming text events when asked.
@c @implementation
public func vibectl_complete(
    _ client: OpaquePointer?, _ request_json: UnsafePointer<CChar>?, _ callback: vibectl_event_cb?,
    _ user_data: UnsafeMutableRawPointer?, _ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    ABICall.withClient(client, out: out_json, "out_json") { handle, out in
        var parsed = try CompletionRequest(json: CStrings.read(request_json, "request_json"))
        // Nothing reaches a model unredacted (security.redact, on by default).
        parsed.request.systemFragments = try parsed.request.systemFragments.map(handle.redactIfEnabled)
        parsed.request.userFragments = try parsed.request.userFragments.map(handle.redactIfEnabled)
        let request = parsed
        let service = handle.models()
        let result = try EventPump.run(on: handle, callback: callback, userData: user_data) { events in
            try await service.complete(request.request, options: request.options) { event in
                switch event {
                case .text(let text):
                    events.emit("text", ["text": .string(text)])
                case .retrying(let attempt, let delay, let reason):
                    events.emit(
                        "retrying", ["attempt": .int(attempt), "delay_seconds": .double(delay), "reason": .string(reason)])
                case .fallback(let from, let to, let reason):
                    events.emit("fallback", ["from": .string(from), "to": .string(to), "reason": .string(reason)])
                }
            }
        }
        try CStrings.give(result.json().jsonString(), to: out)
    }
}

/// Returns the model metrics this client accumulated.
@c @implementation
public func vibectl_client_metrics(_ client: OpaquePointer?, _ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?)
    -> Int32
{
    ABICall.withClient(client, out: out_json, "out_json") { handle, out in
        try CStrings.give(handle.models().totals.jsonString(), to: out)
    }
}
