import Foundation

/// One flag as kubectl (pflag) would read it, with its long name.
struct ParsedFlag: Sendable, Equatable {
    /// The long name (`-n` becomes `--namespace`), or `-x` for a short flag with no known long form.
    let name: String
    /// The value after `=` or in the next argument, when the flag takes one.
    let value: String?

    /// Whether the flag is set to true (present without a value, or with a true-ish value).
    var isTrue: Bool {
        guard let value else { return true }
        return ["true", "t", "1", "yes"].contains(value.lowercased())
    }
}

/// A planned kubectl argument vector split into flags, positionals and the container command after `--`.
struct ParsedCommand: Sendable {
    /// The arguments as planned (without a leading `kubectl`).
    let tokens: [String]
    /// The flags before `--`, in order.
    private(set) var flags: [ParsedFlag] = []
    /// The non-flag arguments before `--`; the first is the verb.
    private(set) var positionals: [String] = []
    /// The index in `tokens` of the first `--`, if any.
    private(set) var dashDashIndex: Int?
    /// The arguments after `--`.
    private(set) var afterDashDash: [String] = []
    /// Indices of tokens that are output templates (`-o jsonpath=…`, `--template`), where `|`, `<`, `>` are legal.
    private(set) var templateValueIndices: Set<Int> = []

    init(_ tokens: [String]) {
        self.tokens = tokens
        var index = 0
        while index < tokens.count {
            let token = tokens[index].trimmingCharacters(in: .whitespaces)
            if dashDashIndex != nil {
                afterDashDash.append(tokens[index])
            } else if token == "--" {
                dashDashIndex = index
            } else if token.hasPrefix("--"), token.count > 2 {
                index = parseLong(token, at: index)
            } else if token.hasPrefix("-"), token.count > 1, Double(token) == nil {
                index = parseShort(token, at: index)
            } else {
                positionals.append(token)
            }
            index += 1
        }
    }

    /// Parses `--name`, `--name=value` or `--name value`; returns the index of the last token consumed.
    private mutating func parseLong(_ token: String, at index: Int) -> Int {
        let body = token.dropFirst(2)
        let name: String
        var value: String?
        var last = index
        if let equals = body.firstIndex(of: "=") {
            name = "--" + body[..<equals]
            value = String(body[body.index(after: equals)...])
        } else {
            name = "--" + body
            if SafetyRules.takesValue(name, verb: verb), index + 1 < tokens.count {
                value = tokens[index + 1]
                last = index + 1
            }
        }
        record(ParsedFlag(name: name, value: value), tokenIndex: index, valueIndex: last)
        return last
    }

    /// Parses `-x`, `-x=value`, `-xvalue`, `-x value` or a cluster of boolean letters such as `-it`.
    private mutating func parseShort(_ token: String, at index: Int) -> Int {
        let letters = Array(token.dropFirst())
        guard let first = letters.first else { return index }
        let name = SafetyRules.longName(forShort: first, verb: verb)
        if letters.count >= 2, letters[1] == "=" {
            record(ParsedFlag(name: name, value: String(letters.dropFirst(2))), tokenIndex: index, valueIndex: index)
            return index
        }
        if SafetyRules.shortTakesValue(first, verb: verb) {
            if letters.count > 1 {
                record(ParsedFlag(name: name, value: String(letters.dropFirst())), tokenIndex: index, valueIndex: index)
                return index
            }
            if index + 1 < tokens.count {
                record(ParsedFlag(name: name, value: tokens[index + 1]), tokenIndex: index, valueIndex: index + 1)
                return index + 1
            }
            record(ParsedFlag(name: name, value: nil), tokenIndex: index, valueIndex: index)
            return index
        }
        for letter in letters {
            flags.append(ParsedFlag(name: SafetyRules.longName(forShort: letter, verb: verb), value: nil))
        }
        return index
    }

    private mutating func record(_ flag: ParsedFlag, tokenIndex: Int, valueIndex: Int) {
        flags.append(flag)
        if SafetyRules.templateFlags.contains(flag.name) {
            templateValueIndices.insert(tokenIndex)
            templateValueIndices.insert(valueIndex)
        }
    }

    /// The kubectl verb: the first positional argument.
    var verb: String? { positionals.first }

    /// The second positional argument (the subcommand of `rollout`, `auth`, `config`, `create`, …).
    var subverb: String? { positionals.count > 1 ? positionals[1] : nil }

    /// The verb with its subcommand where kubectl has one, for reasons (`rollout undo`, `create secret`).
    var verbPhrase: String {
        guard let verb else { return "" }
        if SafetyRules.compoundVerbs.contains(verb), let subverb {
            return "\(verb) \(SafetyRules.shortened(subverb))"
        }
        return SafetyRules.shortened(verb)
    }

    /// The `--dry-run` mode when it is `client` or `server` (bare `--dry-run` and `none` do not count).
    var dryRunMode: String? {
        for flag in flags where flag.name == "--dry-run" {
            if let value = flag.value?.lowercased(), value == "client" || value == "server" { return value }
        }
        return nil
    }

    /// Whether a flag with this long name is present and true.
    func hasTrueFlag(_ name: String) -> Bool {
        flags.contains { $0.name == name && $0.isTrue }
    }

    /// Whether `-i`/`--stdin` or `-t`/`--tty` is set.
    var attachesTerminal: Bool { hasTrueFlag("--stdin") || hasTrueFlag("--tty") }

    /// The command to run in a container: the arguments after `--`, or for `exec POD CMD` / `run NAME CMD` the positionals after the name.
    var containerCommand: [String] {
        if dashDashIndex != nil { return afterDashDash }
        if verb == "exec" || verb == "run", positionals.count > 2 { return Array(positionals.dropFirst(2)) }
        return []
    }

    /// The resource types the command names: its type slot (`delete secret x`, `rollout undo deploy/x`)
    /// and the type part of every `type/name` positional, lowercased, without API group.
    var resourceTypes: [String] {
        guard let verb else { return [] }
        let slot = SafetyRules.typeSlotAfterSubverb.contains(verb) ? 2 : 1
        var candidates: [String] = []
        if positionals.count > slot {
            candidates.append(contentsOf: positionals[slot].split(separator: ",").map(String.init))
        }
        for positional in positionals.dropFirst() where positional.contains("/") {
            candidates.append(positional)
        }
        var types: [String] = []
        for candidate in candidates {
            let typePart = candidate.split(separator: "/", omittingEmptySubsequences: false).first ?? ""
            let withoutGroup = typePart.split(separator: ".", omittingEmptySubsequences: false).first ?? ""
            let type = withoutGroup.lowercased()
            if !type.isEmpty, !types.contains(type) { types.append(type) }
        }
        return types
    }
}

/// Facts the classifier needs from a manifest, found by a tolerant byte scan (JSON or YAML, any number of documents).
///
/// The scan is deliberately conservative: any `kind:` key at any depth counts, so a sensitive kind nested in a
/// `List` is found too; a false match only adds a confirmation. It is linear in the manifest's size.
struct ManifestScan: Sendable {
    /// The distinct kinds named in the manifest, in order of appearance.
    private(set) var kinds: [String] = []
    /// Fields that give a pod access to its node (`privileged: true`, `hostPath`, …), in order of appearance.
    private(set) var hostAccessFields: [String] = []

    private static let kindKey = Array("kind".utf8)
    private static let trueFields = ["privileged", "hostPID", "hostNetwork", "hostIPC", "allowPrivilegeEscalation"]
    private static let trueKeys = trueFields.map { Array($0.utf8) }
    private static let hostPathKey = Array("hostPath".utf8)
    private static let trueValue = Array("true".utf8)

    init(_ manifest: String) {
        let bytes = Array(manifest.utf8)
        var index = 0
        while index < bytes.count {
            defer { index += 1 }
            let byte = bytes[index]
            // Every key of interest starts with "k", "p", "h" or "a"; skip everything else fast.
            guard byte == UInt8(ascii: "k") || byte == UInt8(ascii: "p") || byte == UInt8(ascii: "h")
                || byte == UInt8(ascii: "a")
            else { continue }
            if let valueStart = Self.value(of: Self.kindKey, in: bytes, at: index) {
                var end = valueStart
                while end < bytes.count, Self.isIdentifierByte(bytes[end], first: end == valueStart) { end += 1 }
                if end > valueStart, let kind = String(validating: bytes[valueStart..<end], as: UTF8.self),
                    !kinds.contains(kind)
                {
                    kinds.append(kind)
                }
                continue
            }
            for (offset, key) in Self.trueKeys.enumerated() {
                guard let valueStart = Self.value(of: key, in: bytes, at: index),
                    Self.hasPrefix(Self.trueValue, in: bytes, at: valueStart)
                else { continue }
                let field = "\(Self.trueFields[offset]): true"
                if !hostAccessFields.contains(field) { hostAccessFields.append(field) }
            }
            if Self.value(of: Self.hostPathKey, in: bytes, at: index) != nil, !hostAccessFields.contains("hostPath") {
                hostAccessFields.append("hostPath")
            }
        }
    }

    /// When `key` starts at `index` as a mapping key (`key:`, `"key":`, `- key:`), the index where its value starts.
    private static func value(of key: [UInt8], in bytes: [UInt8], at index: Int) -> Int? {
        guard hasPrefix(key, in: bytes, at: index) else { return nil }
        var before = index - 1
        if before >= 0, bytes[before] == UInt8(ascii: "\"") || bytes[before] == UInt8(ascii: "'") { before -= 1 }
        if before >= 0 {
            let previous = bytes[before]
            let boundary = previous == UInt8(ascii: " ") || previous == UInt8(ascii: "\t") || previous == UInt8(ascii: "\n")
                || previous == UInt8(ascii: "\r") || previous == UInt8(ascii: "{") || previous == UInt8(ascii: ",")
                || previous == UInt8(ascii: "-")
            guard boundary else { return nil }
        }
        var cursor = index + key.count
        if cursor < bytes.count, bytes[cursor] == UInt8(ascii: "\"") || bytes[cursor] == UInt8(ascii: "'") { cursor += 1 }
        cursor = skipBlanks(bytes, from: cursor)
        guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: ":") else { return nil }
        cursor = skipBlanks(bytes, from: cursor + 1)
        if cursor < bytes.count, bytes[cursor] == UInt8(ascii: "\"") || bytes[cursor] == UInt8(ascii: "'") { cursor += 1 }
        return cursor
    }

    private static func skipBlanks(_ bytes: [UInt8], from start: Int) -> Int {
        var cursor = start
        while cursor < bytes.count, bytes[cursor] == UInt8(ascii: " ") || bytes[cursor] == UInt8(ascii: "\t") { cursor += 1 }
        return cursor
    }

    private static func hasPrefix(_ key: [UInt8], in bytes: [UInt8], at index: Int) -> Bool {
        guard index >= 0, index + key.count <= bytes.count else { return false }
        for offset in 0..<key.count where bytes[index + offset] != key[offset] { return false }
        return true
    }

    private static func isIdentifierByte(_ byte: UInt8, first: Bool) -> Bool {
        let letter = (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
        return first ? letter : letter || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
}
