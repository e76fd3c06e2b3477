/// A line-oriented scanner that extracts item facts from large YAML lists without building a full YAML tree.
///
/// It handles `kind: List` documents with a top-level `items:` sequence (what `kubectl get -o yaml` prints) and
/// multi-document streams separated by `---`, which is all kubectl produces; it is linear in the input size.
enum YAMLListScanner {
    /// Returns the facts of every item, or nil when the text is not a list this scanner understands.
    static func scan(_ text: String) -> [ItemFacts]? {
        var copy = text
        return copy.withUTF8 { scan(bytes: $0) }
    }

    private struct State {
        var stack: [(indent: Int, key: String)] = []
        var facts = ItemFacts()
        var replicas: Int?
        var readyReplicas = 0
        var started = false
        /// Lines indented deeper than this belong to a block scalar and are skipped.
        var blockIndent: Int?
        /// The status condition being read (an element of `status.conditions`).
        var condition: (type: String, status: String, reason: String, message: String)?

        /// Applies the condition being read, if any.
        mutating func flushCondition() {
            guard let current = condition else { return }
            facts.addCondition(type: current.type, status: current.status, reason: current.reason, message: current.message)
            condition = nil
        }

        mutating func finish(into items: inout [ItemFacts]) {
            flushCondition()
            guard started else { return }
            if let replicas, replicas > readyReplicas { facts.addReason("\(replicas - readyReplicas)/\(replicas) replicas not ready") }
            items.append(facts)
            self = State()
        }
    }

    static func scan(bytes: UnsafeBufferPointer<UInt8>) -> [ItemFacts]? {
        let count = bytes.count
        var items: [ItemFacts] = []
        var state = State()
        var mode = 0  // 0: before items / top level, 1: inside `items:`, 2: multi-document
        var sawItems = false
        var documents = 0
        var lineStart = 0
        while lineStart < count {
            var lineEnd = lineStart
            while lineEnd < count, bytes[lineEnd] != 0x0A { lineEnd += 1 }
            var end = lineEnd
            if end > lineStart, bytes[end - 1] == 0x0D { end -= 1 }
            defer { lineStart = lineEnd + 1 }
            var indent = 0
            while lineStart + indent < end, bytes[lineStart + indent] == 0x20 { indent += 1 }
            let contentStart = lineStart + indent
            if contentStart >= end { continue }  // blank line
            if bytes[contentStart] == 0x23 { continue }  // comment
            // Document separator.
            if indent == 0, end - contentStart >= 3, bytes[contentStart] == 0x2D, bytes[contentStart + 1] == 0x2D,
                bytes[contentStart + 2] == 0x2D, end - contentStart == 3 || bytes[contentStart + 3] == 0x20
            {
                state.finish(into: &items)
                mode = 2
                documents += 1
                continue
            }
            if let block = state.blockIndent {
                if indent > block { continue }
                state.blockIndent = nil
            }
            var keyIndent = indent
            var position = contentStart
            var isElement = false
            while position + 1 < end, bytes[position] == 0x2D, bytes[position + 1] == 0x20 {
                isElement = true
                position += 2
                keyIndent += 2
                while position < end, bytes[position] == 0x20 {
                    position += 1
                    keyIndent += 1
                }
            }
            if mode == 0 || (mode == 1 && indent == 0 && !isElement) {
                // Top level of a List document, or the first document of a stream.
                if mode == 1 {
                    state.finish(into: &items)
                    mode = 0
                }
                if indent == 0, !isElement, matches(bytes, position, end, "items:") {
                    state = State()
                    mode = 1
                    sawItems = true
                    continue
                }
                if sawItems { continue }
                state.started = true
            }
            if mode == 1, indent == 0, isElement {
                state.finish(into: &items)
                state.started = true
            }
            if mode == 2 { state.started = true }
            // Split "key: value".
            var colon = -1
            var scan = position
            let quoted = position < end && (bytes[position] == 0x22 || bytes[position] == 0x27)
            if quoted {
                let quote = bytes[position]
                scan += 1
                while scan < end, bytes[scan] != quote { scan += 1 }
            }
            while scan < end {
                if bytes[scan] == 0x3A, scan + 1 == end || bytes[scan + 1] == 0x20 {
                    colon = scan
                    break
                }
                scan += 1
            }
            guard colon > position else { continue }
            let key = string(bytes, position, colon)
            var valueStart = colon + 1
            while valueStart < end, bytes[valueStart] == 0x20 { valueStart += 1 }
            var valueEnd = end
            while valueEnd > valueStart, bytes[valueEnd - 1] == 0x20 { valueEnd -= 1 }
            if valueEnd - valueStart >= 2, bytes[valueStart] == 0x22 || bytes[valueStart] == 0x27,
                bytes[valueEnd - 1] == bytes[valueStart]
            {
                valueStart += 1
                valueEnd -= 1
            }
            let relative = mode == 1 ? keyIndent - 2 : keyIndent
            while let last = state.stack.last, last.indent >= relative { state.stack.removeLast() }
            // A condition ends at the next element of status.conditions or at any key outside it.
            let inConditions = state.stack.count == 2 && state.stack[0].key == "status" && state.stack[1].key == "conditions"
            if state.condition != nil, !inConditions || isElement { state.flushCondition() }
            if inConditions, isElement { state.condition = ("", "", "", "") }
            if valueStart < valueEnd, bytes[valueStart] == 0x7C || bytes[valueStart] == 0x3E {
                state.blockIndent = indent
                state.stack.append((relative, key))
                continue
            }
            if valueStart >= valueEnd {
                state.stack.append((relative, key))
                continue
            }
            record(&state, key: key, bytes: bytes, valueStart, valueEnd)
        }
        state.finish(into: &items)
        guard sawItems || documents > 0 else { return nil }
        return items
    }

    private static func record(_ state: inout State, key: String, bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) {
        let path = state.stack
        switch path.count {
        case 0:
            if key == "kind" { state.facts.kind = string(bytes, start, end) }
            return
        case 1:
            if path[0].key == "metadata" {
                if key == "name" { state.facts.name = string(bytes, start, end) }
                if key == "namespace" { state.facts.namespace = string(bytes, start, end) }
                return
            }
            if path[0].key == "status" {
                switch key {
                case "phase": state.facts.phase = string(bytes, start, end)
                case "reason": state.facts.addReason(string(bytes, start, end))
                case "replicas": state.replicas = Int(string(bytes, start, end))
                case "readyReplicas": state.readyReplicas = Int(string(bytes, start, end)) ?? 0
                default: break
                }
            }
            return
        default:
            break
        }
        let first = path[0].key
        if path.count == 2, first == "status", path[1].key == "conditions", state.condition != nil {
            switch key {
            case "type": state.condition?.type = string(bytes, start, end)
            case "status": state.condition?.status = string(bytes, start, end)
            case "reason": state.condition?.reason = string(bytes, start, end)
            case "message": state.condition?.message = string(bytes, start, end)
            default: break
            }
            return
        }
        if first == "spec", key == "image" {
            let parent = path[path.count - 1].key
            if parent == "containers" || parent == "initContainers" { state.facts.addImage(string(bytes, start, end)) }
            return
        }
        guard first == "status" else { return }
        let list = path[1].key
        guard list == "containerStatuses" || list == "initContainerStatuses" else { return }
        if path.count == 2 {
            if key == "restartCount" { state.facts.restarts += Int(string(bytes, start, end)) ?? 0 }
            if key == "ready", list == "containerStatuses" {
                state.facts.containers += 1
                if string(bytes, start, end) == "false" { state.facts.notReady += 1 }
            }
        } else if path.count == 4, key == "reason", path[2].key == "state", path[3].key != "running" {
            let reason = string(bytes, start, end)
            if reason == "Completed" { return }
            state.facts.addReason(reason)
        }
    }

    private static func string(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ literal: StaticString) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard end - start >= length else { return false }
        let pointer = literal.utf8Start
        for offset in 0..<length where bytes[start + offset] != pointer[offset] { return false }
        return end - start == length || bytes[start + length] == 0x20
    }
}
