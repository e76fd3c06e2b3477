import Foundation
import VibectlCore

/// One request the fake server received, recorded for assertions.
public struct FakeRecordedRequest: Sendable, Equatable {
    /// The API the path prefix selected; `nil` for a path outside every prefix.
    public var api: FakeProviderAPI?
    /// The HTTP method, e.g. `POST`.
    public var method: String
    /// The path as the real service would see it, without the fake server's prefix and query,
    /// e.g. `/v1/messages`, `/v1/chat/completions`, `/api/chat`, `/v1beta/models/gemini-2.0-flash:generateContent`.
    public var path: String
    /// The path exactly as received, prefix and query included.
    public var rawPath: String
    /// The query parameters (e.g. `alt=sse`), decoded.
    public var query: [String: String]
    /// The header fields: names lower-cased, repeated fields joined with ", ".
    public var headers: [String: String]
    /// The raw body.
    public var body: Data
    /// The body parsed as JSON, when it is JSON.
    public var json: JSONValue?
    /// The model the request named (in the body, or in the Gemini path).
    public var model: String?
    /// Whether the request asked for a streamed reply.
    public var isStream: Bool

    /// The value of the header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }

    /// The body member at `path` (object keys and array indexes), e.g. `["messages", 0, "role"]`.
    public func bodyValue(_ path: FakeJSONPathElement...) -> JSONValue? {
        var current = json
        for element in path {
            switch element {
            case .key(let key): current = current?.objectValue?[key]
            case .index(let index):
                guard let array = current?.arrayValue, array.indices.contains(index) else { return nil }
                current = array[index]
            }
        }
        return current
    }
}

/// One step into a JSON document: an object key (a string literal) or an array index (an integer literal).
public enum FakeJSONPathElement: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    /// An object member.
    case key(String)
    /// An array element.
    case index(Int)

    /// Creates a key step.
    public init(stringLiteral value: String) { self = .key(value) }
    /// Creates an index step.
    public init(integerLiteral value: Int) { self = .index(value) }
}
