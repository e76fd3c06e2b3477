import Foundation

/// Compacts logs and plain text: head and tail plus de-duplicated error, warning, panic and stack-trace lines.
enum LogCompactor {
    /// Severity of a line; higher is kept first.
    enum Severity: Int, Comparable {
        case none = 0, trace, warning, error, fatal
        static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    struct Important {
        var first: Int
        var start: Int
        var end: Int
        var count: Int
        var severity: Severity
        var intent: Bool
    }

    /// The longest line kept in full; longer lines are cut with "…".
    static let maxLine = 400

    static func compact(_ text: String, label: String, budget: Int, intent: [String], dropped: inout [String]) -> String {
        var copy = text
        return copy.withUTF8 { compact(bytes: $0, label: label, budget: budget, intent: intent, dropped: &dropped) }
    }

    static func compact(
        bytes: UnsafeBufferPointer<UInt8>, label: String, budget: Int, intent: [String], dropped: inout [String]
    ) -> String {
        // Line ranges.
        var starts: [Int] = []
        var ends: [Int] = []
        var position = 0
        let count = bytes.count
        starts.reserveCapacity(count / 64)
        ends.reserveCapacity(count / 64)
        let base = bytes.baseAddress
        while position < count, let base {
            let found = memchr(base + position, 0x0A, count - position)
            let end = found.map { UnsafePointer<UInt8>($0.assumingMemoryBound(to: UInt8.self)) - base } ?? count
            var trimmed = end
            if trimmed > position, bytes[trimmed - 1] == 0x0D { trimmed -= 1 }
            starts.append(position)
            ends.append(trimmed)
            position = end + 1
        }
        let lineCount = starts.count
        let intentBytes = intent.map { Array($0.utf8) }

        // Classify and de-duplicate.
        var important: [Important] = []
        var index: [String: Int] = [:]
        var errors = 0
        var warnings = 0
        var levels: [String: Int] = [:]
        var previousImportant = false
        for line in 0..<lineCount {
            let start = starts[line]
            let end = ends[line]
            var severity = classify(bytes, start, end)
            if severity == .none, previousImportant, isStackFrame(bytes, start, end) { severity = .trace }
            let hitsIntent = !intentBytes.isEmpty && intentBytes.contains { containsCI(bytes, start, end, $0) }
            if severity >= .error { errors += 1 } else if severity == .warning { warnings += 1 }
            if severity != .none, let level = levelToken(bytes, start, end) { levels[level, default: 0] += 1 }
            previousImportant = severity != .none
            guard severity != .none || hitsIntent else { continue }
            let key = normalized(bytes, start, end)
            if let existing = index[key] {
                important[existing].count += 1
            } else {
                index[key] = important.count
                important.append(Important(first: line, start: start, end: end, count: 1, severity: severity, intent: hitsIntent))
            }
        }

        var writer = BudgetWriter(budget: budget)
        let header = "[\(label): \(lineCount) lines, \(errors) error lines, \(warnings) warning lines, \(important.count) distinct notable lines]"
        writer.appendClipped(header)
        if !levels.isEmpty { writer.appendClipped("[levels: " + formatCounts(levels) + "]") }
        guard writer.remaining > 0 else { return writer.text }

        func lineText(_ start: Int, _ end: Int) -> String {
            clip(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self), maxLine)
        }
        func cost(_ text: String) -> Int { text.unicodeScalars.count + 1 }

        // Choose notable lines: intent first, then severity, then order of appearance.
        let ranked = important.indices.sorted { lhs, rhs in
            let a = important[lhs]
            let b = important[rhs]
            if a.intent != b.intent { return a.intent }
            if a.severity != b.severity { return a.severity > b.severity }
            return a.first < b.first
        }
        let markerReserve = 120
        let available = max(0, writer.remaining - markerReserve)
        let importantBudget = important.isEmpty ? 0 : available * 55 / 100
        var chosen: [(Int, String)] = []
        var usedImportant = 0
        for position in ranked {
            let item = important[position]
            let prefix = item.count > 1 ? "[x\(item.count)] " : ""
            let text = prefix + lineText(item.start, item.end)
            if usedImportant + cost(text) > importantBudget { continue }
            usedImportant += cost(text)
            chosen.append((item.first, text))
        }
        chosen.sort { $0.0 < $1.0 }
        if chosen.count < important.count { dropped.append("\(important.count - chosen.count) distinct notable lines") }

        // Head and tail share what is left (40 % / 60 %).
        let rest = max(0, available - usedImportant)
        let headBudget = rest * 40 / 100
        var head: [String] = []
        var headUsed = 0
        var headEnd = 0
        while headEnd < lineCount {
            let text = lineText(starts[headEnd], ends[headEnd])
            if headUsed + cost(text) > headBudget { break }
            head.append(text)
            headUsed += cost(text)
            headEnd += 1
        }
        let tailBudget = rest - headUsed
        var tail: [String] = []
        var tailUsed = 0
        var tailStart = lineCount
        while tailStart > headEnd {
            let text = lineText(starts[tailStart - 1], ends[tailStart - 1])
            if tailUsed + cost(text) > tailBudget { break }
            tail.append(text)
            tailUsed += cost(text)
            tailStart -= 1
        }
        tail.reverse()

        for line in head { writer.append(line) }
        let skipped = tailStart - headEnd
        if skipped > 0 {
            writer.appendClipped("… \(skipped) lines skipped (lines \(headEnd + 1)–\(tailStart)); notable lines among them follow …")
            dropped.append("\(skipped) lines between head and tail")
            for (first, text) in chosen where first >= headEnd && first < tailStart { writer.append(text) }
            if !tail.isEmpty { writer.appendClipped("… last \(tail.count) lines:") }
        }
        for line in tail { writer.append(line) }
        return writer.text
    }

    /// Severity from keywords, case-insensitive, in one pass.
    static func classify(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Severity {
        var best = Severity.none
        // klog-style prefixes: E0102, W0102, F0102.
        if end - start > 5, bytes[start + 1] >= 0x30, bytes[start + 1] <= 0x39, bytes[start + 4] >= 0x30, bytes[start + 4] <= 0x39 {
            switch bytes[start] {
            case 0x45: best = .error
            case 0x57: best = .warning
            case 0x46: best = .fatal
            default: break
            }
        }
        var position = start
        while position < end {
            let byte = bytes[position] | 0x20
            // Cheap two-byte filter before the full keyword comparison.
            let next = position + 1 < end ? bytes[position + 1] | 0x20 : 0
            switch (byte, next) {
            case (0x65, 0x72), (0x65, 0x78), (0x66, 0x61), (0x70, 0x61), (0x74, 0x72), (0x63, 0x72), (0x77, 0x61): break
            default:
                position += 1
                continue
            }
            switch byte {
            case 0x65:  // e
                if matchCI(bytes, position, end, "error") || matchCI(bytes, position, end, "exception") {
                    best = max(best, .error)
                }
            case 0x66:  // f
                if matchCI(bytes, position, end, "fatal") { best = max(best, .fatal) }
                else if matchCI(bytes, position, end, "fail") { best = max(best, .error) }
            case 0x70:  // p
                if matchCI(bytes, position, end, "panic") { best = max(best, .fatal) }
            case 0x74:  // t
                if matchCI(bytes, position, end, "traceback") { best = max(best, .error) }
            case 0x63:  // c
                if matchCI(bytes, position, end, "critical") { best = max(best, .fatal) }
            case 0x77:  // w
                if matchCI(bytes, position, end, "warn") { best = max(best, .warning) }
            default:
                break
            }
            if best == .fatal { break }
            position += 1
        }
        return best
    }

    static let levelNames: Set<String> = [
        "ERROR", "ERR", "WARN", "WARNING", "FATAL", "PANIC", "CRITICAL", "CRIT", "SEVERE", "EMERG", "ALERT",
    ]

    /// The severity level word (ERROR, WARN, …) among the first tokens of a line, if any.
    static func levelToken(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String? {
        var position = start
        let limit = min(end, start + 64)
        while position < limit {
            while position < limit, !(bytes[position] >= 0x41 && bytes[position] <= 0x5A) { position += 1 }
            let wordStart = position
            while position < limit, bytes[position] >= 0x41 && bytes[position] <= 0x5A { position += 1 }
            let length = position - wordStart
            if length >= 3, length <= 8 {
                let word = String(decoding: UnsafeBufferPointer(rebasing: bytes[wordStart..<position]), as: UTF8.self)
                if levelNames.contains(word) { return word }
            }
            while position < limit, bytes[position] != 0x20 { position += 1 }
        }
        return nil
    }

    /// Stack-trace continuation lines: indented "at …", "File …", "goroutine …", "Caused by".
    static func isStackFrame(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var position = start
        while position < end, bytes[position] == 0x20 || bytes[position] == 0x09 { position += 1 }
        if position > start, matchCI(bytes, position, end, "at ") || matchCI(bytes, position, end, "file ") { return true }
        return matchCI(bytes, position, end, "goroutine ") || matchCI(bytes, position, end, "caused by")
            || (position > start && position < end && bytes[position] == 0x2F)
    }

    static func matchCI(_ bytes: UnsafeBufferPointer<UInt8>, _ position: Int, _ end: Int, _ literal: StaticString) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard end - position >= length else { return false }
        let pointer = literal.utf8Start
        for offset in 0..<length where bytes[position + offset] | 0x20 != pointer[offset] | 0x20 { return false }
        return true
    }

    static func containsCI(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, end - start >= needle.count else { return false }
        var position = start
        let last = end - needle.count
        while position <= last {
            if bytes[position] | 0x20 == first | 0x20 {
                var offset = 1
                while offset < needle.count, bytes[position + offset] | 0x20 == needle[offset] | 0x20 { offset += 1 }
                if offset == needle.count { return true }
            }
            position += 1
        }
        return false
    }

    /// The line without its leading timestamp, with digits folded, used to de-duplicate repeats.
    static func normalized(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        var position = start
        while position < end {
            let byte = bytes[position]
            let isStampByte = (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || byte == 0x3A || byte == 0x2E || byte == 0x54
                || byte == 0x5A || byte == 0x2B || byte == 0x20 || byte == 0x5B || byte == 0x5D || byte == 0x2C
            if !isStampByte { break }
            position += 1
        }
        var key: [UInt8] = []
        key.reserveCapacity(min(end - position, 200))
        // Alphanumeric runs that contain a digit (ids, hashes, counts) fold to "#".
        while position < end, key.count < 200 {
            let byte = bytes[position]
            let lower = byte | 0x20
            let isAlnum = (byte >= 0x30 && byte <= 0x39) || (lower >= 0x61 && lower <= 0x7A)
            guard isAlnum else {
                key.append(byte)
                position += 1
                continue
            }
            let runStart = position
            var hasDigit = false
            while position < end {
                let next = bytes[position]
                let nextLower = next | 0x20
                if next >= 0x30 && next <= 0x39 {
                    hasDigit = true
                } else if !(nextLower >= 0x61 && nextLower <= 0x7A) {
                    break
                }
                position += 1
            }
            if hasDigit {
                key.append(0x23)
            } else {
                key.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<position]))
            }
        }
        return String(decoding: key, as: UTF8.self)
    }
}
