import Foundation

/// A parsed JSON document that keeps object keys in their original order and numbers as written.
///
/// The CLI only reads the JSON the library returns and prints it again, so it needs neither
/// Codable nor arithmetic: keeping the number text exactly ("50.0" stays "50.0") and the key
/// order is what makes the text and YAML renderings faithful.
enum JSON: Equatable, Sendable {
    case null
    case bool(Bool)
    /// A number, as its JSON text.
    case number(String)
    case string(String)
    case array([JSON])
    /// An object as ordered key/value pairs.
    case object([(String, JSON)])

    static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// The member named `key` of an object, or nil.
    subscript(key: String) -> JSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// The string value, or nil when this is not a string.
    var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The boolean value, or nil when this is not a boolean.
    var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The integer value of a number written without fraction or exponent, or nil.
    var intValue: Int? {
        if case .number(let text) = self { return Int(text) }
        return nil
    }

    /// The elements of an array, or nil.
    var arrayValue: [JSON]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The members of an object, or nil.
    var objectValue: [(String, JSON)]? {
        if case .object(let value) = self { return value }
        return nil
    }
}

// MARK: - Parsing

extension JSON {
    /// Parses JSON text; nil when the text is not valid JSON.
    static func parse(_ text: String) -> JSON? {
        var parser = JSONParser(bytes: Array(text.utf8))
        guard let value = parser.parseValue(depth: 0) else { return nil }
        parser.skipWhitespace()
        return parser.atEnd ? value : nil
    }
}

/// A small recursive-descent JSON parser over UTF-8 bytes.
private struct JSONParser {
    let bytes: [UInt8]
    var index = 0

    var atEnd: Bool { index >= bytes.count }

    mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func parseValue(depth: Int) -> JSON? {
        guard depth < 512 else { return nil }
        skipWhitespace()
        guard let byte = peek() else { return nil }
        switch byte {
        case UInt8(ascii: "{"): return parseObject(depth: depth)
        case UInt8(ascii: "["): return parseArray(depth: depth)
        case UInt8(ascii: "\""): return parseString().map(JSON.string)
        case UInt8(ascii: "t"): return parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return parseLiteral("null", .null)
        default: return parseNumber()
        }
    }

    mutating func parseLiteral(_ word: String, _ value: JSON) -> JSON? {
        let expected = Array(word.utf8)
        guard index + expected.count <= bytes.count, Array(bytes[index..<index + expected.count]) == expected else {
            return nil
        }
        index += expected.count
        return value
    }

    mutating func parseNumber() -> JSON? {
        let start = index
        let allowed: Set<UInt8> = Set("0123456789+-.eE".utf8)
        while let byte = peek(), allowed.contains(byte) { index += 1 }
        guard index > start, let text = String(bytes: bytes[start..<index], encoding: .utf8), Double(text) != nil else {
            return nil
        }
        return .number(text)
    }

    mutating func parseObject(depth: Int) -> JSON? {
        index += 1
        var members: [(String, JSON)] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\""), let key = parseString() else { return nil }
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { return nil }
            index += 1
            guard let value = parseValue(depth: depth + 1) else { return nil }
            members.append((key, value))
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return .object(members)
            default: return nil
            }
        }
    }

    mutating func parseArray(depth: Int) -> JSON? {
        index += 1
        var elements: [JSON] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            guard let value = parseValue(depth: depth + 1) else { return nil }
            elements.append(value)
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return .array(elements)
            default: return nil
            }
        }
    }

    mutating func parseHex4() -> UInt32? {
        guard index + 4 <= bytes.count,
            let text = String(bytes: bytes[index..<index + 4], encoding: .ascii),
            let value = UInt32(text, radix: 16)
        else { return nil }
        index += 4
        return value
    }

    mutating func parseString() -> String? {
        index += 1
        var out: [UInt8] = []
        while let byte = peek() {
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(bytes: out, encoding: .utf8)
            case UInt8(ascii: "\\"):
                guard let escape = peek() else { return nil }
                index += 1
                switch escape {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard var scalar = parseHex4() else { return nil }
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A high surrogate must be followed by an escaped low surrogate.
                        guard peek() == UInt8(ascii: "\\"), index + 1 < bytes.count,
                            bytes[index + 1] == UInt8(ascii: "u")
                        else { return nil }
                        index += 2
                        guard let low = parseHex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { return nil }
                    out.append(contentsOf: Array(String(Character(unicode)).utf8))
                default: return nil
                }
            default:
                guard byte >= 0x20 else { return nil }
                out.append(byte)
            }
        }
        return nil
    }
}

// MARK: - Rendering

extension JSON {
    /// Compact JSON text.
    var compactText: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .number(let text): return text
        case .string(let value): return JSON.quote(value)
        case .array(let elements): return "[" + elements.map(\.compactText).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.map { JSON.quote($0.0) + ":" + $0.1.compactText }.joined(separator: ",") + "}"
        }
    }

    /// Indented JSON text (two spaces), keys in their original order.
    func prettyText(indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .array(let elements) where !elements.isEmpty:
            return "[\n" + elements.map { inner + $0.prettyText(indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .object(let members) where !members.isEmpty:
            return "{\n"
                + members.map { inner + JSON.quote($0.0) + ": " + $0.1.prettyText(indent: inner) }
                .joined(separator: ",\n") + "\n\(indent)}"
        default:
            return compactText
        }
    }

    /// A JSON string literal for `text`.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// The value as a user reads it in text output: strings bare, everything else as compact JSON.
    var displayText: String {
        if case .string(let value) = self { return value }
        return compactText
    }

    /// The value as block YAML (a document without the leading `---`).
    var yamlText: String {
        var lines: [String] = []
        JSON.appendYAML(self, indent: "", to: &lines)
        return lines.joined(separator: "\n")
    }

    private static func appendYAML(_ value: JSON, indent: String, to lines: inout [String]) {
        switch value {
        case .object(let members) where !members.isEmpty:
            for (key, member) in members {
                let label = indent + yamlScalar(key) + ":"
                appendYAMLMember(member, label: label, indent: indent, to: &lines)
            }
        case .array(let elements) where !elements.isEmpty:
            for element in elements {
                appendYAMLMember(element, label: indent + "-", indent: indent, to: &lines)
            }
        default:
            lines.append(indent + yamlInline(value))
        }
    }

    private static func appendYAMLMember(_ member: JSON, label: String, indent: String, to lines: inout [String]) {
        switch member {
        case .object(let members) where !members.isEmpty:
            lines.append(label)
            appendYAML(member, indent: indent + "  ", to: &lines)
        case .array(let elements) where !elements.isEmpty:
            lines.append(label)
            appendYAML(member, indent: indent + "  ", to: &lines)
        default:
            lines.append(label + " " + yamlInline(member))
        }
    }

    private static func yamlInline(_ value: JSON) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let text): return text
        case .string(let text): return yamlScalar(text)
        case .array: return "[]"
        case .object: return "{}"
        }
    }

    /// A YAML scalar for a string: plain when that cannot be misread, else double-quoted.
    private static func yamlScalar(_ text: String) -> String {
        let reserved: Set<String> = [
            "", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE",
            "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N",
        ]
        let safe = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "._/-@+"))
        let plain =
            !reserved.contains(text)
            && text.unicodeScalars.allSatisfy { $0.isASCII && safe.contains($0) }
            && !(text.first.map { $0.isNumber || "-.@+".contains($0) } ?? true)
        return plain ? text : quote(text)
    }
}
