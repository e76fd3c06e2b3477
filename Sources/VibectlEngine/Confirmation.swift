import VibectlCore
import VibectlKubectl

/// An answer to a confirmation request.
public enum ConfirmationChoice: String, Sendable, CaseIterable {
    /// Run the command.
    case yes
    /// Do not run it.
    case no
    /// Fold the note into memory, then run.
    case yesAnd = "yes_and"
    /// Fold the note into memory, do not run.
    case noBut = "no_but"
    /// Show the memory and ask again.
    case memory
    /// Do not run, and stop the loop (semiauto).
    case exit
}

/// A host's decision: the choice and, for `yesAnd`/`noBut`, the note.
public struct ConfirmationDecision: Sendable, Equatable {
    /// The choice.
    public var choice: ConfirmationChoice
    /// The note for `yesAnd` / `noBut`.
    public var note: String?

    /// Creates a decision.
    public init(_ choice: ConfirmationChoice, note: String? = nil) {
        self.choice = choice
        self.note = note
    }
}

/// What the host is asked to confirm.
public struct ConfirmationRequest: Sendable {
    /// The kubectl arguments.
    public var argv: [String]
    /// The manifest piped to kubectl, if any.
    public var manifest: String?
    /// The planner's explanation.
    public var explanation: String?
    /// Why confirmation is needed.
    public var safety: SafetyAssessment
    /// The mode in effect.
    public var mode: ExecutionMode
    /// The choices the host may give.
    public var choices: [ConfirmationChoice]
    /// The memory, for the `memory` choice.
    public var memory: String

    /// The confirmation request JSON of docs/abi.md.
    public func json() -> JSONValue {
        [
            "version": 1,
            "command": .string(CommandDisplay.render(argv, manifest: manifest)),
            "argv": .array(argv.map(JSONValue.string)),
            "manifest": manifest.map(JSONValue.string) ?? .null,
            "explanation": explanation.map(JSONValue.string) ?? .null,
            "safety": safety.json(),
            "mode": .string(mode.rawValue),
            "choices": .array(choices.map { .string($0.rawValue) }),
            "memory": .string(memory),
        ]
    }
}

/// How the engine talks to its host while it works: events out, confirmations in.
public struct EngineHooks: Sendable {
    /// Receives every event (type and data; docs/engine.md, "Events").
    public var emit: @Sendable (String, [String: JSONValue]) -> Void
    /// Decides confirmations; `nil` when nobody can be asked (steps then end `needs_confirmation`).
    public var confirm: (@Sendable (ConfirmationRequest) async throws -> ConfirmationDecision)?

    /// Creates hooks.
    public init(
        emit: @escaping @Sendable (String, [String: JSONValue]) -> Void = { _, _ in },
        confirm: (@Sendable (ConfirmationRequest) async throws -> ConfirmationDecision)? = nil
    ) {
        self.emit = emit
        self.confirm = confirm
    }
}
