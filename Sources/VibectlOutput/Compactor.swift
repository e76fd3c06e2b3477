import Foundation
import Yams

/// Fact-preserving compaction of command output to a character budget.
///
/// Lists keep counts, health and images; objects keep status and spec essentials; logs keep head, tail and
/// notable lines. The result is deterministic, never longer than the budget and never splits a UTF-8 sequence.
public enum Compactor {
    /// Detects what kind of output `text` is from its first lines (cheap; does not parse the whole text).
    public static func detect(_ text: String) -> OutputKind {
        let sample = text.utf8.count > 8192 ? String(decoding: text.utf8.prefix(8192), as: UTF8.self) : text
        // "\r\n" is one Character: split on both so CRLF text is split into lines too.
        let lines = sample.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
            .filter { !$0.allSatisfy(\.isWhitespace) }
        guard let first = lines.first else { return .text }
        let trimmed = first.drop { $0 == " " || $0 == "\t" }
        if trimmed.hasPrefix("{") || trimmed.hasPrefix("[") {
            // JSON lines (one object per line) are logs, not one document.
            if lines.count > 1, lines[1].hasPrefix("{"), trimmed.hasSuffix("}") { return .logs }
            if !trimmed.hasPrefix("[") || !looksLikeTimestamp(trimmed.dropFirst()) { return .json }
        }
        if TableCompactor.isHeader(first) {
            let names = Set(TableCompactor.columns(String(first)).map(\.name))
            if names.contains("REASON"), names.contains("LAST SEEN") || names.contains("MESSAGE") { return .events }
            return .table
        }
        let sampleLines = lines.prefix(20)
        let stamped = sampleLines.filter { looksLikeTimestamp($0) }.count
        if stamped * 2 >= sampleLines.count, stamped > 0 { return .logs }
        if first == "---" || first.hasPrefix("apiVersion:") || first.hasPrefix("kind:") || first.hasPrefix("items:") {
            return .yaml
        }
        let keyed = sampleLines.prefix(10).filter { isYAMLKeyLine($0) }.count
        if keyed >= 2, keyed * 10 >= min(10, sampleLines.count) * 6, sample.contains("apiVersion:") || sample.contains("kind:") {
            return .yaml
        }
        return .text
    }

    /// Compacts `text` to `options.budget` characters, keeping the facts that matter most first.
    public static func compact(_ text: String, options: CompactionOptions) -> CompactionResult {
        let budget = max(0, options.budget)
        let kind = detect(text)
        // Characters are counted up front only when the text could fit (a character is at most 4 UTF-8 bytes);
        // otherwise the log scan counts them on its way, or they are counted at the end.
        var originalChars: Int?
        if (text.utf8.count + 3) / 4 <= budget {
            let chars = scalarCount(text)
            if chars <= budget { return CompactionResult(text: text, kind: kind, originalChars: chars, dropped: []) }
            originalChars = chars
        }
        var dropped: [String] = []
        let intent = intentWords(options.intent)
        func logs(_ label: String) -> String {
            let result = LogCompactor.compactCounting(text, label: label, budget: budget, intent: intent, dropped: &dropped)
            originalChars = originalChars ?? result.characters
            return result.text
        }
        var output: String
        switch kind {
        case .json:
            output = compactJSON(text, budget: budget, intent: intent, dropped: &dropped) ?? logs("text")
        case .yaml:
            output = compactYAML(text, budget: budget, intent: intent, dropped: &dropped) ?? logs("text")
        case .table, .events:
            if let table = TableCompactor.parse(text) {
                output = kind == .events
                    ? TableCompactor.compactEvents(table, budget: budget, intent: intent, dropped: &dropped)
                    : TableCompactor.compact(table, budget: budget, intent: intent, dropped: &dropped)
            } else {
                output = logs("text")
            }
        case .logs:
            output = logs("logs")
        case .text:
            output = logs("text")
        }
        if output.unicodeScalars.count > budget {
            output = clip(output, budget)
            dropped.append("text beyond the budget")
        }
        return CompactionResult(text: output, kind: kind, originalChars: originalChars ?? scalarCount(text), dropped: dropped)
    }

    /// Counts Unicode scalars: UTF-8 bytes that are not continuation bytes, 16 bytes at a time (large inputs in
    /// parallel chunks, like the log scan).
    static func scalarCount(_ text: String) -> Int {
        var copy = text
        return copy.withUTF8 { buffer -> Int in
            let count = buffer.count
            let chunks = parallelChunks(count)
            guard chunks > 1 else { return count - continuationBytes(buffer, 0..<count) }
            var results = [Int](repeating: 0, count: chunks)
            results.withUnsafeMutableBufferPointer { out in
                let share = ChunkShare(bytes: buffer, out: out)
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    share.out[chunk] = continuationBytes(share.bytes, count * chunk / chunks..<count * (chunk + 1) / chunks)
                }
            }
            return count - results.reduce(0, +)
        }
    }

    /// The input and one result slot per chunk, shared with worker threads: each reads the input and writes its slot.
    struct ChunkShare<Result>: @unchecked Sendable {
        let bytes: UnsafeBufferPointer<UInt8>
        let out: UnsafeMutableBufferPointer<Result>
    }

    /// How many chunks to cut `count` bytes into for a parallel scan: 1 below 8 MiB, otherwise one per active
    /// processor but at most one per 4 MiB (and at most 16).
    static func parallelChunks(_ count: Int) -> Int {
        guard count >= 8 << 20 else { return 1 }
        return max(1, min(ProcessInfo.processInfo.activeProcessorCount, count / (4 << 20), 16))
    }

    /// UTF-8 continuation bytes (10xxxxxx) in `range`.
    static func continuationBytes(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int {
        typealias V = SIMD16<UInt8>
        guard let base = buffer.baseAddress else { return 0 }
        let raw = UnsafeRawPointer(base)
        var continuation = 0
        var position = range.lowerBound
        let end = range.upperBound
        while position + 16 <= end {
            // Lane counters are flushed every 255 blocks so they cannot overflow.
            var lanes = V(repeating: 0)
            var blocks = 0
            while blocks < 255, position + 16 <= end {
                let chunk = raw.loadUnaligned(fromByteOffset: position, as: V.self)
                lanes &-= unsafeBitCast((chunk & V(repeating: 0xC0)) .== V(repeating: 0x80), to: V.self)
                position += 16
                blocks += 1
            }
            for lane in 0..<16 { continuation += Int(lanes[lane]) }
        }
        while position < end {
            if buffer[position] & 0xC0 == 0x80 { continuation += 1 }
            position += 1
        }
        return continuation
    }

    static func compactJSON(_ text: String, budget: Int, intent: [String], dropped: inout [String]) -> String? {
        if let list = JSONListScanner.scan(text) {
            return ListSummary.render(
                list.items, title: list.title.isEmpty ? "List" : list.title, budget: budget, intent: intent, dropped: &dropped)
        }
        guard let value = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) else {
            return nil
        }
        return compactValue(value, budget: budget, intent: intent, dropped: &dropped)
    }

    static func compactValue(_ value: Any, budget: Int, intent: [String], dropped: inout [String]) -> String? {
        if let object = value as? [String: Any] {
            if let items = object["items"] as? [Any] {
                let facts = items.compactMap { ($0 as? [String: Any]).map(ObjectCompactor.facts) }
                let title = ObjectCompactor.string(object["kind"]).isEmpty ? "List" : ObjectCompactor.string(object["kind"])
                return ListSummary.render(facts, title: title, budget: budget, intent: intent, dropped: &dropped)
            }
            return ObjectCompactor.compact(object, budget: budget, intent: intent, dropped: &dropped)
        }
        if let array = value as? [Any] {
            let objects = array.compactMap { $0 as? [String: Any] }
            guard objects.count == array.count else { return nil }
            let facts = objects.map(ObjectCompactor.facts)
            return ListSummary.render(facts, title: "array", budget: budget, intent: intent, dropped: &dropped)
        }
        return nil
    }

    /// Inputs above this size are never handed to the generic YAML parser.
    static let yamlParserLimit = 1 << 20

    static func compactYAML(_ text: String, budget: Int, intent: [String], dropped: inout [String]) -> String? {
        if let items = YAMLListScanner.scan(text), items.count > 1 || text.utf8.count > yamlParserLimit {
            return ListSummary.render(items, title: "List", budget: budget, intent: intent, dropped: &dropped)
        }
        guard text.utf8.count <= yamlParserLimit,
            let documents = try? Array(Yams.load_all(yaml: text)), let first = documents.first
        else { return nil }
        if documents.count == 1 {
            return compactValue(normalizeYAML(first), budget: budget, intent: intent, dropped: &dropped)
        }
        let objects = documents.compactMap { normalizeYAML($0) as? [String: Any] }
        return ListSummary.render(
            objects.map(ObjectCompactor.facts), title: "documents", budget: budget, intent: intent, dropped: &dropped)
    }

    /// Converts Yams values (which may use AnyHashable keys) to `[String: Any]` / `[Any]` trees.
    static func normalizeYAML(_ value: Any) -> Any {
        if let object = value as? [String: Any] {
            return object.mapValues(normalizeYAML)
        }
        if let object = value as? [AnyHashable: Any] {
            var result: [String: Any] = [:]
            for (key, child) in object { result[String(describing: key.base)] = normalizeYAML(child) }
            return result
        }
        if let array = value as? [Any] { return array.map(normalizeYAML) }
        return value
    }

    static func isYAMLKeyLine(_ line: Substring) -> Bool {
        guard let colon = line.firstIndex(of: ":"), colon > line.startIndex else { return false }
        let key = line[..<colon]
        let ok = key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." || $0 == " " || $0 == "/" || $0 == "\"" }
        let after = line.index(after: colon)
        return ok && (after == line.endIndex || line[after] == " ") && !(key.first?.isWhitespace ?? true) || (ok && key.hasPrefix(" "))
    }

    /// Whether a line starts with a timestamp (ISO 8601, klog, syslog or time-of-day).
    static func looksLikeTimestamp(_ line: Substring) -> Bool {
        var bytes = Array(line.utf8.prefix(32))
        if bytes.first == 0x5B { bytes.removeFirst() }
        func digit(_ index: Int) -> Bool { index < bytes.count && bytes[index] >= 0x30 && bytes[index] <= 0x39 }
        func at(_ index: Int, _ byte: UInt8) -> Bool { index < bytes.count && bytes[index] == byte }
        // 2024-01-02T15:04:05 or 2024-01-02 15:04:05 or 2024/01/02 15:04:05
        if digit(0), digit(1), digit(2), digit(3), at(4, 0x2D) || at(4, 0x2F), digit(5), digit(6), digit(8), digit(9),
            at(10, 0x54) || at(10, 0x20), digit(11), digit(12), at(13, 0x3A)
        {
            return true
        }
        // klog: I0102 15:04:05
        if let first = bytes.first, [0x49, 0x57, 0x45, 0x46].contains(first), digit(1), digit(2), digit(3), digit(4), at(5, 0x20),
            digit(6), digit(7), at(8, 0x3A)
        {
            return true
        }
        // 15:04:05
        if digit(0), digit(1), at(2, 0x3A), digit(3), digit(4), at(5, 0x3A) { return true }
        // syslog: Jan  2 15:04:05
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        if bytes.count > 15, months.contains(String(decoding: bytes.prefix(3), as: UTF8.self)), at(3, 0x20) {
            return bytes[6...].starts(with: [0x20]) ? digit(7) : digit(6) || digit(5)
        }
        return false
    }
}
