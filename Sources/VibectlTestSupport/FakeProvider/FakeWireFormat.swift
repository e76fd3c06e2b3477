import Foundation
import VibectlCore

/// What the server writes for one request: status, headers, body pieces and how the body ends.
struct FakeResponsePlan: Sendable {
    /// How the body ends.
    enum Ending: Sendable {
        /// The body is complete (chunked terminator or full `content-length`).
        case complete
        /// The connection is closed after the pieces, leaving the body unfinished.
        case cut
    }

    var status: Int
    var headers: [(String, String)]
    var pieces: [Data]
    var ending: Ending = .complete
    /// Seconds to wait before the head.
    var delay: Double = 0
    /// Seconds between body pieces.
    var interval: Double = 0
    /// The `content-length` to declare; `nil` sends the body chunked (streams).
    var declaredLength: Int?
}

/// The request facts a reply's rendering depends on.
struct FakeReplyContext: Sendable {
    var api: FakeProviderAPI
    var model: String
    var isStream: Bool
    /// Anthropic: the name of the forced tool (`tool_choice.name`), used for `tool_use` blocks.
    var toolName: String
    /// OpenAI: whether `stream_options.include_usage` asked for a final usage chunk.
    var includeUsage: Bool
    /// Gemini: whether the stream was asked for as SSE (`alt=sse`) rather than a JSON array.
    var geminiSSE: Bool
    /// The key the request carried, so a rejected-key answer can echo it masked the way OpenAI does.
    var apiKey: String?
    /// A number unique to this request, used in ids.
    var sequence: Int
    /// The text of the default reply, for `streamCut` and `slowFirstByte` without their own content.
    var defaultReply: FakeReply
}

/// Renders ``FakeReply`` values in each provider's documented wire format.
enum FakeWireFormat {
    private enum Content {
        case text(chunks: [String])
        case structured(json: String, chunks: [String])

        var chunks: [String] {
            switch self {
            case .text(let chunks), .structured(_, let chunks): chunks
            }
        }
        var joined: String { chunks.joined() }
        var isStructured: Bool { if case .structured = self { true } else { false } }
    }

    private enum Fault {
        case rateLimited, overloaded, server, notFound, unauthorized, forbidden, invalid
    }

    /// The plan for `reply` answering a request described by `context`.
    static func plan(_ reply: FakeReply, _ context: FakeReplyContext) -> FakeResponsePlan {
        switch reply {
        case .reply(let text, let usage):
            return content(.text(chunks: words(text)), usage: usage, interval: 0, cutAfter: nil, context)
        case .structured(let json, let usage):
            return content(.structured(json: json, chunks: pieces(of: json)), usage: usage, interval: 0, cutAfter: nil, context)
        case .wrongSchema(let json):
            return content(.structured(json: json, chunks: pieces(of: json)), usage: nil, interval: 0, cutAfter: nil, context)
        case .stream(let chunks, let usage, let interval):
            return content(.text(chunks: chunks), usage: usage, interval: interval, cutAfter: nil, context)
        case .streamCut(let after, let chunks):
            return content(
                .text(chunks: chunks ?? FakeReply.defaultCutChunks), usage: nil, interval: 0, cutAfter: max(0, after), context)
        case .errorMidStream(let after):
            guard context.isStream else { return fault(.overloaded, status: overloadStatus(context.api), retryAfter: nil, context) }
            return midStreamError(after: max(0, after), context)
        case .status(let code, let retryAfter):
            return fault(faultKind(for: code, context.api), status: code, retryAfter: retryAfter, context)
        case .overloaded:
            return fault(.overloaded, status: overloadStatus(context.api), retryAfter: nil, context)
        case .serverError(let code):
            let kind = faultKind(for: code, context.api)
            return fault(kind == .overloaded ? .overloaded : .server, status: code, retryAfter: nil, context)
        case .slowFirstByte(let seconds, let then):
            var inner = then ?? context.defaultReply
            if case .slowFirstByte(_, let nested) = inner { inner = nested ?? .reply(text: "ok") }
            var result = plan(inner, context)
            result.delay += max(0, seconds)
            return result
        case .malformedJSON:
            return malformed(context)
        case .unexpectedShape:
            return json(200, .object(["unexpected": true, "detail": .string("this is not a \(context.api.rawValue) reply")]))
        case .modelNotFound:
            return fault(.notFound, status: 404, retryAfter: nil, context)
        case .unauthorized:
            return fault(.unauthorized, status: context.api == .gemini ? 400 : 401, retryAfter: nil, context)
        case .raw(let status, let headers, let body):
            let data = Data(body.utf8)
            var fields = headers.map { ($0.key, $0.value) }
            if !headers.keys.contains(where: { $0.lowercased() == "content-type" }) {
                fields.append(("content-type", "application/json"))
            }
            return FakeResponsePlan(status: status, headers: fields, pieces: [data], declaredLength: data.count)
        }
    }

    /// The body of a model-list request for `api` listing `models`.
    static func modelList(_ api: FakeProviderAPI, models: [String]) -> FakeResponsePlan {
        switch api {
        case .anthropic:
            let data: [JSONValue] = models.map {
                ["type": "model", "id": .string($0), "display_name": .string($0), "created_at": "2025-05-14T00:00:00Z"]
            }
            return json(
                200,
                [
                    "data": .array(data), "has_more": false,
                    "first_id": models.first.map(JSONValue.string) ?? .null,
                    "last_id": models.last.map(JSONValue.string) ?? .null,
                ])
        case .openai:
            let data: [JSONValue] = models.map { ["id": .string($0), "object": "model", "created": 1_715_367_049, "owned_by": "system"] }
            return json(200, ["object": "list", "data": .array(data)])
        case .ollama:
            let data: [JSONValue] = models.map {
                [
                    "name": .string($0), "model": .string($0), "modified_at": "2025-05-14T10:00:00.000000000Z",
                    "size": 2_019_393_189, "digest": "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72",
                    "details": [
                        "parent_model": "", "format": "gguf", "family": "llama", "families": ["llama"],
                        "parameter_size": "3.2B", "quantization_level": "Q4_K_M",
                    ],
                ]
            }
            return json(200, ["models": .array(data)])
        case .gemini:
            let data: [JSONValue] = models.map {
                [
                    "name": .string("models/\($0)"), "version": "001", "displayName": .string($0),
                    "inputTokenLimit": 1_048_576, "outputTokenLimit": 8192,
                    "supportedGenerationMethods": ["generateContent", "countTokens"],
                ]
            }
            return json(200, ["models": .array(data)])
        }
    }

    /// A 404 for a path no API serves.
    static func unknownPath(_ path: String) -> FakeResponsePlan {
        json(404, ["error": .string("the fake provider server has no route for \(path)")])
    }

    // MARK: - Content

    private static func content(
        _ content: Content, usage: FakeUsage?, interval: Double, cutAfter: Int?, _ context: FakeReplyContext
    ) -> FakeResponsePlan {
        let usage = usage ?? FakeUsage(inputTokens: 12, outputTokens: max(1, content.chunks.count))
        guard context.isStream else {
            let body = wholeBody(content, usage: usage, context)
            guard cutAfter != nil else { return body }
            // A plain request that is cut: declare the full length, send half, close.
            var cut = body
            let data = body.pieces.first ?? Data()
            cut.pieces = [data.prefix(data.count / 2)]
            cut.ending = .cut
            return cut
        }
        let chunks = cutAfter.map { Array(content.chunks.prefix($0)) } ?? content.chunks
        var plan: FakeResponsePlan
        switch context.api {
        case .anthropic: plan = anthropicStream(content, chunks: chunks, usage: usage, complete: cutAfter == nil, context)
        case .openai: plan = openAIStream(chunks: chunks, usage: usage, complete: cutAfter == nil, context)
        case .ollama: plan = ollamaStream(chunks: chunks, usage: usage, complete: cutAfter == nil, context)
        case .gemini: plan = geminiStream(chunks: chunks, usage: usage, complete: cutAfter == nil, context)
        }
        plan.interval = interval
        if cutAfter != nil { plan.ending = .cut }
        return plan
    }

    private static func wholeBody(_ content: Content, usage: FakeUsage, _ context: FakeReplyContext) -> FakeResponsePlan {
        let text = content.joined
        switch context.api {
        case .anthropic:
            let block: JSONValue
            let stopReason: String
            if case .structured(let json, _) = content {
                block = [
                    "type": "tool_use", "id": .string("toolu_fake_\(context.sequence)"), "name": .string(context.toolName),
                    "input": parsed(json),
                ]
                stopReason = "tool_use"
            } else {
                block = ["type": "text", "text": .string(text)]
                stopReason = "end_turn"
            }
            return json(
                200,
                [
                    "id": .string("msg_fake_\(context.sequence)"), "type": "message", "role": "assistant",
                    "model": .string(context.model), "content": [block], "stop_reason": .string(stopReason),
                    "stop_sequence": .null,
                    "usage": ["input_tokens": .int(usage.inputTokens), "output_tokens": .int(usage.outputTokens)],
                ])
        case .openai:
            return json(
                200,
                [
                    "id": .string("chatcmpl-fake-\(context.sequence)"), "object": "chat.completion",
                    "created": 1_715_367_049, "model": .string(context.model), "system_fingerprint": "fp_fake",
                    "choices": [
                        [
                            "index": 0, "message": ["role": "assistant", "content": .string(text), "refusal": .null],
                            "logprobs": .null, "finish_reason": "stop",
                        ]
                    ],
                    "usage": [
                        "prompt_tokens": .int(usage.inputTokens), "completion_tokens": .int(usage.outputTokens),
                        "total_tokens": .int(usage.inputTokens + usage.outputTokens),
                    ],
                ])
        case .ollama:
            return json(200, ollamaFinal(content: text, usage: usage, context))
        case .gemini:
            return json(200, geminiChunk(text: text, finished: true, usage: usage, context))
        }
    }

    private static func anthropicStream(
        _ content: Content, chunks: [String], usage: FakeUsage, complete: Bool, _ context: FakeReplyContext
    ) -> FakeResponsePlan {
        var events: [Data] = []
        events.append(
            sse(
                event: "message_start",
                [
                    "type": "message_start",
                    "message": [
                        "id": .string("msg_fake_\(context.sequence)"), "type": "message", "role": "assistant",
                        "model": .string(context.model), "content": [], "stop_reason": .null, "stop_sequence": .null,
                        "usage": ["input_tokens": .int(usage.inputTokens), "output_tokens": 1],
                    ],
                ]))
        let block: JSONValue =
            content.isStructured
            ? ["type": "tool_use", "id": .string("toolu_fake_\(context.sequence)"), "name": .string(context.toolName), "input": [:]]
            : ["type": "text", "text": ""]
        events.append(sse(event: "content_block_start", ["type": "content_block_start", "index": 0, "content_block": block]))
        events.append(sse(event: "ping", ["type": "ping"]))
        if content.isStructured {
            // The API opens a tool_use block with an empty partial_json delta.
            events.append(
                sse(
                    event: "content_block_delta",
                    ["type": "content_block_delta", "index": 0, "delta": ["type": "input_json_delta", "partial_json": ""]]))
        }
        for chunk in chunks {
            let delta: JSONValue =
                content.isStructured
                ? ["type": "input_json_delta", "partial_json": .string(chunk)] : ["type": "text_delta", "text": .string(chunk)]
            events.append(sse(event: "content_block_delta", ["type": "content_block_delta", "index": 0, "delta": delta]))
        }
        if complete {
            events.append(sse(event: "content_block_stop", ["type": "content_block_stop", "index": 0]))
            events.append(
                sse(
                    event: "message_delta",
                    [
                        "type": "message_delta",
                        "delta": ["stop_reason": .string(content.isStructured ? "tool_use" : "end_turn"), "stop_sequence": .null],
                        "usage": ["output_tokens": .int(usage.outputTokens)],
                    ]))
            events.append(sse(event: "message_stop", ["type": "message_stop"]))
        }
        return FakeResponsePlan(status: 200, headers: streamHeaders("text/event-stream"), pieces: events)
    }

    private static func openAIChunk(_ context: FakeReplyContext, choices: JSONValue, usage: JSONValue?) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string("chatcmpl-fake-\(context.sequence)"), "object": "chat.completion.chunk", "created": 1_715_367_049,
            "model": .string(context.model), "system_fingerprint": "fp_fake", "choices": choices,
        ]
        if context.includeUsage { object["usage"] = usage ?? .null }
        return .object(object)
    }

    private static func openAIStream(chunks: [String], usage: FakeUsage, complete: Bool, _ context: FakeReplyContext)
        -> FakeResponsePlan
    {
        var events: [Data] = []
        events.append(
            sse(
                openAIChunk(
                    context,
                    choices: [
                        [
                            "index": 0, "delta": ["role": "assistant", "content": "", "refusal": .null], "logprobs": .null,
                            "finish_reason": .null,
                        ]
                    ], usage: nil)))
        for chunk in chunks {
            events.append(
                sse(
                    openAIChunk(
                        context,
                        choices: [["index": 0, "delta": ["content": .string(chunk)], "logprobs": .null, "finish_reason": .null]],
                        usage: nil)))
        }
        if complete {
            events.append(
                sse(openAIChunk(context, choices: [["index": 0, "delta": [:], "logprobs": .null, "finish_reason": "stop"]], usage: nil))
            )
            if context.includeUsage {
                events.append(
                    sse(
                        openAIChunk(
                            context, choices: [],
                            usage: [
                                "prompt_tokens": .int(usage.inputTokens), "completion_tokens": .int(usage.outputTokens),
                                "total_tokens": .int(usage.inputTokens + usage.outputTokens),
                            ])))
            }
            events.append(Data("data: [DONE]\n\n".utf8))
        }
        return FakeResponsePlan(status: 200, headers: streamHeaders("text/event-stream"), pieces: events)
    }

    private static func ollamaFinal(content: String, usage: FakeUsage, _ context: FakeReplyContext) -> JSONValue {
        [
            "model": .string(context.model), "created_at": "2025-05-14T10:00:00.000000000Z",
            "message": ["role": "assistant", "content": .string(content)], "done_reason": "stop", "done": true,
            "total_duration": 4_883_583_458, "load_duration": 1_334_875, "prompt_eval_count": .int(usage.inputTokens),
            "prompt_eval_duration": 342_546_000, "eval_count": .int(usage.outputTokens), "eval_duration": 4_535_599_000,
        ]
    }

    private static func ollamaStream(chunks: [String], usage: FakeUsage, complete: Bool, _ context: FakeReplyContext)
        -> FakeResponsePlan
    {
        var lines: [Data] = chunks.map { chunk in
            ndjson(
                [
                    "model": .string(context.model), "created_at": "2025-05-14T10:00:00.000000000Z",
                    "message": ["role": "assistant", "content": .string(chunk)], "done": false,
                ])
        }
        if complete { lines.append(ndjson(ollamaFinal(content: "", usage: usage, context))) }
        return FakeResponsePlan(status: 200, headers: streamHeaders("application/x-ndjson"), pieces: lines)
    }

    private static func geminiChunk(text: String, finished: Bool, usage: FakeUsage, _ context: FakeReplyContext) -> JSONValue {
        var candidate: [String: JSONValue] = ["content": ["parts": [["text": .string(text)]], "role": "model"], "index": 0]
        var usageMetadata: [String: JSONValue] = [
            "promptTokenCount": .int(usage.inputTokens), "totalTokenCount": .int(usage.inputTokens),
        ]
        if finished {
            candidate["finishReason"] = "STOP"
            usageMetadata["candidatesTokenCount"] = .int(usage.outputTokens)
            usageMetadata["totalTokenCount"] = .int(usage.inputTokens + usage.outputTokens)
        }
        return [
            "candidates": [.object(candidate)], "usageMetadata": .object(usageMetadata), "modelVersion": .string(context.model),
            "responseId": .string("fake-\(context.sequence)"),
        ]
    }

    private static func geminiStream(chunks: [String], usage: FakeUsage, complete: Bool, _ context: FakeReplyContext)
        -> FakeResponsePlan
    {
        var objects: [JSONValue] = []
        let all = chunks.isEmpty && complete ? [""] : chunks
        for (index, chunk) in all.enumerated() {
            objects.append(geminiChunk(text: chunk, finished: complete && index == all.count - 1, usage: usage, context))
        }
        return geminiPieces(objects, closed: complete, context)
    }

    /// Gemini streams as SSE with CRLF line ends (`alt=sse`) or, without it, as one JSON array written piece by piece.
    private static func geminiPieces(_ objects: [JSONValue], closed: Bool, _ context: FakeReplyContext) -> FakeResponsePlan {
        if context.geminiSSE {
            let pieces = objects.map { Data("data: \($0.jsonString())\r\n\r\n".utf8) }
            return FakeResponsePlan(status: 200, headers: streamHeaders("text/event-stream"), pieces: pieces)
        }
        var pieces: [Data] = []
        for (index, object) in objects.enumerated() {
            pieces.append(Data(((index == 0 ? "[" : ",\r\n") + object.jsonString()).utf8))
        }
        if closed { pieces.append(Data((objects.isEmpty ? "[]" : "]").utf8)) }
        return FakeResponsePlan(status: 200, headers: streamHeaders("application/json"), pieces: pieces)
    }

    // MARK: - Faults

    private static func overloadStatus(_ api: FakeProviderAPI) -> Int { api == .anthropic ? 529 : 503 }

    private static func faultKind(for status: Int, _ api: FakeProviderAPI) -> Fault {
        switch status {
        case 429: .rateLimited
        case 529: .overloaded
        case 503: api == .anthropic ? .server : .overloaded
        case 401: .unauthorized
        case 403: .forbidden
        case 404: .notFound
        case 500...: .server
        default: .invalid
        }
    }

    private static func fault(_ kind: Fault, status: Int, retryAfter: Int?, _ context: FakeReplyContext) -> FakeResponsePlan {
        var plan: FakeResponsePlan
        switch context.api {
        case .anthropic:
            let (type, message): (String, String) =
                switch kind {
                case .rateLimited:
                    ("rate_limit_error", "This request would exceed the rate limit for your organization of 50 requests per minute.")
                case .overloaded: ("overloaded_error", "Overloaded")
                case .server: ("api_error", "Internal server error")
                case .notFound: ("not_found_error", "model: \(context.model)")
                case .unauthorized: ("authentication_error", "invalid x-api-key")
                case .forbidden: ("permission_error", "Your API key does not have permission to use the specified resource.")
                case .invalid: ("invalid_request_error", "messages: field required")
                }
            plan = json(status, ["type": "error", "error": ["type": .string(type), "message": .string(message)]])
            plan.headers.append(("request-id", "req_fake_\(context.sequence)"))
        case .openai:
            let (type, code, message): (String, String?, String) =
                switch kind {
                case .rateLimited:
                    (
                        "requests", "rate_limit_exceeded",
                        "Rate limit reached for \(context.model) on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s."
                    )
                case .overloaded: ("server_error", nil, "The engine is currently overloaded, please try again later")
                case .server:
                    ("server_error", nil, "The server had an error while processing your request. Sorry about that!")
                case .notFound:
                    (
                        "invalid_request_error", "model_not_found",
                        "The model `\(context.model)` does not exist or you do not have access to it."
                    )
                case .unauthorized:
                    (
                        "invalid_request_error", "invalid_api_key",
                        "Incorrect API key provided: \(maskedKey(context.apiKey)). You can find your API key at https://platform.openai.com/account/api-keys."
                    )
                case .forbidden: ("invalid_request_error", "unsupported_country_region_territory", "Country, region, or territory not supported")
                case .invalid: ("invalid_request_error", nil, "Invalid value for 'messages'.")
                }
            plan = json(
                status,
                ["error": ["message": .string(message), "type": .string(type), "param": .null, "code": code.map(JSONValue.string) ?? .null]])
        case .ollama:
            let message =
                switch kind {
                case .rateLimited: "too many requests"
                case .overloaded: "server busy, please try again.  maximum pending requests exceeded"
                case .server: "llama runner process has terminated: signal: killed"
                case .notFound: "model \"\(context.model)\" not found, try pulling it first"
                case .unauthorized: "unauthorized"
                case .forbidden: "forbidden"
                case .invalid: "invalid request"
                }
            plan = json(status, ["error": .string(message)])
        case .gemini:
            let (statusName, message): (String, String) =
                switch kind {
                case .rateLimited:
                    ("RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).")
                case .overloaded: ("UNAVAILABLE", "The model is overloaded. Please try again later.")
                case .server: ("INTERNAL", "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting")
                case .notFound:
                    (
                        "NOT_FOUND",
                        "models/\(context.model) is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods."
                    )
                case .unauthorized: ("INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.")
                case .forbidden: ("PERMISSION_DENIED", "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.")
                case .invalid: ("INVALID_ARGUMENT", "Request contains an invalid argument.")
                }
            var error: [String: JSONValue] = ["code": .int(status), "message": .string(message), "status": .string(statusName)]
            if kind == .unauthorized {
                error["details"] = [
                    [
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com",
                        "metadata": ["service": "generativelanguage.googleapis.com"],
                    ]
                ]
            } else if let retryAfter, kind == .rateLimited {
                error["details"] = [["@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": .string("\(retryAfter)s")]]
            }
            plan = json(status, ["error": .object(error)])
        }
        if let retryAfter { plan.headers.append(("retry-after", String(retryAfter))) }
        return plan
    }

    private static func midStreamError(after: Int, _ context: FakeReplyContext) -> FakeResponsePlan {
        let usage = FakeUsage(inputTokens: 12, outputTokens: 1)
        var plan = content(
            .text(chunks: Array(FakeReply.defaultCutChunks.prefix(after))), usage: usage, interval: 0, cutAfter: after, context)
        plan.ending = .complete
        switch context.api {
        case .anthropic:
            plan.pieces.append(sse(event: "error", ["type": "error", "error": ["type": "overloaded_error", "message": "Overloaded"]]))
        case .openai:
            plan.pieces.append(
                sse([
                    "error": [
                        "message": "The server is overloaded or not ready yet.", "type": "server_error", "param": .null, "code": .null,
                    ]
                ]))
        case .ollama:
            plan.pieces.append(ndjson(["error": "server busy, please try again.  maximum pending requests exceeded"]))
        case .gemini:
            let error: JSONValue = [
                "error": ["code": 503, "message": "The model is overloaded. Please try again later.", "status": "UNAVAILABLE"]
            ]
            if context.geminiSSE {
                plan.pieces.append(Data("data: \(error.jsonString())\r\n\r\n".utf8))
            } else {
                plan.pieces.append(Data(((after == 0 ? "[" : ",\r\n") + error.jsonString() + "]").utf8))
            }
        }
        return plan
    }

    private static func malformed(_ context: FakeReplyContext) -> FakeResponsePlan {
        let broken = "{\"id\": \"broken\", \"content\": [{\"type\": \"text\", \"text\": \"unterminated"
        guard context.isStream else {
            let data = Data(broken.utf8)
            return FakeResponsePlan(
                status: 200, headers: [("content-type", "application/json")], pieces: [data], declaredLength: data.count)
        }
        switch context.api {
        case .anthropic:
            var plan = content(.text(chunks: []), usage: nil, interval: 0, cutAfter: 0, context)
            plan.ending = .complete
            plan.pieces.append(Data("event: content_block_delta\ndata: \(broken)\n\n".utf8))
            plan.pieces.append(sse(event: "message_stop", ["type": "message_stop"]))
            return plan
        case .openai:
            return FakeResponsePlan(
                status: 200, headers: streamHeaders("text/event-stream"),
                pieces: [Data("data: \(broken)\n\n".utf8), Data("data: [DONE]\n\n".utf8)])
        case .ollama:
            return FakeResponsePlan(status: 200, headers: streamHeaders("application/x-ndjson"), pieces: [Data("\(broken)\n".utf8)])
        case .gemini:
            if context.geminiSSE {
                return FakeResponsePlan(
                    status: 200, headers: streamHeaders("text/event-stream"), pieces: [Data("data: \(broken)\r\n\r\n".utf8)])
            }
            return FakeResponsePlan(status: 200, headers: streamHeaders("application/json"), pieces: [Data("[\(broken)".utf8)])
        }
    }

    // MARK: - Helpers

    private static func json(_ status: Int, _ value: JSONValue) -> FakeResponsePlan {
        let data = Data(value.jsonString().utf8)
        return FakeResponsePlan(status: status, headers: [("content-type", "application/json")], pieces: [data], declaredLength: data.count)
    }

    private static func streamHeaders(_ contentType: String) -> [(String, String)] {
        [("content-type", contentType), ("cache-control", "no-cache")]
    }

    private static func sse(event: String, _ value: JSONValue) -> Data {
        Data("event: \(event)\ndata: \(value.jsonString())\n\n".utf8)
    }

    private static func sse(_ value: JSONValue) -> Data {
        Data("data: \(value.jsonString())\n\n".utf8)
    }

    private static func ndjson(_ value: JSONValue) -> Data {
        Data((value.jsonString() + "\n").utf8)
    }

    private static func parsed(_ json: String) -> JSONValue {
        (try? JSONValue.parse(json)) ?? .string(json)
    }

    /// OpenAI echoes a rejected key with its middle masked: `sk-test-****...abcd`.
    private static func maskedKey(_ key: String?) -> String {
        guard let key, key.count > 12 else { return "sk-****" }
        return String(key.prefix(8)) + String(repeating: "*", count: max(4, key.count - 12)) + String(key.suffix(4))
    }

    /// Splits text into word-sized chunks (each word keeps its trailing spaces), so the chunks join to the text.
    static func words(_ text: String) -> [String] {
        var chunks: [String] = []
        var current = ""
        var sawSpace = false
        for character in text {
            if sawSpace && !character.isWhitespace {
                chunks.append(current)
                current = ""
                sawSpace = false
            }
            current.append(character)
            if character.isWhitespace { sawSpace = true }
        }
        if !current.isEmpty || chunks.isEmpty { chunks.append(current) }
        return chunks
    }

    /// Splits JSON text into pieces of at most 8 characters, as providers stream structured output.
    static func pieces(of text: String) -> [String] {
        var chunks: [String] = []
        var current = ""
        for character in text {
            current.append(character)
            if current.count == 8 {
                chunks.append(current)
                current = ""
            }
        }
        if !current.isEmpty || chunks.isEmpty { chunks.append(current) }
        return chunks
    }
}
