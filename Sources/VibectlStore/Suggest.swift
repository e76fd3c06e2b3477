/// "Did you mean" suggestions by edit distance.
enum Suggest {
    /// The candidate nearest to `word`, or `nil` when even the nearest is too far to be a likely typo.
    static func nearest(to word: String, among candidates: [String]) -> String? {
        let target = Array(word.lowercased())
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(target, Array(candidate.lowercased()))
            if best.map({ distance < $0.distance }) ?? true {
                best = (candidate, distance)
            }
        }
        guard let best else { return nil }
        let limit = max(2, min(target.count, best.candidate.count) / 2)
        return best.distance <= limit ? best.candidate : nil
    }

    /// The Levenshtein distance between two character arrays.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for (i, ca) in a.enumerated() {
            current[0] = i + 1
            for (j, cb) in b.enumerated() {
                let substitution = previous[j] + (ca == cb ? 0 : 1)
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
