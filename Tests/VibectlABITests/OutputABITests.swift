import CVibectl
import Foundation
import Testing
import VibectlTestSupport

@testable import VibectlABI

/// A JWT-shaped test token (not a real credential).
private let sampleJWT =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVmYXVsdDpjaSJ9.c2lnbmF0dXJlLXNhbXBsZS12YWx1ZS0xMjM0"

@Suite("Classification, compaction and redaction through the C ABI")
struct OutputABITests {
    private func call(_ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32) throws -> (Int32, [String: Any]?) {
        let (status, text) = takeString(body)
        return (status, status == VIBECTL_OK ? try object(text) : nil)
    }

    @Test("classify: read-only is safe, a dangerous flag forces confirmation, a shell operator is rejected")
    func classify() throws {
        let client = try TestClient()
        var (status, result) = try call { vibectl_classify(client.handle, #"["get","pods","-A"]"#, nil, $0) }
        #expect(status == VIBECTL_OK)
        #expect(result?["verdict"] as? String == "safe")
        #expect(result?["class"] as? String == "read-only")

        (status, result) = try call { vibectl_classify(client.handle, #"["delete","pod","web-1","--force"]"#, nil, $0) }
        #expect(result?["verdict"] as? String == "confirm")
        #expect(result?["forced"] as? Bool == true)

        (status, result) = try call { vibectl_classify(client.handle, #"["get","pods",";","rm","-rf","/"]"#, nil, $0) }
        #expect(result?["verdict"] as? String == "reject")
        #expect((result?["reasons"] as? [String])?.isEmpty == false)
    }

    @Test("classify: a target flag is rejected unless the user's own config sets it")
    func classifyUserFlags() throws {
        let client = try TestClient()
        var (_, result) = try call { vibectl_classify(client.handle, #"["get","pods","--context","prod"]"#, nil, $0) }
        #expect(result?["verdict"] as? String == "reject")
        #expect(vibectl_config_set(client.handle, "core.context", "prod") == VIBECTL_OK)
        (_, result) = try call { vibectl_classify(client.handle, #"["get","pods","--context","prod"]"#, nil, $0) }
        #expect(result?["verdict"] as? String == "safe")
        (_, result) = try call {
            vibectl_classify(client.handle, #"["get","pods","--namespace","x"]"#, #"{"user_flags":["--namespace"]}"#, $0)
        }
        #expect(result?["verdict"] as? String == "safe")
    }

    @Test("compact keeps the count and the unhealthy pods of a big list within the budget, after redaction")
    func compact() throws {
        let client = try TestClient()
        var items: [String] = []
        for index in 0..<2000 {
            let phase = index % 250 == 0 ? "Pending" : "Running"
            items.append(
                #"{"kind":"Pod","metadata":{"name":"web-\#(index)","namespace":"shop","uid":"u-\#(index)","managedFields":[{"manager":"kubectl"}]},"spec":{"containers":[{"name":"web","image":"registry.example/web:1.\#(index % 3)"}]},"status":{"phase":"\#(phase)"}}"#
            )
        }
        let list = #"{"apiVersion":"v1","kind":"List","items":[\#(items.joined(separator: ","))],"metadata":{"token":"\#(sampleJWT)"}}"#
        let (status, result) = try call { vibectl_compact(client.handle, list, #"{"budget":3000}"#, $0) }
        #expect(status == VIBECTL_OK, "\(lastMessage())")
        let text = try #require(result?["text"] as? String)
        #expect(text.count <= 3000)
        #expect(result?["type"] as? String == "json")
        #expect(text.contains("2000"), "the item count survives")
        #expect(text.contains("web-0") && text.contains("web-250"), "the Pending pods survive")
        #expect(!text.contains(sampleJWT))
        #expect((result?["original_chars"] as? Int) == list.count)
    }

    @Test("redact returns findings by kind and never the secret; custom patterns apply")
    func redact() throws {
        let client = try TestClient()
        #expect(vibectl_config_set(client.handle, "security.redact_patterns", #"["acme-[0-9]{6}"]"#) == VIBECTL_OK)
        let input = "Authorization: Bearer \(sampleJWT)\nticket acme-123456 opened"
        let (status, result) = try call { vibectl_redact(client.handle, input, $0) }
        #expect(status == VIBECTL_OK, "\(lastMessage())")
        let text = try #require(result?["text"] as? String)
        #expect(!text.contains(sampleJWT))
        #expect(!text.contains("acme-123456"))
        #expect(text.contains("[REDACTED:"))
        let findings = try #require(result?["findings"] as? [String: Int])
        #expect(findings.values.reduce(0, +) >= 2)
        let serialized = String(decoding: try JSONSerialization.data(withJSONObject: result ?? [:]), as: UTF8.self)
        #expect(!serialized.contains("acme-123456"))
    }

    @Test("memory is redacted before it is stored, unless security.redact is off")
    func memoryRedacted() throws {
        let client = try TestClient()
        #expect(vibectl_memory_set(client.handle, "deploy token \(sampleJWT) works", nil) == VIBECTL_OK)
        var (_, text) = takeString { vibectl_memory_get(client.handle, $0) }
        #expect(text?.contains(sampleJWT) == false)
        #expect(text?.contains("[REDACTED:") == true)
        #expect(vibectl_config_set(client.handle, "security.redact", "false") == VIBECTL_OK)
        #expect(vibectl_memory_set(client.handle, "deploy token \(sampleJWT) works", nil) == VIBECTL_OK)
        (_, text) = takeString { vibectl_memory_get(client.handle, $0) }
        #expect(text?.contains(sampleJWT) == true)
    }

    @Test("bad arguments give VIBECTL_EINVAL with the member named")
    func badArguments() throws {
        let client = try TestClient()
        var out: UnsafeMutablePointer<CChar>?
        #expect(vibectl_classify(client.handle, "{}", nil, &out) == VIBECTL_EINVAL)
        #expect(vibectl_classify(client.handle, #"["get"]"#, #"{"colour":1}"#, &out) == VIBECTL_EINVAL)
        #expect(lastMessage().contains("colour"))
        #expect(vibectl_compact(client.handle, "x", #"{"budget":"big"}"#, &out) == VIBECTL_EINVAL)
        #expect(lastMessage().contains("budget"))
        #expect(vibectl_compact(client.handle, nil, nil, &out) == VIBECTL_EINVAL)
        #expect(vibectl_redact(client.handle, nil, &out) == VIBECTL_EINVAL)
        #expect(vibectl_redact(client.handle, "x", nil) == VIBECTL_EINVAL)
        #expect(out == nil)
    }
}
