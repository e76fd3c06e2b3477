import Foundation
import Testing
import VibectlTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Eight keys that each accept every value 1...50.
let concurrentKeys = [
    "live_display.max_lines", "live_display.stream_buffer_max_lines", "memory.max_chars",
    "features.check_max_iterations", "proxy.timeout_seconds", "llm.retry_delay_seconds",
    "live_display.save_dir", "system.custom_instructions",
]

/// A shell loop that runs `vibectl <command...> <prefix>$i` for i in 1...50, stopping at the first failure.
func loopScript(_ command: String) -> String {
    """
    i=1
    while [ $i -le 50 ]; do
      "$VIBECTL" \(command)$i >/dev/null || { echo "failed at $i" >&2; exit 1; }
      i=$((i+1))
    done
    """
}

@Suite("vibectl under concurrency and SIGKILL")
struct ConcurrencyCLITests {
    @Test("8 processes setting their own key 50 times each lose no update")
    func concurrentConfigSets() async throws {
        let cli = try CLIFixture()
        let shell = CLIRunner(executable: "/bin/sh", environment: cli.runner.environment.merging(["VIBECTL": cli.binary]) { $1 })
        let processes = try concurrentKeys.map { key in
            try shell.start(["-c", loopScript("config set \(key) ")])
        }
        for (key, process) in zip(concurrentKeys, processes) {
            let result = await process.result(timeout: 120)
            #expect(result.status == 0, "writer of \(key) failed: \(result.stderr)")
        }
        let shown = try await cli.json(["config", "show"])
        for key in concurrentKeys {
            let value = shownValue(shown, key)
            #expect(jsonValue(value, equals: 50), "\(key) holds \(String(describing: value)), not 50: an update was lost")
        }
    }

    @Test("a config writer killed with SIGKILL never leaves an unreadable file")
    func killedConfigWriter() async throws {
        let cli = try CLIFixture()
        var written: Set<String> = []
        for iteration in 0..<30 {
            let letter = Character(UnicodeScalar(UInt8(97 + iteration % 26)))
            let value = "\(iteration):" + String(repeating: letter, count: 100_000)
            written.insert(value)
            let writer = try cli.runner.start(["config", "set", "system.custom_instructions", value])
            try await Task.sleep(for: .microseconds(Int.random(in: 0...30_000)))
            writer.kill(SIGKILL)
            _ = await writer.result(timeout: 30)

            let show = try await cli.run(["config", "show", "-o", "json"])
            try #require(show.status == 0, "iteration \(iteration): config show failed: \(show.stderr)")
            _ = try parseObject(show.stdout)
            let got = try parseObject(try await cli.succeed(["config", "get", "system.custom_instructions", "-o", "json"]).stdout)
            if let current = got["value"] as? String {
                #expect(written.contains(current), "iteration \(iteration): a partial value was read back")
            } else {
                #expect(got["value"] is NSNull)
            }
        }
        // The file is still writable afterwards: no stale lock was left behind.
        try await cli.succeed(["config", "set", "system.custom_instructions", "done"])
        #expect(try await cli.succeed(["config", "get", "system.custom_instructions"]).stdout == "done\n")
    }

    @Test("8 processes setting memory 50 times each leave one of the last values")
    func concurrentMemorySets() async throws {
        let cli = try CLIFixture()
        let shell = CLIRunner(executable: "/bin/sh", environment: cli.runner.environment.merging(["VIBECTL": cli.binary]) { $1 })
        let processes = try (0..<8).map { writer in
            try shell.start(["-c", loopScript("memory set writer-\(writer)-value-")])
        }
        for (writer, process) in processes.enumerated() {
            let result = await process.result(timeout: 120)
            #expect(result.status == 0, "memory writer \(writer) failed: \(result.stderr)")
        }
        let memory = try await cli.succeed(["memory", "show"]).stdout
        let finals = Set((0..<8).map { "writer-\($0)-value-50\n" })
        #expect(finals.contains(memory), "memory is \(memory.debugDescription), not one of the writers' last values")
    }

    @Test("a memory writer killed with SIGKILL never leaves an unreadable memory")
    func killedMemoryWriter() async throws {
        let cli = try CLIFixture()
        try await cli.succeed(["config", "set", "memory.max_chars", "200000"])
        var written: Set<String> = [""]
        for iteration in 0..<30 {
            let letter = Character(UnicodeScalar(UInt8(97 + iteration % 26)))
            let value = "\(iteration):" + String(repeating: letter, count: 100_000)
            written.insert(value)
            let writer = try cli.runner.start(["memory", "set", value])
            try await Task.sleep(for: .microseconds(Int.random(in: 0...30_000)))
            writer.kill(SIGKILL)
            _ = await writer.result(timeout: 30)

            let status = try await cli.run(["memory", "show", "-o", "json"])
            try #require(status.status == 0, "iteration \(iteration): memory show failed: \(status.stderr)")
            let content = try parseObject(status.stdout)["content"] as? String
            #expect(content.map(written.contains) == true, "iteration \(iteration): a partial memory was read back")
        }
        try await cli.succeed(["memory", "set", "done"])
        #expect(try await cli.succeed(["memory", "show"]).stdout == "done\n")
    }
}
