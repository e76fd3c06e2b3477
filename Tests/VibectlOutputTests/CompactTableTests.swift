import Foundation
import Testing
import VibectlOutput

@Suite("Compactor: tables, events, logs and text")
struct CompactTableTests {
    static func podTable(rows: Int) -> String {
        var lines = ["NAMESPACE   NAME                READY   STATUS             RESTARTS      AGE"]
        for index in 0..<rows {
            let status = index % 97 == 5 ? "CrashLoopBackOff" : (index % 101 == 9 ? "Pending" : "Running")
            let ready = status == "Running" ? "1/1" : "0/1"
            let restarts = status == "CrashLoopBackOff" ? "12 (3m ago)" : "0"
            lines.append(
                "ns-\(index % 4)        web-\(index)-abcde".padding(toLength: 32, withPad: " ", startingAt: 0)
                    + "\(ready)     \(status)".padding(toLength: 27, withPad: " ", startingAt: 0)
                    + restarts.padding(toLength: 14, withPad: " ", startingAt: 0) + "5d")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func events(rows: Int) -> String {
        var lines = ["LAST SEEN   TYPE      REASON      OBJECT              MESSAGE"]
        for index in 0..<rows {
            let warning = index % 30 == 0
            lines.append(
                "\(index % 59 + 1)m".padding(toLength: 12, withPad: " ", startingAt: 0)
                    + (warning ? "Warning   BackOff     " : "Normal    Pulled      ")
                    + "pod/web-\(warning ? index % 3 : index)".padding(toLength: 20, withPad: " ", startingAt: 0)
                    + (warning ? "Back-off restarting failed container" : "Successfully pulled image in 1.2s"))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("a pod table keeps the header, counts, restart totals and unhealthy rows first")
    func podTableFacts() throws {
        let input = Self.podTable(rows: 2000)
        let result = Compactor.compact(input, options: CompactionOptions(budget: 5000))
        #expect(result.kind == .table)
        #expect(result.keptChars <= 5000)
        let text = result.text
        #expect(text.contains("2000 items"))
        // The header and rows are re-aligned to the widths of the rows shown (two spaces between columns).
        #expect(text.contains("NAMESPACE  NAME            READY  STATUS            RESTARTS     AGE\n"))
        #expect(text.contains("ns-1       web-5-abcde     0/1    CrashLoopBackOff  12 (3m ago)  5d\n"))
        let crash = (0..<2000).filter { $0 % 97 == 5 }
        #expect(text.contains("CrashLoopBackOff=\(crash.count)"))
        #expect(text.contains("restarts: \(crash.count * 12) total"))
        for index in crash { #expect(text.contains("web-\(index)-abcde")) }
        let firstBroken = try #require(text.range(of: "CrashLoopBackOff  12"))
        let firstHealthy = try #require(text.range(of: "1/1    Running"))
        #expect(firstBroken.lowerBound < firstHealthy.lowerBound)
        #expect(text.contains("more items omitted"))
    }

    @Test("a wide deployment table lists distinct images and not-ready rows")
    func wideTable() {
        var lines = ["NAME     READY   UP-TO-DATE   AVAILABLE   AGE   CONTAINERS   IMAGES                     SELECTOR"]
        for index in 0..<300 {
            let ready = index == 42 ? "1/3" : "3/3"
            lines.append(
                "app-\(index)".padding(toLength: 9, withPad: " ", startingAt: 0) + ready + "     3            3           1d    app          "
                    + "repo/app\(index % 5):v\(index % 2)".padding(toLength: 27, withPad: " ", startingAt: 0) + "app=x")
        }
        let result = Compactor.compact(lines.joined(separator: "\n"), options: CompactionOptions(budget: 1500))
        #expect(result.kind == .table)
        #expect(result.text.contains("images (10 distinct)"))
        #expect(result.text.contains("repo/app4:v1"))
        #expect(result.text.contains("not healthy (1)"))
        #expect(result.text.contains("app-42 "))
    }

    @Test("events put warnings first and fold repeats")
    func eventsFacts() throws {
        let input = Self.events(rows: 600)
        let result = Compactor.compact(input, options: CompactionOptions(budget: 1200))
        #expect(result.kind == .events)
        #expect(result.keptChars <= 1200)
        #expect(result.text.contains("events: 600 (types: Normal=580, Warning=20)"))
        #expect(result.text.contains("BackOff=20"))
        #expect(result.text.contains("pod/web-0"))
        #expect(result.text.contains("more events omitted"))
        // The first event row is a warning: it follows the Warning section line and comes before any Normal row.
        let lines = result.text.split(separator: "\n")
        let firstRow = try #require(lines.firstIndex { $0.contains("pod/web-") })
        #expect(lines[firstRow].hasPrefix("BackOff pod/web-"))
        #expect(lines[firstRow - 1].hasPrefix("Warning (20 events, 1 object;"))
        let normal = try #require(lines.firstIndex { $0.hasPrefix("Normal (") })
        #expect(firstRow < normal)
        // Warnings on the same object are folded with their count.
        #expect(result.text.contains("BackOff pod/web-0 [x20]"))
    }

    @Test("logs keep head, tail and de-duplicated errors with counts and skip markers")
    func logsFacts() {
        let input = CompactFixtures.log(lines: 50_000)
        let result = Compactor.compact(input, options: CompactionOptions(budget: 5000))
        #expect(result.kind == .logs)
        #expect(result.keptChars <= 5000)
        let text = result.text
        let errorLines = input.split(separator: "\n").filter { $0.contains(" ERROR ") }.count
        #expect(text.contains("\(errorLines + 1) error lines"))  // +1: the PANIC line's "runtime error"
        #expect(text.contains("2024-05-01T10:00:00.0Z INFO"))  // head
        #expect(text.contains("id=49999"))  // tail
        #expect(text.contains("PANIC runtime error"))
        #expect(text.contains("goroutine 1 [running]:"))
        #expect(text.contains("lines skipped"))
        #expect(text.contains("ERROR database connection refused"))
        #expect(text.contains("[x"))
        #expect(result.dropped.contains { $0.contains("between head and tail") })
    }

    @Test("intent keeps matching log lines that would otherwise be skipped")
    func intentLogs() {
        var lines = (0..<5000).map { "2024-05-01T10:00:00Z INFO request id=\($0) ok" }
        lines[2500] = "2024-05-01T10:00:00Z INFO checkout cart=77 paid"
        let input = lines.joined(separator: "\n")
        let without = Compactor.compact(input, options: CompactionOptions(budget: 1500))
        let with = Compactor.compact(input, options: CompactionOptions(budget: 1500, intent: "what happened with the checkout?"))
        #expect(!without.text.contains("checkout cart=77"))
        #expect(with.text.contains("checkout cart=77"))
    }

    @Test("plain text keeps its beginning and end with a marker")
    func plainText() {
        let input = (0..<3000).map { "line number \($0) of a long story" }.joined(separator: "\n")
        let result = Compactor.compact(input, options: CompactionOptions(budget: 800))
        #expect(result.kind == .text)
        #expect(result.text.contains("line number 0 of"))
        #expect(result.text.contains("line number 2999 of"))
        #expect(result.text.contains("lines skipped"))
        #expect(result.keptChars <= 800)
    }
}
