/// A single-pass byte scanner that extracts item facts from large JSON lists without building objects.
///
/// It understands a top-level object with an `items` array (what `kubectl get -o json` prints) and a top-level
/// array of objects. Anything else, or malformed JSON, returns nil and the caller falls back to a full parser.
enum JSONListScanner {
    /// Keys the fact rules look at; everything else is `other`.
    enum Key: UInt8 {
        case other, items, kind, metadata, name, namespace, status, phase, reason, containerStatuses
        case initContainerStatuses, restartCount, ready, state, waiting, terminated, spec, template
        case containers, initContainers, image, replicas, readyReplicas, conditions, type, message

        static let table: [(StaticString, Key)] = [
            ("items", .items), ("kind", .kind), ("metadata", .metadata), ("name", .name), ("namespace", .namespace),
            ("status", .status), ("phase", .phase), ("reason", .reason), ("containerStatuses", .containerStatuses),
            ("initContainerStatuses", .initContainerStatuses), ("restartCount", .restartCount), ("ready", .ready),
            ("state", .state), ("waiting", .waiting), ("terminated", .terminated), ("spec", .spec),
            ("template", .template), ("containers", .containers), ("initContainers", .initContainers),
            ("image", .image), ("replicas", .replicas), ("readyReplicas", .readyReplicas), ("conditions", .conditions),
            ("type", .type), ("message", .message),
        ]
    }

    struct Frame {
        var isObject: Bool
        var key: Key = .other
        var expectKey = true
    }

    struct Result {
        var title: String
        var items: [ItemFacts]
    }

    static func scan(_ text: String) -> Result? {
        var copy = text
        return copy.withUTF8 { scan(bytes: $0) }
    }

    static func scan(bytes: UnsafeBufferPointer<UInt8>) -> Result? {
        let count = bytes.count
        var stack: [Frame] = []
        stack.reserveCapacity(32)
        var items: [ItemFacts] = []
        var title = ""
        var current = ItemFacts()
        var replicas: Int?
        var readyReplicas = 0
        var itemLevel = -1  // index in `stack` of the current item's frame
        var path: [Key] = []
        path.reserveCapacity(16)
        var position = 0
        var rootIsArray = false
        var sawItems = false
        // The status condition being read (an element of the item's status.conditions).
        var conditionLevel = -1
        var condition = (type: "", status: "", reason: "", message: "")

        func value(_ start: Int, _ end: Int, escaped: Bool) -> String {
            let raw = UnsafeBufferPointer(rebasing: bytes[start..<end])
            return escaped ? unescape(raw) : String(decoding: raw, as: UTF8.self)
        }

        /// Applies the fact rules to a scalar value at the current path.
        func record(_ start: Int, _ end: Int, escaped: Bool, isString: Bool) {
            if stack.count == 1, !rootIsArray, stack[0].key == .kind, isString {
                title = value(start, end, escaped: escaped)
                return
            }
            guard itemLevel >= 0 else { return }
            path.removeAll(keepingCapacity: true)
            for index in itemLevel..<stack.count where stack[index].isObject { path.append(stack[index].key) }
            guard let last = path.last else { return }
            switch path.count {
            case 1:
                if last == .kind { current.kind = value(start, end, escaped: escaped) }
            case 2:
                if path[0] == .metadata {
                    if last == .name { current.name = value(start, end, escaped: escaped) }
                    if last == .namespace { current.namespace = value(start, end, escaped: escaped) }
                } else if path[0] == .status {
                    switch last {
                    case .phase: current.phase = value(start, end, escaped: escaped)
                    case .reason: current.addReason(value(start, end, escaped: escaped))
                    case .replicas: replicas = Int(value(start, end, escaped: false))
                    case .readyReplicas: readyReplicas = Int(value(start, end, escaped: false)) ?? 0
                    default: break
                    }
                }
            case 3:
                if path[0] == .status, path[1] == .conditions, conditionLevel >= 0 {
                    switch last {
                    case .type: condition.type = value(start, end, escaped: escaped)
                    case .status: condition.status = value(start, end, escaped: escaped)
                    case .reason: condition.reason = value(start, end, escaped: escaped)
                    case .message: condition.message = value(start, end, escaped: escaped)
                    default: break
                    }
                } else if path[0] == .status, path[1] == .containerStatuses || path[1] == .initContainerStatuses {
                    if last == .restartCount { current.restarts += Int(value(start, end, escaped: false)) ?? 0 }
                    if last == .ready, path[1] == .containerStatuses {
                        current.containers += 1
                        if end - start == 5, bytes[start] == 0x66 { current.notReady += 1 }  // false
                    }
                } else if path[0] == .spec, last == .image, path[1] == .containers || path[1] == .initContainers {
                    current.addImage(value(start, end, escaped: escaped))
                }
            case 5:
                if path[0] == .status, path[1] == .containerStatuses || path[1] == .initContainerStatuses,
                    path[2] == .state, path[3] == .waiting || path[3] == .terminated, last == .reason
                {
                    let reason = value(start, end, escaped: escaped)
                    if reason == "Completed" { return }
                    current.addReason(reason)
                } else if path[0] == .spec, path[1] == .template, path[2] == .spec, last == .image,
                    path[3] == .containers || path[3] == .initContainers
                {
                    current.addImage(value(start, end, escaped: escaped))
                }
            default:
                break
            }
        }

        /// Whether the object or array that is the value of the current key of frame `top` holds facts.
        func wanted(_ top: Int) -> Bool {
            guard itemLevel >= 0 else {
                // Outside the items: only the root's `items`.
                return stack.count == 1 && stack[0].key == .items
            }
            guard top >= itemLevel else { return true }
            path.removeAll(keepingCapacity: true)
            for index in itemLevel...top where stack[index].isObject { path.append(stack[index].key) }
            switch path.count {
            case 1:
                return path[0] == .metadata || path[0] == .status || path[0] == .spec
            case 2:
                if path[0] == .status {
                    return path[1] == .containerStatuses || path[1] == .initContainerStatuses || path[1] == .conditions
                }
                return path[0] == .spec && (path[1] == .containers || path[1] == .initContainers || path[1] == .template)
            case 3:
                if path[0] == .status { return path[1] != .conditions && path[2] == .state }
                return path[0] == .spec && path[1] == .template && path[2] == .spec
            case 4:
                if path[0] == .status { return path[3] == .waiting || path[3] == .terminated }
                return path[0] == .spec && (path[3] == .containers || path[3] == .initContainers)
            default:
                return false
            }
        }

        while position < count {
            let byte = bytes[position]
            switch byte {
            case 0x20, 0x0A, 0x0D, 0x09, 0x3A:  // whitespace and ':'
                if byte == 0x3A, let last = stack.indices.last { stack[last].expectKey = false }
                position += 1
                while position < count, bytes[position] == 0x20 { position += 1 }  // indentation
            case 0x2C:  // ,
                if let last = stack.indices.last, stack[last].isObject { stack[last].expectKey = true }
                position += 1
            case 0x7B, 0x5B:  // { [
                // A value no fact rule looks into (managedFields, labels, env, volumes, …) is skipped whole.
                if let top = stack.indices.last, stack[top].isObject, !wanted(top) {
                    guard let after = skipValue(bytes, from: position) else { return nil }
                    position = after
                    continue
                }
                if byte == 0x5B {
                    if stack.isEmpty { rootIsArray = true }
                    if stack.count == 1, !rootIsArray, stack[0].key == .items { sawItems = true }
                    stack.append(Frame(isObject: false))
                    position += 1
                    continue
                }
                if stack.isEmpty {
                    rootIsArray = false
                } else if itemLevel < 0,
                    (rootIsArray && stack.count == 1)
                        || (!rootIsArray && stack.count == 2 && stack[0].key == .items && !stack[1].isObject)
                {
                    itemLevel = stack.count
                    current = ItemFacts()
                    replicas = nil
                    readyReplicas = 0
                } else if itemLevel >= 0, stack.count == itemLevel + 3, !stack[itemLevel + 2].isObject,
                    stack[itemLevel].key == .status, stack[itemLevel + 1].key == .conditions
                {
                    conditionLevel = stack.count
                    condition = ("", "", "", "")
                }
                stack.append(Frame(isObject: true))
                position += 1
            case 0x7D, 0x5D:  // } ]
                guard let last = stack.last, last.isObject == (byte == 0x7D) else { return nil }
                stack.removeLast()
                if stack.count == conditionLevel {
                    current.addCondition(type: condition.type, status: condition.status, reason: condition.reason, message: condition.message)
                    conditionLevel = -1
                }
                if stack.count == itemLevel {
                    if let want = replicas, want > readyReplicas { current.addReason("\(want - readyReplicas)/\(want) replicas not ready") }
                    items.append(current)
                    itemLevel = -1
                }
                position += 1
                if stack.isEmpty {
                    while position < count, bytes[position] == 0x20 || bytes[position] == 0x0A || bytes[position] == 0x0D
                        || bytes[position] == 0x09
                    { position += 1 }
                    guard position == count else { return nil }
                }
            case 0x22:  // "
                let start = position + 1
                var end = start
                var escaped = false
                while end < count, bytes[end] != 0x22 {
                    if bytes[end] == 0x5C {
                        escaped = true
                        end += 1
                    }
                    end += 1
                }
                guard end < count, let top = stack.indices.last else { return nil }
                if stack[top].isObject, stack[top].expectKey {
                    stack[top].key = escaped ? .other : key(bytes, start, end)
                } else {
                    record(start, end, escaped: escaped, isString: true)
                }
                position = end + 1
            default:  // numbers, true, false, null
                let start = position
                while position < count {
                    let next = bytes[position]
                    if next == 0x2C || next == 0x7D || next == 0x5D || next == 0x20 || next == 0x0A || next == 0x0D || next == 0x09 {
                        break
                    }
                    position += 1
                }
                guard !stack.isEmpty else { return nil }
                record(start, position, escaped: false, isString: false)
            }
        }
        guard stack.isEmpty, rootIsArray || sawItems else { return nil }
        return Result(title: title, items: items)
    }

    /// Skips the object or array starting at `start` (its `{` or `[`); returns the position after its end, or nil
    /// when the brackets do not match. Looks only at quotes, backslashes in strings and brackets, found 16 bytes at a
    /// time. Bracket kinds are checked up to 64 levels deep (a bit each), deeper levels only by count.
    static func skipValue(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        typealias V = SIMD16<UInt8>
        let count = bytes.count
        guard let base = bytes.baseAddress else { return nil }
        let raw = UnsafeRawPointer(base)
        let quote = V(repeating: 0x22)
        let backslash = V(repeating: 0x5C)
        let lower = V(repeating: 0x20)
        let opening = V(repeating: 0x7B)  // '{', and '[' | 0x20
        let closing = V(repeating: 0x7D)  // '}', and ']' | 0x20
        var depth = 0
        var kinds: UInt64 = 0  // one bit per open level: 1 for '{', 0 for '['
        var inString = false
        var position = start
        while position < count {
            // The next quote or bracket (outside strings), or quote or backslash (inside).
            var found = -1
            while position + 16 <= count {
                let chunk = raw.loadUnaligned(fromByteOffset: position, as: V.self)
                let mask: SIMDMask<SIMD16<Int8>>
                if inString {
                    mask = (chunk .== quote) .| (chunk .== backslash)
                } else {
                    let folded = chunk | lower
                    mask = (chunk .== quote) .| (folded .== opening) .| (folded .== closing)
                }
                if let lane = firstLane(mask) {
                    found = position + lane
                    break
                }
                position += 16
            }
            if found < 0 {
                while position < count {
                    let byte = bytes[position]
                    let hit = inString ? byte == 0x22 || byte == 0x5C : byte == 0x22 || byte | 0x20 == 0x7B || byte | 0x20 == 0x7D
                    if hit {
                        found = position
                        break
                    }
                    position += 1
                }
                guard found >= 0 else { return nil }
            }
            let byte = bytes[found]
            position = found + 1
            if inString {
                if byte == 0x5C { position += 1 } else { inString = false }
                continue
            }
            switch byte {
            case 0x22:
                inString = true
            case 0x7B, 0x5B:
                kinds = kinds << 1 | (byte == 0x7B ? 1 : 0)
                depth += 1
            default:  // } or ]
                guard depth > 0 else { return nil }
                if depth <= 64, (kinds & 1 == 1) != (byte == 0x7D) { return nil }
                kinds >>= 1
                depth -= 1
                if depth == 0 { return position }
            }
        }
        return nil
    }

    /// The first set lane of a mask, if any (lane 0 is the lowest byte on little-endian machines).
    @inline(__always)
    static func firstLane(_ mask: SIMDMask<SIMD16<Int8>>) -> Int? {
        let words = unsafeBitCast(mask, to: SIMD2<UInt64>.self)
        if words[0] != 0 { return words[0].littleEndian.trailingZeroBitCount >> 3 }
        if words[1] != 0 { return 8 + words[1].littleEndian.trailingZeroBitCount >> 3 }
        return nil
    }

    static func key(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Key {
        let length = end - start
        guard length >= 4, length <= 21 else { return .other }
        for (literal, key) in Key.table where literal.utf8CodeUnitCount == length {
            let pointer = literal.utf8Start
            var same = true
            for offset in 0..<length where bytes[start + offset] != pointer[offset] {
                same = false
                break
            }
            if same { return key }
        }
        return .other
    }

    /// Decodes JSON string escapes (`\"`, `\\`, `\n`, `\uXXXX`, …); invalid escapes are kept literally.
    static func unescape(_ raw: UnsafeBufferPointer<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        var bytes: [UInt8] = []
        var index = 0
        func flush() {
            if !bytes.isEmpty {
                scalars.append(contentsOf: String(decoding: bytes, as: UTF8.self).unicodeScalars)
                bytes.removeAll()
            }
        }
        while index < raw.count {
            let byte = raw[index]
            guard byte == 0x5C, index + 1 < raw.count else {
                bytes.append(byte)
                index += 1
                continue
            }
            let next = raw[index + 1]
            index += 2
            switch next {
            case 0x6E: bytes.append(0x0A)
            case 0x74: bytes.append(0x09)
            case 0x72: bytes.append(0x0D)
            case 0x62: bytes.append(0x08)
            case 0x66: bytes.append(0x0C)
            case 0x75:
                guard index + 4 <= raw.count,
                    let code = UInt32(String(decoding: UnsafeBufferPointer(rebasing: raw[index..<index + 4]), as: UTF8.self), radix: 16)
                else {
                    bytes.append(contentsOf: [0x5C, 0x75])
                    continue
                }
                index += 4
                flush()
                if code >= 0xD800, code < 0xDC00, index + 6 <= raw.count, raw[index] == 0x5C, raw[index + 1] == 0x75,
                    let low = UInt32(
                        String(decoding: UnsafeBufferPointer(rebasing: raw[index + 2..<index + 6]), as: UTF8.self), radix: 16),
                    low >= 0xDC00, low < 0xE000
                {
                    index += 6
                    scalars.append(Unicode.Scalar(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)) ?? "\u{FFFD}")
                } else {
                    scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                }
            default: bytes.append(next)
            }
        }
        flush()
        return String(scalars)
    }
}
