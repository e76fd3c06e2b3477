import Foundation
import Testing
import VibectlCore
@testable import VibectlStore

@Suite("Memory store")
struct MemoryStoreTests {
    @Test("memory starts empty and a set is read back by a new store")
    func roundTrip() throws {
        let config = try TempConfig()
        #expect(try config.memory().get() == "")
        let initial = try config.memory().status()
        #expect(!initial.exists && initial.updated == nil && initial.chars == 0 && initial.maxChars == 500)
        let status = try config.memory().set("pods in ns prod are crash-looping \"db\"\nsee: logs # later")
        #expect(!status.truncated)
        #expect(status.exists)
        #expect(status.path == config.paths.memoryFile)
        #expect(try config.memory().get() == "pods in ns prod are crash-looping \"db\"\nsee: logs # later")
        let reread = try config.memory().status()
        #expect(reread.exists)
        #expect(reread.updated?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) != nil)
        #expect(try config.mode(config.paths.memoryFile) == 0o600)
        #expect(!config.exists(config.paths.configFile), "memory lives in its own file, not in config.yaml")
    }

    @Test("the memory file is versioned JSON")
    func fileFormat() throws {
        let config = try TempConfig()
        try config.memory().set("ctx")
        let text = try String(contentsOfFile: config.paths.memoryFile, encoding: .utf8)
        let json = try JSONValue.parse(text)
        #expect(json.objectValue?["version"] == 1)
        #expect(json.objectValue?["content"] == "ctx")
        #expect(json.objectValue?["updated"]?.stringValue != nil)
    }

    static let multiByteCases: [(String, String)] = [
        ("precomposed é", String(repeating: "\u{E9}", count: 600)),
        ("decomposed é", String(repeating: "e\u{301}", count: 600)),
        ("family emoji with ZWJ", String(repeating: "👨‍👩‍👧‍👦", count: 600)),
        ("flags", String(repeating: "🇫🇷", count: 600)),
        ("CJK", String(repeating: "日本語", count: 300)),
        ("mixed", String(repeating: "a日🎉é", count: 200)),
    ]

    @Test("max_chars cuts multi-byte text at a character boundary", arguments: multiByteCases)
    func maxChars(name: String, text: String) throws {
        let config = try TempConfig()
        let status = try config.memory().set(text)
        #expect(status.truncated)
        #expect(status.chars == 500)
        #expect(status.content.count == 500)
        #expect(text.hasPrefix(status.content))
        let stored = try config.memory().get()
        #expect(stored == status.content)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: config.paths.memoryFile))
        #expect(String(validating: Array(bytes), as: UTF8.self) != nil)
        if let last = stored.last, let original = text.first {
            #expect(last.unicodeScalars.count == original.unicodeScalars.count || name == "mixed", "no cluster is split")
        }
    }

    @Test("the limit is the effective memory.max_chars, from the file or an override")
    func effectiveLimit() throws {
        let config = try TempConfig()
        try config.store().set("memory.max_chars", text: "3")
        let status = try config.memory().set("👨‍👩‍👧‍👦🇫🇷é日x")
        #expect(status.content == "👨‍👩‍👧‍👦🇫🇷é")
        #expect(status.maxChars == 3)
        let overridden = try config.memory(overrides: ["memory.max_chars": 2]).set("abcdef")
        #expect(overridden.content == "ab")
        #expect(overridden.maxChars == 2)
        let exact = try config.memory().set("abc")
        #expect(!exact.truncated)
    }

    @Test("freeze and unfreeze are persisted in config.yaml")
    func freezePersisted() throws {
        let config = try TempConfig()
        try config.memory().freeze()
        #expect(try config.memory().status().frozen)
        #expect(try config.store().get("memory.enabled") == ConfigEntry(key: "memory.enabled", value: false, source: .file, envVar: nil, masked: false))
        try config.memory().unfreeze()
        #expect(try config.memory().status().frozen == false)
        #expect(try config.store().get("memory.enabled").value == true)
    }

    @Test("frozen follows the effective memory.enabled, including the environment")
    func frozenFromEnvironment() throws {
        let config = try TempConfig()
        #expect(try config.memory(environment: ["VIBECTL_MEMORY_ENABLED": "no"]).status().frozen)
        #expect(try config.memory(overrides: ["memory.enabled": false]).status().frozen)
    }

    @Test("an explicit set works while memory is frozen")
    func setWhileFrozen() throws {
        let config = try TempConfig()
        try config.memory().freeze()
        let status = try config.memory().set("manual note")
        #expect(status.frozen)
        #expect(try config.memory().get() == "manual note")
    }

    @Test("a per-call freeze skips the automatic update and persists nothing")
    func perCallFreeze() throws {
        let config = try TempConfig()
        let memory = try config.memory()
        #expect(try memory.recordAutomaticUpdate("auto text", freezeForThisCall: true) == false)
        #expect(!config.exists(config.paths.memoryFile))
        #expect(!config.exists(config.paths.configFile))
        #expect(try config.memory().status().frozen == false)
        #expect(try memory.recordAutomaticUpdate("auto text", freezeForThisCall: false))
        #expect(try config.memory().get() == "auto text")
    }

    @Test("a persistent freeze skips automatic updates")
    func persistentFreeze() throws {
        let config = try TempConfig()
        let memory = try config.memory()
        try memory.set("before")
        try memory.freeze()
        #expect(try memory.recordAutomaticUpdate("after", freezeForThisCall: false) == false)
        #expect(try memory.get() == "before")
    }

    @Test("clear empties the memory")
    func clear() throws {
        let config = try TempConfig()
        try config.memory().set("something")
        try config.memory().clear()
        #expect(try config.memory().get() == "")
        #expect(try config.memory().status().exists)
    }

    @Test("the legacy memory_content of config.yaml is the memory until memory.json exists")
    func legacyMemory() throws {
        let config = try TempConfig()
        try config.writeConfig("memory_content: legacy note\nmemory:\n  max_chars: 100\n")
        #expect(try config.memory().get() == "legacy note")
        #expect(try config.memory().status().exists == false)
        #expect((try config.store().show(nil).objectValue?["warnings"]?.arrayValue ?? []).isEmpty)
        try config.memory().clear()
        #expect(try config.memory().get() == "", "a cleared memory does not fall back to the legacy text")
        try config.store().set("llm.model", text: "m")
        #expect(try config.configText().contains("memory_content: legacy note"), "the legacy key is kept")
    }

    @Test("a corrupt memory file is a config error naming the file; set replaces it")
    func corrupt() throws {
        let config = try TempConfig()
        try FileManager.default.createDirectory(atPath: config.paths.clientDir, withIntermediateDirectories: true)
        for text in ["{not json", "[1]", "{\"version\": 1}", "{\"version\": 9, \"content\": \"x\"}"] {
            try Data(text.utf8).write(to: URL(fileURLWithPath: config.paths.memoryFile))
            let error = expectVibectlError(.config) { _ = try config.memory().get() }
            #expect(error?.message.contains(config.paths.memoryFile) == true, "\(text)")
        }
        try config.memory().set("fresh")
        #expect(try config.memory().get() == "fresh")
    }

    @Test("concurrent memory writers never leave a corrupt file")
    func concurrentWriters() throws {
        let config = try TempConfig()
        let group = DispatchGroup()
        for writer in 0..<4 {
            group.enter()
            Thread {
                defer { group.leave() }
                for value in 1...25 {
                    _ = try? config.memory().set("writer \(writer) value \(value)")
                }
            }.start()
        }
        #expect(group.wait(timeout: .now() + 60) == .success)
        let content = try config.memory().get()
        #expect(content.wholeMatch(of: /writer \d value 25/) != nil, "the last write of some writer wins: \(content)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: config.paths.clientDir).filter { $0.contains(".tmp.") }
        #expect(leftovers.isEmpty)
    }

    @Test("the status JSON has every field")
    func statusJSON() throws {
        let config = try TempConfig()
        let json = try config.memory().set("abc").json()
        #expect(json.objectValue?["version"] == 1)
        #expect(json.objectValue?["content"] == "abc")
        #expect(json.objectValue?["chars"] == 3)
        #expect(json.objectValue?["max_chars"] == 500)
        #expect(json.objectValue?["frozen"] == false)
        #expect(json.objectValue?["truncated"] == false)
        #expect(json.objectValue?["exists"] == true)
        #expect(json.objectValue?["path"] == .string(config.paths.memoryFile))
        #expect(json.objectValue?["updated"]?.stringValue != nil)
    }
}
