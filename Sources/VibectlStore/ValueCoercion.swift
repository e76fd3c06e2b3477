import Foundation
import VibectlCore

/// What is wrong with a value, before it is placed in context (a `set`, an environment variable, a file line).
struct ValueProblem: Error, Sendable {
    /// What is wrong, e.g. "'maybe' is not a boolean; use true/false, yes/no, on/off or 1/0".
    var message: String
    /// How to fix it, when the fix is specific.
    var hint: String?
    /// The error code when the problem is not a bad value (e.g. an unknown profile setting).
    var code: VibectlError.Code = .invalidArgument
}

/// Turns text and JSON into valid, typed configuration values.
enum ValueCoercion {
    /// The words accepted as `true`.
    static let trueWords: Set<String> = ["true", "yes", "on", "1"]
    /// The words accepted as `false`.
    static let falseWords: Set<String> = ["false", "no", "off", "0"]

    /// Coerces text (a `config set` argument, an environment variable, a scalar of the file) to the key's type and validates it.
    static func fromText(_ text: String, for key: ConfigKey) throws(ValueProblem) -> JSONValue {
        if text == "null" {
            return try nullValue(for: key)
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        switch key.type {
        case .string:
            return try validate(.string(text), for: key)
        case .bool:
            let word = trimmed.lowercased()
            if trueWords.contains(word) { return .bool(true) }
            if falseWords.contains(word) { return .bool(false) }
            throw ValueProblem(message: "\(quoted(text)) is not a boolean; use true/false, yes/no, on/off or 1/0")
        case .int:
            guard let number = Int(trimmed) else {
                throw ValueProblem(message: "\(quoted(text)) is not an integer; use a whole number such as \(example(key))")
            }
            return try validate(.int(number), for: key)
        case .float:
            guard let number = Double(trimmed), number.isFinite else {
                throw ValueProblem(message: "\(quoted(text)) is not a number; use a number such as \(example(key))")
            }
            return try validate(.double(number), for: key)
        case .list:
            if trimmed.hasPrefix("[") {
                guard let parsed = try? JSONValue.parse(trimmed) else {
                    throw ValueProblem(
                        message: "\(quoted(text)) is not a valid JSON list; use a JSON array such as [\"a\",\"b\"] or comma-separated text such as a,b")
                }
                return try fromJSON(parsed, for: key)
            }
            if trimmed.isEmpty { return .array([]) }
            let items = trimmed.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return try validate(.array(items.map(JSONValue.string)), for: key)
        case .map:
            guard let parsed = try? JSONValue.parse(trimmed), parsed.objectValue != nil else {
                throw ValueProblem(message: "\(quoted(text)) is not a JSON object; \(mapShape(key))")
            }
            return try fromJSON(parsed, for: key)
        }
    }

    /// Coerces a JSON value to the key's type and validates it: typed, except that an integer is
    /// accepted for a float and a JSON string for a non-string key is coerced like text.
    static func fromJSON(_ value: JSONValue, for key: ConfigKey) throws(ValueProblem) -> JSONValue {
        if value == .null { return try nullValue(for: key) }
        if key.type != .string, case .string(let text) = value {
            return try fromText(text, for: key)
        }
        switch (key.type, value) {
        case (.string, .string):
            return try validate(value, for: key)
        case (.bool, .bool):
            return value
        case (.int, _) where value.intValue != nil && value.boolValue == nil:
            return try validate(.int(value.intValue ?? 0), for: key)
        case (.float, .int(let number)):
            return try validate(.double(Double(number)), for: key)
        case (.float, .double(let number)) where number.isFinite:
            return try validate(.double(number), for: key)
        case (.list, .array(let items)):
            var strings: [JSONValue] = []
            for (index, item) in items.enumerated() {
                guard case .string = item else {
                    throw ValueProblem(message: "list items must be strings, but item \(index) is \(article(item.typeName))")
                }
                strings.append(item)
            }
            return try validate(.array(strings), for: key)
        case (.map, .object(let members)):
            if key.check == .priceTable { return try prices(members) }
            return key.path == ConfigSchema.profilesPath ? try profiles(members, key: key) : try profile(members, key: key)
        default:
            let expected: String
            switch key.type {
            case .string: expected = "a string"
            case .bool: expected = "a boolean"
            case .int: expected = "an integer"
            case .float: expected = "a number"
            case .list: expected = "a list of strings"
            case .map: expected = "an object"
            }
            throw ValueProblem(message: "expected \(expected), got \(article(value.typeName)) (\(value.jsonString()))")
        }
    }

    /// The answer for a null value: null when the key allows it, else an error pointing at `unset`.
    static func nullValue(for key: ConfigKey) throws(ValueProblem) -> JSONValue {
        guard key.nullable else {
            throw ValueProblem(
                message: "null is not a valid value (the key has no null value)",
                hint: "to reset it to its default, use `vibectl config unset \(key.path)`")
        }
        return .null
    }

    /// Checks enum, range and extra checks on an already typed value; returns the canonical value.
    static func validate(_ value: JSONValue, for key: ConfigKey) throws(ValueProblem) -> JSONValue {
        switch value {
        case .string(let text):
            if text.unicodeScalars.contains("\u{0}") {
                throw ValueProblem(message: "the text contains a NUL character, which a configuration value cannot hold")
            }
            if text.unicodeScalars.first == "\u{FEFF}" {
                throw ValueProblem(message: "the text starts with U+FEFF (a byte order mark), which YAML readers drop; remove it")
            }
            if let allowed = key.allowedValues {
                if allowed.contains(text) { return value }
                let folded = allowed.filter { $0.lowercased() == text.lowercased() }
                if folded.count == 1, let canonical = folded.first { return .string(canonical) }
                var message = "\(quoted(text)) is not one of the valid values: " + allowed.joined(separator: ", ")
                if let near = Suggest.nearest(to: text, among: allowed) { message += " (did you mean '\(near)'?)" }
                throw ValueProblem(
                    message: message,
                    hint: key.nullable ? "use one of the valid values, or `vibectl config unset \(key.path)` to reset it" : nil)
            }
            try check(text, key: key)
            return value
        case .array(let items):
            for (index, item) in items.enumerated() {
                guard case .string(let text) = item else { continue }
                do {
                    try check(text, key: key)
                } catch {
                    throw ValueProblem(message: "item \(index): \(error.message)", hint: error.hint)
                }
            }
            return value
        case .int(let number):
            try checkRange(Double(number), key: key, shown: String(number))
            return value
        case .double(let number):
            try checkRange(number, key: key, shown: format(number))
            return value
        default:
            return value
        }
    }

    /// Validates a `proxy.profiles` map: names and each profile.
    static func profiles(_ members: [String: JSONValue], key: ConfigKey) throws(ValueProblem) -> JSONValue {
        var result: [String: JSONValue] = [:]
        for name in members.keys.sorted() {
            let profileKey = key.path + "." + name
            do {
                try ConfigSchema.validateProfileName(name, key: profileKey)
            } catch {
                throw ValueProblem(message: error.message, hint: error.hint)
            }
            guard case .object(let profileMembers) = members[name] ?? .null else {
                throw ValueProblem(
                    message: "profile '\(name)' must be an object of profile settings, got \(article((members[name] ?? .null).typeName))")
            }
            result[name] = try profile(profileMembers, key: key.withPath(profileKey))
        }
        return .object(result)
    }

    /// Validates the `llm.prices` map: model name → `{"input": N, "output": N}` with N ≥ 0 USD per million tokens.
    ///
    /// Numbers are stored as floats, so that the file reads back the same.
    static func prices(_ members: [String: JSONValue]) throws(ValueProblem) -> JSONValue {
        let shape = "each model maps to {\"input\": USD per million input tokens, \"output\": USD per million output tokens}, e.g. {\"openai:gpt-4.1\": {\"input\": 2, \"output\": 8}}"
        var result: [String: JSONValue] = [:]
        for name in members.keys.sorted() {
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty, name.trimmingCharacters(in: .whitespaces) == name else {
                throw ValueProblem(message: "the model name \(quoted(name)) is empty or has surrounding spaces; \(shape)")
            }
            guard case .object(let fields) = members[name] ?? .null else {
                throw ValueProblem(
                    message: "the price of \(quoted(name)) must be an object, got \(article((members[name] ?? .null).typeName)); \(shape)")
            }
            var price: [String: JSONValue] = [:]
            for field in fields.keys.sorted() {
                guard field == "input" || field == "output" else {
                    throw ValueProblem(message: "unknown price field \(quoted(field)) for \(quoted(name)); \(shape)")
                }
                let number: Double
                switch fields[field] ?? .null {
                case .int(let value): number = Double(value)
                case .double(let value): number = value
                default:
                    throw ValueProblem(
                        message: "the \(field) price of \(quoted(name)) must be a number, got \(article((fields[field] ?? .null).typeName)); \(shape)")
                }
                guard number.isFinite, number >= 0, number <= 1_000_000 else {
                    throw ValueProblem(
                        message: "the \(field) price of \(quoted(name)) is \(format(number)); a price is between 0 and 1000000 USD per million tokens")
                }
                price[field] = .double(number)
            }
            for field in ["input", "output"] where price[field] == nil {
                throw ValueProblem(message: "the price of \(quoted(name)) has no \(field) field; \(shape)")
            }
            result[name] = .object(price)
        }
        return .object(result)
    }

    /// Validates one profile object; every member must be a known profile setting.
    static func profile(_ members: [String: JSONValue], key: ConfigKey) throws(ValueProblem) -> JSONValue {
        let topLevel = ConfigSchema.profileSubkeys.filter { !$0.contains(".") }
        let security = ConfigSchema.profileSubkeys.filter { $0.hasPrefix("security.") }.map { String($0.dropFirst("security.".count)) }
        var result: [String: JSONValue] = [:]
        for (name, member) in members {
            if name == "security" {
                guard case .object(let securityMembers) = member else {
                    if member == .null { result[name] = .null; continue }
                    throw ValueProblem(message: "'security' of a profile must be an object, got \(article(member.typeName))")
                }
                var securityResult: [String: JSONValue] = [:]
                for (securityName, securityValue) in securityMembers {
                    guard security.contains(securityName) else {
                        throw unknownMember("security." + securityName, valid: ConfigSchema.profileSubkeys, profile: key.path)
                    }
                    securityResult[securityName] = try profileMember(securityValue, subkey: "security." + securityName, profile: key.path)
                }
                result[name] = .object(securityResult)
                continue
            }
            guard topLevel.contains(name) else {
                throw unknownMember(name, valid: ConfigSchema.profileSubkeys, profile: key.path)
            }
            result[name] = try profileMember(member, subkey: name, profile: key.path)
        }
        return .object(result)
    }

    /// Validates one member of a profile against its schema key.
    private static func profileMember(_ value: JSONValue, subkey: String, profile: String) throws(ValueProblem) -> JSONValue {
        guard let schemaKey = ConfigSchema.byPath[ConfigSchema.profilesPath + ".*." + subkey] else {
            throw unknownMember(subkey, valid: ConfigSchema.profileSubkeys, profile: profile)
        }
        let concrete = schemaKey.withPath(profile + "." + subkey)
        do {
            return try fromJSON(value, for: concrete)
        } catch {
            throw ValueProblem(message: "\(concrete.path): \(error.message)", hint: error.hint)
        }
    }

    /// The error for an unknown member of a profile object.
    private static func unknownMember(_ name: String, valid: [String], profile: String) -> ValueProblem {
        var message = "unknown profile setting '\(name)'"
        if let near = Suggest.nearest(to: name, among: valid) { message += "; did you mean '\(near)'?" }
        message += " Profile settings: " + valid.joined(separator: ", ")
        return ValueProblem(message: message, code: .notFound)
    }

    /// Runs the key's extra check on a string.
    private static func check(_ text: String, key: ConfigKey) throws(ValueProblem) {
        switch key.check {
        case .none:
            return
        case .nonEmpty:
            if text.trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValueProblem(
                    message: "the value must not be empty",
                    hint: "to reset it to its default (\(key.defaultValue.jsonString())), use `vibectl config unset \(key.path)`")
            }
        case .regex:
            do {
                _ = try NSRegularExpression(pattern: text)
            } catch {
                throw ValueProblem(message: "\(quoted(text)) is not a valid regular expression")
            }
        case .portRange:
            let bounds = text.split(separator: "-", omittingEmptySubsequences: false)
                .map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard bounds.count == 2, let low = bounds[0], let high = bounds[1],
                (1...65535).contains(low), (1...65535).contains(high), low <= high
            else {
                throw ValueProblem(
                    message: "\(quoted(text)) is not a port range; use LOW-HIGH with ports from 1 to 65535 and LOW <= HIGH, e.g. 10000-11000")
            }
        case .profileName:
            do {
                try ConfigSchema.validateProfileName(text, key: key.path)
            } catch {
                throw ValueProblem(message: error.message, hint: error.hint)
            }
        case .proxyURL:
            try checkProxyURL(text)
        case .httpURL:
            try checkHTTPURL(text)
        case .priceTable:
            return
        }
    }

    /// Checks a provider endpoint: an `http://` or `https://` URL with a host.
    private static func checkHTTPURL(_ text: String) throws(ValueProblem) {
        let usage = "use an http:// or https:// URL such as https://api.openai.com/v1 or http://127.0.0.1:11434"
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw ValueProblem(message: "\(quoted(text)) is not a valid URL; \(usage)")
        }
        guard scheme == "http" || scheme == "https" else {
            throw ValueProblem(message: "\(quoted(text)) has the unsupported scheme '\(scheme)'; \(usage)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw ValueProblem(message: "\(quoted(text)) has no host; \(usage)")
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw ValueProblem(message: "\(quoted(text)) has the invalid port \(port); ports are 1 to 65535")
        }
    }

    /// Checks a proxy server URL.
    private static func checkProxyURL(_ text: String) throws(ValueProblem) {
        let usage = "use vibectl-server://[JWT@]HOST[:PORT] (TLS) or vibectl-server-insecure://[JWT@]HOST[:PORT]"
        guard let components = URLComponents(string: text), let scheme = components.scheme else {
            throw ValueProblem(message: "\(quoted(text)) is not a valid proxy URL; \(usage)")
        }
        guard scheme == "vibectl-server" || scheme == "vibectl-server-insecure" else {
            throw ValueProblem(message: "\(quoted(text)) has the unsupported scheme '\(scheme)'; \(usage)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw ValueProblem(message: "\(quoted(text)) has no host; \(usage)")
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw ValueProblem(message: "\(quoted(text)) has the invalid port \(port); ports are 1 to 65535")
        }
    }

    /// Checks a number against the key's range.
    private static func checkRange(_ number: Double, key: ConfigKey, shown: String) throws(ValueProblem) {
        guard let range = key.range, !range.contains(number) else { return }
        throw ValueProblem(
            message: "\(shown) is out of range; it must be between \(format(range.lowerBound)) and \(format(range.upperBound))")
    }

    /// A number as short text: no ".0" on whole numbers.
    static func format(_ number: Double) -> String {
        if number.rounded() == number, abs(number) < 1e15 { return String(Int(number)) }
        return String(number)
    }

    /// Text in single quotes, shortened when very long.
    static func quoted(_ text: String) -> String {
        let shown = text.count > 80 ? String(text.prefix(77)) + "..." : text
        return "'\(shown)'"
    }

    /// "a boolean", "an integer".
    private static func article(_ noun: String) -> String {
        let vowels: Set<Character> = ["a", "e", "i", "o", "u"]
        return (noun.first.map { vowels.contains($0) } ?? false ? "an " : "a ") + noun
    }

    /// An example valid number for a key.
    private static func example(_ key: ConfigKey) -> String {
        if case .int(let number) = key.defaultValue { return String(number) }
        if case .double(let number) = key.defaultValue { return format(number) }
        if let range = key.range { return format(range.lowerBound) }
        return key.type == .float ? "1.5" : "10"
    }

    /// How a map value is written.
    private static func mapShape(_ key: ConfigKey) -> String {
        if key.check == .priceTable {
            return "use an object of model prices such as {\"openai:gpt-4.1\": {\"input\": 2, \"output\": 8}} (USD per million tokens)"
        }
        return key.path == ConfigSchema.profilesPath
            ? "use an object of profiles such as {\"prod\": {\"server_url\": \"vibectl-server://host:50051\"}}"
            : "use an object of profile settings such as {\"server_url\": \"vibectl-server://host:50051\"}"
    }
}
