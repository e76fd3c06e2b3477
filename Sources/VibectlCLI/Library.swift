import CVibectl
import Foundation

/// A failure the CLI reports as `error: <message>` and `hint: <hint>` on stderr.
struct CLIError: Error, Sendable {
    /// What went wrong.
    var message: String
    /// How to fix it, when there is a fix.
    var hint: String?
    /// The process exit status.
    var exitCode: Int32 = 1
    /// The library status of the failed call, when the error came from the library.
    var status: Int32?

    /// The detail of the library's last error on this thread, for a call that returned `status`.
    static func fromLibrary(status: Int32, doing action: String) -> CLIError {
        let last = vibectl_error_last().pointee
        var message = String(cString: last.message)
        if last.code != status || message.isEmpty {
            message = "\(action) failed with \(String(cString: vibectl_status_name(status)))"
        }
        let hint = last.hint.map { String(cString: $0) }
        return CLIError(message: message, hint: hint?.isEmpty == true ? nil : hint, status: status)
    }
}

/// Thin Swift access to the C functions of include/vibectl.h.
enum Library {
    /// The version of the loaded library, e.g. "0.1.0".
    static var versionString: String { String(cString: vibectl_version_string()) }

    /// The ABI version of the loaded library.
    static var abiVersion: Int { Int(vibectl_abi_version()) }

    /// The ABI version of the header this CLI was compiled against.
    static var headerABIVersion: Int { Int(VIBECTL_ABI_VERSION) }

    /// Fails when the loaded library speaks another ABI than the header the CLI was built with.
    static func checkABI() throws(CLIError) {
        guard abiVersion == headerABIVersion else {
            throw CLIError(
                message: "libvibectl \(versionString) has ABI version \(abiVersion), "
                    + "but this vibectl was built for ABI version \(headerABIVersion)",
                hint: "Reinstall vibectl so that the command and libvibectl.so come from the same build.")
        }
    }

    /// The configuration schema JSON (no client needed).
    static func schemaText() throws(CLIError) -> String {
        try takeString(doing: "reading the configuration schema") { vibectl_config_schema($0) }
    }

    /// The configuration schema, parsed.
    static func schema() throws(CLIError) -> Schema {
        let text = try schemaText()
        guard let json = JSON.parse(text) else { throw malformed("the configuration schema") }
        return Schema(json: json)
    }

    /// Calls a C function that returns a string through `char **out`, taking ownership of it.
    static func takeString(
        doing action: String,
        _ call: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32
    ) throws(CLIError) -> String {
        var out: UnsafeMutablePointer<CChar>?
        let status = call(&out)
        guard status == VIBECTL_OK else {
            vibectl_string_free(out)
            throw CLIError.fromLibrary(status: status, doing: action)
        }
        guard let out else { return "" }
        defer { vibectl_string_free(out) }
        return String(cString: out)
    }

    /// `value` (a JSON-compatible array or dictionary) as compact JSON text.
    static func encode(_ value: Any, what: String) throws(CLIError) -> String {
        do {
            let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])
            return String(decoding: data, as: UTF8.self)
        } catch {
            throw CLIError(message: "could not encode \(what): \(error)")
        }
    }

    /// The error for a library answer that is not the JSON the CLI expects.
    static func malformed(_ what: String) -> CLIError {
        CLIError(
            message: "libvibectl returned malformed JSON for \(what)",
            hint: "This is a bug; please report it with the output of 'vibectl version'.")
    }
}

/// The configuration schema: sections and keys in display order.
struct Schema {
    /// One key of the schema.
    struct Key {
        /// The dotted key; profile keys may contain `*`.
        var key: String
        /// The section.
        var section: String
        /// The value type: string, bool, int, float, list or map.
        var type: String
        /// The whole JSON description of the key.
        var json: JSON
    }

    /// Section names in display order.
    var sections: [String]
    /// Keys in display order.
    var keys: [Key]

    init(json: JSON) {
        sections = (json["sections"]?.arrayValue ?? []).compactMap { $0.stringValue ?? $0["name"]?.stringValue }
        keys = (json["keys"]?.arrayValue ?? []).compactMap { entry in
            guard let key = entry["key"]?.stringValue else { return nil }
            let section = entry["section"]?.stringValue ?? String(key.split(separator: ".").first ?? "")
            return Key(key: key, section: section, type: entry["type"]?.stringValue ?? "string", json: entry)
        }
    }

    /// The schema key a concrete dotted key belongs to (`providers.openai.key` matches `providers.*.key`).
    func key(matching dotted: String) -> Key? {
        let parts = dotted.split(separator: ".", omittingEmptySubsequences: false)
        return keys.first { candidate in
            let pattern = candidate.key.split(separator: ".", omittingEmptySubsequences: false)
            return pattern.count == parts.count && zip(pattern, parts).allSatisfy { $0 == "*" || $0 == $1 }
        }
    }

    /// A sort index for a dotted key: schema order, unknown keys last.
    func order(of dotted: String) -> (Int, Int) {
        let section = String(dotted.split(separator: ".").first ?? "")
        let sectionIndex = sections.firstIndex(of: section) ?? sections.count
        let parts = dotted.split(separator: ".", omittingEmptySubsequences: false)
        let keyIndex =
            keys.firstIndex { candidate in
                let pattern = candidate.key.split(separator: ".", omittingEmptySubsequences: false)
                return pattern.count == parts.count && zip(pattern, parts).allSatisfy { $0 == "*" || $0 == $1 }
            } ?? keys.count
        return (sectionIndex, keyIndex)
    }
}

/// A `vibectl_client` owned by the CLI for the duration of one command.
final class Client {
    private let handle: OpaquePointer

    /// Creates a client for a configuration directory (nil: the library's own resolution), with
    /// per-handle `overrides` (dotted key → JSON-compatible value) that are never saved.
    init(configDir: String?, overrides: [String: Any] = [:]) throws(CLIError) {
        try Library.checkABI()
        var options: [String: Any] = ["version": 1]
        if let configDir { options["config_dir"] = configDir }
        if !overrides.isEmpty { options["overrides"] = overrides }
        let optionsText: String
        do {
            let data = try JSONSerialization.data(withJSONObject: options, options: [.sortedKeys])
            optionsText = String(decoding: data, as: UTF8.self)
        } catch {
            throw CLIError(message: "could not encode the client options: \(error)")
        }
        var out: OpaquePointer?
        let status = vibectl_client_new(&out, optionsText)
        guard status == VIBECTL_OK, let out else {
            throw CLIError.fromLibrary(status: status, doing: "creating the vibectl client")
        }
        handle = out
    }

    deinit { vibectl_client_free(handle) }

    /// Runs `call` and parses the JSON it returns.
    private func json(doing action: String, _ call: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32)
        throws(CLIError) -> (text: String, json: JSON)
    {
        let text = try Library.takeString(doing: action, call)
        guard let json = JSON.parse(text) else { throw Library.malformed(action) }
        return (text, json)
    }

    /// Checks a status, turning a failure into a `CLIError`.
    private func check(_ status: Int32, doing action: String) throws(CLIError) {
        guard status == VIBECTL_OK else { throw CLIError.fromLibrary(status: status, doing: action) }
    }

    /// vibectl_config_get.
    func configGet(_ key: String) throws(CLIError) -> (text: String, json: JSON) {
        try json(doing: "reading \(key)") { vibectl_config_get(handle, key, $0) }
    }

    /// vibectl_config_set.
    func configSet(_ key: String, _ value: String) throws(CLIError) {
        try check(vibectl_config_set(handle, key, value), doing: "setting \(key)")
    }

    /// vibectl_config_unset.
    func configUnset(_ key: String) throws(CLIError) {
        try check(vibectl_config_unset(handle, key), doing: "unsetting \(key)")
    }

    /// vibectl_config_show.
    func configShow(_ selector: String?) throws(CLIError) -> (text: String, json: JSON) {
        try json(doing: "showing the configuration") { vibectl_config_show(handle, selector, $0) }
    }

    /// vibectl_config_info.
    func configInfo() throws(CLIError) -> (text: String, json: JSON) {
        try json(doing: "describing the configuration file") { vibectl_config_info(handle, $0) }
    }

    /// vibectl_memory_get.
    func memoryGet() throws(CLIError) -> String {
        try Library.takeString(doing: "reading memory") { vibectl_memory_get(handle, $0) }
    }

    /// vibectl_memory_set, returning the memory status.
    func memorySet(_ text: String) throws(CLIError) -> (text: String, json: JSON) {
        try json(doing: "setting memory") { vibectl_memory_set(handle, text, $0) }
    }

    /// vibectl_memory_clear.
    func memoryClear() throws(CLIError) {
        try check(vibectl_memory_clear(handle), doing: "clearing memory")
    }

    /// vibectl_memory_freeze.
    func memoryFreeze() throws(CLIError) {
        try check(vibectl_memory_freeze(handle), doing: "freezing memory")
    }

    /// vibectl_memory_unfreeze.
    func memoryUnfreeze() throws(CLIError) {
        try check(vibectl_memory_unfreeze(handle), doing: "unfreezing memory")
    }

    /// vibectl_memory_status.
    func memoryStatus() throws(CLIError) -> (text: String, json: JSON) {
        try json(doing: "reading the memory status") { vibectl_memory_status(handle, $0) }
    }

    /// vibectl_models_list.
    func modelsList() throws(CLIError) -> (text: String, json: JSON) {
        try json(doing: "listing the models") { vibectl_models_list(handle, $0) }
    }

    /// vibectl_model_check (nil: llm.model).
    func modelCheck(_ model: String?) throws(CLIError) -> (text: String, json: JSON) {
        try json(doing: "checking \(model ?? "the default model")") { vibectl_model_check(handle, model, $0) }
    }

    /// vibectl_complete: sends `request` (the completion request JSON) and returns the result.
    ///
    /// `onEvent` receives every event document while the call runs, on this thread.
    func complete(_ request: JSON, onEvent: ((JSON) -> Void)? = nil) throws(CLIError) -> (text: String, json: JSON) {
        let sink = EventSink(onEvent)
        let userData = Unmanaged.passRetained(sink)
        defer { userData.release() }
        let callback: vibectl_event_cb = { eventJSON, userData in
            guard let userData else { return 0 }
            let sink = Unmanaged<EventSink>.fromOpaque(userData).takeUnretainedValue()
            if let event = JSON.parse(String(cString: eventJSON)) { sink.handler?(event) }
            return 0
        }
        return try json(doing: "asking the model") {
            vibectl_complete(handle, request.compactText, onEvent == nil ? nil : callback, userData.toOpaque(), $0)
        }
    }

    /// vibectl_client_metrics.
    func metrics() throws(CLIError) -> (text: String, json: JSON) {
        try json(doing: "reading the model metrics") { vibectl_client_metrics(handle, $0) }
    }

    /// vibectl_client_cancel: stops the call in progress on this client (any thread).
    func cancel() {
        _ = vibectl_client_cancel(handle)
    }

    /// vibectl_classify: the safety verdict on planned kubectl arguments.
    func classify(_ args: [String], options: [String: Any]) throws(CLIError) -> (text: String, json: JSON) {
        let argsText = try Library.encode(args, what: "the kubectl arguments")
        let optionsText = try Library.encode(options, what: "the classify options")
        return try json(doing: "classifying the command") { vibectl_classify(handle, argsText, optionsText, $0) }
    }

    /// vibectl_compact: redacts (unless switched off) and compacts `text` to a budget.
    func compact(_ text: String, options: [String: Any]) throws(CLIError) -> (text: String, json: JSON) {
        let optionsText = try Library.encode(options, what: "the compact options")
        return try json(doing: "compacting the text") { vibectl_compact(handle, text, optionsText, $0) }
    }

    /// vibectl_redact: `text` with its secrets replaced, and the findings by kind.
    func redact(_ text: String) throws(CLIError) -> (text: String, json: JSON) {
        try json(doing: "redacting the text") { vibectl_redact(handle, text, $0) }
    }

    /// vibectl_kubectl_passthrough: runs kubectl attached to the terminal and returns its exit code.
    func kubectlPassthrough(_ args: [String]) throws(CLIError) -> Int32 {
        let argsText: String
        do {
            let data = try JSONSerialization.data(withJSONObject: args, options: [])
            argsText = String(decoding: data, as: UTF8.self)
        } catch {
            throw CLIError(message: "could not encode the kubectl arguments: \(error)")
        }
        var exitCode: Int32 = 0
        let status = vibectl_kubectl_passthrough(handle, argsText, nil, nil, &exitCode)
        try check(status, doing: "running kubectl")
        return exitCode
    }
}

/// The Swift closure behind the C event callback of one call, passed as `user_data`.
private final class EventSink {
    let handler: ((JSON) -> Void)?

    init(_ handler: ((JSON) -> Void)?) { self.handler = handler }
}

// MARK: - Vibe engine

/// What a confirmation callback decided: one of `VIBECTL_CONFIRM_*` and, for yes_and / no_but, a note.
struct ConfirmAnswer {
    /// The `VIBECTL_CONFIRM_*` value; any other value aborts the call (the user interrupted).
    var choice: Int32
    /// The note for `VIBECTL_CONFIRM_YES_AND` and `VIBECTL_CONFIRM_NO_BUT`.
    var note: String?
}

extension Client {
    /// vibectl_vibe: plans and executes one step and returns the step result.
    ///
    /// `onEvent` receives every event on this thread; `confirm`, when given, decides commands that
    /// need confirmation (without it such commands are not run: status needs_confirmation).
    func vibe(
        _ request: String, options: JSON, onEvent: @escaping (JSON) -> Void, confirm: ((JSON) -> ConfirmAnswer)?
    ) throws(CLIError) -> (text: String, json: JSON) {
        try engineCall(doing: "running the step", result: "the step result", onEvent: onEvent, confirm: confirm) {
            vibectl_vibe(handle, request, options.compactText, eventCallback, $0, $1, $2, $3)
        }
    }

    /// vibectl_run: runs the user's own kubectl command (`args`, verb first), captured, and summarises it.
    func run(_ args: [String], options: JSON, onEvent: @escaping (JSON) -> Void) throws(CLIError) -> (
        text: String, json: JSON
    ) {
        let argsText = try Library.encode(args, what: "the kubectl arguments")
        return try engineCall(doing: "running kubectl", result: "the step result", onEvent: onEvent) {
            vibectl_run(handle, argsText, options.compactText, eventCallback, $0, $3)
        }
    }

    /// vibectl_loop: vibe steps until DONE, a halting step, a limit, a repeat or the user's exit.
    func loop(
        _ request: String, options: JSON, limits: JSON, onEvent: @escaping (JSON) -> Void,
        confirm: ((JSON) -> ConfirmAnswer)?
    ) throws(CLIError) -> (text: String, json: JSON) {
        try engineCall(doing: "running the loop", result: "the loop result", onEvent: onEvent, confirm: confirm) {
            vibectl_loop(handle, request, options.compactText, limits.compactText, eventCallback, $0, $1, $2, $3)
        }
    }

    /// vibectl_check: evaluates a predicate with read-only commands.
    func check(_ predicate: String, options: JSON, onEvent: @escaping (JSON) -> Void) throws(CLIError) -> (
        text: String, json: JSON
    ) {
        try engineCall(doing: "checking the predicate", result: "the check result", onEvent: onEvent) {
            vibectl_check(handle, predicate, options.compactText, eventCallback, $0, $3)
        }
    }

    /// vibectl_memory_update: folds `text` into memory with one model call.
    func memoryUpdate(_ text: String, options: JSON, onEvent: @escaping (JSON) -> Void) throws(CLIError) -> (
        text: String, json: JSON
    ) {
        try engineCall(doing: "updating memory", result: "the memory update", onEvent: onEvent) {
            vibectl_memory_update(handle, text, options.compactText, eventCallback, $0, $3)
        }
    }

    /// Makes one engine call with its event callback (and, when `confirm` is given, its confirm callback) wired
    /// to Swift closures; `call` receives the event user data, the confirm callback or nil, the confirm user
    /// data and the out-parameter. Returns the result document, parsed.
    private func engineCall(
        doing action: String, result what: String, onEvent: @escaping (JSON) -> Void, confirm: ((JSON) -> ConfirmAnswer)? = nil,
        _ call: (
            UnsafeMutableRawPointer, vibectl_confirm_cb?, UnsafeMutableRawPointer, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
        ) -> Int32
    ) throws(CLIError) -> (text: String, json: JSON) {
        let events = Unmanaged.passRetained(EventSink(onEvent))
        defer { events.release() }
        let confirmData = Unmanaged.passRetained(ConfirmSink(confirm))
        defer { confirmData.release() }
        let text = try Library.takeString(doing: action) {
            call(events.toOpaque(), confirm == nil ? nil : confirmCallback, confirmData.toOpaque(), $0)
        }
        guard let json = JSON.parse(text) else { throw Library.malformed(what) }
        return (text, json)
    }

    /// vibectl_instructions_get.
    func instructionsGet() throws(CLIError) -> (text: String, json: JSON) {
        try json(doing: "reading the custom instructions") { vibectl_instructions_get(handle, $0) }
    }

    /// vibectl_instructions_set.
    func instructionsSet(_ text: String) throws(CLIError) {
        try check(vibectl_instructions_set(handle, text), doing: "setting the custom instructions")
    }

    /// vibectl_instructions_clear.
    func instructionsClear() throws(CLIError) {
        try check(vibectl_instructions_clear(handle), doing: "clearing the custom instructions")
    }
}

/// The C event callback: hands each event, parsed, to the ``EventSink`` in `user_data`.
private let eventCallback: vibectl_event_cb = { eventJSON, userData in
    guard let userData else { return 0 }
    let sink = Unmanaged<EventSink>.fromOpaque(userData).takeUnretainedValue()
    if let event = JSON.parse(String(cString: eventJSON)) { sink.handler?(event) }
    return 0
}

/// The C confirmation callback: asks the ``ConfirmSink`` in `user_data` and copies its note into `note`.
private let confirmCallback: vibectl_confirm_cb = { requestJSON, note, noteSize, userData in
    guard let userData else { return VIBECTL_CONFIRM_NO }
    let sink = Unmanaged<ConfirmSink>.fromOpaque(userData).takeUnretainedValue()
    guard let decide = sink.decide, let request = JSON.parse(String(cString: requestJSON)) else {
        return VIBECTL_CONFIRM_NO
    }
    let answer = decide(request)
    if let text = answer.note, noteSize > 0 {
        // Cut at the last whole character that fits, leaving room for the NUL.
        var bytes: [UInt8] = []
        for character in text {
            let encoded = Array(String(character).utf8)
            if bytes.count + encoded.count > noteSize - 1 { break }
            bytes.append(contentsOf: encoded)
        }
        bytes.withUnsafeBytes { buffer in
            if let base = buffer.baseAddress { memcpy(note, base, buffer.count) }
        }
        note[bytes.count] = 0
    }
    return answer.choice
}

/// The Swift closure behind the C confirmation callback of one call, passed as `confirm_data`.
private final class ConfirmSink {
    let decide: ((JSON) -> ConfirmAnswer)?

    init(_ decide: ((JSON) -> ConfirmAnswer)?) { self.decide = decide }
}
