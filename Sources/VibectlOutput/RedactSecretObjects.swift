/// Finds the values under `data` and `stringData` of Kubernetes `Secret` objects, whatever their key names.
///
/// Handles kubectl's YAML and pretty JSON (one key per line; `data` usually comes before
/// `kind: Secret`, so each Secret's whole object is located first) and compact one-line JSON
/// such as a `last-applied-configuration` annotation, escaped or not. Runs only when the text
/// contains `Secret`; each object is walked once.
enum RedactSecretObjects {
    /// The UTF-8 bytes being scanned.
    typealias Bytes = UnsafeBufferPointer<UInt8>

    /// The kind reported for Secret data values.
    static let kind = "secret-data"

    /// One line, parsed just enough to see its key.
    struct Line {
        /// Offset of the first byte.
        var start: Int
        /// Offset of the newline (or the end of the text).
        var end: Int
        /// Column of the key (after indentation and `- `), or of the first non-space byte.
        var column: Int
        /// Whether the key follows a `- ` list marker.
        var dash: Bool
        /// The offsets of the key without quotes, when the line is `key: …` (`keyEnd == keyStart` otherwise).
        var keyStart: Int
        /// The offset just past the key.
        var keyEnd: Int
        /// Offset of the value after `:` and spaces (may equal `end`).
        var valueStart: Int
        /// Whether the line is empty or spaces only.
        var blank: Bool
    }

    /// Returns the spans of Secret data values in `bytes`.
    static func scan(_ bytes: Bytes) -> [RedactSpan] {
        guard find(bytes, "Secret", from: 0, to: bytes.count) != nil else { return [] }
        let lines = parseLines(bytes)
        var spans: [RedactSpan] = []
        var handledLines = [Bool](repeating: false, count: lines.count)
        for (number, line) in lines.enumerated() where hasKey(bytes, line, "kind") {
            guard scalarValue(bytes, from: line.valueStart, to: line.end) == "Secret" else { continue }
            handledLines[number] = true
            let column = line.column
            var first = number
            var cursor = number - 1
            while cursor >= 0 {
                let other = lines[cursor]
                if other.blank { cursor -= 1; continue }
                if isDocumentMarker(bytes, other) || other.column < column { break }
                first = cursor
                if other.column == column && other.dash { break }
                cursor -= 1
            }
            var last = number
            cursor = number + 1
            while cursor < lines.count {
                let other = lines[cursor]
                if other.blank { cursor += 1; continue }
                if isDocumentMarker(bytes, other) || other.column < column || (other.column == column && other.dash) {
                    break
                }
                last = cursor
                cursor += 1
            }
            var index = first
            while index <= last {
                let entry = lines[index]
                index += 1
                guard entry.column == column, hasKey(bytes, entry, "data") || hasKey(bytes, entry, "stringData") else {
                    continue
                }
                let inline = trimmed(bytes, from: entry.valueStart, to: entry.end)
                if inline.end > inline.start, bytes[inline.start] != UInt8(ascii: "{") {
                    continue
                }
                if inline.end > inline.start, let closing = bytes[inline.start..<inline.end].lastIndex(of: UInt8(ascii: "}")),
                    closing > inline.start + 1
                {
                    spans.append(contentsOf: compactObjectValues(bytes, open: inline.start, limit: inline.end))
                    continue
                }
                var blockColumn = Int.max
                while index <= last {
                    let item = lines[index]
                    if item.blank { index += 1; continue }
                    guard item.column > column else { break }
                    index += 1
                    if item.column > blockColumn || item.keyEnd == item.keyStart {
                        let body = trimmed(bytes, from: item.start + item.column, to: item.end)
                        if body.end > body.start {
                            spans.append(RedactSpan(start: body.start, end: body.end, kind: kind, priority: 3))
                        }
                        continue
                    }
                    blockColumn = Int.max
                    let value = unquoted(bytes, trimmed(bytes, from: item.valueStart, to: item.end))
                    guard value.end > value.start else { continue }
                    let firstByte = bytes[value.start]
                    if firstByte == UInt8(ascii: "|") || firstByte == UInt8(ascii: ">") {
                        blockColumn = item.column
                        continue
                    }
                    spans.append(RedactSpan(start: value.start, end: value.end, kind: kind, priority: 3))
                }
            }
        }
        for (number, line) in lines.enumerated() where !handledLines[number] {
            spans.append(contentsOf: compactSecret(bytes, line))
        }
        return spans
    }

    // MARK: - Compact JSON

    /// Secret data in a one-line JSON object (`{"kind":"Secret","data":{"k":"v"}}`, possibly with `\"` quotes).
    static func compactSecret(_ bytes: Bytes, _ line: Line) -> [RedactSpan] {
        guard line.end - line.start > 20, find(bytes, "Secret", from: line.start, to: line.end) != nil else { return [] }
        let slice = Array(bytes[line.start..<line.end])
        // Remove backslashes before quotes into a map of positions, so escaped JSON reads like JSON.
        var plain: [UInt8] = []
        var origin: [Int] = []
        plain.reserveCapacity(slice.count)
        var index = 0
        while index < slice.count {
            if slice[index] == UInt8(ascii: "\\"), index + 1 < slice.count, slice[index + 1] == UInt8(ascii: "\"") {
                index += 1
                continue
            }
            if slice[index] != UInt8(ascii: " ") {
                plain.append(slice[index])
                origin.append(line.start + index)
            }
            index += 1
        }
        guard plain.withUnsafeBufferPointer({ find($0, "\"kind\":\"Secret\"", from: 0, to: $0.count) }) != nil else {
            return []
        }
        var spans: [RedactSpan] = []
        for marker in ["\"data\":{", "\"stringData\":{"] {
            let needle = Array(marker.utf8)
            var position = 0
            while let found = find(plain, needle, from: position) {
                let open = found + needle.count - 1
                position = open + 1
                for range in stringValues(plain, open: open) {
                    guard range.upperBound > range.lowerBound else { continue }
                    spans.append(
                        RedactSpan(
                            start: origin[range.lowerBound], end: origin[range.upperBound - 1] + 1, kind: kind, priority: 3))
                }
            }
        }
        return spans
    }

    /// Spans of string values of the object whose `{` is at `open` in an unescaped line of the text itself.
    static func compactObjectValues(_ bytes: Bytes, open: Int, limit: Int) -> [RedactSpan] {
        let slice = Array(bytes[open..<limit])
        return stringValues(slice, open: 0).compactMap { range in
            range.upperBound > range.lowerBound
                ? RedactSpan(start: open + range.lowerBound, end: open + range.upperBound, kind: kind, priority: 3) : nil
        }
    }

    /// The ranges (inside the quotes) of each `"key":"value"` value in the flat object opened at `open`.
    static func stringValues(_ text: [UInt8], open: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var index = open + 1
        var expectingValue = false
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: "}") { break }
            if byte == UInt8(ascii: ":") { expectingValue = true; index += 1; continue }
            if byte == UInt8(ascii: ",") { expectingValue = false; index += 1; continue }
            if byte == UInt8(ascii: "\"") {
                var end = index + 1
                while end < text.count, text[end] != UInt8(ascii: "\"") {
                    if text[end] == UInt8(ascii: "\\") { end += 1 }
                    end += 1
                }
                let close = min(end, text.count)
                if expectingValue { ranges.append((index + 1)..<close) }
                index = close + 1
                continue
            }
            index += 1
        }
        return ranges
    }

    // MARK: - Lines

    /// Splits `bytes` into lines and parses each line's key.
    static func parseLines(_ bytes: Bytes) -> [Line] {
        var lines: [Line] = []
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
            lines.append(parseLine(bytes, start: start, end: end))
            if end >= bytes.count { break }
            start = end + 1
        }
        return lines
    }

    /// Parses indentation, `- ` markers and a `key:` at the start of one line.
    static func parseLine(_ bytes: Bytes, start: Int, end: Int) -> Line {
        var cursor = start
        var dash = false
        while cursor < end {
            if bytes[cursor] == UInt8(ascii: " ") {
                cursor += 1
            } else if bytes[cursor] == UInt8(ascii: "-"), cursor + 1 < end, bytes[cursor + 1] == UInt8(ascii: " ") {
                dash = true
                cursor += 2
            } else {
                break
            }
        }
        var line = Line(
            start: start, end: end, column: cursor - start, dash: dash, keyStart: cursor, keyEnd: cursor, valueStart: end,
            blank: cursor >= end)
        guard cursor < end else { return line }
        var keyStart = cursor
        let quoted = bytes[cursor] == UInt8(ascii: "\"")
        if quoted { keyStart += 1 }
        var keyEnd = keyStart
        while keyEnd < end, keyEnd - keyStart < 64, RedactScanner.isKeyByte(bytes[keyEnd]) { keyEnd += 1 }
        var after = keyEnd
        if quoted {
            guard after < end, bytes[after] == UInt8(ascii: "\"") else { return line }
            after += 1
        }
        guard keyEnd > keyStart, after < end, bytes[after] == UInt8(ascii: ":") else { return line }
        after += 1
        guard after == end || bytes[after] == UInt8(ascii: " ") || bytes[after] == UInt8(ascii: "\r") else { return line }
        while after < end, bytes[after] == UInt8(ascii: " ") { after += 1 }
        line.keyStart = keyStart
        line.keyEnd = keyEnd
        line.valueStart = after
        return line
    }

    /// The value of a line without quotes, trailing commas and spaces, as a string.
    static func scalarValue(_ bytes: Bytes, from start: Int, to end: Int) -> String {
        let range = unquoted(bytes, trimmed(bytes, from: start, to: min(end, start + 40)))
        return String(decoding: bytes[range.start..<range.end], as: UTF8.self)
    }

    /// `start..<end` without surrounding spaces and a trailing comma or carriage return.
    static func trimmed(_ bytes: Bytes, from start: Int, to end: Int) -> (start: Int, end: Int) {
        var lower = start
        var upper = end
        while lower < upper, bytes[lower] == UInt8(ascii: " ") { lower += 1 }
        while upper > lower,
            [UInt8(ascii: " "), UInt8(ascii: ","), UInt8(ascii: "\r"), UInt8(ascii: "\t")].contains(bytes[upper - 1])
        {
            upper -= 1
        }
        return (lower, upper)
    }

    /// A trimmed range without one pair of surrounding quotes.
    static func unquoted(_ bytes: Bytes, _ range: (start: Int, end: Int)) -> (start: Int, end: Int) {
        guard range.end - range.start >= 2 else { return range }
        let first = bytes[range.start]
        if (first == UInt8(ascii: "\"") || first == UInt8(ascii: "'")), bytes[range.end - 1] == first {
            return (range.start + 1, range.end - 1)
        }
        return range
    }

    /// Whether a line is a YAML document marker (`---`).
    static func isDocumentMarker(_ bytes: Bytes, _ line: Line) -> Bool {
        line.column == 0 && line.end - line.start >= 3 && bytes[line.start] == UInt8(ascii: "-")
            && bytes[line.start + 1] == UInt8(ascii: "-") && bytes[line.start + 2] == UInt8(ascii: "-")
    }

    /// Whether the line's key is exactly `key`.
    @inline(__always) static func hasKey(_ bytes: Bytes, _ line: Line, _ key: StaticString) -> Bool {
        key.withUTF8Buffer { text in
            text.count == line.keyEnd - line.keyStart && bytes[line.keyStart..<line.keyEnd].elementsEqual(text)
        }
    }

    /// The first offset in `from..<to` where `needle` starts and ends, or `nil`.
    static func find(_ haystack: Bytes, _ needle: StaticString, from: Int, to: Int) -> Int? {
        needle.withUTF8Buffer { needle in
            guard let first = needle.first, to - from >= needle.count else { return nil }
            var index = from
            let last = to - needle.count
            while index <= last {
                if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
                index += 1
            }
            return nil
        }
    }

    /// The first offset at or after `from` where `needle` occurs in `haystack`.
    static func find(_ haystack: [UInt8], _ needle: [UInt8], from: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var index = from
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
