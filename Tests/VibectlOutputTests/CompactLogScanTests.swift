import Foundation
import Testing
import VibectlOutput

@Suite("Compactor: log keyword scan and panics")
struct CompactLogScanTests {
    /// Severity per line the slow, obvious way: klog prefix, then keywords in the lower-cased line.
    static func reference(_ text: String) -> (lines: Int, errors: Int, warnings: Int) {
        // Split on bytes: a Character-wise split would keep "\r\n" together.
        var lines = Array(text.utf8).split(separator: 0x0A, omittingEmptySubsequences: false)
        if text.utf8.last == 0x0A { lines.removeLast() }
        var errors = 0
        var warnings = 0
        for raw in lines {
            let bytes = Array(raw.last == 0x0D ? raw.dropLast() : raw)
            var severity = 0  // 1 warning, 2 error, 3 fatal
            if bytes.count > 5, (0x30...0x39).contains(bytes[1]), (0x30...0x39).contains(bytes[4]) {
                switch bytes[0] {
                case UInt8(ascii: "E"): severity = 2
                case UInt8(ascii: "W"): severity = 1
                case UInt8(ascii: "F"): severity = 3
                default: break
                }
            }
            let lower = String(decoding: bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
            if ["fatal", "panic", "critical"].contains(where: lower.contains) { severity = 3 }
            if ["error", "exception", "fail", "traceback"].contains(where: lower.contains) { severity = max(severity, 2) }
            if lower.contains("warn") { severity = max(severity, 1) }
            if severity >= 2 { errors += 1 } else if severity == 1 { warnings += 1 }
        }
        return (lines.count, errors, warnings)
    }

    /// Lines with keywords in every case at every offset, near misses, klog prefixes, CRLF and multi-byte text.
    static func mixedText() -> String {
        let words = ["alpha", "beta", "ümlaut", "日本語", "🚀", "gamma", "x", "delta-7", "path=/a/b", "id=42"]
        let keywords = [
            "error", "ERROR", "Exception", "failed", "FATAL", "panic", "Traceback", "critical", "warn", "WARNING",
            "erro", "warm", "fai", "pani", "critic", "exceptional", "TRACE", "crit",
        ]
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
        var lines: [String] = []
        for index in 0..<1500 {
            var parts: [String] = []
            for _ in 0..<(1 + next(9)) { parts.append(words[next(words.count)]) }
            if next(4) == 0 { parts.insert(keywords[next(keywords.count)], at: next(parts.count + 1)) }
            var line = parts.joined(separator: next(3) == 0 ? "" : " ")
            switch next(20) {
            case 0: line = "E0102 15:04:05.000000 1 main.go:10] " + line
            case 1: line = "W1231 " + line
            case 2: line = "F0101" + line
            case 3: line = "E12"
            case 4: line = "I0102 15:04:05 " + line
            default: break
            }
            lines.append(line + (index % 7 == 0 ? "\r" : ""))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("error and warning line counts match a per-line reference for every text length")
    func scanMatchesReference() throws {
        let full = Self.mixedText()
        let bytes = Array(full.utf8)
        // Cut at ASCII positions near the end so the vector loop's tail is every length from 0 to 40.
        var cuts: [Int] = []
        var position = bytes.count
        while cuts.count < 41, position > 0 {
            if bytes[position - 1] < 0x80 { cuts.append(position) }
            position -= 1
        }
        for cut in cuts {
            let text = String(decoding: bytes[..<cut], as: UTF8.self)
            let expected = Self.reference(text)
            let result = Compactor.compact(text, options: CompactionOptions(budget: 400))
            let header = try #require(result.text.split(separator: "\n").first)
            #expect(
                header.contains("\(expected.lines) lines, \(expected.errors) error lines, \(expected.warnings) warning lines"),
                "cut \(cut): \(header) vs \(expected)")
        }
    }

    @Test("a text large enough to be scanned in parallel chunks gives the same counts as one pass")
    func parallelScanMatchesReference() throws {
        let piece = Self.mixedText()
        let expected = Self.reference(piece)
        let copies = 9 * 1024 * 1024 / piece.utf8.count + 1  // above the 8 MiB threshold
        let text = String(repeating: piece, count: copies)
        let result = Compactor.compact(text, options: CompactionOptions(budget: 600))
        #expect(result.originalChars == text.unicodeScalars.count)
        let header = try #require(result.text.split(separator: "\n").first)
        #expect(header.contains(
            "\(expected.lines * copies) lines, \(expected.errors * copies) error lines, \(expected.warnings * copies) warning lines"),
            "\(header)")
    }

    /// A log with many distinct errors and a Go panic (goroutine header and frames) in the middle.
    static func panicLog() -> String {
        var lines: [String] = []
        for index in 0..<4000 {
            let stamp = "2024-05-01T10:\(String(format: "%02d", index / 60 % 60)):\(String(format: "%02d", index % 60))Z"
            if index == 2100 {
                lines += [
                    "panic: assignment to entry in nil map",
                    "",
                    "goroutine 7 [running]:",
                    "main.(*Cache).Put(0xc0000a2000, {0x4b2f1e, 0x3}, {0x4a1c20, 0xc0000b4010})",
                    "\t/app/cache.go:41 +0x65",
                    "main.main()",
                    "\t/app/main.go:17 +0x8d",
                    "exit status 2",
                ]
            } else if index % 40 == 11 {
                lines.append("\(stamp) ERROR [svc-\(index % 37 + 100)] request handler \(index % 37 + 100) failed: upstream said no")
            } else {
                lines.append("\(stamp) INFO request served path=/healthz status=200 id=\(index)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("under a tight budget a Go panic keeps its goroutine header and top frame", arguments: [500, 700, 1200])
    func panicFrame(budget: Int) {
        let result = Compactor.compact(Self.panicLog(), options: CompactionOptions(budget: budget))
        #expect(result.kind == .logs)
        #expect(result.keptChars <= budget)
        let lines = result.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let panic = lines.firstIndex(of: "panic: assignment to entry in nil map")
        #expect(panic != nil, "\(result.text)")
        if let panic {
            #expect(Array(lines[panic + 1..<min(lines.count, panic + 4)]) == [
                "goroutine 7 [running]:",
                "main.(*Cache).Put(0xc0000a2000, {0x4b2f1e, 0x3}, {0x4a1c20, 0xc0000b4010})",
                "\t/app/cache.go:41 +0x65",
            ])
        }
        #expect(!result.text.contains("/app/main.go:17"))  // only the top frame
    }

    @Test("a panic line without a goroutine header is kept alone")
    func panicWithoutGoroutine() {
        var lines = (0..<3000).map { "2024-05-01T10:00:00Z INFO request id=\($0) ok" }
        lines[1500] = "2024-05-01T10:00:00Z PANIC recovered: worker exploded"
        let result = Compactor.compact(lines.joined(separator: "\n"), options: CompactionOptions(budget: 800))
        #expect(result.text.contains("PANIC recovered: worker exploded\n… last"))
    }

    @Test("intent words are found case-insensitively anywhere in a line")
    func intentAnywhere() {
        var lines = (0..<6000).map { "2024-05-01T10:00:00Z INFO request id=\($0) ok" }
        lines[3001] = "2024-05-01T10:00:00Z INFO the CheckOut service restarted"
        lines[4999] = "2024-05-01T10:00:00Z INFO checkout"
        let result = Compactor.compact(lines.joined(separator: "\n"), options: CompactionOptions(budget: 900, intent: "checkout"))
        #expect(result.text.contains("the CheckOut service restarted"))
        #expect(result.text.contains("INFO checkout"))
    }
}
