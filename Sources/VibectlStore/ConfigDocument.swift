import Foundation
import VibectlCore
import Yams

/// A key found in the config file that the schema does not know: kept, reported, never applied.
struct ConfigWarning: Sendable {
    /// The dotted path of the unknown key.
    let path: String
    /// The 1-based line of the key in the file.
    let line: Int
    /// The warning as shown to the user.
    let message: String
}

/// A value in the config file that has the wrong type or is invalid for its key.
struct ConfigValueError: Sendable {
    /// The concrete dotted path of the key (or of a profile or a nested mapping).
    let path: String
    /// The 1-based line of the value.
    let line: Int
    /// The error reported for it.
    let error: VibectlError
}

/// The parsed config file: the YAML tree (kept so that writes preserve unknown keys) and the
/// typed values of the known keys.
struct ConfigDocument {
    /// The file's path.
    let path: String
    /// Whether the file exists.
    let exists: Bool
    /// The top-level mapping's pairs, in file order.
    var pairs: [(Node, Node)]
    /// The typed value of every known key set in the file, by concrete dotted path.
    var values: [String: JSONValue] = [:]
    /// The proxy profiles defined in the file, in file order.
    var profileNames: [String] = []
    /// Whether the file has a `proxy.profiles` entry.
    var profilesPresent = false
    /// Invalid values, in file order.
    var valueErrors: [ConfigValueError] = []
    /// Unknown keys, in file order.
    var warnings: [ConfigWarning] = []
    /// The legacy top-level `memory_content` string of vibectl 0.11.
    var legacyMemory: String?

    /// Plain scalars YAML reads as null.
    static let nullWords: Set<String> = ["", "~", "null", "Null", "NULL"]

    // MARK: Loading

    /// Reads and parses the file; a missing file is an empty document.
    /// - Throws: `.io` when the file cannot be read; `.config` naming the file and line when it
    ///   is not valid YAML, its top level is not a mapping or a section is not a mapping.
    static func load(_ path: String) throws -> ConfigDocument {
        guard let bytes = try FileSystem.readFile(path) else {
            return ConfigDocument(path: path, exists: false, pairs: [])
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw VibectlError(
                .config, "cannot parse \(path): the file is not valid UTF-8 text",
                hint: "fix or remove \(path); vibectl never overwrites a file it cannot parse")
        }
        return try parse(text, path: path)
    }

    /// Parses the text of a config file.
    static func parse(_ text: String, path: String) throws -> ConfigDocument {
        var document = ConfigDocument(path: path, exists: true, pairs: [])
        let root: Node?
        do {
            // The basic resolver: scalars are typed by `jsonValue(of:)`, and Yams's default resolver compiles
            // ICU regular expressions on first use (about a millisecond of every command's start-up).
            root = try Yams.compose(yaml: text, .basic)
        } catch let error as YamlError {
            let (line, problem) = describe(error, text: text)
            throw syntaxError(path: path, line: line, problem: problem)
        } catch {
            throw syntaxError(path: path, line: nil, problem: String(describing: error))
        }
        switch root {
        case nil:
            return document
        case .scalar(let scalar)? where isNull(scalar):
            return document
        case .mapping(let mapping)?:
            document.pairs = mapping.map { ($0.key, $0.value) }
        case let node?:
            throw syntaxError(
                path: path, line: node.mark?.line ?? 1,
                problem: "the top level is \(describeKind(node)), but it must be a mapping of sections such as `llm:`")
        }
        try document.walkTopLevel()
        return document
    }

    /// Walks the top-level pairs: sections, the legacy memory, unknown keys.
    private mutating func walkTopLevel() throws {
        for (keyNode, valueNode) in pairs {
            let line = keyNode.mark?.line ?? 0
            guard let name = keyNode.scalar?.string else {
                warn(path: "?", line: line, "a key that is not text at line \(line) is ignored")
                continue
            }
            if let section = SchemaTree.root.children[name] {
                switch valueNode {
                case .scalar(let scalar) where Self.isNull(scalar):
                    continue
                case .mapping(let mapping):
                    walk(mapping, schema: section, prefix: name)
                default:
                    throw Self.syntaxError(
                        path: path, line: valueNode.mark?.line ?? line,
                        problem: "section '\(name)' is \(Self.describeKind(valueNode)), but it must be a mapping of keys such as `\(SchemaTree.root.children[name]?.childNames.first ?? "key"): ...`")
                }
            } else if name == ConfigSchema.legacyMemoryKey {
                if case .scalar(let scalar) = valueNode, !Self.isNull(scalar) {
                    legacyMemory = scalar.string
                }
            } else {
                var message = "unknown section '\(name)' in \(path) line \(line) is ignored"
                if let near = Suggest.nearest(to: name, among: ConfigSchema.sections) {
                    message += " (did you mean '\(near)'?)"
                }
                warn(path: name, line: line, message)
            }
        }
    }

    /// Walks a mapping below a schema node.
    private mutating func walk(_ mapping: Node.Mapping, schema: SchemaTree, prefix: String) {
        for (keyNode, valueNode) in mapping {
            let line = keyNode.mark?.line ?? 0
            guard let name = keyNode.scalar?.string else {
                warn(path: prefix + ".?", line: line, "a key that is not text under '\(prefix)' in \(path) line \(line) is ignored")
                continue
            }
            let childPath = prefix + "." + name
            guard let child = schema.children[name] else {
                var message = "unknown key '\(childPath)' in \(path) line \(line) is ignored"
                let section = String(prefix.split(separator: ".").first ?? "")
                let candidates = ConfigSchema.keys.filter { $0.section == section }.map(\.path)
                if let near = ConfigSchema.nearestKey(to: childPath, among: candidates) {
                    message += " (did you mean '\(near)'?)"
                }
                warn(path: childPath, line: line, message)
                continue
            }
            if let wildcard = child.wildcard {
                walkProfiles(valueNode, schema: wildcard, path: childPath)
            } else if child.isInterior {
                switch valueNode {
                case .scalar(let scalar) where Self.isNull(scalar):
                    continue
                case .mapping(let nested):
                    walk(nested, schema: child, prefix: childPath)
                default:
                    addValueError(
                        path: childPath, node: valueNode,
                        problem: "'\(childPath)' must be a mapping of keys, but it is \(Self.describeKind(valueNode))")
                }
            } else if let key = child.key {
                let concrete = key.withPath(childPath)
                do {
                    values[childPath] = try Self.decode(valueNode, for: concrete)
                } catch {
                    addValueError(path: childPath, node: valueNode, problem: error.message, hint: error.hint)
                }
            }
        }
    }

    /// Walks `proxy.profiles`: a mapping of profile names to profile mappings.
    private mutating func walkProfiles(_ node: Node, schema: SchemaTree, path profilesPath: String) {
        profilesPresent = true
        let mapping: Node.Mapping
        switch node {
        case .scalar(let scalar) where Self.isNull(scalar):
            return
        case .mapping(let value):
            mapping = value
        default:
            addValueError(
                path: profilesPath, node: node,
                problem: "'\(profilesPath)' must be a mapping of profile names to profiles, but it is \(Self.describeKind(node))")
            return
        }
        for (keyNode, valueNode) in mapping {
            let line = keyNode.mark?.line ?? 0
            guard let name = keyNode.scalar?.string,
                (try? ConfigSchema.validateProfileName(name, key: profilesPath + "." + name)) != nil
            else {
                let shown = keyNode.scalar?.string ?? "?"
                warn(
                    path: profilesPath + "." + shown, line: line,
                    "proxy profile '\(shown)' in \(path) line \(line) is ignored: a profile name is 1 to 64 ASCII letters, digits, '-' or '_'")
                continue
            }
            let profilePath = profilesPath + "." + name
            switch valueNode {
            case .scalar(let scalar) where Self.isNull(scalar):
                profileNames.append(name)
            case .mapping(let profile):
                profileNames.append(name)
                walk(profile, schema: schema, prefix: profilePath)
            default:
                addValueError(
                    path: profilePath, node: valueNode,
                    problem: "proxy profile '\(name)' must be a mapping of profile settings, but it is \(Self.describeKind(valueNode))")
            }
        }
    }

    /// Decodes the value node of a known key: null rules, text coercion, validation.
    static func decode(_ node: Node, for key: ConfigKey) throws(ValueProblem) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            if isNull(scalar) { return try ValueCoercion.nullValue(for: key) }
            if key.type == .string { return try ValueCoercion.validate(.string(scalar.string), for: key) }
            if key.type == .map {
                throw ValueProblem(message: "expected a mapping, found the text '\(scalar.string)'")
            }
            return try ValueCoercion.fromText(scalar.string, for: key)
        case .mapping where key.type == .map:
            return try ValueCoercion.fromJSON(jsonValue(of: node), for: key)
        case .sequence(let sequence) where key.type == .list:
            var items: [JSONValue] = []
            for (index, item) in sequence.enumerated() {
                guard case .scalar(let scalar) = item, !isNull(scalar) else {
                    throw ValueProblem(message: "list items must be text, but item \(index) is \(describeKind(item))")
                }
                items.append(.string(scalar.string))
            }
            return .array(items)
        default:
            throw ValueProblem(message: "expected \(describeType(key.type)), found \(describeKind(node))")
        }
    }

    /// A YAML node as JSON: plain scalars that read as numbers or booleans become those, quoted scalars stay text.
    static func jsonValue(of node: Node) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            if isNull(scalar) { return .null }
            guard scalar.style == .plain else { return .string(scalar.string) }
            if let number = Int(scalar.string) { return .int(number) }
            if let number = Double(scalar.string), number.isFinite { return .double(number) }
            if scalar.string == "true" { return .bool(true) }
            if scalar.string == "false" { return .bool(false) }
            return .string(scalar.string)
        case .sequence(let sequence):
            return .array(sequence.map(jsonValue(of:)))
        case .mapping(let mapping):
            var members: [String: JSONValue] = [:]
            for (key, value) in mapping {
                members[key.scalar?.string ?? ""] = jsonValue(of: value)
            }
            return .object(members)
        case .alias:
            return .null
        }
    }

    /// Records an invalid value.
    private mutating func addValueError(path key: String, node: Node, problem: String, hint: String? = nil) {
        let line = node.mark?.line ?? 0
        var fix = "fix or remove line \(line) of \(path)"
        if (try? ConfigSchema.key(key)) != nil {
            fix += ", or replace it with `vibectl config set \(key) VALUE` or `vibectl config unset \(key)`"
        }
        if let hint { fix += "; \(hint)" }
        let error = VibectlError(
            .config, "invalid value for \(key) in \(path) line \(line): \(problem)", hint: fix)
        valueErrors.append(ConfigValueError(path: key, line: line, error: error))
    }

    /// Records an unknown key.
    private mutating func warn(path key: String, line: Int, _ message: String) {
        warnings.append(ConfigWarning(path: key, line: line, message: message))
    }

    // MARK: Errors

    /// The first invalid value, ignoring those at, above or below `key` (which a write of `key` replaces or removes).
    func firstValueError(ignoring key: String? = nil) -> VibectlError? {
        valueErrors.first { error in
            guard let key else { return true }
            return !(error.path == key || error.path.hasPrefix(key + ".") || key.hasPrefix(error.path + "."))
        }?.error
    }

    /// The error for a file that cannot be parsed.
    static func syntaxError(path: String, line: Int?, problem: String) -> VibectlError {
        guard let line else {
            return VibectlError(
                .config, "cannot parse \(path): \(problem)",
                hint: "fix or remove \(path); vibectl never overwrites a file it cannot parse")
        }
        return VibectlError(
            .config, "cannot parse \(path) line \(line): \(problem)",
            hint: "fix or remove line \(line) of \(path); vibectl never overwrites a file it cannot parse")
    }

    /// The line and problem of a Yams error.
    static func describe(_ error: YamlError, text: String) -> (Int?, String) {
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { "\(problem) (\($0.text) at line \($0.mark.line))" } ?? problem
            return (mark.line, detail)
        case .reader(let problem, let offset, _, _):
            let line = offset.map { text.prefix($0).reduce(1) { $1 == "\n" ? $0 + 1 : $0 } }
            return (line, problem)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return (context.mark.line, "duplicate key " + duplicates.map { "'\($0)'" }.joined(separator: ", "))
        default:
            return (nil, String(describing: error))
        }
    }

    /// Whether a scalar is YAML's null (a plain, untagged `~`, `null` or nothing).
    static func isNull(_ scalar: Node.Scalar) -> Bool {
        scalar.style == .plain && scalar.tag.rawValue.isEmpty && nullWords.contains(scalar.string)
    }

    /// "a mapping", "a list", "the text 'x'".
    static func describeKind(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): isNull(scalar) ? "null" : "the text '\(scalar.string)'"
        case .sequence: "a list"
        case .mapping: "a mapping"
        case .alias: "an alias"
        }
    }

    /// "a boolean", "an integer".
    static func describeType(_ type: ConfigValueType) -> String {
        switch type {
        case .string: "text"
        case .bool: "a boolean"
        case .int: "an integer"
        case .float: "a number"
        case .list: "a list of strings"
        case .map: "a mapping"
        }
    }

    // MARK: Editing

    /// Sets the value of a key, creating the mappings on its path.
    mutating func set(_ value: JSONValue, at key: String) {
        let components = key.split(separator: ".").map(String.init)
        pairs = Self.setting(Self.node(for: value), at: components[...], in: pairs)
    }

    /// Removes a key; mappings left empty are removed too, except a profile, which stays (empty) until it is unset itself.
    /// - Returns: Whether the file changed.
    mutating func remove(_ key: String) -> Bool {
        let components = key.split(separator: ".").map(String.init)
        let (newPairs, removed) = Self.removing(components[...], from: pairs, prefix: "")
        pairs = newPairs
        return removed
    }

    private static func index(of name: String, in pairs: [(Node, Node)]) -> Int? {
        pairs.firstIndex { $0.0.scalar?.string == name }
    }

    private static func setting(_ value: Node, at components: ArraySlice<String>, in pairs: [(Node, Node)]) -> [(Node, Node)] {
        guard let name = components.first else { return pairs }
        var pairs = pairs
        let rest = components.dropFirst()
        let existing = index(of: name, in: pairs)
        let newValue: Node
        if rest.isEmpty {
            newValue = value
        } else {
            var childPairs: [(Node, Node)] = []
            var style = Node.Mapping.Style.any
            if let existing, case .mapping(let mapping) = pairs[existing].1 {
                childPairs = mapping.map { ($0.key, $0.value) }
                style = mapping.style
            }
            newValue = .mapping(Node.Mapping(setting(value, at: rest, in: childPairs), Tag(.implicit), style))
        }
        if let existing {
            pairs[existing].1 = newValue
        } else {
            pairs.append((scalar(name), newValue))
        }
        return pairs
    }

    private static func removing(_ components: ArraySlice<String>, from pairs: [(Node, Node)], prefix: String) -> ([(Node, Node)], Bool) {
        guard let name = components.first, let existing = index(of: name, in: pairs) else { return (pairs, false) }
        var pairs = pairs
        let rest = components.dropFirst()
        if rest.isEmpty {
            pairs.remove(at: existing)
            return (pairs, true)
        }
        guard case .mapping(let mapping) = pairs[existing].1 else { return (pairs, false) }
        let path = prefix.isEmpty ? name : prefix + "." + name
        let (childPairs, removed) = removing(rest, from: mapping.map { ($0.key, $0.value) }, prefix: path)
        guard removed else { return (pairs, false) }
        let isProfile = path.hasPrefix(ConfigSchema.profilesPath + ".") && path.split(separator: ".").count == 3
        if childPairs.isEmpty && !isProfile {
            pairs.remove(at: existing)
        } else {
            pairs[existing].1 = .mapping(Node.Mapping(childPairs, mapping.tag, mapping.style, mapping.mark))
        }
        return (pairs, true)
    }

    // MARK: Writing

    /// The document as YAML: known sections and keys in schema order, unknown keys after them in file order.
    func serialized() throws -> String {
        guard !pairs.isEmpty else { return "" }
        let root = Self.ordered(.mapping(Node.Mapping(pairs)), schema: SchemaTree.root)
        do {
            return try Yams.serialize(node: root, indent: 2, width: -1, allowUnicode: true)
        } catch {
            throw VibectlError(
                .internal, "cannot write the configuration as YAML", cause: String(describing: error))
        }
    }

    /// Orders a mapping's pairs by the schema, recursively.
    private static func ordered(_ node: Node, schema: SchemaTree) -> Node {
        guard case .mapping(let mapping) = node else { return node }
        let ranked = mapping.enumerated().map { index, pair -> (rank: Int, index: Int, pair: (Node, Node)) in
            let name = pair.key.scalar?.string ?? ""
            if let wildcard = schema.wildcard {
                return (0, index, (pair.key, ordered(pair.value, schema: wildcard)))
            }
            guard let rank = schema.childNames.firstIndex(of: name), let child = schema.children[name] else {
                return (Int.max, index, (pair.key, pair.value))
            }
            return (rank, index, (pair.key, child.isInterior ? ordered(pair.value, schema: child) : pair.value))
        }
        let sorted = ranked.sorted { ($0.rank, $0.index) < ($1.rank, $1.index) }.map(\.pair)
        return .mapping(Node.Mapping(sorted, mapping.tag, mapping.style, mapping.mark))
    }

    /// The YAML node of a configuration value.
    static func node(for value: JSONValue) -> Node {
        switch value {
        case .null: Node("null", Tag(.null), .plain)
        case .bool(let flag): Node(flag ? "true" : "false", Tag(.bool), .plain)
        case .int(let number): Node(String(number), Tag(.int), .plain)
        case .double(let number): Node(String(number), Tag(.float), .plain)
        case .string(let text): scalar(text)
        case .array(let items): .sequence(Node.Sequence(items.map(node(for:)), Tag(.implicit), .block))
        case .object(let members):
            .mapping(Node.Mapping(members.keys.sorted().map { (scalar($0), node(for: members[$0] ?? .null)) }))
        }
    }

    /// A text scalar: plain when that reads back as the same text in every YAML reader, else double-quoted.
    static func scalar(_ text: String) -> Node {
        Node(text, Tag(.str), isPlainSafe(text) ? .plain : .doubleQuoted)
    }

    /// Words that some YAML reader (1.1 or 1.2) takes for a boolean or null.
    private static let reservedWords: Set<String> = [
        "y", "n", "yes", "no", "true", "false", "on", "off", "null", "~",
    ]

    /// Whether text can be written as a plain scalar: ASCII letters first, then letters, digits and `_./-+@`, and not a reserved word.
    static func isPlainSafe(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first.isASCII,
            first.properties.isAlphabetic || first == "/" || first == "_"
        else { return false }
        let allowed = text.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII
                && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                    || "_./-+@".unicodeScalars.contains(scalar))
        }
        return allowed && !reservedWords.contains(text.lowercased())
    }
}
