/// Collects output lines while keeping the total within a character budget.
struct BudgetWriter {
    /// The maximum number of Unicode scalars the joined text may have.
    let budget: Int
    private(set) var lines: [String] = []
    /// Scalars used so far, counting the newline between lines.
    private(set) var used = 0

    init(budget: Int) { self.budget = max(0, budget) }

    /// Scalars still free for one more line (after its separating newline).
    var remaining: Int { max(0, budget - used - (lines.isEmpty ? 0 : 1)) }

    /// Appends `line` whole when it fits in the budget minus `reserve`; returns whether it did.
    @discardableResult
    mutating func append(_ line: String, reserve: Int = 0) -> Bool {
        let cost = line.unicodeScalars.count + (lines.isEmpty ? 0 : 1)
        guard used + cost + reserve <= budget else { return false }
        lines.append(line)
        used += cost
        return true
    }

    /// Appends `line`, cut with an ellipsis if needed to fit the budget minus `reserve`; returns whether anything was added.
    @discardableResult
    mutating func appendClipped(_ line: String, reserve: Int = 0) -> Bool {
        if append(line, reserve: reserve) { return true }
        let room = remaining - reserve
        guard room >= 8 else { return false }
        return append(clip(line, room), reserve: reserve)
    }

    /// The collected text.
    var text: String { lines.joined(separator: "\n") }
}

/// Cuts `text` to at most `limit` Unicode scalars, ending with "…" when cut; never splits a UTF-8 sequence.
func clip(_ text: String, _ limit: Int) -> String {
    guard limit > 0 else { return "" }
    var count = 0
    var index = text.unicodeScalars.startIndex
    let end = text.unicodeScalars.endIndex
    while index < end, count < limit {
        text.unicodeScalars.formIndex(after: &index)
        count += 1
    }
    if index == end { return text }
    // Cut one scalar earlier to make room for the ellipsis.
    let cutEnd = text.unicodeScalars.index(before: index)
    return String(text.unicodeScalars[text.unicodeScalars.startIndex..<cutEnd]) + "…"
}

/// Intent words: lower-cased alphanumeric words of 3+ characters that are not common filler words.
func intentWords(_ intent: String?) -> [String] {
    guard let intent else { return [] }
    let stop: Set<String> = [
        "the", "and", "for", "are", "why", "what", "which", "with", "show", "all", "any", "get", "from", "that",
        "this", "there", "how", "can", "you", "pods", "pod", "please", "list", "tell", "about", "into", "its", "not",
    ]
    var words: [String] = []
    var current = ""
    for scalar in intent.lowercased().unicodeScalars {
        if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_" || scalar == "." {
            current.unicodeScalars.append(scalar)
        } else {
            if current.unicodeScalars.count >= 3, !stop.contains(current), !words.contains(current) { words.append(current) }
            current = ""
        }
    }
    if current.unicodeScalars.count >= 3, !stop.contains(current), !words.contains(current) { words.append(current) }
    return words
}

/// Whether `text` mentions any of the intent `words` (case-insensitive).
func mentions(_ text: String, _ words: [String]) -> Bool {
    guard !words.isEmpty else { return false }
    let lower = text.lowercased()
    return words.contains { lower.contains($0) }
}

/// Formats counts as "a=3, b=1", largest first, ties by name.
func formatCounts(_ counts: [String: Int], limit: Int = 20) -> String {
    let sorted = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
    var parts = sorted.prefix(limit).map { "\($0.key.isEmpty ? "<none>" : $0.key)=\($0.value)" }
    if sorted.count > limit { parts.append("… \(sorted.count - limit) more") }
    return parts.joined(separator: ", ")
}
