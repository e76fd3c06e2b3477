import CVibectl
import Foundation
import Testing
import VibectlTestSupport

@testable import VibectlABI

@Suite("Client handle, config and memory through the C ABI")
struct ClientABITests {
    @Test("client_new rejects bad arguments with a status and a message")
    func clientNewErrors() throws {
        #expect(vibectl_client_new(nil, nil) == VIBECTL_EINVAL)
        #expect(lastMessage().contains("out is NULL"))

        var client: OpaquePointer?
        let cases: [(String, Int32, String)] = [
            ("{not json", VIBECTL_EINVAL, "not valid JSON"),
            ("[1,2]", VIBECTL_EINVAL, "must be a JSON object"),
            (#"{"version":1,"colour":"red"}"#, VIBECTL_EINVAL, "unknown client option 'colour'"),
            (#"{"version":2}"#, VIBECTL_EINVAL, "unsupported options version"),
            (#"{"config_dir":5}"#, VIBECTL_EINVAL, "config_dir must be a string"),
            (#"{"overrides":{"llm.modle":"x"}}"#, VIBECTL_ENOTFOUND, "llm.model"),
            (#"{"overrides":{"display.theme":"neon"}}"#, VIBECTL_EINVAL, "accessible"),
        ]
        for (options, status, fragment) in cases {
            client = OpaquePointer(bitPattern: 1)
            #expect(vibectl_client_new(&client, options) == status, "\(options)")
            #expect(client == nil, "out must be NULL after a failure")
            #expect(lastMessage().contains(fragment), "\(options): \(lastMessage())")
        }

        let invalidUTF8: [CChar] = [CChar(bitPattern: 0xC3), CChar(bitPattern: 0x28), 0]
        #expect(vibectl_client_new(&client, invalidUTF8) == VIBECTL_EINVAL)
        #expect(lastMessage().contains("not valid UTF-8"))
    }

    @Test("config set, get, show, unset and info round-trip through C")
    func configRoundTrip() throws {
        let client = try TestClient()
        #expect(vibectl_config_set(client.handle, "display.show_raw_output", "yes") == VIBECTL_OK)
        var (status, json) = takeString { vibectl_config_get(client.handle, "display.show_raw_output", $0) }
        #expect(status == VIBECTL_OK)
        var entry = try object(json)
        #expect(entry["value"] as? Bool == true)
        #expect(entry["source"] as? String == "file")

        #expect(vibectl_config_set_json(client.handle, "memory.max_chars", "321") == VIBECTL_OK)
        (status, json) = takeString { vibectl_config_show(client.handle, "memory", $0) }
        let section = try object(json)
        #expect(section["scope"] as? String == "section")
        #expect((section["values"] as? [String: Any])?["max_chars"] as? Int == 321)

        #expect(vibectl_config_unset(client.handle, "memory.max_chars") == VIBECTL_OK)
        (status, json) = takeString { vibectl_config_get(client.handle, "memory.max_chars", $0) }
        entry = try object(json)
        #expect(entry["value"] as? Int == 500)
        #expect(entry["source"] as? String == "default")

        (status, json) = takeString { vibectl_config_info(client.handle, $0) }
        let info = try object(json)
        #expect(info["exists"] as? Bool == true)
        #expect((info["path"] as? String)?.hasPrefix(client.directory.path) == true)
        #expect(info["mode"] as? String == "0600")
    }

    @Test("config errors name the problem and the fix")
    func configErrors() throws {
        let client = try TestClient()
        var out: UnsafeMutablePointer<CChar>?
        #expect(vibectl_config_get(client.handle, "llm.modle", &out) == VIBECTL_ENOTFOUND)
        #expect(lastMessage().contains("llm.model"))
        #expect(out == nil)
        #expect(vibectl_config_set(client.handle, "display.theme", "neon") == VIBECTL_EINVAL)
        #expect(lastMessage().contains("accessible"))
        #expect(vibectl_config_set_json(client.handle, "memory.max_chars", "{oops") == VIBECTL_EINVAL)
        #expect(lastMessage().contains("value_json is not valid JSON"))
        #expect(vibectl_config_set(client.handle, nil, "x") == VIBECTL_EINVAL)
        #expect(lastMessage().contains("key is NULL"))
        #expect(vibectl_config_set(client.handle, "llm.model", nil) == VIBECTL_EINVAL)
        #expect(vibectl_config_get(client.handle, "llm.model", nil) == VIBECTL_EINVAL)
        #expect(lastMessage().contains("out_json is NULL"))

        try FileManager.default.createDirectory(atPath: client.directory.path + "/client", withIntermediateDirectories: true)
        try "core:\n  kubeconfig: [unclosed\n".write(
            toFile: client.directory.path + "/client/config.yaml", atomically: true, encoding: .utf8)
        #expect(vibectl_config_get(client.handle, "llm.model", &out) == VIBECTL_ECONFIG)
        #expect(lastMessage().contains("config.yaml"))
    }

    @Test("per-handle overrides win and are never saved")
    func overrides() throws {
        let client = try TestClient(overrides: ["llm.model": "gpt-4o", "memory.max_chars": "40"])
        let (_, json) = takeString { vibectl_config_get(client.handle, "llm.model", $0) }
        let entry = try object(json)
        #expect(entry["value"] as? String == "gpt-4o")
        #expect(entry["source"] as? String == "override")
        #expect(!FileManager.default.fileExists(atPath: client.directory.path + "/client/config.yaml"))

        let (status, statusJSON) = takeString { vibectl_memory_set(client.handle, String(repeating: "ü", count: 100), $0) }
        #expect(status == VIBECTL_OK)
        let memory = try object(statusJSON)
        #expect(memory["chars"] as? Int == 40)
        #expect(memory["truncated"] as? Bool == true)
    }

    @Test("memory set, get, freeze, unfreeze, clear and status through C")
    func memory() throws {
        let client = try TestClient()
        #expect(vibectl_memory_set(client.handle, "namespace is prod; 🚀 deployed", nil) == VIBECTL_OK)
        var (status, text) = takeString { vibectl_memory_get(client.handle, $0) }
        #expect(status == VIBECTL_OK)
        #expect(text == "namespace is prod; 🚀 deployed")

        #expect(vibectl_memory_freeze(client.handle) == VIBECTL_OK)
        var json: String?
        (status, json) = takeString { vibectl_memory_status(client.handle, $0) }
        #expect(try object(json)["frozen"] as? Bool == true)
        #expect(vibectl_memory_unfreeze(client.handle) == VIBECTL_OK)
        (status, json) = takeString { vibectl_memory_status(client.handle, $0) }
        #expect(try object(json)["frozen"] as? Bool == false)

        #expect(vibectl_memory_clear(client.handle) == VIBECTL_OK)
        (status, text) = takeString { vibectl_memory_get(client.handle, $0) }
        #expect(text == "")
        #expect(vibectl_memory_set(client.handle, nil, nil) == VIBECTL_EINVAL)
    }

    @Test("a freed client is rejected, not dereferenced")
    func useAfterFree() throws {
        var client: OpaquePointer?
        #expect(vibectl_client_new(&client, nil) == VIBECTL_OK || vibectl_error_last().pointee.code != 0)
        guard let client else { return }
        vibectl_client_free(client)
        #expect(vibectl_memory_clear(client) == VIBECTL_EINVAL)
        #expect(lastMessage().contains("not a live vibectl_client"))
    }

    @Test("eight threads sharing one client: calls are serialised and every write lands")
    func sharedClientThreads() throws {
        let client = try TestClient()
        let keys = [
            "live_display.max_lines", "live_display.stream_buffer_max_lines", "memory.max_chars",
            "features.check_max_iterations", "features.max_correction_retries", "proxy.timeout_seconds",
            "llm.retry_delay_seconds", "llm.max_retries",
        ]
        let handle = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(client.handle)))
        DispatchQueue.concurrentPerform(iterations: keys.count) { index in
            let pointer = OpaquePointer(bitPattern: handle)
            for value in 1...10 {
                _ = vibectl_config_set(pointer, keys[index], String(value))
            }
        }
        for key in keys {
            let (status, json) = takeString { vibectl_config_get(client.handle, key, $0) }
            #expect(status == VIBECTL_OK)
            let value = try object(json)["value"]
            #expect((value as? Double) == 10 || (value as? Int) == 10, "\(key)")
        }
    }
}
