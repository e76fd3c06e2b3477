import CVibectl
import Foundation
import VibectlCore
import VibectlKubectl
import VibectlStore

// kubectl pass-through, attached to the caller's terminal.

/// Runs kubectl with `args_json`, emitting command_started / command_exited events.
@c @implementation
public func vibectl_kubectl_passthrough(
    _ client: OpaquePointer?, _ args_json: UnsafePointer<CChar>?, _ callback: vibectl_event_cb?,
    _ user_data: UnsafeMutableRawPointer?, _ out_exit_code: UnsafeMutablePointer<Int32>?
) -> Int32 {
    ABICall.withClient(client) { handle in
        let arguments = try parseArguments(CStrings.read(args_json, "args_json"))
        let command = try handle.config.value("core.kubectl_command").stringValue ?? "kubectl"
        let kubeconfig = try handle.config.value("core.kubeconfig").stringValue
        let passthrough = KubectlPassthrough(
            kubectlCommand: command, kubeconfig: kubeconfig, environment: ProcessInfo.processInfo.environment)
        let result = try EventPump.run(on: handle, callback: callback, userData: user_data) { events in
            let result = try await passthrough.run(arguments) { argv, pid in
                events.emit("command_started", ["argv": .array(argv.map(JSONValue.string)), "pid": .int(Int(pid))])
            }
            events.emit(
                "command_exited",
                [
                    "exit_code": .int(Int(result.exitCode)),
                    "signal": result.signal.map { .int(Int($0)) } ?? .null,
                    "duration_ms": .int(result.durationMs),
                ])
            return result
        }
        out_exit_code?.pointee = result.exitCode
    }
}

/// Parses a JSON array of strings: the kubectl arguments.
func parseArguments(_ text: String) throws -> [String] {
    guard case .array(let items) = try JSONValue.parse(text, what: "args_json") else {
        throw VibectlError(.invalidArgument, "args_json must be a JSON array of strings", hint: #"e.g. ["get", "pods"]"#)
    }
    return try items.enumerated().map { index, item in
        guard case .string(let argument) = item else {
            throw VibectlError(
                .invalidArgument, "args_json[\(index)] is a \(item.typeName), not a string",
                hint: #"pass every argument as a string, e.g. ["scale", "--replicas", "3"]"#)
        }
        return argument
    }
}
