import Testing
@testable import VibectlEngine

@Suite("Streaming field extraction")
struct StreamingFieldExtractorTests {
    /// Feeds `chunks` and returns the text extracted for each field.
    func extract(_ chunks: [String], fields: Set<String> = ["summary"]) -> [String: String] {
        var extractor = StreamingFieldExtractor(fields: fields)
        var result: [String: String] = [:]
        for chunk in chunks {
            for piece in extractor.feed(chunk) { result[piece.field, default: ""] += piece.text }
        }
        return result
    }

    @Test("the summary's text arrives as it streams; other fields are ignored")
    func basic() {
        let text = #"{"summary": "3 pods, 1 failing.\nweb-2 crashes", "memory": "ns web"}"#
        let chunks = stride(from: 0, to: text.count, by: 3).map { start in
            String(text.dropFirst(start).prefix(3))
        }
        #expect(extract(chunks) == ["summary": "3 pods, 1 failing.\nweb-2 crashes"])
        #expect(extract([text], fields: ["memory"]) == ["memory": "ns web"])
    }

    @Test("escapes split across chunks decode, surrogate pairs included")
    func escapes() {
        let chunks = [#"{"memory":"x","summ"#, #"ary":"say \"hi\" \u00"#, #"e9 \ud83d"#, #"\ude80 a\\b"}"#]
        #expect(extract(chunks) == ["summary": "say \"hi\" é 🚀 a\\b"])
    }

    @Test("nested objects and strings that look like keys do not confuse it")
    func nesting() {
        let text = #"{"meta": {"summary": "inner"}, "list": ["summary", "x"], "summary": "outer"}"#
        #expect(extract(text.map { String($0) }) == ["summary": "outer"])
    }

    @Test("malformed input yields less text, never a crash")
    func malformed() {
        #expect(extract(["{\"summary\": \"abc\\u12", "zz"]).values.joined().hasPrefix("abc"))
        #expect(extract(["]]]}}}\"\"\"::,,"]) == [:])
    }
}
