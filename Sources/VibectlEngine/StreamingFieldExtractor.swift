/// Pulls the text of chosen top-level string fields out of a JSON object while it streams in.
///
/// The summary call's structured reply is `{"summary": "...", "memory": "..."}`; to show the summary as
/// it is written, each streamed chunk goes through ``feed(_:)``, which returns the decoded characters of
/// `summary` that the chunk completed. Escapes (`\n`, `\"`, `\uXXXX`, surrogate pairs) are decoded even
/// when a chunk ends in the middle of one. Malformed input never traps; it just yields less text.
struct StreamingFieldExtractor {
    /// The top-level keys whose string values are extracted.
    let fields: Set<String>

    private var depth = 0
    private var inString = false
    private var escaping = false
    private var stringIsKey = false
    private var targetField: String?
    private var keyBuffer = ""
    private var lastKey: String?
    private var expectingValue = false
    private var unicodeDigits: String?
    private var highSurrogate: UInt32?

    /// Creates an extractor for `fields`.
    init(fields: Set<String>) {
        self.fields = fields
    }

    /// Feeds the next chunk; returns the field text it completed, in order, as (field, text) pieces.
    mutating func feed(_ chunk: String) -> [(field: String, text: String)] {
        var pieces: [(field: String, text: String)] = []
        func emit(_ scalar: Unicode.Scalar) {
            if stringIsKey {
                keyBuffer.unicodeScalars.append(scalar)
            } else if let field = targetField {
                if let last = pieces.last, last.field == field {
                    pieces[pieces.count - 1].text.unicodeScalars.append(scalar)
                } else {
                    pieces.append((field, String(Character(scalar))))
                }
            }
        }
        for scalar in chunk.unicodeScalars {
            if inString {
                if unicodeDigits != nil {
                    unicodeDigits?.unicodeScalars.append(scalar)
                    if let digits = unicodeDigits, digits.count == 4 {
                        unicodeDigits = nil
                        if let decoded = decodeEscape(digits) { emit(decoded) }
                    }
                    continue
                }
                if escaping {
                    escaping = false
                    switch scalar {
                    case "n": emit("\n")
                    case "t": emit("\t")
                    case "r": emit("\r")
                    case "b": emit("\u{08}")
                    case "f": emit("\u{0C}")
                    case "u": unicodeDigits = ""
                    default: emit(scalar)
                    }
                    continue
                }
                switch scalar {
                case "\\":
                    escaping = true
                case "\"":
                    inString = false
                    if stringIsKey { lastKey = keyBuffer }
                    stringIsKey = false
                    targetField = nil
                default:
                    emit(scalar)
                }
                continue
            }
            switch scalar {
            case "\"":
                inString = true
                highSurrogate = nil
                if depth == 1 && !expectingValue {
                    stringIsKey = true
                    keyBuffer = ""
                } else if depth == 1 && expectingValue {
                    expectingValue = false
                    if let key = lastKey, fields.contains(key) { targetField = key }
                }
            case "{", "[":
                if depth == 1 { expectingValue = false }
                depth += 1
            case "}", "]":
                depth = max(0, depth - 1)
            case ":":
                if depth == 1 { expectingValue = true }
            case ",":
                if depth == 1 { expectingValue = false }
            case " ", "\n", "\r", "\t":
                break
            default:
                if depth == 1 { expectingValue = false }
            }
        }
        return pieces
    }

    /// Decodes the four hex digits of a `\u` escape, pairing surrogates; `nil` while half a pair is pending.
    private mutating func decodeEscape(_ digits: String) -> Unicode.Scalar? {
        guard let value = UInt32(digits, radix: 16) else { return nil }
        if (0xD800...0xDBFF).contains(value) {
            highSurrogate = value
            return nil
        }
        if (0xDC00...0xDFFF).contains(value) {
            guard let high = highSurrogate else { return nil }
            highSurrogate = nil
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (value - 0xDC00))
        }
        highSurrogate = nil
        return Unicode.Scalar(value)
    }
}
