import Foundation
import Testing
import VibectlCore

@Suite("Timestamps")
struct TimestampTests {
    @Test("ISO 8601 UTC with whole seconds, zero-padded, the same instant Foundation's formatter names")
    func format() {
        let date = Date(timeIntervalSince1970: 1_794_560_523.75)  // 2026-11-13T09:02:03.75Z
        #expect(Timestamp.iso8601(date) == "2026-11-13T09:02:03Z")
        #expect(Timestamp.iso8601(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        let now = Date()
        let ours = Timestamp.iso8601(now)
        let foundation = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down)).formatted(.iso8601)
        #expect(ours == foundation)
    }
}
