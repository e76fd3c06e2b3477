import Foundation

/// Compacts logs and plain text: head and tail plus de-duplicated error, warning, panic and stack-trace lines.
///
/// One vectorised pass over the UTF-8 bytes finds the severity keywords and klog prefixes and counts the lines;
/// only the lines with a hit (and the stack-trace lines after them) are looked at again.
enum LogCompactor {
    /// Severity of a line; higher is kept first.
    enum Severity: Int, Comparable {
        case none = 0, trace, warning, error, fatal
        static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    struct Important {
        /// Byte offset of the line's start (orders the lines).
        var first: Int
        var start: Int
        var end: Int
        /// Lines shown together with this one (a Go panic's goroutine header and top frame), as byte ranges.
        var extra: [Range<Int>]
        var count: Int
        var severity: Severity
        var intent: Bool
    }

    /// A keyword, klog prefix or intent word found in the text.
    struct Hit {
        var position: Int
        var severity: Severity
        var intent: Bool
    }

    /// The longest line kept in full; longer lines are cut with "…".
    static let maxLine = 400

    /// The compacted text and the input's length in characters (counted by the same scan).
    static func compactCounting(
        _ text: String, label: String, budget: Int, intent: [String], dropped: inout [String]
    ) -> (text: String, characters: Int) {
        var copy = text
        return copy.withUTF8 { compact(bytes: $0, label: label, budget: budget, intent: intent, dropped: &dropped) }
    }

    static func compact(
        bytes: UnsafeBufferPointer<UInt8>, label: String, budget: Int, intent: [String], dropped: inout [String]
    ) -> (text: String, characters: Int) {
        let count = bytes.count
        var (hits, newlines, continuation) = scanKeywords(bytes)
        let characters = count - continuation
        let lineCount = newlines + (count > 0 && bytes[count - 1] != 0x0A ? 1 : 0)
        if !intent.isEmpty {
            for word in intent {
                for position in findAll(bytes, Array(word.utf8)) { hits.append(Hit(position: position, severity: .none, intent: true)) }
            }
            hits.sort { $0.position < $1.position }
        }

        /// The position of the line break that ends the line containing `position` (or the end of the text).
        func lineEnd(_ position: Int) -> Int {
            guard position < count, let base = bytes.baseAddress else { return count }
            guard let found = memchr(base + position, 0x0A, count - position) else { return count }
            return UnsafePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self)) - base
        }
        func trimmed(_ start: Int, _ end: Int) -> Int { end > start && bytes[end - 1] == 0x0D ? end - 1 : end }

        // Classify and de-duplicate the lines with hits and the stack-trace lines that follow them.
        var important: [Important] = []
        var index: [String: Int] = [:]
        var errors = 0
        var warnings = 0
        var levels: [String: Int] = [:]
        func record(_ start: Int, _ end: Int, _ severity: Severity, intent: Bool, extra: [Range<Int>] = []) {
            if severity >= .error { errors += 1 } else if severity == .warning { warnings += 1 }
            if severity != .none, let level = levelToken(bytes, start, end) { levels[level, default: 0] += 1 }
            let key = normalized(bytes, start, end)
            if let existing = index[key] {
                important[existing].count += 1
            } else {
                index[key] = important.count
                important.append(
                    Important(first: start, start: start, end: end, extra: extra, count: 1, severity: severity, intent: intent))
            }
        }
        var lastImportantEnd = -2  // the line break after the last line with a severity
        var next = 0
        while next < hits.count {
            let position = hits[next].position
            var start = position
            while start > 0, bytes[start - 1] != 0x0A { start -= 1 }
            let rawEnd = lineEnd(position)
            let end = trimmed(start, rawEnd)
            var severity = Severity.none
            var hitsIntent = false
            while next < hits.count, hits[next].position <= rawEnd {
                severity = max(severity, hits[next].severity)
                hitsIntent = hitsIntent || hits[next].intent
                next += 1
            }
            if severity == .none, lastImportantEnd == start - 1, isStackFrame(bytes, start, end) { severity = .trace }
            var blockEnd = rawEnd
            var extra: [Range<Int>] = []
            if severity == .fatal, let block = goroutineBlock(bytes, after: rawEnd) {
                extra = block.lines
                blockEnd = block.end
                while next < hits.count, hits[next].position <= blockEnd { next += 1 }
            }
            record(start, end, severity, intent: hitsIntent, extra: extra)
            guard severity != .none else { continue }
            // Stack-trace lines without hits that follow.
            lastImportantEnd = blockEnd
            var lineStart = blockEnd + 1
            while lineStart < count {
                let nextEnd = lineEnd(lineStart)
                if next < hits.count, hits[next].position <= nextEnd { break }
                let end = trimmed(lineStart, nextEnd)
                guard isStackFrame(bytes, lineStart, end) else { break }
                record(lineStart, end, .trace, intent: false)
                lastImportantEnd = nextEnd
                lineStart = nextEnd + 1
            }
        }

        var writer = BudgetWriter(budget: budget)
        let header = "[\(label): \(lineCount) lines, \(errors) error lines, \(warnings) warning lines, \(important.count) distinct notable lines]"
        writer.appendClipped(header)
        if !levels.isEmpty { writer.appendClipped("[levels: " + formatCounts(levels) + "]") }
        guard writer.remaining > 0 else { return (writer.text, characters) }

        func lineText(_ start: Int, _ end: Int) -> String {
            // At most maxLine + 1 characters are needed: never decode more than their largest UTF-8 size (a sequence
            // cut there lies after them, so clip never reaches it).
            let stop = min(end, start + (maxLine + 1) * 4)
            return clip(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<stop]), as: UTF8.self), maxLine)
        }
        func cost(_ lines: [String]) -> Int { lines.reduce(0) { $0 + $1.unicodeScalars.count + 1 } }

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
        // Fatal lines (a panic with its goroutine header and top frame) may take up to 80 %.
        let fatalBudget = available * 80 / 100
        var chosen: [(first: Int, lines: [String])] = []
        var usedImportant = 0
        for position in ranked {
            let item = important[position]
            let prefix = item.count > 1 ? "[x\(item.count)] " : ""
            let lines = [prefix + lineText(item.start, item.end)] + item.extra.map { lineText($0.lowerBound, $0.upperBound) }
            let needed = cost(lines)
            if usedImportant + needed > (item.severity == .fatal ? fatalBudget : importantBudget) { continue }
            usedImportant += needed
            chosen.append((item.first, lines))
        }
        chosen.sort { $0.first < $1.first }
        if chosen.count < important.count { dropped.append("\(important.count - chosen.count) distinct notable lines") }

        // Head and tail share what is left (40 % / 60 %).
        let rest = max(0, available - usedImportant)
        let headBudget = rest * 40 / 100
        var head: [String] = []
        var headUsed = 0
        var headEnd = 0  // byte offset of the first line after the head
        while headEnd < count {
            let rawEnd = lineEnd(headEnd)
            let text = lineText(headEnd, trimmed(headEnd, rawEnd))
            let needed = text.unicodeScalars.count + 1
            if headUsed + needed > headBudget { break }
            head.append(text)
            headUsed += needed
            headEnd = rawEnd + 1
        }
        let tailBudget = rest - headUsed
        var tail: [String] = []
        var tailUsed = 0
        var tailFirst = count  // byte offset of the first tail line
        var cursor = count  // the end of the line to look at next
        if cursor > 0, bytes[cursor - 1] == 0x0A { cursor -= 1 }  // the final line break ends the last line
        while cursor >= headEnd, headEnd < count {
            var start = cursor
            while start > headEnd, bytes[start - 1] != 0x0A { start -= 1 }
            let text = lineText(start, trimmed(start, cursor))
            let needed = text.unicodeScalars.count + 1
            if tailUsed + needed > tailBudget { break }
            tail.append(text)
            tailUsed += needed
            tailFirst = start
            if start == headEnd { break }
            cursor = start - 1
        }
        tail.reverse()

        for line in head { writer.append(line) }
        let skipped = lineCount - head.count - tail.count
        if skipped > 0 {
            writer.appendClipped(
                "… \(skipped) lines skipped (lines \(head.count + 1)–\(lineCount - tail.count)); notable lines among them follow …")
            dropped.append("\(skipped) lines between head and tail")
            for (first, lines) in chosen where first >= headEnd && first < tailFirst {
                for line in lines { writer.append(line) }
            }
            if !tail.isEmpty { writer.appendClipped("… last \(tail.count) lines:") }
        }
        for line in tail { writer.append(line) }
        return (writer.text, characters)
    }

    // MARK: - Scanning

    /// Finds every severity keyword (ASCII case-insensitive) and klog `E`/`W`/`F` line prefix, in order, and counts
    /// the line breaks. Large inputs are cut into chunks scanned on separate threads; the hits are concatenated in
    /// order, so the result is the same as one pass.
    static func scanKeywords(_ bytes: UnsafeBufferPointer<UInt8>) -> (hits: [Hit], newlines: Int, continuation: Int) {
        let count = bytes.count
        let chunks = Compactor.parallelChunks(count)
        guard chunks > 1 else { return scanRange(bytes, 0..<count) }
        var results = [(hits: [Hit], newlines: Int, continuation: Int)](repeating: ([], 0, 0), count: chunks)
        results.withUnsafeMutableBufferPointer { out in
            let share = Compactor.ChunkShare(bytes: bytes, out: out)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                share.out[chunk] = scanRange(share.bytes, count * chunk / chunks..<count * (chunk + 1) / chunks)
            }
        }
        var hits: [Hit] = []
        hits.reserveCapacity(results.reduce(0) { $0 + $1.hits.count })
        var newlines = 0
        var continuation = 0
        for result in results {
            hits += result.hits
            newlines += result.newlines
            continuation += result.continuation
        }
        return (hits, newlines, continuation)
    }

    /// Scans the positions in `range` (reading past its end where a keyword continues): 16 bytes at a time, a keyword
    /// candidate is a position whose 1st, 2nd and 4th letters match one of error, exception, fail, fatal, panic,
    /// traceback, critical, warn; candidates are then confirmed. A line break in the range checks the klog prefix of
    /// the line after it; the text's first line is checked by the range that starts at 0.
    static func scanRange(
        _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>
    ) -> (hits: [Hit], newlines: Int, continuation: Int) {
        typealias V = SIMD16<UInt8>
        let count = bytes.count
        guard let base = bytes.baseAddress, !range.isEmpty else { return ([], 0, 0) }
        var hits: [Hit] = []
        var newlines = 0
        var continuation = 0
        func klog(_ start: Int) {
            let severity = klogSeverity(bytes, start)
            if severity != .none { hits.append(Hit(position: start, severity: severity, intent: false)) }
        }
        func keyword(_ position: Int) {
            let severity = keywordSeverity(bytes, position)
            if severity != .none { hits.append(Hit(position: position, severity: severity, intent: false)) }
        }
        if range.lowerBound == 0 { klog(0) }
        let end = range.upperBound
        let raw = UnsafeRawPointer(base)
        let lower = V(repeating: 0x20)
        var position = range.lowerBound
        var lineBreaks = V(repeating: 0)
        var continuations = V(repeating: 0)
        var blocks = 0
        while position + 16 <= end, position + 19 <= count {
            let r0 = raw.loadUnaligned(fromByteOffset: position, as: V.self)
            let r1 = raw.loadUnaligned(fromByteOffset: position + 1, as: V.self)
            let a = r0 | lower
            let b = r1 | lower
            let d = raw.loadUnaligned(fromByteOffset: position + 3, as: V.self) | lower
            let bR = b .== V(repeating: 0x72)  // r
            let bA = b .== V(repeating: 0x61)  // a
            // er_o (error), ex_e (exception)
            var candidates = (a .== V(repeating: 0x65))
                .& ((bR .& (d .== V(repeating: 0x6F))) .| ((b .== V(repeating: 0x78)) .& (d .== V(repeating: 0x65))))
            // fa_l (fail), fa_a (fatal)
            candidates = candidates .| ((a .== V(repeating: 0x66)) .& bA .& ((d .== V(repeating: 0x6C)) .| (d .== V(repeating: 0x61))))
            // pa_i (panic), tr_c (traceback), cr_t (critical), wa_n (warn)
            candidates = candidates .| ((a .== V(repeating: 0x70)) .& bA .& (d .== V(repeating: 0x69)))
            candidates = candidates .| ((a .== V(repeating: 0x74)) .& bR .& (d .== V(repeating: 0x63)))
            candidates = candidates .| ((a .== V(repeating: 0x63)) .& bR .& (d .== V(repeating: 0x74)))
            candidates = candidates .| ((a .== V(repeating: 0x77)) .& bA .& (d .== V(repeating: 0x6E)))
            let lineBreak = r0 .== V(repeating: 0x0A)
            // A line break followed by E, W or F: a klog prefix candidate.
            let klogStart = lineBreak .& ((r1 .== V(repeating: 0x45)) .| (r1 .== V(repeating: 0x57)) .| (r1 .== V(repeating: 0x46)))
            // Counters per lane (a true lane is 0xFF: subtracting it adds one), flushed before they can overflow.
            lineBreaks &-= unsafeBitCast(lineBreak, to: V.self)
            continuations &-= unsafeBitCast((r0 & V(repeating: 0xC0)) .== V(repeating: 0x80), to: V.self)
            blocks += 1
            if blocks == 255 {
                for lane in 0..<16 {
                    newlines += Int(lineBreaks[lane])
                    continuation += Int(continuations[lane])
                }
                lineBreaks = V(repeating: 0)
                continuations = V(repeating: 0)
                blocks = 0
            }
            if anyLane(candidates .| klogStart) {
                for lane in 0..<16 {
                    if candidates[lane] { keyword(position + lane) }
                    if klogStart[lane] { klog(position + lane + 1) }
                }
            }
            position += 16
        }
        for lane in 0..<16 {
            newlines += Int(lineBreaks[lane])
            continuation += Int(continuations[lane])
        }
        while position < end {
            let byte = bytes[position]
            if byte == 0x0A {
                newlines += 1
                if position + 1 < count { klog(position + 1) }
            } else if byte & 0xC0 == 0x80 {
                continuation += 1
            } else {
                keyword(position)
            }
            position += 1
        }
        return (hits, newlines, continuation)
    }

    /// Whether any lane of a mask is set (two 64-bit words; the generic `any` is not inlined).
    @inline(__always)
    static func anyLane(_ mask: SIMDMask<SIMD16<Int8>>) -> Bool {
        let words = unsafeBitCast(mask, to: SIMD2<UInt64>.self)
        return words[0] | words[1] != 0
    }

    /// The severity of the keyword starting at `position`, if one does.
    @inline(__always)
    static func keywordSeverity(_ bytes: UnsafeBufferPointer<UInt8>, _ position: Int) -> Severity {
        let end = bytes.count
        switch bytes[position] | 0x20 {
        case 0x65:  // e
            if matchCI(bytes, position, end, "error") || matchCI(bytes, position, end, "exception") { return .error }
        case 0x66:  // f
            if matchCI(bytes, position, end, "fatal") { return .fatal }
            if matchCI(bytes, position, end, "fail") { return .error }
        case 0x70:  // p
            if matchCI(bytes, position, end, "panic") { return .fatal }
        case 0x74:  // t
            if matchCI(bytes, position, end, "traceback") { return .error }
        case 0x63:  // c
            if matchCI(bytes, position, end, "critical") { return .fatal }
        case 0x77:  // w
            if matchCI(bytes, position, end, "warn") { return .warning }
        default:
            break
        }
        return .none
    }

    /// klog-style line prefixes: E0102 (error), W0102 (warning), F0102 (fatal), in a line longer than 5 bytes.
    static func klogSeverity(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int) -> Severity {
        guard start + 5 < bytes.count else { return .none }
        for offset in 1...5 where bytes[start + offset] == 0x0A { return .none }
        if bytes[start + 5] == 0x0D, start + 6 < bytes.count, bytes[start + 6] == 0x0A { return .none }
        func digit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        guard digit(bytes[start + 1]), digit(bytes[start + 4]) else { return .none }
        switch bytes[start] {
        case 0x45: return .error
        case 0x57: return .warning
        case 0x46: return .fatal
        default: return .none
        }
    }

    /// Every position where `needle` occurs (ASCII case-insensitive), in order.
    static func findAll(_ bytes: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> [Int] {
        typealias V = SIMD16<UInt8>
        let count = bytes.count
        let length = needle.count
        guard length > 0, count >= length, let base = bytes.baseAddress else { return [] }
        var found: [Int] = []
        func matches(_ position: Int) -> Bool {
            for offset in 0..<length where bytes[position + offset] | 0x20 != needle[offset] | 0x20 { return false }
            return true
        }
        let raw = UnsafeRawPointer(base)
        let first = V(repeating: needle[0] | 0x20)
        let last = V(repeating: needle[length - 1] | 0x20)
        let lower = V(repeating: 0x20)
        var position = 0
        while position + length - 1 + 16 <= count {
            let a = raw.loadUnaligned(fromByteOffset: position, as: V.self) | lower
            let z = raw.loadUnaligned(fromByteOffset: position + length - 1, as: V.self) | lower
            let candidates = (a .== first) .& (z .== last)
            if anyLane(candidates) {
                for lane in 0..<16 where candidates[lane] && matches(position + lane) { found.append(position + lane) }
            }
            position += 16
        }
        while position + length <= count {
            if matches(position) { found.append(position) }
            position += 1
        }
        return found
    }

    /// A Go panic's goroutine header and top frame after the panic line whose line break is at `end`: the non-blank
    /// lines up to `goroutine N [running]:` (at most three before it) and the two lines of the first frame (function,
    /// then file:line). Returns nil when no goroutine header follows within a few lines.
    static func goroutineBlock(_ bytes: UnsafeBufferPointer<UInt8>, after end: Int) -> (lines: [Range<Int>], end: Int)? {
        let count = bytes.count
        var lines: [Range<Int>] = []
        var position = end + 1
        var lastBreak = end
        var seenGoroutine = false
        var frameLines = 0
        var looked = 0
        while position < count, looked < 8, frameLines < 2 {
            var stop = position
            while stop < count, bytes[stop] != 0x0A { stop += 1 }
            var trimmedEnd = stop
            while trimmedEnd > position, bytes[trimmedEnd - 1] == 0x0D || bytes[trimmedEnd - 1] == 0x20 { trimmedEnd -= 1 }
            looked += 1
            if trimmedEnd > position {
                if seenGoroutine {
                    lines.append(position..<trimmedEnd)
                    frameLines += 1
                } else if matchCI(bytes, position, trimmedEnd, "goroutine "), bytes[trimmedEnd - 1] == 0x3A {
                    lines.append(position..<trimmedEnd)
                    seenGoroutine = true
                } else if lines.count < 3 {
                    lines.append(position..<trimmedEnd)
                } else {
                    return nil
                }
            } else if seenGoroutine {
                break
            }
            lastBreak = stop
            position = stop + 1
        }
        guard seenGoroutine else { return nil }
        return (lines, lastBreak)
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
