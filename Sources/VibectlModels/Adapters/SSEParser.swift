import Foundation
import VibectlCore

/// One server-sent event: its name (from `event:`), its data, and the last event id.
public struct SSEEvent: Sendable, Equatable {
    /// The `event:` name, or `nil` for the default (`message`).
    public var event: String?
    /// The `data:` lines joined with `\n`.
    public var data: String
    /// The last `id:` seen in the stream, if any.
    public var id: String?

    /// Creates an event.
    public init(event: String? = nil, data: String, id: String? = nil) {
        self.event = event
        self.data = data
        self.id = id
    }
}

/// Splits a `text/event-stream` body into events as bytes arrive, following the WHATWG rules.
///
/// Chunks may be split anywhere: inside a line, inside `data:`, between a CR and its LF, or inside a
/// multi-byte UTF-8 character (lines are only decoded once complete). Lines end with LF, CR or CRLF;
/// lines starting with `:` are comments; several `data:` lines make one event joined with `\n`; a
/// leading byte-order mark is skipped; `retry:` and unknown fields are ignored.
///
/// At the end of the body, a last line without its line break is dropped (the connection was cut in the
/// middle of it), but an event whose lines are complete and only the blank line is missing is still
/// delivered (the standard drops it), because some local servers close the stream without one.
public struct SSEParser: Sendable {
    private var line: [UInt8] = []
    private var afterCR = false
    private var isFirstLine = true
    private var data = ""
    private var hasData = false
    private var eventName: String?
    private var lastEventID: String?
    private let maxEventBytes: Int

    /// Creates a parser that refuses a line or event longer than `maxEventBytes`.
    public init(maxEventBytes: Int = 16 << 20) {
        self.maxEventBytes = maxEventBytes
    }

    /// Feeds the next chunk; returns the events it completes.
    /// - Throws: `.model` when a line or an event exceeds the size limit.
    public mutating func feed(_ chunk: Data) throws -> [SSEEvent] {
        var events: [SSEEvent] = []
        for byte in chunk {
            if afterCR {
                afterCR = false
                if byte == 0x0A { continue }
            }
            switch byte {
            case 0x0D:
                afterCR = true
                try endLine(into: &events)
            case 0x0A:
                try endLine(into: &events)
            default:
                line.append(byte)
                if line.count > maxEventBytes { throw tooLong() }
            }
        }
        return events
    }

    /// Ends the body: drops a last line cut off before its line break, and delivers a pending event.
    public mutating func finish() -> [SSEEvent] {
        var events: [SSEEvent] = []
        line.removeAll()
        dispatch(into: &events)
        return events
    }

    private mutating func endLine(into events: inout [SSEEvent]) throws {
        var bytes = line[...]
        line.removeAll(keepingCapacity: true)
        if isFirstLine {
            isFirstLine = false
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        }
        if bytes.isEmpty {
            dispatch(into: &events)
            return
        }
        if bytes.first == UInt8(ascii: ":") { return }
        let text = String(decoding: bytes, as: UTF8.self)
        let field: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
        } else {
            field = text[...]
            value = ""
        }
        switch field {
        case "data":
            data += value
            data += "\n"
            hasData = true
            if data.utf8.count > maxEventBytes { throw tooLong() }
        case "event":
            eventName = String(value)
        case "id":
            if !value.contains("\u{0}") { lastEventID = String(value) }
        default:
            break
        }
    }

    private mutating func dispatch(into events: inout [SSEEvent]) {
        defer {
            data = ""
            hasData = false
            eventName = nil
        }
        guard hasData else { return }
        var payload = data
        if payload.hasSuffix("\n") { payload.removeLast() }
        events.append(SSEEvent(event: eventName.flatMap { $0.isEmpty ? nil : $0 }, data: payload, id: lastEventID))
    }

    private func tooLong() -> VibectlError {
        VibectlError(
            .model, "the provider's event stream sent an event larger than \(maxEventBytes >> 20) MiB",
            hint: "the endpoint may not be a model API; check the provider's base_url")
    }
}
