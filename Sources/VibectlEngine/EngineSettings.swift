import Foundation
import VibectlCore
import VibectlKubectl
import VibectlStore

/// The configuration the engine reads, gathered in one place.
public enum EngineSettings {
    /// The flags the user's own configuration sets (core.kubeconfig, core.context, core.namespace): the
    /// safety classifier allows them in a plan because they carry the user's choice, not the planner's.
    public static func userFlags(_ config: ConfigStore) throws -> Set<String> {
        var flags: Set<String> = []
        for (key, flag) in [("core.kubeconfig", "--kubeconfig"), ("core.context", "--context"), ("core.namespace", "--namespace")]
        where try config.value(key).stringValue != nil {
            flags.insert(flag)
        }
        return flags
    }

    /// A kubectl runner from `core.*`, with `timeoutSeconds` replacing `core.timeout_seconds` when given.
    public static func runner(_ config: ConfigStore, environment: [String: String], timeoutSeconds: Double?) throws -> KubectlRunner {
        let configured = try config.value("core.timeout_seconds").doubleValue ?? 300
        let seconds = timeoutSeconds ?? configured
        return KubectlRunner(
            kubectlCommand: try config.value("core.kubectl_command").stringValue ?? "kubectl",
            kubeconfig: try config.value("core.kubeconfig").stringValue,
            context: try config.value("core.context").stringValue,
            namespace: try config.value("core.namespace").stringValue,
            timeout: seconds > 0 ? .milliseconds(Int64(seconds * 1000)) : nil,
            maxOutputBytes: try config.value("core.max_output_bytes").intValue ?? 64 << 20,
            environment: environment)
    }

    /// The execution mode: the per-call option, else `security.confirmation_mode`, else manual.
    public static func mode(_ config: ConfigStore, option: ExecutionMode?) throws -> ExecutionMode {
        if let option { return option }
        let name = try config.value("security.confirmation_mode").stringValue ?? "manual"
        return ExecutionMode(name: name) ?? .manual
    }

    /// The output budget: the per-call option, else `output.max_chars`.
    static func budget(_ config: ConfigStore, option: Int?) throws -> Int {
        if let option { return option }
        return try config.value("output.max_chars").intValue ?? 5000
    }

    /// `output.chars_per_token`.
    static func charsPerToken(_ config: ConfigStore) throws -> Double {
        try config.value("output.chars_per_token").doubleValue ?? 4
    }

    /// `memory.max_chars`.
    static func memoryMaxChars(_ config: ConfigStore) throws -> Int {
        try config.value("memory.max_chars").intValue ?? 500
    }

    /// Whether automatic memory updates are on (`memory.enabled`).
    static func memoryEnabled(_ config: ConfigStore) throws -> Bool {
        try config.value("memory.enabled").boolValue ?? true
    }

    /// `system.custom_instructions`.
    static func instructions(_ config: ConfigStore) throws -> String? {
        try config.value("system.custom_instructions").stringValue
    }

    /// Whether a request asks for a shell (so the classifier allows `exec ... sh`).
    static func asksForShell(_ request: String) -> Bool {
        let words = request.lowercased().split { !$0.isLetter }
        return words.contains { ["shell", "bash", "sh", "zsh", "ash", "terminal"].contains(String($0)) }
    }
}
