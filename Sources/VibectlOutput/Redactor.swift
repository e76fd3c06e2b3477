import Foundation
import VibectlCore

/// Replaces secrets in text (tokens, keys, passwords, Secret data, PEM blocks, high-entropy blobs) with `[REDACTED:<kind>]`.
///
/// Built-in detectors run in one linear pass over the UTF-8 bytes (no backtracking regular
/// expressions), so multi-megabyte logs are cheap. Custom patterns from `security.redact_patterns`
/// are compiled once and matched over the whole text; their matches are reported as kind `custom`.
public struct Redactor: Sendable {
    /// The compiled custom patterns, in configuration order.
    private let customPatterns: [CompiledPattern]

    /// Creates a redactor with the built-in detectors plus `extraPatterns` (regular expressions, ICU syntax).
    ///
    /// - Throws: `VibectlError` `.invalidArgument` naming the first pattern that does not compile.
    public init(extraPatterns: [String] = []) throws {
        var compiled: [CompiledPattern] = []
        for (index, pattern) in extraPatterns.enumerated() {
            guard !pattern.isEmpty else {
                throw VibectlError(
                    .invalidArgument, "security.redact_patterns[\(index)] is empty",
                    hint: "remove the empty entry or give a regular expression such as 'corp-[0-9a-f]{16}'")
            }
            do {
                compiled.append(CompiledPattern(try NSRegularExpression(pattern: pattern, options: [])))
            } catch {
                throw VibectlError(
                    .invalidArgument,
                    "security.redact_patterns[\(index)] '\(pattern)' is not a valid regular expression",
                    hint: "fix the pattern (ICU regular-expression syntax) or remove it from security.redact_patterns",
                    cause: String(describing: error))
            }
        }
        customPatterns = compiled
    }

    /// A redactor with only the built-in detectors.
    public static let builtIn = Redactor(compiled: [])

    /// Creates a redactor from already compiled patterns.
    private init(compiled: [CompiledPattern]) {
        customPatterns = compiled
    }

    /// Returns `text` with every detected secret replaced by `[REDACTED:<kind>]`, and the counts by kind.
    public func redact(_ text: String) -> RedactionResult {
        // Scan the string's own UTF-8 storage; only a bridged or non-contiguous string is copied first.
        if let result = text.utf8.withContiguousStorageIfAvailable({ redact(text, bytes: $0) }) {
            return result
        }
        let copy = Array(text.utf8)
        return copy.withUnsafeBufferPointer { redact(text, bytes: $0) }
    }

    /// Redacts `text`, whose UTF-8 bytes are `bytes`.
    private func redact(_ text: String, bytes: UnsafeBufferPointer<UInt8>) -> RedactionResult {
        var spans = RedactScanner.scan(bytes)
        spans.append(contentsOf: RedactSecretObjects.scan(bytes))
        for pattern in customPatterns {
            spans.append(contentsOf: pattern.spans(in: text))
        }
        guard !spans.isEmpty else { return RedactionResult(text: text, findings: [:]) }
        return Self.apply(spans, to: bytes)
    }

    /// The bytes that start every placeholder.
    private static let placeholderPrefix = Array("[REDACTED:".utf8)

    /// Whether a span covers only an earlier placeholder (so redacting twice changes nothing).
    private static func isPlaceholder(_ bytes: UnsafeBufferPointer<UInt8>, _ span: RedactSpan) -> Bool {
        let prefix = placeholderPrefix
        guard span.end <= bytes.count, span.end - span.start > prefix.count, span.end - span.start < 64,
            bytes[span.start..<(span.start + prefix.count)].elementsEqual(prefix)
        else { return false }
        guard let close = bytes[span.start..<span.end].firstIndex(of: UInt8(ascii: "]")) else { return false }
        return bytes[(close + 1)..<span.end].allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") }
    }

    /// Merges overlapping spans and writes the replaced text.
    private static func apply(_ spans: [RedactSpan], to bytes: UnsafeBufferPointer<UInt8>) -> RedactionResult {
        let sorted = spans.sorted { $0.start != $1.start ? $0.start < $1.start : $0.end > $1.end }
        var merged: [RedactSpan] = []
        for span in sorted where span.end > span.start && !isPlaceholder(bytes, span) {
            if let last = merged.last, span.start < last.end {
                let kind = span.priority > last.priority ? span.kind : last.kind
                let priority = max(span.priority, last.priority)
                merged[merged.count - 1] = RedactSpan(
                    start: last.start, end: max(last.end, span.end), kind: kind, priority: priority)
            } else {
                merged.append(span)
            }
        }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var findings: [String: Int] = [:]
        var cursor = 0
        for span in merged {
            let start = min(max(span.start, cursor), bytes.count)
            let end = min(span.end, bytes.count)
            guard end > start else { continue }
            output.append(contentsOf: bytes[cursor..<start])
            output.append(contentsOf: Array("[REDACTED:\(span.kind)]".utf8))
            findings[span.kind, default: 0] += 1
            cursor = end
        }
        output.append(contentsOf: bytes[cursor..<bytes.count])
        return RedactionResult(text: String(decoding: output, as: UTF8.self), findings: findings)
    }
}

/// A range of UTF-8 bytes to replace, with the kind of secret it holds.
struct RedactSpan: Sendable, Equatable {
    /// The first byte offset replaced.
    var start: Int
    /// The byte offset just past the replaced range.
    var end: Int
    /// The kind shown in the placeholder.
    var kind: String
    /// Which kind wins when spans overlap: specific detectors beat generic ones.
    var priority: Int
}

/// An immutable compiled regular expression; `NSRegularExpression` is documented as safe to share between threads.
private final class CompiledPattern: @unchecked Sendable {
    /// The compiled expression.
    let expression: NSRegularExpression

    /// Wraps `expression`.
    init(_ expression: NSRegularExpression) {
        self.expression = expression
    }

    /// The byte ranges of every non-empty match in `text`.
    func spans(in text: String) -> [RedactSpan] {
        let whole = NSRange(location: 0, length: text.utf16.count)
        let ranges = expression.matches(in: text, options: [], range: whole)
            .map(\.range)
            .filter { $0.location != NSNotFound && $0.length > 0 }
        guard !ranges.isEmpty else { return [] }
        // Convert UTF-16 offsets (sorted by location) to UTF-8 offsets in one forward walk.
        var wanted: [Int] = []
        for range in ranges {
            wanted.append(range.location)
            wanted.append(range.location + range.length)
        }
        let order = wanted.indices.sorted { wanted[$0] < wanted[$1] }
        var converted = [Int](repeating: 0, count: wanted.count)
        var utf16Offset = 0
        var utf8Offset = 0
        var position = 0
        var scalars = text.unicodeScalars.makeIterator()
        while position < order.count {
            let target = wanted[order[position]]
            if utf16Offset >= target {
                converted[order[position]] = utf8Offset
                position += 1
                continue
            }
            guard let scalar = scalars.next() else {
                converted[order[position]] = utf8Offset
                position += 1
                continue
            }
            utf16Offset += scalar.utf16.count
            utf8Offset += scalar.utf8.count
        }
        var spans: [RedactSpan] = []
        for index in ranges.indices {
            spans.append(
                RedactSpan(start: converted[2 * index], end: converted[2 * index + 1], kind: "custom", priority: 4))
        }
        return spans
    }
}
