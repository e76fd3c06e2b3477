import Foundation
import Testing
import VibectlCore

@testable import VibectlModels

@Suite("SSE and NDJSON parsers")
struct AdapterStreamParserTests {
    typealias S = AdapterTestSupport

    /// Feeds `chunks` to a fresh SSE parser and finishes it.
    static func sse(_ chunks: [Data]) throws -> [SSEEvent] {
        var parser = SSEParser()
        var events: [SSEEvent] = []
        for chunk in chunks { events += try parser.feed(chunk) }
        return events + parser.finish()
    }

    static func sse(_ text: String) throws -> [SSEEvent] { try sse([Data(text.utf8)]) }

    @Test("events are separated by blank lines, with event names, ids and comments")
    func basics() throws {
        let text = ": this is a comment\nevent: ping\ndata: {}\n\nid: 7\ndata: hello\n\n"
        #expect(try Self.sse(text) == [SSEEvent(event: "ping", data: "{}"), SSEEvent(data: "hello", id: "7")])
    }

    @Test("several data lines join with newlines; one leading space is removed, others kept")
    func multiLineData() throws {
        let text = "data: first\ndata:second\ndata:  indented\n\n"
        #expect(try Self.sse(text) == [SSEEvent(data: "first\nsecond\n indented")])
    }

    @Test("CRLF, CR and LF line endings are all accepted, including CR and LF in separate chunks")
    func lineEndings() throws {
        let expected = [SSEEvent(event: "a", data: "1"), SSEEvent(data: "2")]
        #expect(try Self.sse("event: a\r\ndata: 1\r\n\r\ndata: 2\r\n\r\n") == expected)
        #expect(try Self.sse("event: a\rdata: 1\r\rdata: 2\r\r") == expected)
        #expect(try Self.sse("event: a\ndata: 1\n\ndata: 2\n\n") == expected)
        let text = "event: a\r\ndata: 1\r\n\r\ndata: 2\r\n\r\n"
        for offset in 1..<text.utf8.count {
            #expect(try Self.sse(S.split(text, at: [offset])) == expected, "split at \(offset)")
        }
    }

    @Test("a chunk boundary inside a multi-byte character or inside the field name does not corrupt the data")
    func awkwardBoundaries() throws {
        let text = "data: naïve → 日本\n\n"
        let count = text.utf8.count
        for offset in 1..<count {
            #expect(try Self.sse(S.split(text, at: [offset])) == [SSEEvent(data: "naïve → 日本")], "split at \(offset)")
        }
        #expect(try Self.sse(S.split(text, at: Array(1..<count))) == [SSEEvent(data: "naïve → 日本")])
    }

    @Test("an event with only an event name and no data is not delivered; empty data is")
    func emptyEvents() throws {
        #expect(try Self.sse("event: lonely\n\n").isEmpty)
        #expect(try Self.sse("data:\n\n") == [SSEEvent(data: "")])
        #expect(try Self.sse("\n\n\n").isEmpty)
    }

    @Test("a field without a colon is a name with an empty value; unknown fields and retry are ignored")
    func oddFields() throws {
        #expect(try Self.sse("data\n\n") == [SSEEvent(data: "")])
        #expect(try Self.sse("retry: 1000\nfoo: bar\ndata: x\n\n") == [SSEEvent(data: "x")])
    }

    @Test("a byte-order mark at the very start is skipped, even when split")
    func byteOrderMark() throws {
        let text = "\u{FEFF}data: x\n\n"
        #expect(try Self.sse(text) == [SSEEvent(data: "x")])
        #expect(try Self.sse(S.split(text, at: [1, 2])) == [SSEEvent(data: "x")])
    }

    @Test("at the end of the body a complete event missing its blank line is delivered, a cut-off line is dropped")
    func endOfBody() throws {
        #expect(try Self.sse("data: complete\n") == [SSEEvent(data: "complete")])
        #expect(try Self.sse("data: complete\ndata: cut of").isEmpty == false)
        #expect(try Self.sse("data: complete\ndata: cut of") == [SSEEvent(data: "complete")])
        #expect(try Self.sse("data: cut of").isEmpty)
    }

    @Test("an event larger than the limit is refused with .model")
    func sizeLimit() {
        var parser = SSEParser(maxEventBytes: 64)
        let error = S.error { _ = try parser.feed(Data(("data: " + String(repeating: "x", count: 100)).utf8)) }
        #expect(error?.code == .model)
        var lines = SSEParser(maxEventBytes: 64)
        let manyLines = String(repeating: "data: 0123456789\n", count: 10)
        #expect(S.error { _ = try lines.feed(Data(manyLines.utf8)) }?.code == .model)
    }

    // MARK: NDJSON

    static func ndjson(_ chunks: [Data]) throws -> [String] {
        var parser = NDJSONParser()
        var lines: [Data] = []
        for chunk in chunks { lines += try parser.feed(chunk) }
        lines += parser.finish()
        return lines.map { String(decoding: $0, as: UTF8.self) }
    }

    @Test("NDJSON lines come out whole however the bytes are split; CR and blank lines are dropped")
    func ndjsonSplits() throws {
        let text = "{\"a\":\"ü\"}\r\n\n  \n{\"b\":\"✓\"}\n{\"c\":3}"
        let expected = ["{\"a\":\"ü\"}", "{\"b\":\"✓\"}", "{\"c\":3}"]
        #expect(try Self.ndjson([Data(text.utf8)]) == expected)
        for offset in 1..<text.utf8.count {
            #expect(try Self.ndjson(S.split(text, at: [offset])) == expected, "split at \(offset)")
        }
    }

    @Test("a partial NDJSON line is held until its newline arrives")
    func ndjsonPartial() throws {
        var parser = NDJSONParser()
        #expect(try parser.feed(Data("{\"a\":".utf8)).isEmpty)
        #expect(try parser.feed(Data("1}\n{\"b\"".utf8)) == [Data("{\"a\":1}".utf8)])
        #expect(parser.finish() == [Data("{\"b\"".utf8)])
    }

    @Test("an NDJSON line larger than the limit is refused with .model")
    func ndjsonLimit() {
        var parser = NDJSONParser(maxLineBytes: 16)
        #expect(S.error { _ = try parser.feed(Data(String(repeating: "x", count: 40).utf8)) }?.code == .model)
    }
}
