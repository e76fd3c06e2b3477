import Foundation
import Mustache
import VibectlCore
import VibectlModels
import VibectlOutput

/// What every prompt says about the moment and the user: time, kubectl target, standing instructions, memory.
public struct PromptContext: Sendable, Equatable {
    /// The current time, ISO 8601 with offset.
    public var time: String
    /// The kubectl context in use (config/per call), or a phrase saying the kubeconfig's current one is used.
    public var kubeContext: String
    /// The namespace in use, or a phrase saying the context's default is used.
    public var namespace: String
    /// `system.custom_instructions`, if any.
    public var instructions: String?
    /// The memory text ("" when empty).
    public var memory: String

    /// Creates a context.
    public init(time: String, kubeContext: String?, namespace: String?, instructions: String?, memory: String) {
        self.time = time
        self.kubeContext = kubeContext ?? "(the kubeconfig's current context)"
        self.namespace = namespace ?? "(the context's default)"
        self.instructions = instructions.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        self.memory = memory
    }
}

/// Builds the model requests of the engine from ``PromptTemplates``.
public enum Prompts {
    /// The compiled templates; compiled once. The sources are constants covered by tests, so a
    /// failure here is a bug, reported as `.internal` rather than trapping.
    private static let library: Result<MustacheLibrary, VibectlError> = {
        let sources: [String: String] = [
            "context": PromptTemplates.context, "planner": PromptTemplates.planner,
            "planner_request": PromptTemplates.plannerRequest, "summary": PromptTemplates.summary,
            "summary_request": PromptTemplates.summaryRequest, "memory_update": PromptTemplates.memoryUpdate,
            "checker": PromptTemplates.checker,
            "memory_update_request": PromptTemplates.memoryUpdateRequest,
        ]
        var library = MustacheLibrary()
        for (name, source) in sources {
            do {
                try library.register(source, named: name)
            } catch {
                return .failure(VibectlError(.internal, "the built-in prompt template '\(name)' does not compile", cause: "\(error)"))
            }
        }
        return .success(library)
    }()

    /// Renders template `name` with `values`.
    static func render(_ name: String, _ values: [String: Any]) throws -> String {
        guard let text = try library.get().render(values, withTemplate: name) else {
            throw VibectlError(.internal, "the built-in prompt template '\(name)' is missing")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The context fragment shared by every prompt.
    static func contextFragment(_ context: PromptContext) throws -> String {
        var values: [String: Any] = ["time": context.time, "context": context.kubeContext, "namespace": context.namespace]
        if let instructions = context.instructions { values["instructions"] = instructions }
        return try render("context", values)
    }

    /// The planning request: planner persona, contract and examples; context; memory, input, previous output, request.
    public static func plan(
        context: PromptContext, verb: String?, request: String, input: CompactionResult? = nil,
        history: [(command: String, output: String)] = []
    ) throws -> ModelRequest {
        var system: [String: Any] = [:]
        if let verb, !verb.isEmpty { system["verb"] = verb }
        var user: [String: Any] = ["memory": context.memory.isEmpty ? "(empty)" : context.memory]
        let trimmed = request.trimmingCharacters(in: .whitespacesAndNewlines)
        if !trimmed.isEmpty { user["request"] = trimmed }
        if let input {
            user["input"] = input.text
            user["input_kind"] = input.kind.rawValue
        }
        if !history.isEmpty {
            user["history"] = history.map { ["command": $0.command, "output": $0.output] }
        }
        return ModelRequest(
            systemFragments: [try render("planner", system), try contextFragment(context)],
            userFragments: [try render("planner_request", user)], schema: PlannerContract.schema,
            schemaName: "vibectl_plan", maxTokens: 4096, temperature: 0)
    }

    /// A `check` iteration: the checker's persona and verdict codes; context; memory, earlier outputs, predicate.
    public static func check(
        context: PromptContext, predicate: String, iteration: Int, maxIterations: Int, history: [(command: String, output: String)]
    ) throws -> ModelRequest {
        var user: [String: Any] = ["memory": context.memory.isEmpty ? "(empty)" : context.memory]
        user["request"] = "Is this true? " + predicate.trimmingCharacters(in: .whitespacesAndNewlines)
        if !history.isEmpty {
            user["history"] = history.map { ["command": $0.command, "output": $0.output] }
        }
        return ModelRequest(
            systemFragments: [
                try render("checker", ["iteration": iteration, "max_iterations": maxIterations]), try contextFragment(context),
            ],
            userFragments: [try render("planner_request", user)], schema: PlannerContract.schema,
            schemaName: "vibectl_plan", maxTokens: 4096, temperature: 0)
    }

    /// The call after a command: the summary (or recovery suggestions) and, unless memory is frozen, the new memory.
    public static func summary(
        context: PromptContext, verb: String?, failed: Bool, hints: String?, withMemory: Bool, memoryMaxChars: Int,
        request: String?, command: String, exitCode: Int32, output: CompactionResult
    ) throws -> ModelRequest {
        let field = failed ? "recovery" : "summary"
        var system: [String: Any] = [
            "focus": failed ? recoveryFocus : focus(for: verb), "text_field": field, "max_chars": memoryMaxChars,
            "reply_shape": withMemory ? "{\"\(field)\": \"...\", \"memory\": \"...\"}" : "{\"\(field)\": \"...\"}",
        ]
        if failed { system["failed"] = true }
        if withMemory { system["with_memory"] = true }
        if let hints, !hints.isEmpty { system["hints"] = hints }
        var user: [String: Any] = [
            "memory": context.memory.isEmpty ? "(empty)" : context.memory, "command": command, "exit_code": Int(exitCode),
            "kind": output.kind.rawValue, "original_chars": output.originalChars, "kept_chars": output.keptChars,
            "output": output.text.isEmpty ? "(no output)" : output.text,
        ]
        if output.keptChars < output.originalChars { user["compacted"] = true }
        if let request, !request.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { user["request"] = request }
        return ModelRequest(
            systemFragments: [try render("summary", system), try contextFragment(context)],
            userFragments: [try render("summary_request", user)],
            schema: replySchema(fields: withMemory ? [field, "memory"] : [field]), schemaName: "vibectl_summary",
            maxTokens: 2048, temperature: 0)
    }

    /// An explicit memory update: folds `update` into the memory.
    public static func memoryUpdate(context: PromptContext, memoryMaxChars: Int, update: String) throws -> ModelRequest {
        ModelRequest(
            systemFragments: [try render("memory_update", ["max_chars": memoryMaxChars]), try contextFragment(context)],
            userFragments: [
                try render(
                    "memory_update_request", ["memory": context.memory.isEmpty ? "(empty)" : context.memory, "update": update])
            ],
            schema: replySchema(fields: ["memory"]), schemaName: "vibectl_memory", maxTokens: 1024, temperature: 0)
    }

    /// A strict-mode-compatible schema of an object with these required string fields.
    static func replySchema(fields: [String]) -> JSONValue {
        .object([
            "type": "object",
            "properties": .object(Dictionary(uniqueKeysWithValues: fields.map { ($0, ["type": "string"] as JSONValue) })),
            "required": .array(fields.map(JSONValue.string)),
            "additionalProperties": false,
            "propertyOrdering": .array(fields.map(JSONValue.string)),
        ])
    }

    /// What the summary of a verb's output should focus on.
    public static func focus(for verb: String?) -> String {
        switch verb ?? "" {
        case "get": "how many resources and in which states; anything not running, not ready or restarting, by name."
        case "describe": "the conditions and the recent events; anything failing or warning, and why."
        case "logs": "errors and warnings, each with its first occurrence and how often it repeats; what the log says happened."
        case "events": "warnings first, grouped by reason and object; what they say is going wrong."
        case "top": "the heaviest consumers of CPU and memory, by name, and anything near its limits."
        case "create", "apply", "patch", "replace", "set", "label", "annotate", "scale", "autoscale", "expose":
            "what was created or changed, by name, and anything that was refused or unchanged."
        case "delete": "what was deleted, by name, and anything that was not found or not deleted."
        case "rollout": "the rollout's state: revision, ready replicas, and whether it completed, stalled or was undone."
        case "diff": "what would change, resource by resource, in a few words each."
        case "wait": "whether the condition was met, for which resources, or what timed out."
        case "version": "the client and server versions and whether they are compatible."
        case "cluster-info": "the control plane and service endpoints, and anything unreachable."
        case "explain": "what the field or resource is for and its most important sub-fields."
        case "auth": "whether the action is allowed, for whom."
        case "cordon", "uncordon", "drain", "taint": "which nodes changed state and any pods that blocked the change."
        case "api-resources", "api-versions": "the groups and resources that matter for the request."
        default: "what the output says, the facts that answer the user's request, and any problems."
        }
    }

    /// The focus of recovery suggestions after a failed command.
    static let recoveryFocus = "the cause of the failure as kubectl reported it, and how to fix or investigate it."
}
