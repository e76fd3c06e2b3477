import VibectlCore
import VibectlModels

/// One action of the planner contract (docs/engine.md): what the planner wants done next.
public enum PlannerAction: Sendable, Equatable {
    /// Run kubectl with `commands` (and `manifest` on stdin); exit codes in `allowedExitCodes` count as success.
    case command(commands: [String], manifest: String?, allowedExitCodes: [Int32], explanation: String?)
    /// The planner is thinking aloud; nothing runs.
    case thought(text: String)
    /// The planner cannot act; it explains and may suggest a memory note.
    case feedback(message: String, explanation: String?, suggestion: String?)
    /// Wait before the next step.
    case wait(seconds: Int)
    /// The planner reports an error it cannot work around.
    case error(message: String)
    /// The goal is reached (or cannot be); `exitCode` is what the CLI exits with.
    case done(exitCode: Int32, explanation: String?)

    /// The contract's name for the action (`COMMAND`, `THOUGHT`, ...).
    public var actionType: String {
        switch self {
        case .command: "COMMAND"
        case .thought: "THOUGHT"
        case .feedback: "FEEDBACK"
        case .wait: "WAIT"
        case .error: "ERROR"
        case .done: "DONE"
        }
    }

    /// The action as the contract's JSON object (unused fields left out).
    public func json() -> JSONValue {
        var object: [String: JSONValue] = ["action_type": .string(actionType)]
        func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        switch self {
        case .command(let commands, let manifest, let codes, let explanation):
            object["commands"] = .array(commands.map(JSONValue.string))
            object["yaml_manifest"] = optional(manifest)
            object["allowed_exit_codes"] = .array(codes.map { .int(Int($0)) })
            object["explanation"] = optional(explanation)
        case .thought(let text):
            object["text"] = .string(text)
        case .feedback(let message, let explanation, let suggestion):
            object["message"] = .string(message)
            object["explanation"] = optional(explanation)
            object["suggestion"] = optional(suggestion)
        case .wait(let seconds):
            object["duration_seconds"] = .int(seconds)
        case .error(let message):
            object["message"] = .string(message)
        case .done(let exitCode, let explanation):
            object["exit_code"] = .int(Int(exitCode))
            object["explanation"] = optional(explanation)
        }
        return .object(object)
    }
}

/// A planner reply: the action and optional presentation hints for the summary.
public struct PlannerReply: Sendable, Equatable {
    /// What to do.
    public var action: PlannerAction
    /// Free-form hints on how to present the result, passed on to the summary prompt.
    public var presentationHints: String?

    /// Creates a reply.
    public init(action: PlannerAction, presentationHints: String? = nil) {
        self.action = action
        self.presentationHints = presentationHints
    }
}

/// Why a planner reply was refused; the text goes back to the planner when it is asked again.
public struct PlannerReplyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, in one sentence.
    public let reason: String

    /// Creates an error.
    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}

/// The planner contract: its JSON schema and the parser every planner reply goes through.
///
/// Planner output is untrusted input: the parser checks every field's type, rejects unknown
/// top-level keys, bounds numbers, and never traps.
public enum PlannerContract {
    /// The action types, in the order the schema lists them.
    public static let actionTypes = ["COMMAND", "THOUGHT", "FEEDBACK", "WAIT", "ERROR", "DONE"]
    /// The longest wait a planner may ask for, in seconds.
    public static let maxWaitSeconds = 3600

    /// The schema sent to the provider: one flat action object whose fields are all present
    /// (`null` when unused), which OpenAI's strict mode, Anthropic tools and Gemini all accept.
    public static let schema: JSONValue = {
        func nullable(_ type: String, _ description: String) -> JSONValue {
            ["type": [.string(type), "null"], "description": .string(description)]
        }
        let actionProperties: [String: JSONValue] = [
            "action_type": ["type": "string", "enum": .array(actionTypes.map(JSONValue.string))],
            "commands": [
                "type": ["array", "null"], "items": ["type": "string"],
                "description": "COMMAND: kubectl arguments as a list, without the word kubectl",
            ],
            "yaml_manifest": nullable("string", "COMMAND: a manifest piped to kubectl with -f -"),
            "allowed_exit_codes": [
                "type": ["array", "null"], "items": ["type": "integer"],
                "description": "COMMAND: exit codes that count as success (default [0])",
            ],
            "explanation": nullable("string", "COMMAND, FEEDBACK, DONE: why, in one sentence"),
            "text": nullable("string", "THOUGHT: the thought"),
            "message": nullable("string", "FEEDBACK, ERROR: the message for the user"),
            "suggestion": nullable("string", "FEEDBACK: a note to add to memory"),
            "duration_seconds": nullable("integer", "WAIT: seconds to wait"),
            "exit_code": nullable("integer", "DONE: the exit code (0 success)"),
        ]
        let order = [
            "action_type", "commands", "yaml_manifest", "allowed_exit_codes", "explanation", "text", "message",
            "suggestion", "duration_seconds", "exit_code",
        ]
        return [
            "type": "object",
            "properties": [
                "action": [
                    "type": "object",
                    "properties": .object(actionProperties),
                    "required": .array(order.map(JSONValue.string)),
                    "additionalProperties": false,
                    "propertyOrdering": .array(order.map(JSONValue.string)),
                ],
                "presentation_hints": nullable("string", "optional hints on how to present the result"),
            ],
            "required": ["action", "presentation_hints"],
            "additionalProperties": false,
            "propertyOrdering": ["action", "presentation_hints"],
        ]
    }()

    /// Parses a planner reply (the model's text or an already parsed value).
    /// - Throws: ``PlannerReplyError`` naming the first problem.
    public static func parse(_ text: String) throws(PlannerReplyError) -> PlannerReply {
        let value: JSONValue
        do {
            value = try JSONValue.parse(ReplySchema.stripFences(text), what: "the planner's reply")
        } catch {
            throw PlannerReplyError("the reply is not a JSON object")
        }
        return try parse(value)
    }

    /// Parses a planner reply given as JSON.
    /// - Throws: ``PlannerReplyError`` naming the first problem.
    public static func parse(_ value: JSONValue) throws(PlannerReplyError) -> PlannerReply {
        guard let top = value.objectValue else {
            throw PlannerReplyError("the reply is \(value.typeName), not an object with an \"action\"")
        }
        for key in top.keys.sorted() where key != "action" && key != "presentation_hints" {
            throw PlannerReplyError("unknown top-level key \"\(key)\" (only \"action\" and \"presentation_hints\" are allowed)")
        }
        guard let actionValue = top["action"], let action = actionValue.objectValue else {
            throw PlannerReplyError("the reply has no \"action\" object")
        }
        let hints = try optionalString(top, "presentation_hints")
        return PlannerReply(action: try parseAction(action), presentationHints: hints)
    }

    private static func parseAction(_ action: [String: JSONValue]) throws(PlannerReplyError) -> PlannerAction {
        guard let type = action["action_type"]?.stringValue else {
            throw PlannerReplyError("the action has no \"action_type\" string")
        }
        switch type.uppercased() {
        case "COMMAND":
            let commands = try stringList(action, "commands") ?? []
            let manifest = try optionalString(action, "yaml_manifest").flatMap { $0.isEmpty ? nil : $0 }
            guard !commands.isEmpty || manifest != nil else {
                throw PlannerReplyError("a COMMAND needs \"commands\" or a \"yaml_manifest\"")
            }
            var codes: [Int32] = [0]
            if let list = try intList(action, "allowed_exit_codes"), !list.isEmpty {
                guard list.allSatisfy({ (0...255).contains($0) }) else {
                    throw PlannerReplyError("\"allowed_exit_codes\" must be between 0 and 255")
                }
                codes = list.map { Int32($0) }
            }
            return .command(
                commands: commands, manifest: manifest, allowedExitCodes: codes,
                explanation: try optionalString(action, "explanation"))
        case "THOUGHT":
            return .thought(text: try requiredString(action, "text", type: "THOUGHT"))
        case "FEEDBACK":
            return .feedback(
                message: try requiredString(action, "message", type: "FEEDBACK"),
                explanation: try optionalString(action, "explanation"), suggestion: try optionalString(action, "suggestion"))
        case "WAIT":
            guard let seconds = action["duration_seconds"]?.intValue else {
                throw PlannerReplyError("a WAIT needs an integer \"duration_seconds\"")
            }
            guard (0...maxWaitSeconds).contains(seconds) else {
                throw PlannerReplyError("\"duration_seconds\" must be between 0 and \(maxWaitSeconds)")
            }
            return .wait(seconds: seconds)
        case "ERROR":
            return .error(message: try requiredString(action, "message", type: "ERROR"))
        case "DONE":
            var code: Int32 = 0
            if let value = action["exit_code"], !value.isNull {
                guard let number = value.intValue, (0...255).contains(number) else {
                    throw PlannerReplyError("\"exit_code\" must be an integer between 0 and 255")
                }
                code = Int32(number)
            }
            return .done(exitCode: code, explanation: try optionalString(action, "explanation"))
        default:
            throw PlannerReplyError(
                "unknown action_type \"\(type.prefix(40))\" (expected one of \(actionTypes.joined(separator: ", ")))")
        }
    }

    private static func optionalString(_ object: [String: JSONValue], _ key: String) throws(PlannerReplyError) -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?: throw PlannerReplyError("\"\(key)\" must be a string, not \(other.typeName)")
        }
    }

    private static func requiredString(_ object: [String: JSONValue], _ key: String, type: String) throws(PlannerReplyError)
        -> String
    {
        guard let text = try optionalString(object, key), !text.isEmpty else {
            throw PlannerReplyError("a \(type) needs a non-empty \"\(key)\"")
        }
        return text
    }

    private static func stringList(_ object: [String: JSONValue], _ key: String) throws(PlannerReplyError) -> [String]? {
        switch object[key] {
        case nil, .null?: return nil
        case .array(let items)?:
            var result: [String] = []
            for item in items {
                guard let text = item.stringValue else {
                    throw PlannerReplyError("\"\(key)\" must be a list of strings; it holds \(item.typeName)")
                }
                result.append(text)
            }
            return result
        case .string?:
            throw PlannerReplyError("\"\(key)\" must be a JSON list of arguments, not one string")
        case let other?:
            throw PlannerReplyError("\"\(key)\" must be a list of strings, not \(other.typeName)")
        }
    }

    private static func intList(_ object: [String: JSONValue], _ key: String) throws(PlannerReplyError) -> [Int]? {
        switch object[key] {
        case nil, .null?: return nil
        case .array(let items)?:
            var result: [Int] = []
            for item in items {
                guard let number = item.intValue else {
                    throw PlannerReplyError("\"\(key)\" must be a list of integers; it holds \(item.typeName)")
                }
                result.append(number)
            }
            return result
        case let other?:
            throw PlannerReplyError("\"\(key)\" must be a list of integers, not \(other.typeName)")
        }
    }
}
