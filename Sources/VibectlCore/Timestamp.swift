import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// ISO 8601 timestamps without ICU.
///
/// Foundation's `Date.formatted(.iso8601)` loads ICU's calendar data on first use — about a millisecond
/// that every `vibectl just` would pay for its first event. Events and prompts only need UTC seconds.
public enum Timestamp {
    /// `date` as `2026-11-21T10:02:03Z` (UTC, whole seconds).
    public static func iso8601(_ date: Date = Date()) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        guard gmtime_r(&seconds, &parts) != nil else { return date.formatted(.iso8601) }
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return pad(parts.tm_year + 1900, 4) + "-" + pad(parts.tm_mon + 1, 2) + "-" + pad(parts.tm_mday, 2) + "T"
            + pad(parts.tm_hour, 2) + ":" + pad(parts.tm_min, 2) + ":" + pad(parts.tm_sec, 2) + "Z"
    }
}
