/// Removes key-like strings from text that is about to appear in an error, a warning, a log line or an event.
///
/// Provider error bodies sometimes echo what they were sent (a key, an `Authorization` header, a
/// URL with `?key=`), so everything a provider says passes through ``redactSecrets(_:)`` before it
/// is shown. The rules are deliberately broad; a redacted request id costs less than a leaked key.
public enum Redaction {
    /// What a secret is replaced with.
    public static let placeholder = "[redacted]"

    /// Names after which a `=` or `:` introduces a secret value (`key=...`, `"api_key": "..."`).
    private static let secretNames: Set<String> = [
        "key", "api_key", "apikey", "api-key", "x-api-key", "x-goog-api-key", "token", "access_token",
        "refresh_token", "secret", "client_secret", "password", "authorization",
    ]

    /// Prefixes of provider error codes that end in a secret's name (`invalid_api_key: Incorrect ...`): what
    /// follows them is a message, not a value.
    private static let errorCodePrefixes = ["invalid_", "incorrect_", "missing_", "expired_", "revoked_"]

    /// Words after which the next token is a credential (`Bearer x`, `Basic x`).
    private static let schemeWords: Set<String> = ["bearer", "basic"]

    /// Prefixes of well-known key formats, with the least length a token must have to count.
    private static let keyPrefixes: [(prefix: String, minimumLength: Int)] = [
        ("sk-", 12), ("AIza", 20), ("xai-", 16), ("gsk_", 16), ("ghp_", 16), ("github_pat_", 16), ("hf_", 16),
    ]

    /// Returns `text` with every key-like string replaced by ``placeholder``.
    ///
    /// Replaced: tokens starting with a known key prefix (`sk-`, `AIza`, ...), the credential after
    /// `Bearer`/`Basic` (up to the next space or quote, when at least 8 characters with a digit, or 20), the value after `key=`, `api_key:`, `token=`, `authorization:` and
    /// similar names (when at least 8 characters long), and long runs of base64 or hex characters
    /// (32 characters or more, mixing letters and digits, with a 20-character stretch free of `-` and `_`).
    public static func redactSecrets(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var output = String.UnicodeScalarView()
        /// The least length of the next token for it to be redacted because of what came before; `nil` when no rule applies.
        var pendingMinimum: Int?
        /// Whether the next token is the credential of an authorization scheme.
        var pendingCredential = false
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            guard isTokenScalar(scalar) else {
                output.append(scalar)
                if pendingMinimum != nil, !isSeparator(scalar) {
                    pendingMinimum = nil
                    pendingCredential = false
                }
                index += 1
                continue
            }
            var end = index
            if pendingCredential {
                // A credential after `Bearer`/`Basic` runs to the next space or quote (JWTs contain dots).
                while end < scalars.count, !isCredentialEnd(scalars[end]) { end += 1 }
                let run = scalars[index..<end]
                pendingMinimum = nil
                pendingCredential = false
                if run.count >= 8, run.count >= 20 || run.contains(where: { ("0"..."9").contains($0) }) {
                    index = end
                    output.append(contentsOf: placeholder.unicodeScalars)
                    continue
                }
                end = index
            }
            while end < scalars.count, isTokenScalar(scalars[end]) { end += 1 }
            let token = String(String.UnicodeScalarView(scalars[index..<end]))
            index = end
            if let minimum = pendingMinimum, token.unicodeScalars.count >= minimum {
                output.append(contentsOf: placeholder.unicodeScalars)
                pendingMinimum = nil
                continue
            }
            pendingMinimum = nil
            if looksLikeSecret(token) {
                output.append(contentsOf: placeholder.unicodeScalars)
                continue
            }
            output.append(contentsOf: token.unicodeScalars)
            let lowered = token.lowercased()
            if schemeWords.contains(lowered) {
                pendingMinimum = 1
                pendingCredential = true
            } else if secretNames.contains(lowered) || secretNames.contains(where: { lowered.hasSuffix("_" + $0) }),
                !errorCodePrefixes.contains(where: { lowered.hasPrefix($0) }), assignmentFollows(scalars, from: index)
            {
                pendingMinimum = 8
            }
        }
        return String(output)
    }

    /// Whether a token on its own looks like a key.
    static func looksLikeSecret(_ token: String) -> Bool {
        let length = token.unicodeScalars.count
        for (prefix, minimumLength) in keyPrefixes where token.hasPrefix(prefix) && length >= minimumLength {
            return true
        }
        guard length >= 32 else { return false }
        var hasLetter = false
        var hasDigit = false
        var stretch = 0
        var longestStretch = 0
        for scalar in token.unicodeScalars {
            if ("0"..."9").contains(scalar) {
                hasDigit = true
            } else if scalar.isASCII, scalar.properties.isAlphabetic {
                hasLetter = true
            }
            if scalar == "-" || scalar == "_" {
                stretch = 0
            } else {
                stretch += 1
                longestStretch = max(longestStretch, stretch)
            }
        }
        return hasLetter && hasDigit && longestStretch >= 20
    }

    /// Characters that make up a token: ASCII letters and digits, `-`, `_`, `+` and `/`.
    private static func isTokenScalar(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar.isASCII else { return false }
        return scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_"
            || scalar == "+" || scalar == "/"
    }

    /// Characters that end a credential after `Bearer`/`Basic`.
    private static func isCredentialEnd(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || scalar == "\"" || scalar == "'" || scalar == "," || scalar == ";"
            || scalar == "}" || scalar == "]" || scalar == ")"
    }

    /// Characters allowed between a name or scheme word and the secret it introduces.
    private static func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "=" || scalar == ":" || scalar == "\"" || scalar == "'"
    }

    /// Whether the scalars from `start` are optional quotes and spaces, then `=` or `:`.
    private static func assignmentFollows(_ scalars: [Unicode.Scalar], from start: Int) -> Bool {
        var index = start
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "=" || scalar == ":" { return true }
            if scalar == " " || scalar == "\t" || scalar == "\"" || scalar == "'" {
                index += 1
                continue
            }
            return false
        }
        return false
    }
}
