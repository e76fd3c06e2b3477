import Foundation

/// The built-in token and key/value detectors, run in one forward pass over UTF-8 bytes.
///
/// Every byte is examined a bounded number of times: words and blob runs are each measured once,
/// and the searches that look ahead (PEM end markers, block scalars) are bounded or consume what
/// they scan. There are no regular expressions, so no input can cause backtracking.
enum RedactScanner {
    /// The UTF-8 bytes being scanned (the input string's own storage, not a copy).
    typealias Bytes = UnsafeBufferPointer<UInt8>

    /// Least length of a base64 run (without padding) considered a high-entropy blob.
    static let base64Threshold = 40
    /// Least length of a hex run considered a high-entropy blob (longer than a SHA-256 digest is not required,
    /// but digests after `sha256:` and container ids after `://` are exempt).
    static let hexThreshold = 64
    /// How far after `-----BEGIN` the matching `-----END` is looked for.
    static let pemSearchLimit = 128 * 1024

    /// Priorities: specific detectors beat generic ones when spans overlap.
    static let priorityGeneric = 1
    /// Priority of key/value and well-known-format detectors.
    static let prioritySpecific = 2

    /// Returns the spans of every secret the built-in detectors find in `bytes`.
    static func scan(_ bytes: Bytes) -> [RedactSpan] {
        var spans: [RedactSpan] = []
        let count = bytes.count
        var index = 0
        var wordEnd = 0
        var blobEnd = 0
        /// Set after `"name": "DB_PASSWORD"` (or `- name: API_TOKEN`): the kind for the next `value` key, and how many newlines it may wait.
        var pendingEnvKind: String?
        var pendingEnvLines = 0
        /// No PEM END marker starts before this offset (learned from an earlier failed search).
        var noPEMEndBefore = 0
        while index < count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") {
                if pendingEnvKind != nil {
                    pendingEnvLines -= 1
                    if pendingEnvLines < 0 { pendingEnvKind = nil }
                }
                index += 1
                continue
            }
            if byte == UInt8(ascii: "-"), let pem = pemBlock(bytes, at: index, noEndBefore: &noPEMEndBefore) {
                spans.append(pem)
                index = max(pem.end, index + 1)
                continue
            }
            guard isWordByte(byte), index == 0 || !isWordByte(bytes[index - 1]) else {
                index += 1
                continue
            }
            let needWord = index >= wordEnd
            let needBlob = index >= blobEnd
            if needWord {
                var end = index
                while end < count, isKeyByte(bytes[end]) { end += 1 }
                wordEnd = end
                if let result = word(bytes, start: index, end: end, pendingEnvKind: &pendingEnvKind) {
                    if let span = result.span { spans.append(span) }
                    if result.setsPending { pendingEnvLines = 2 }
                    if result.resume > index + 1 {
                        index = result.resume
                        wordEnd = max(wordEnd, index)
                        blobEnd = max(blobEnd, index)
                        continue
                    }
                }
            }
            if needBlob {
                var end = index
                while end < count, isBlobByte(bytes[end]) { end += 1 }
                var padded = end
                while padded < count, padded < end + 2, bytes[padded] == UInt8(ascii: "=") { padded += 1 }
                blobEnd = padded
                if let span = blob(bytes, start: index, end: end, paddedEnd: padded) {
                    spans.append(span)
                    index = max(index + 1, span.end)
                    continue
                }
            }
            index += 1
        }
        return spans
    }

    // MARK: - Words

    /// What examining one word produced.
    struct WordResult {
        /// A secret found at or after the word.
        var span: RedactSpan?
        /// Where scanning continues (past a redacted value).
        var resume: Int
        /// Whether the word named a secret env var whose `value` follows on a later line.
        var setsPending = false
    }

    /// What a key name means to the scanner.
    enum NameRole {
        /// `value` (the value of a preceding secret env var name).
        case value
        /// `name` (an env var name follows).
        case name
        /// A name announcing a secret of this kind.
        case secret(String)
        /// Anything else.
        case other
    }

    /// Examines the word `bytes[start..<end]`: a key followed by `=`/`:`, an auth scheme, a JWT or a well-known key format.
    static func word(_ bytes: Bytes, start: Int, end: Int, pendingEnvKind: inout String?) -> WordResult? {
        let length = end - start
        if let separator = separatorAfter(bytes, wordEnd: end), length <= 80 {
            let role = withNormalizedName(bytes, start: start, end: end) { name -> NameRole in
                if equals(name, "value") { return .value }
                if equals(name, "name") { return .name }
                if let kind = secretKind(forName: name) { return .secret(kind) }
                return .other
            }
            switch role {
            case .value:
                if let kind = pendingEnvKind {
                    pendingEnvKind = nil
                    if let span = valueSpan(
                        bytes, keyStart: start, separator: separator, kind: kind, strict: false,
                        restOfLine: keyStartsLine(bytes, keyStart: start))
                    {
                        return WordResult(span: span, resume: span.end)
                    }
                    return nil
                }
            case .name:
                pendingEnvKind = envValueKind(bytes, separator: separator)
                return WordResult(span: nil, resume: end, setsPending: pendingEnvKind != nil)
            case .secret(let kind):
                // A JSON key (`"k":` with the colon right after the quote) or a key starting its line is a real
                // assignment; `word: value` in prose only counts when the value looks like a credential.
                let quotedKey =
                    start > 0 && (bytes[start - 1] == UInt8(ascii: "\"") || bytes[start - 1] == UInt8(ascii: "'"))
                    && separator.position == end + 1
                let startsLine = keyStartsLine(bytes, keyStart: start)
                let strict = !quotedKey && !startsLine && bytes[separator.position] == UInt8(ascii: ":")
                if let span = valueSpan(
                    bytes, keyStart: start, separator: separator, kind: kind, strict: strict, restOfLine: startsLine)
                {
                    return WordResult(span: span, resume: span.end)
                }
                return nil
            case .other:
                break
            }
        }
        if let scheme = schemeCredential(bytes, start: start, end: end) {
            return WordResult(span: scheme, resume: scheme.end)
        }
        if let jwt = jwtSpan(bytes, start: start, end: end) {
            return WordResult(span: jwt, resume: jwt.end)
        }
        if let known = knownFormat(bytes, start: start, end: end) {
            return WordResult(span: known, resume: known.end)
        }
        return nil
    }

    /// The separator after a key: optional closing quote (possibly escaped), spaces, then `=` or `:`.
    struct Separator {
        /// Offset of the `=` or `:`.
        var position: Int
    }

    /// Finds `=` or `:` right after a word (allowing a closing quote and spaces in between).
    static func separatorAfter(_ bytes: Bytes, wordEnd: Int) -> Separator? {
        var index = wordEnd
        if index < bytes.count, bytes[index] == UInt8(ascii: "\\") { index += 1 }
        if index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") { index += 1 }
        var spaces = 0
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t"), spaces < 40 {
            index += 1
            spaces += 1
        }
        guard index < bytes.count else { return nil }
        let byte = bytes[index]
        if byte == UInt8(ascii: "=") {
            // `==` is a comparison, not an assignment.
            if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "=") { return nil }
            return Separator(position: index)
        }
        if byte == UInt8(ascii: ":") {
            // `scheme://` is a URL, `::` is not an assignment.
            if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "/") || bytes[index + 1] == UInt8(ascii: ":") {
                return nil
            }
            return Separator(position: index)
        }
        return nil
    }

    /// A normalized key name: ASCII letters (lowercased) and digits only, in a temporary buffer.
    typealias Name = UnsafeBufferPointer<UInt8>

    /// Calls `body` with the word's letters and digits, lowercased, without `-`, `_` and `.`.
    ///
    /// The name lives in a temporary (stack) buffer, so examining a key allocates nothing.
    @inline(__always)
    static func withNormalizedName<Result>(_ bytes: Bytes, start: Int, end: Int, _ body: (Name) -> Result) -> Result {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(end - start, 1)) { buffer in
            var count = 0
            for index in start..<end {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): buffer[count] = byte + 32
                case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."): continue
                default: buffer[count] = byte
                }
                count += 1
            }
            return body(UnsafeBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    /// Whether `name` is exactly `literal`.
    @inline(__always) static func equals(_ name: Name, _ literal: StaticString) -> Bool {
        literal.withUTF8Buffer { text in text.count == name.count && text.elementsEqual(name) }
    }

    /// Whether `name` ends with `literal`.
    @inline(__always) static func hasSuffix(_ name: Name, _ literal: StaticString) -> Bool {
        literal.withUTF8Buffer { text in
            guard text.count <= name.count else { return false }
            let offset = name.count - text.count
            for index in 0..<text.count where name[offset + index] != text[index] { return false }
            return true
        }
    }

    /// Whether `literal` occurs in `name` at `offset`.
    @inline(__always) static func matches(_ name: Name, at offset: Int, _ literal: StaticString) -> Bool {
        literal.withUTF8Buffer { text in
            guard offset + text.count <= name.count else { return false }
            for index in 0..<text.count where name[offset + index] != text[index] { return false }
            return true
        }
    }

    /// Whether `literal` occurs anywhere in `name`.
    @inline(__always) static func contains(_ name: Name, _ literal: StaticString) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard length <= name.count else { return false }
        for offset in 0...(name.count - length) where matches(name, at: offset, literal) { return true }
        return false
    }

    /// Name endings that describe a secret without being one (`secretName`, `secretKeyRef`, `tokenExpirationSeconds`).
    static let exemptSuffixes: [StaticString] = [
        "name", "names", "ref", "refs", "seconds", "path", "paths", "file", "dir", "type", "id", "count", "uri", "url",
        "endpoint", "enabled", "header", "ttl", "expiration", "expiry", "length", "policy", "provider", "mode",
        "version", "hash", "field", "source", "sources", "namespace",
    ]

    /// Whether `name` contains one of the words `secretKind` looks for (`secret`, `privatekey`, `password`,
    /// `passwd`, `apikey`, `token`); a name without any of them is never secret unless it is a special case.
    @inline(__always) static func mentionsSecretWord(_ name: Name) -> Bool {
        for offset in 0..<name.count {
            switch name[offset] {
            case UInt8(ascii: "s"): if matches(name, at: offset, "secret") { return true }
            case UInt8(ascii: "p"):
                if matches(name, at: offset, "passwd") || matches(name, at: offset, "password")
                    || matches(name, at: offset, "privatekey")
                {
                    return true
                }
            case UInt8(ascii: "a"): if matches(name, at: offset, "apikey") { return true }
            case UInt8(ascii: "t"): if matches(name, at: offset, "token") { return true }
            default: continue
            }
        }
        return false
    }

    /// The kind of secret a normalized key name announces, or `nil` when its value is not secret.
    static func secretKind(forName name: Name) -> String? {
        guard !name.isEmpty else { return nil }
        if equals(name, "clientkeydata") { return "kubeconfig-client-key" }
        if equals(name, "clientcertificatedata") { return "kubeconfig-client-certificate" }
        if equals(name, "accountkey") || equals(name, "sharedaccesskey") || equals(name, "sharedaccesssignature") {
            return "azure-connection-string"
        }
        // Every remaining kind needs one of the words; most keys have none, so check that first.
        guard mentionsSecretWord(name) else { return nil }
        if equals(name, "automountserviceaccounttoken") || equals(name, "serviceaccounttoken") { return nil }
        for suffix in exemptSuffixes where hasSuffix(name, suffix) { return nil }
        if contains(name, "secretaccesskey") { return "aws-secret-key" }
        if contains(name, "privatekey") { return "private-key" }
        if contains(name, "password") || contains(name, "passwd") { return "password" }
        if contains(name, "apikey") { return "api-key" }
        if contains(name, "token") { return "token" }
        if contains(name, "secret") { return "secret" }
        return nil
    }

    /// After `name:`/`"name":`, the kind when the value names a secret env var (`DB_PASSWORD`), else `nil`.
    static func envValueKind(_ bytes: Bytes, separator: Separator) -> String? {
        var index = separator.position + 1
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\\")
            || bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'")
        {
            index += 1
        }
        var end = index
        while end < bytes.count, isKeyByte(bytes[end]), end - index < 80 { end += 1 }
        guard end > index else { return nil }
        return withNormalizedName(bytes, start: index, end: end) { secretKind(forName: $0) }
    }

    /// Whether only indentation, `- ` and a quote precede the key on its line (YAML or pretty JSON style).
    static func keyStartsLine(_ bytes: Bytes, keyStart: Int) -> Bool {
        var index = keyStart - 1
        while index >= 0 {
            switch bytes[index] {
            case UInt8(ascii: "\n"): return true
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "-"), UInt8(ascii: "\""), UInt8(ascii: "'"),
                UInt8(ascii: "{"), UInt8(ascii: ","):
                index -= 1
            default: return false
            }
        }
        return true
    }

    /// The column of the key on its line.
    static func column(_ bytes: Bytes, of position: Int) -> Int {
        var index = position - 1
        while index >= 0, bytes[index] != UInt8(ascii: "\n") { index -= 1 }
        return position - index - 1
    }

    /// The span of the value after `separator`, or `nil` when the value is empty, a reference or a structure.
    ///
    /// `strict` (a `key: value` in the middle of prose) only redacts values that look like credentials.
    static func valueSpan(
        _ bytes: Bytes, keyStart: Int, separator: Separator, kind: String, strict: Bool, restOfLine: Bool
    ) -> RedactSpan? {
        let count = bytes.count
        var index = separator.position + 1
        while index < count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") { index += 1 }
        guard index < count else { return nil }
        let first = bytes[index]
        var start = index
        var end = index
        if first == UInt8(ascii: "\\"), index + 1 < count, bytes[index + 1] == UInt8(ascii: "\"") {
            // An escaped quote inside a JSON string: the value ends at the next `\"`.
            start = index + 2
            end = start
            while end + 1 < count, !(bytes[end] == UInt8(ascii: "\\") && bytes[end + 1] == UInt8(ascii: "\"")),
                bytes[end] != UInt8(ascii: "\n")
            {
                end += 1
            }
        } else if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
            start = index + 1
            end = start
            while end < count, bytes[end] != first, bytes[end] != UInt8(ascii: "\n") {
                if bytes[end] == UInt8(ascii: "\\") { end += 1 }
                end += 1
            }
            end = min(end, count)
        } else if bytes[separator.position] == UInt8(ascii: ":") && !strict && restOfLine {
            if first == UInt8(ascii: "|") || first == UInt8(ascii: ">") {
                return blockScalarSpan(bytes, keyStart: keyStart, indicator: index, kind: kind)
            }
            while end < count, bytes[end] != UInt8(ascii: "\n"), bytes[end] != UInt8(ascii: "\r") { end += 1 }
            while end > start, bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: ",")
                || bytes[end - 1] == UInt8(ascii: "\t")
            {
                end -= 1
            }
        } else {
            while end < count, !isValueTerminator(bytes[end]) { end += 1 }
        }
        guard end > start else { return nil }
        if isExemptValue(bytes, start: start, end: end) { return nil }
        if strict, !looksLikeCredential(bytes, start: start, end: end) { return nil }
        // A value in a well-known format is reported as that format (`ghp_…` under `GITHUB_TOKEN` is a GitHub token).
        var wordEnd = start
        while wordEnd < end, isKeyByte(bytes[wordEnd]) { wordEnd += 1 }
        var specific = kind
        if wordEnd > start, let known = jwtSpan(bytes, start: start, end: wordEnd) ?? knownFormat(bytes, start: start, end: wordEnd),
            known.kind != "jwt" || kind == "secret"
        {
            specific = known.kind
        }
        return RedactSpan(start: start, end: end, kind: specific, priority: prioritySpecific)
    }

    /// The lines of a YAML block scalar (`key: |`) more indented than its key.
    static func blockScalarSpan(_ bytes: Bytes, keyStart: Int, indicator: Int, kind: String) -> RedactSpan? {
        let keyColumn = column(bytes, of: keyStart)
        var index = indicator
        while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
        let contentStart = index + 1
        var lastContentEnd = contentStart
        var lineStart = contentStart
        while lineStart < bytes.count {
            var cursor = lineStart
            while cursor < bytes.count, bytes[cursor] == UInt8(ascii: " ") { cursor += 1 }
            var lineEnd = cursor
            while lineEnd < bytes.count, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            let blank = cursor == lineEnd
            if !blank {
                guard cursor - lineStart > keyColumn else { break }
                lastContentEnd = lineEnd
            }
            lineStart = lineEnd + 1
        }
        guard lastContentEnd > contentStart else { return nil }
        var start = contentStart
        while start < lastContentEnd, bytes[start] == UInt8(ascii: " ") { start += 1 }
        return RedactSpan(start: start, end: lastContentEnd, kind: kind, priority: prioritySpecific)
    }

    /// Bytes that end an unquoted value.
    static func isValueTerminator(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: ","),
            UInt8(ascii: ";"), UInt8(ascii: "&"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: ")"),
            UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: "\\"):
            return true
        default:
            return false
        }
    }

    /// Values that are not secrets: placeholders, references, booleans, `null`, structures and earlier redactions.
    static func isExemptValue(_ bytes: Bytes, start: Int, end: Int) -> Bool {
        let value = String(decoding: bytes[start..<min(end, start + 16)], as: UTF8.self).lowercased()
        if end - start <= 5, ["null", "~", "true", "false", "none", "yes", "no", "{}", "[]"].contains(value) { return true }
        let first = bytes[start]
        if first == UInt8(ascii: "<") || first == UInt8(ascii: "{") || first == UInt8(ascii: "[") { return true }
        // kubectl config view prints `DATA+OMITTED` and `REDACTED` in place of credentials.
        if value == "redacted" || value == "data+omitted" { return true }
        if value.hasPrefix("${") || value.hasPrefix("$(") || value.hasPrefix("[redacted") || value.hasPrefix("***") {
            return true
        }
        return false
    }

    /// Whether a value in prose looks like a credential: at least 8 characters with a digit or a symbol.
    static func looksLikeCredential(_ bytes: Bytes, start: Int, end: Int) -> Bool {
        guard end - start >= 8 else { return false }
        return bytes[start..<end].contains { !isLetter($0) }
    }

    /// `Bearer <token>` / `Basic <credentials>`: the credential after the scheme word.
    static func schemeCredential(_ bytes: Bytes, start: Int, end: Int) -> RedactSpan? {
        let length = end - start
        guard length == 6 || length == 5, bytes[start] | 0x20 == UInt8(ascii: "b") else { return nil }
        let scheme: String? = withNormalizedName(bytes, start: start, end: end) { name in
            equals(name, "bearer") ? "bearer-token" : equals(name, "basic") ? "basic-auth" : nil
        }
        guard let kind = scheme else { return nil }
        var index = end
        guard index < bytes.count, bytes[index] == UInt8(ascii: " ") else { return nil }
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
        var credentialEnd = index
        while credentialEnd < bytes.count, !isValueTerminator(bytes[credentialEnd]) { credentialEnd += 1 }
        // An earlier placeholder (`Bearer [REDACTED:bearer-token]`) is not a credential.
        guard index < bytes.count, bytes[index] != UInt8(ascii: "[") else { return nil }
        let credential = bytes[index..<credentialEnd]
        guard credential.count >= 8, credential.count >= 20 || credential.contains(where: isDigit) else { return nil }
        return RedactSpan(start: index, end: credentialEnd, kind: kind, priority: prioritySpecific)
    }

    /// A JWT: `eyJ…` header, `.`, payload, `.`, signature (base64url segments).
    static func jwtSpan(_ bytes: Bytes, start: Int, end: Int) -> RedactSpan? {
        guard end - start >= 20, bytes[start] == UInt8(ascii: "e"), bytes[start + 1] == UInt8(ascii: "y"),
            bytes[start + 2] == UInt8(ascii: "J")
        else { return nil }
        // Exactly three dot-separated segments, the first two at least 10 bytes long.
        var dots = 0
        var first = 0
        var second = 0
        for index in start..<end where bytes[index] == UInt8(ascii: ".") {
            dots += 1
            if dots == 1 { first = index - start } else if dots == 2 { second = index - start - first - 1 } else { return nil }
        }
        guard dots == 2, first >= 10, second >= 10 else { return nil }
        return RedactSpan(start: start, end: end, kind: "jwt", priority: prioritySpecific)
    }

    /// Well-known key formats identified by prefix (AWS, GitHub, GitLab, Slack, OpenAI, Anthropic, Google).
    static func knownFormat(_ bytes: Bytes, start: Int, end: Int) -> RedactSpan? {
        // The shortest format (`xoxb-` plus 10) has 15 bytes.
        guard end - start >= 15 else { return nil }
        let word = bytes[start..<end]
        func run(from offset: Int, _ allowed: (UInt8) -> Bool) -> Int {
            var index = start + offset
            while index < end, allowed(bytes[index]) { index += 1 }
            return index - start - offset
        }
        func span(_ length: Int, _ kind: String) -> RedactSpan {
            RedactSpan(start: start, end: start + length, kind: kind, priority: prioritySpecific)
        }
        func hasPrefix(_ prefix: String) -> Bool { word.starts(with: prefix.utf8) }
        switch bytes[start] {
        case UInt8(ascii: "A"):
            for prefix in ["AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA"] where hasPrefix(prefix) {
                let body = run(from: 4) { isUpper($0) || isDigit($0) }
                if body == 16, start + 20 == end || !isAlnum(bytes[start + 20]) { return span(20, "aws-access-key") }
            }
            if hasPrefix("AIza") {
                let body = run(from: 4) { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
                if body >= 35 { return span(4 + body, "google-api-key") }
            }
        case UInt8(ascii: "g"):
            for prefix in ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"] where hasPrefix(prefix) {
                let body = run(from: 4, isAlnum)
                if body >= 30 { return span(4 + body, "github-token") }
            }
            if hasPrefix("github_pat_") {
                let body = run(from: 11) { isAlnum($0) || $0 == UInt8(ascii: "_") }
                if body >= 22 { return span(11 + body, "github-token") }
            }
            if hasPrefix("glpat-") {
                let body = run(from: 6) { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
                if body >= 20 { return span(6 + body, "gitlab-token") }
            }
        case UInt8(ascii: "x"):
            if word.count >= 5, hasPrefix("xox"), [UInt8(ascii: "b"), UInt8(ascii: "p"), UInt8(ascii: "a"),
                UInt8(ascii: "r"), UInt8(ascii: "s"), UInt8(ascii: "e")].contains(bytes[start + 3]),
                bytes[start + 4] == UInt8(ascii: "-")
            {
                let body = run(from: 5) { isAlnum($0) || $0 == UInt8(ascii: "-") }
                if body >= 10 { return span(5 + body, "slack-token") }
            }
        case UInt8(ascii: "s"):
            if hasPrefix("sk-ant-") {
                let body = run(from: 7) { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
                if body >= 20 { return span(7 + body, "anthropic-api-key") }
            } else if hasPrefix("sk-") {
                let body = run(from: 3) { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
                let part = bytes[(start + 3)..<(start + 3 + body)]
                // Lowercase DNS names (pods called `sk-learn-…`) are not keys; OpenAI keys mix case and digits.
                if body >= 20, part.contains(where: isUpper), part.contains(where: isDigit) {
                    return span(3 + body, "openai-api-key")
                }
            }
        default:
            break
        }
        return nil
    }

    // MARK: - Blobs

    /// A high-entropy base64 or hex run, unless it is a digest (`sha256:…`) or a container id (`containerd://…`).
    static func blob(_ bytes: Bytes, start: Int, end: Int, paddedEnd: Int) -> RedactSpan? {
        var first = start
        while first < end, bytes[first] == UInt8(ascii: "/") { first += 1 }
        let length = end - first
        guard length >= base64Threshold || length >= hexThreshold else { return nil }
        var upper = 0
        var lower = 0
        var digits = 0
        var allHex = true
        var hasStandard = false
        var hasURLSafe = false
        for index in first..<end {
            let byte = bytes[index]
            if isUpper(byte) {
                upper += 1
                if byte > UInt8(ascii: "F") { allHex = false }
            } else if isLower(byte) {
                lower += 1
                if byte > UInt8(ascii: "f") { allHex = false }
            } else if isDigit(byte) {
                digits += 1
            } else {
                allHex = false
                if byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/") {
                    hasStandard = true
                } else {
                    hasURLSafe = true
                }
            }
        }
        let preceding: UInt8 = first > 0 ? bytes[first - 1] : 0
        if allHex {
            guard length >= hexThreshold, digits > 0, upper + lower > 0 else { return nil }
            if preceding == UInt8(ascii: ":") || preceding == UInt8(ascii: "/") || preceding == UInt8(ascii: "@") {
                return nil
            }
            return RedactSpan(start: first, end: end, kind: "high-entropy-hex", priority: priorityGeneric)
        }
        guard length >= base64Threshold, !(hasStandard && hasURLSafe) else { return nil }
        guard upper * 100 >= length * 15, lower * 100 >= length * 15, digits >= 2 else { return nil }
        let entropy = withUnsafeTemporaryAllocation(of: Int.self, capacity: 128) { histogram -> Double in
            histogram.initialize(repeating: 0)
            for index in first..<end { histogram[Int(bytes[index] & 0x7f)] += 1 }
            var entropy = 0.0
            let total = Double(length)
            for value in histogram where value > 0 {
                let p = Double(value) / total
                entropy -= p * log2(p)
            }
            return entropy
        }
        guard entropy >= 4.2 else { return nil }
        return RedactSpan(start: first, end: paddedEnd, kind: "high-entropy-base64", priority: priorityGeneric)
    }

    // MARK: - PEM

    /// The opening marker of a PEM block.
    static let pemBegin = Array("-----BEGIN ".utf8)
    /// The closing marker of a PEM block.
    static let pemEnd = Array("-----END ".utf8)

    /// A PEM block from `-----BEGIN X-----` to `-----END X-----` (or the base64 lines after a BEGIN with no END).
    ///
    /// `noEndBefore` remembers how far earlier searches found no END marker, so many BEGIN lines without
    /// an END (cut output) do not each search the same 128 KiB again.
    static func pemBlock(_ bytes: Bytes, at start: Int, noEndBefore: inout Int) -> RedactSpan? {
        let begin = pemBegin
        guard start + begin.count < bytes.count, bytes[start + 4] == UInt8(ascii: "-"), bytes[start + 5] == UInt8(ascii: "B"),
            bytes[start..<(start + begin.count)].elementsEqual(begin)
        else {
            return nil
        }
        var labelEnd = start + begin.count
        while labelEnd < bytes.count, labelEnd - start < 80, bytes[labelEnd] != UInt8(ascii: "-"),
            bytes[labelEnd] != UInt8(ascii: "\n")
        {
            labelEnd += 1
        }
        let label = String(decoding: bytes[(start + begin.count)..<labelEnd], as: UTF8.self)
        let kind =
            label.contains("PRIVATE KEY") ? "private-key" : label.contains("CERTIFICATE") ? "certificate" : "pem-block"
        let endMarker = pemEnd
        let limit = min(bytes.count, start + pemSearchLimit)
        var index = max(labelEnd, noEndBefore)
        while index + endMarker.count <= limit {
            if bytes[index] == UInt8(ascii: "-"), bytes[index + 5] == UInt8(ascii: "E"),
                bytes[index..<(index + endMarker.count)].elementsEqual(endMarker)
            {
                var close = index + endMarker.count
                while close < bytes.count, close - index < 100, bytes[close] != UInt8(ascii: "-"),
                    bytes[close] != UInt8(ascii: "\n")
                {
                    close += 1
                }
                while close < bytes.count, bytes[close] == UInt8(ascii: "-") { close += 1 }
                return RedactSpan(start: start, end: close, kind: kind, priority: prioritySpecific + 1)
            }
            index += 1
        }
        noEndBefore = max(noEndBefore, index)
        // No END marker (cut output): redact the BEGIN line and the base64 lines after it.
        var end = labelEnd
        while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
        var lineStart = end + 1
        while lineStart < bytes.count {
            var cursor = lineStart
            while cursor < bytes.count, bytes[cursor] == UInt8(ascii: " ") { cursor += 1 }
            var lineEnd = cursor
            while lineEnd < bytes.count, isBlobByte(bytes[lineEnd]) || bytes[lineEnd] == UInt8(ascii: "=") {
                lineEnd += 1
            }
            guard lineEnd - cursor >= 16, lineEnd == bytes.count || bytes[lineEnd] == UInt8(ascii: "\n") else { break }
            end = lineEnd
            lineStart = lineEnd + 1
        }
        return RedactSpan(start: start, end: end, kind: kind, priority: prioritySpecific + 1)
    }

    // MARK: - Byte classes

    /// ASCII letters and digits, `_` and `-`: bytes that continue a word.
    @inline(__always) static func isWordByte(_ byte: UInt8) -> Bool {
        isAlnum(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    /// Bytes of a key name or a dotted token (JWT): word bytes and `.`.
    @inline(__always) static func isKeyByte(_ byte: UInt8) -> Bool { isWordByte(byte) || byte == UInt8(ascii: ".") }

    /// Bytes of a base64 (standard or URL-safe) run, without padding.
    @inline(__always) static func isBlobByte(_ byte: UInt8) -> Bool {
        isWordByte(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/")
    }

    /// `A`–`Z`.
    @inline(__always) static func isUpper(_ byte: UInt8) -> Bool { byte >= 65 && byte <= 90 }
    /// `a`–`z`.
    @inline(__always) static func isLower(_ byte: UInt8) -> Bool { byte >= 97 && byte <= 122 }
    /// `0`–`9`.
    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }
    /// ASCII letters.
    @inline(__always) static func isLetter(_ byte: UInt8) -> Bool { isUpper(byte) || isLower(byte) }
    /// ASCII letters and digits.
    @inline(__always) static func isAlnum(_ byte: UInt8) -> Bool { isLetter(byte) || isDigit(byte) }
    /// Hex digits.
    @inline(__always) static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= 97 && byte <= 102) || (byte >= 65 && byte <= 70)
    }
}
