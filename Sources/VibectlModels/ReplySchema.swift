import Foundation
import VibectlCore

/// Parses a structured reply and checks it against the top level of the request's JSON schema.
///
/// The check is shallow on purpose: the top-level `type`, the `required` keys, and the `type`
/// (and `enum`) of each top-level property that is present. Providers enforce the full schema
/// themselves; this catches replies that ignored it.
public enum ReplySchema {
    /// Characters of the reply quoted in an error.
    static let excerptLength = 200

    /// The reply parsed as JSON, after checking it against `schema`.
    /// - Throws: `.model` "the model's reply does not match the schema" with the reason and a redacted excerpt.
    static func parse(_ text: String, schema: JSONValue) throws -> JSONValue {
        let body = stripFences(text)
        let value: JSONValue
        do {
            value = try JSONValue.parse(body, what: "the model's reply")
        } catch {
            throw mismatch("the reply is not JSON", text: text)
        }
        if let problem = problem(with: value, schema: schema) {
            throw mismatch(problem, text: text)
        }
        return value
    }

    /// The error for a reply that does not fit.
    static func mismatch(_ problem: String, text: String) -> VibectlError {
        VibectlError(
            .model, "the model's reply does not match the schema: \(problem)",
            hint: "try again, or use a model that supports structured output (see docs/models.md); the reply began: "
                + excerpt(text))
    }

    /// The first characters of a reply, redacted, quoted.
    static func excerpt(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let cut = trimmed.count > excerptLength ? String(trimmed.prefix(excerptLength)) + "…" : trimmed
        return "\"" + Redaction.redactSecrets(cut) + "\""
    }

    /// The text without a surrounding Markdown code fence (```json ... ```), which some local models add.
    public static func stripFences(_ text: String) -> String {
        var body = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard body.hasPrefix("```"), body.hasSuffix("```"), body.count >= 6 else { return body }
        body = String(body.dropFirst(3).dropLast(3))
        if let newline = body.firstIndex(of: "\n") {
            let language = body[..<newline].trimmingCharacters(in: .whitespaces)
            if language.allSatisfy({ $0.isLetter }) { body = String(body[body.index(after: newline)...]) }
        }
        return body.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// What is wrong with `value` at the schema's top level, or `nil` when it fits.
    static func problem(with value: JSONValue, schema: JSONValue) -> String? {
        guard let schema = schema.objectValue else { return nil }
        if let type = schema["type"], !matches(value, type: type, nullable: schema["nullable"] == .bool(true)) {
            return "the reply is \(describe(value)), but the schema asks for \(describeType(type))"
        }
        guard case .object(let members) = value else { return nil }
        for name in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[name] == nil {
            return "the required key '\(name)' is missing"
        }
        let properties = schema["properties"]?.objectValue ?? [:]
        for name in properties.keys.sorted() {
            guard let member = members[name], let property = properties[name]?.objectValue else { continue }
            if let type = property["type"], !matches(member, type: type, nullable: property["nullable"] == .bool(true)) {
                return "'\(name)' is \(describe(member)), but the schema asks for \(describeType(type))"
            }
            if let allowed = property["enum"]?.arrayValue, !allowed.contains(member) {
                return "'\(name)' is \(member.jsonString()), which is not one of \(JSONValue.array(allowed).jsonString())"
            }
        }
        return nil
    }

    /// Whether a value has a JSON-schema type (a name or a list of names).
    static func matches(_ value: JSONValue, type: JSONValue, nullable: Bool) -> Bool {
        if nullable, value == .null { return true }
        if let names = type.arrayValue {
            return names.contains { matches(value, type: $0, nullable: false) }
        }
        switch (type.stringValue?.lowercased(), value) {
        case ("string", .string), ("boolean", .bool), ("array", .array), ("object", .object), ("null", .null),
            ("number", .int), ("number", .double), ("integer", .int):
            return true
        case ("integer", .double(let number)):
            return number.rounded() == number
        case (nil, _):
            return true
        default:
            return type.stringValue.map { !["string", "boolean", "array", "object", "null", "number", "integer"].contains($0.lowercased()) } ?? true
        }
    }

    /// "an object", "the string \"x\"".
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// "string", "string or null".
    static func describeType(_ type: JSONValue) -> String {
        if let names = type.arrayValue { return names.compactMap(\.stringValue).joined(separator: " or ") }
        return type.stringValue ?? type.jsonString()
    }
}
