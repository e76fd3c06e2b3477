import Foundation
import Testing
import VibectlCore

@testable import VibectlModels

/// Helpers for the adapter tests: request bodies, feeding streams in awkward pieces, error tables.
enum AdapterTestSupport {
    /// A key-shaped secret that must never appear in an error.
    static let secretKey = "sk-ant-api03-Zx9QfL2mB7vK4pR8tY1uW6oE3aS5dG0hJ"

    /// The request body parsed as JSON.
    static func body(_ spec: HTTPRequestSpec) throws -> JSONValue {
        let data = try #require(spec.body, "the request has no body")
        return try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// The value at `path` in `json` (object keys, or array indexes written as numbers).
    static func value(_ json: JSONValue, _ path: String...) -> JSONValue? {
        var current: JSONValue? = json
        for step in path {
            if let index = Int(step), let array = current?.arrayValue {
                current = array.indices.contains(index) ? array[index] : nil
            } else {
                current = current?.objectValue?[step]
            }
        }
        return current
    }

    /// `text` as UTF-8 cut into pieces at the given byte offsets.
    static func split(_ text: String, at offsets: [Int]) -> [Data] {
        let bytes = Array(text.utf8)
        var pieces: [Data] = []
        var start = 0
        for offset in offsets.sorted() where offset > start && offset < bytes.count {
            pieces.append(Data(bytes[start..<offset]))
            start = offset
        }
        pieces.append(Data(bytes[start...]))
        return pieces
    }

    /// Feeds `chunks` to `decoder`, then finishes it; returns every piece.
    static func decode(_ decoder: any StreamDecoder, _ chunks: [Data]) throws -> [StreamPiece] {
        var decoder = decoder
        var pieces: [StreamPiece] = []
        for chunk in chunks { pieces += try decoder.feed(chunk) }
        pieces += try decoder.finish()
        return pieces
    }

    /// Feeds `text` split at every single byte offset and one byte at a time, and checks every way gives
    /// the same pieces as feeding it whole; returns those pieces.
    static func decodeEveryWay(_ makeDecoder: () -> any StreamDecoder, _ text: String) throws -> [StreamPiece] {
        let whole = try decode(makeDecoder(), [Data(text.utf8)])
        let count = text.utf8.count
        for offset in 1..<count {
            let pieces = try decode(makeDecoder(), split(text, at: [offset]))
            #expect(pieces == whole, "split at byte \(offset) changed the result")
            if pieces != whole { break }
        }
        let byteByByte = try decode(makeDecoder(), split(text, at: Array(1..<count)))
        #expect(byteByByte == whole, "feeding one byte at a time changed the result")
        return whole
    }

    /// The text pieces joined.
    static func text(_ pieces: [StreamPiece]) -> String {
        pieces.compactMap { if case .text(let text) = $0 { text } else { nil } }.joined()
    }

    /// The usage pieces merged in order.
    static func usage(_ pieces: [StreamPiece]) -> TokenUsage {
        pieces.reduce(TokenUsage()) { total, piece in
            if case .usage(let usage) = piece { total.merged(with: usage) } else { total }
        }
    }

    /// The stop reason of the `.finished` piece, which must be the last piece.
    static func finished(_ pieces: [StreamPiece]) -> String?? {
        guard case .finished(let reason)? = pieces.last else { return nil }
        return .some(reason)
    }

    /// The `VibectlError` that `body` throws.
    static func error(_ body: () throws -> Void) -> VibectlError? {
        do {
            try body()
            return nil
        } catch let error as VibectlError {
            return error
        } catch {
            return VibectlError(.internal, "unexpected error type: \(error)")
        }
    }

    /// A request with two system and two user fragments.
    static func request(schema: JSONValue? = nil, temperature: Double? = nil) -> ModelRequest {
        ModelRequest(
            systemFragments: ["You are a Kubernetes assistant.", "Answer briefly."],
            userFragments: ["Cluster state: 3 pods.", "Are they healthy?"],
            schema: schema, schemaName: "vibe plan", maxTokens: 512, temperature: temperature)
    }

    /// A small response schema.
    static let schema: JSONValue = [
        "type": "object",
        "properties": ["action": ["type": "string"], "commands": ["type": "array", "items": ["type": "string"]]],
        "required": ["action", "commands"],
        "additionalProperties": false,
    ]
}

/// One row of an error-classification table.
struct ErrorCase: Sendable, CustomTestStringConvertible {
    var status: Int
    var body: String
    var code: VibectlError.Code
    /// Text the message must contain.
    var mentions: [String]
    var headers: [String: String] = [:]

    var testDescription: String { "\(status) → \(code.name)" }
}
