import Foundation
import Testing
import VibectlCore
import VibectlOutput

@Suite("Redactor")
struct RedactorTests {
    let redactor = Redactor.builtIn

    @Test("the positive corpus has at least 40 samples")
    func corpusSize() {
        #expect(RedactorCorpus.positives.count >= 40)
        #expect(Set(RedactorCorpus.positives.map(\.kind)).count >= 20)
    }

    @Test("every positive sample is fully redacted and reported under its kind", arguments: RedactorCorpus.positives)
    func positive(_ sample: RedactorCorpus.Sample) {
        let result = redactor.redact(sample.text)
        for secret in sample.secrets {
            #expect(!result.text.contains(secret), "\(sample.name): secret survived in \(result.text)")
        }
        #expect(result.text.contains("[REDACTED:\(sample.kind)]"), "\(sample.name): \(result.text)")
        #expect((result.findings[sample.kind] ?? 0) >= 1, "\(sample.name): findings \(result.findings)")
        #expect(result.total >= sample.secrets.count || sample.kind.hasPrefix("pem") || result.total >= 1)
    }

    @Test("ordinary kubectl output is left untouched", arguments: RedactorCorpus.negatives.map(\.name))
    func negative(_ name: String) throws {
        let text = try #require(RedactorCorpus.negatives.first { $0.name == name }).text
        let result = redactor.redact(text)
        #expect(result.findings.isEmpty, "\(name): \(result.findings)")
        #expect(result.text == text)
    }

    @Test("the text around a secret is kept byte for byte, including non-ASCII")
    func surroundingsKept() {
        let token = "ghp_" + RedactorCorpus.fake(RedactorCorpus.alnum, 36, seed: 99)
        let result = redactor.redact("héllo ✓ \(token) 日本語\n")
        #expect(result.text == "héllo ✓ [REDACTED:github-token] 日本語\n")
        #expect(result.findings == ["github-token": 1])
        #expect(result.total == 1)
    }

    @Test("redacting twice finds nothing new")
    func idempotent() {
        let all = RedactorCorpus.positives.map(\.text).joined(separator: "\n")
        let once = redactor.redact(all)
        #expect(once.total >= RedactorCorpus.positives.count)
        let twice = redactor.redact(once.text)
        #expect(twice.findings.isEmpty, "\(twice.findings)")
        #expect(twice.text == once.text)
    }

    @Test("json() carries text, findings and total but never the secret")
    func jsonShape() throws {
        let secret = "hunter2-" + RedactorCorpus.fake(RedactorCorpus.alnum, 8, seed: 7)
        let result = redactor.redact("DB_PASSWORD=\(secret)\n")
        let object = try #require(result.json().objectValue)
        #expect(object["text"]?.stringValue == "DB_PASSWORD=[REDACTED:password]\n")
        #expect(object["findings"] == .object(["password": .int(1)]))
        #expect(object["total"] == .int(1))
        let encoded = String(decoding: try JSONEncoder().encode(result.json()), as: UTF8.self)
        #expect(!encoded.contains(secret))
    }

    @Test("empty and secret-free text come back unchanged")
    func nothingToRedact() {
        #expect(redactor.redact("").text == "")
        #expect(redactor.redact("").total == 0)
        let plain = "deployment.apps/web scaled\n"
        #expect(redactor.redact(plain) == RedactionResult(text: plain, findings: [:]))
    }

    @Test("custom patterns are redacted as kind custom, with non-ASCII text before them")
    func customPatterns() throws {
        let custom = try Redactor(extraPatterns: ["corp-[0-9]{6}", "internal\\.example\\.com/[a-z]+"])
        let result = custom.redact("ünïcødé ✓ id corp-123456 at internal.example.com/secretpath; ok corp-999999\n")
        #expect(result.text == "ünïcødé ✓ id [REDACTED:custom] at [REDACTED:custom]; ok [REDACTED:custom]\n")
        #expect(result.findings == ["custom": 3])
        // Built-in detectors still run next to custom ones.
        let aws = "AKIA" + RedactorCorpus.fake(RedactorCorpus.upperDigits, 16, seed: 5)
        let both = custom.redact("corp-000001 \(aws)")
        #expect(both.findings == ["custom": 1, "aws-access-key": 1])
    }

    @Test("a custom pattern overlapping a built-in finding is merged into one placeholder")
    func overlappingCustom() throws {
        let custom = try Redactor(extraPatterns: ["PASSWORD=[a-z0-9]+"])
        let result = custom.redact("DB_PASSWORD=abc123 next\n")
        #expect(result.total == 1)
        #expect(!result.text.contains("abc123"))
        #expect(result.text.hasSuffix(" next\n"))
    }

    @Test("an invalid custom pattern is rejected with an error naming it")
    func invalidPattern() {
        do {
            _ = try Redactor(extraPatterns: ["ok-[0-9]+", "broken[("])
            Issue.record("an invalid pattern was accepted")
        } catch let error as VibectlError {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("broken[("))
            #expect(error.message.contains("security.redact_patterns[1]"))
            #expect(error.hint != nil)
        } catch {
            Issue.record("unexpected error \(error)")
        }
        #expect(throws: VibectlError.self) { try Redactor(extraPatterns: [""]) }
    }

    @Test("a 40 MB log is redacted in one linear pass, every planted secret found")
    func largeLog() {
        let lines = [
            "2024-05-01T10:00:00.000000000Z INFO  GET /api/v1/namespaces/default/pods?limit=500 200 12ms pod=web-66b6c48dd5-4jtkz",
            "2024-05-01T10:00:00.100000000Z WARN  slow request to 10.96.0.1:443 took 1.5s uid=0e4c8f5a-1d2b-4c3e-9f8a-7b6c5d4e3f2a",
            "2024-05-01T10:00:00.200000000Z INFO  image pulled registry.example.com/api@sha256:9b2a6f1e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29181716151413121110fedc",
            "2024-05-01T10:00:00.300000000Z ERROR reconcile failed for secret default/db: conflict, retrying in 2s",
        ]
        let aws = "AKIA" + RedactorCorpus.fake(RedactorCorpus.upperDigits, 16, seed: 11)
        let secretLine = "2024-05-01T10:00:00.400000000Z DEBUG using key \(aws) and Authorization: Bearer "
            + RedactorCorpus.jwt(seed: 12)
        var text = ""
        text.reserveCapacity(42_000_000)
        var planted = 0
        var line = 0
        while text.utf8.count < 40_000_000 {
            if line % 1000 == 999 {
                text += secretLine
                planted += 1
            } else {
                text += lines[line % lines.count]
            }
            text += "\n"
            line += 1
        }
        let clock = ContinuousClock()
        var result = RedactionResult(text: "", findings: [:])
        let elapsed = clock.measure { result = redactor.redact(text) }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let megabytes = Double(text.utf8.count) / 1_000_000
        print("redactor: \(String(format: "%.1f", megabytes)) MB in \(String(format: "%.2f", seconds)) s = \(String(format: "%.1f", megabytes / max(seconds, 1e-9))) MB/s")
        #expect(result.findings == ["aws-access-key": planted, "bearer-token": planted])
        #expect(!result.text.contains(aws))
        #expect(result.text.utf8.count < text.utf8.count)
    }

    @Test("pathological input (one huge token, many dots and slashes) is handled")
    func pathological() {
        let long = String(repeating: "a.", count: 200_000) + String(repeating: "b/", count: 200_000)
        let result = redactor.redact(long)
        #expect(result.text == long)
        let begins = String(repeating: "-----BEGIN CERTIFICATE-----\n", count: 5000)
        let pem = redactor.redact(begins)
        #expect(pem.findings["certificate"] == 5000)
        #expect(!pem.text.contains("BEGIN"))
    }
}
