import CVibectl
import VibectlCore
import VibectlEngine
import VibectlKubectl
import VibectlOutput
import VibectlStore

// Safety classification, output compaction and secret redaction.

/// Classifies planned kubectl arguments as safe, confirm or reject.
@c @implementation
public func vibectl_classify(
    _ client: OpaquePointer?, _ args_json: UnsafePointer<CChar>?, _ options_json: UnsafePointer<CChar>?,
    _ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    ABICall.withClient(client, out: out_json, "out_json") { handle, out in
        let arguments = try parseArguments(CStrings.read(args_json, "args_json"))
        let options = try OptionsObject(CStrings.readOptional(options_json, "options_json"), name: "options_json",
                                        known: ["version", "manifest", "user_flags", "user_asked_for_shell"])
        let userFlags = Set(try options.strings("user_flags")).union(try EngineSettings.userFlags(handle.config))
        let context = SafetyContext(userFlags: userFlags, userAskedForShell: try options.bool("user_asked_for_shell") ?? false)
        let assessment = SafetyClassifier.classify(arguments, manifest: try options.string("manifest"), context: context)
        var json = assessment.json().objectValue ?? [:]
        json["version"] = 1
        try CStrings.give(JSONValue.object(json).jsonString(), to: out)
    }
}

/// Redacts (unless disabled) and compacts text to a budget.
@c @implementation
public func vibectl_compact(
    _ client: OpaquePointer?, _ text: UnsafePointer<CChar>?, _ options_json: UnsafePointer<CChar>?,
    _ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    ABICall.withClient(client, out: out_json, "out_json") { handle, out in
        let input = try CStrings.read(text, "text")
        let options = try OptionsObject(CStrings.readOptional(options_json, "options_json"), name: "options_json",
                                        known: ["version", "budget", "intent", "redact"])
        let charsPerToken = try handle.config.value("output.chars_per_token").doubleValue ?? 4
        let budget = try options.int("budget", range: 1...100_000_000) ?? handle.config.value("output.max_chars").intValue ?? 5000
        let redactByDefault = try handle.config.value("security.redact").boolValue ?? true
        var findings: [String: Int] = [:]
        var prepared = input
        if try options.bool("redact") ?? redactByDefault {
            let redaction = try handle.redactor().redact(input)
            prepared = redaction.text
            findings = redaction.findings
        }
        let result = Compactor.compact(
            prepared, options: CompactionOptions(budget: budget, intent: try options.string("intent"), charsPerToken: charsPerToken))
        var json = result.json(charsPerToken: charsPerToken).objectValue ?? [:]
        json["version"] = 1
        json["original_chars"] = .int(input.count)
        json["redactions"] = .object(findings.mapValues { .int($0) })
        try CStrings.give(JSONValue.object(json).jsonString(), to: out)
    }
}

/// Redacts secrets in text.
@c @implementation
public func vibectl_redact(
    _ client: OpaquePointer?, _ text: UnsafePointer<CChar>?, _ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    ABICall.withClient(client, out: out_json, "out_json") { handle, out in
        let result = try handle.redactor().redact(CStrings.read(text, "text"))
        var json = result.json().objectValue ?? [:]
        json["version"] = 1
        try CStrings.give(JSONValue.object(json).jsonString(), to: out)
    }
}

/// An options object of a C call: a JSON object with known members, read with typed accessors.
struct OptionsObject {
    private let members: [String: JSONValue]
    private let name: String

    /// Parses `text` (NULL or empty → no options); unknown members and a version other than 1 are errors.
    init(_ text: String?, name: String, known: Set<String>) throws {
        self.name = name
        guard let text, !text.isEmpty else {
            members = [:]
            return
        }
        guard case .object(let object) = try JSONValue.parse(text, what: name) else {
            throw VibectlError(.invalidArgument, "\(name) must be a JSON object", hint: "pass NULL for defaults")
        }
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw VibectlError(
                .invalidArgument, "unknown member '\(unknown)' in \(name)",
                hint: "valid members: \(known.sorted().joined(separator: ", "))")
        }
        if let version = object["version"], version != .int(1) {
            throw VibectlError(.invalidArgument, "\(name).version must be 1")
        }
        members = object
    }

    /// A string member, or nil when absent or null.
    func string(_ key: String) throws -> String? {
        guard let value = members[key], !value.isNull else { return nil }
        guard let text = value.stringValue else { throw typeError(key, "a string") }
        return text
    }

    /// A boolean member, or nil when absent or null.
    func bool(_ key: String) throws -> Bool? {
        guard let value = members[key], !value.isNull else { return nil }
        guard let flag = value.boolValue else { throw typeError(key, "true or false") }
        return flag
    }

    /// An integer member within `range`, or nil when absent or null.
    func int(_ key: String, range: ClosedRange<Int>) throws -> Int? {
        guard let value = members[key], !value.isNull else { return nil }
        guard let number = value.intValue, value.boolValue == nil, range.contains(number) else {
            throw typeError(key, "an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// A list of strings, empty when absent or null.
    func strings(_ key: String) throws -> [String] {
        guard let value = members[key], !value.isNull else { return [] }
        guard let items = value.arrayValue else { throw typeError(key, "a list of strings") }
        return try items.map { item in
            guard let text = item.stringValue else { throw typeError(key, "a list of strings") }
            return text
        }
    }

    private func typeError(_ key: String, _ expected: String) -> VibectlError {
        VibectlError(.invalidArgument, "\(name).\(key) must be \(expected)")
    }
}
