import Foundation
import Testing
import VibectlOutput

@Suite("Compactor: events and table rows")
struct CompactEventsTests {
    static let large = CompactFixtures.eventTable(warningObjects: 47, normalPods: 2500)

    @Test("47 warning objects among 10 000 Normal events: every warning object and reason is kept at 5000")
    func everyWarningObject() throws {
        let fixture = Self.large
        let result = Compactor.compact(fixture.text, options: CompactionOptions(budget: 5000))
        #expect(result.kind == .events)
        #expect(result.keptChars <= 5000)
        let text = result.text
        for name in fixture.objects { #expect(text.contains(name), "warning object \(name) missing") }
        for reason in fixture.reasons { #expect(text.contains(reason), "reason \(reason) missing") }
        let rows = fixture.text.split(separator: "\n").count - 1
        let warnings = fixture.text.split(separator: "\n").filter { $0.contains("   Warning   ") }.count
        #expect(text.hasPrefix("events: \(rows) (types: Normal=\(rows - warnings), Warning=\(warnings))"))
        #expect(text.contains("reasons (Warning): "))
        #expect(text.contains("reasons (Normal): Created=2500, Pulled=2500, Scheduled=2500, Started=2500"))
        // Short rows, warnings first: no padded kubectl row survives, and no Normal row comes before a warning.
        #expect(!text.contains("   Warning   "))
        let lines = text.split(separator: "\n")
        let lastWarning = try #require(lines.lastIndex { $0.contains("checkout-api-") || $0.contains("nightly-export-") })
        if let firstNormal = lines.firstIndex(where: { $0.contains("storefront-") }) { #expect(lastWarning < firstNormal) }
        // The same (reason, object) twice is one row with its count; messages are there.
        #expect(text.contains("[x2]"))
        #expect(text.contains("Back-off restarting failed container"))
        #expect(text.contains("0/40 nodes are available"))
    }

    @Test("events never exceed the budget and keep reasons and counts as the budget shrinks", arguments: [300, 700, 1200, 2000, 3000, 4000])
    func shrinkingBudget(budget: Int) {
        let fixture = Self.large
        let result = Compactor.compact(fixture.text, options: CompactionOptions(budget: budget))
        #expect(result.keptChars <= budget)
        #expect(!result.text.unicodeScalars.contains("\u{FFFD}"))
        if budget >= 700 {
            for reason in fixture.reasons { #expect(result.text.contains(reason), "\(reason) at \(budget)") }
        }
        if budget >= 1200 {
            // One block per reason when the rows do not fit: the reason with its counts, then the objects.
            #expect(result.text.contains("Warning BackOff (") || result.text.contains("\nBackOff pod/"), "\(budget)")
            #expect(result.text.contains(fixture.objects[0]), "\(budget)")
        }
        if budget >= 4000 {
            for name in fixture.objects { #expect(result.text.contains(name), "\(name) at \(budget)") }
        }
    }

    @Test("event compaction is deterministic")
    func deterministic() {
        let options = CompactionOptions(budget: 2500, intent: "why is team-3 failing")
        let first = Compactor.compact(Self.large.text, options: options)
        let second = Compactor.compact(Self.large.text, options: options)
        #expect(first == second)
    }

    @Test("events without OBJECT/REASON columns keep whole rows, non-Normal first")
    func rowsWithoutObjectColumn() {
        var rows = [["LAST SEEN", "TYPE", "MESSAGE"]]
        for index in 0..<400 { rows.append(["\(index % 50)m", index % 40 == 3 ? "Warning" : "Normal", "message number \(index) about things"]) }
        let result = Compactor.compact(CompactFixtures.padded(rows), options: CompactionOptions(budget: 600))
        #expect(result.kind == .table)
        #expect(result.keptChars <= 600)
    }

    @Test("table cells are cut by character offset in rows with multi-byte characters")
    func multiByteCells() throws {
        var rows = [["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]]
        rows.append(["dév", "café-ünï-1", "0/1", "CrashLoopBackOff", "7 (2m ago)", "5d"])
        rows.append(["日本", "日本語-pod-2", "0/1", "Pending", "0", "1d"])
        rows.append(["dév", "🚀-rocket-3", "1/2", "Running", "2", "3d"])
        for index in 0..<600 { rows.append(["default", "web-\(index)", "1/1", "Running", "0", "9d"]) }
        for lineBreak in ["\n", "\r\n"] {
            let input = CompactFixtures.padded(rows).replacingOccurrences(of: "\n", with: lineBreak)
            let result = Compactor.compact(input, options: CompactionOptions(budget: 1500))
            #expect(result.kind == .table)
            #expect(result.keptChars <= 1500)
            let text = result.text
            #expect(text.contains("status: Running=601, CrashLoopBackOff=1, Pending=1"))
            #expect(text.contains("namespaces (3): default=600, dév=2, 日本=1"))
            #expect(text.contains("restarts: 9 total in 2 items"))
            #expect(text.contains("not healthy (3):"))
            for name in ["café-ünï-1", "日本語-pod-2", "🚀-rocket-3"] { #expect(text.contains(name)) }
            #expect(!text.contains("\r"))
            #expect(!text.unicodeScalars.contains("\u{FFFD}"))
        }
    }
}
