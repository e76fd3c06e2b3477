import Foundation
import Testing
import VibectlTestSupport

@Suite("vibectl memory")
struct MemoryCLITests {
    @Test("an empty memory shows a note on stderr and exits 0")
    func emptyMemory() async throws {
        let cli = try CLIFixture()
        let result = try await cli.succeed(["memory", "show"])
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("Memory is empty. Use 'vibectl memory set' to add content."))
    }

    @Test("memory set from arguments joins them and memory show prints the text")
    func setFromArguments() async throws {
        let cli = try CLIFixture()
        let set = try await cli.succeed(["memory", "set", "Cluster staging,", "namespace payments"])
        #expect(set.stdout.contains("Memory updated"))
        #expect(try await cli.succeed(["memory", "show"]).stdout == "Cluster staging, namespace payments\n")
        let status = try await cli.json(["memory", "status"])
        #expect(status["content"] as? String == "Cluster staging, namespace payments")
        #expect(status["chars"] as? Int == 35)
        #expect(status["exists"] as? Bool == true)
    }

    @Test("memory set reads piped stdin")
    func setFromStdin() async throws {
        let cli = try CLIFixture()
        try await cli.succeed(["memory", "set"], stdin: Data("Deploys go through Argo CD — ünïcødé\n".utf8))
        #expect(try await cli.succeed(["memory", "show"]).stdout == "Deploys go through Argo CD — ünïcødé\n")
        #expect(try await cli.json(["memory", "show"])["content"] as? String == "Deploys go through Argo CD — ünïcødé")
    }

    @Test("memory set with no text and an empty, non-terminal stdin is an error naming the three ways")
    func setWithoutText() async throws {
        let cli = try CLIFixture()
        for stdin in [nil, Data()] as [Data?] {
            let result = try await cli.run(["memory", "set"], stdin: stdin)
            #expect(result.status == 1)
            #expect(result.stderr.hasPrefix("error: "))
            #expect(result.stderr.contains("--edit") && result.stderr.contains("stdin"))
        }
        #expect(try await cli.succeed(["memory", "show"]).stderr.contains("Memory is empty"))
    }

    @Test("text beyond memory.max_chars is cut at a character boundary with a warning")
    func truncation() async throws {
        let cli = try CLIFixture()
        try await cli.succeed(["config", "set", "memory.max_chars", "10"])
        let result = try await cli.succeed(["memory", "set", String(repeating: "é", count: 15)])
        #expect(result.stderr.hasPrefix("warning: "))
        #expect(result.stderr.contains("memory.max_chars"))
        #expect(try await cli.succeed(["memory", "show"]).stdout == String(repeating: "é", count: 10) + "\n")
        let status = try await cli.json(["memory", "status"])
        #expect(status["chars"] as? Int == 10)
        #expect(status["max_chars"] as? Int == 10)
    }

    @Test("clear empties the memory; freeze and unfreeze persist memory.enabled")
    func clearFreezeUnfreeze() async throws {
        let cli = try CLIFixture()
        try await cli.succeed(["memory", "set", "something"])
        try await cli.succeed(["memory", "clear"])
        #expect(try await cli.succeed(["memory", "show"]).stdout.isEmpty)

        try await cli.succeed(["memory", "freeze"])
        #expect(try await cli.json(["memory", "status"])["frozen"] as? Bool == true)
        #expect(try await cli.succeed(["config", "get", "memory.enabled"]).stdout == "false\n")
        // Explicit changes still work while frozen.
        try await cli.succeed(["memory", "set", "while frozen"])
        #expect(try await cli.succeed(["memory", "show"]).stdout == "while frozen\n")
        #expect(try await cli.succeed(["memory", "status"]).stdout.contains("yes"))

        try await cli.succeed(["memory", "unfreeze"])
        #expect(try await cli.json(["memory", "status"])["frozen"] as? Bool == false)
        #expect(try await cli.succeed(["config", "get", "memory.enabled"]).stdout == "true\n")
    }

    @Test("memory set --edit opens $EDITOR on the current memory and drops leading # lines")
    func editor() async throws {
        let cli = try CLIFixture()
        let seen = cli.scratch.file("seen.txt")
        // The fake editor records what it was given, then writes new content.
        let editor = try cli.script(
            "editor",
            """
            cp "$1" '\(seen)'
            printf '# a comment the user left\\nEdited memory\\nsecond line\\n' > "$1"
            """)
        try await cli.succeed(["memory", "set", "--edit"], environment: ["EDITOR": editor, "VISUAL": ""])
        #expect(try String(contentsOfFile: seen, encoding: .utf8).contains("# Enter memory content here"))
        #expect(try await cli.succeed(["memory", "show"]).stdout == "Edited memory\nsecond line\n")

        // A second edit is seeded with the current memory.
        try await cli.succeed(["memory", "set", "-e"], environment: ["EDITOR": editor])
        #expect(try String(contentsOfFile: seen, encoding: .utf8).contains("Edited memory\nsecond line"))
    }

    @Test("a failing editor leaves memory unchanged and exits 1")
    func failingEditor() async throws {
        let cli = try CLIFixture()
        try await cli.succeed(["memory", "set", "keep me"])
        let editor = try cli.script("editor", "echo broken > \"$1\"\nexit 2\n")
        let result = try await cli.run(["memory", "set", "--edit"], environment: ["EDITOR": editor])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: "))
        #expect(try await cli.succeed(["memory", "show"]).stdout == "keep me\n")
    }

    @Test("text together with --edit is a usage error")
    func textAndEdit() async throws {
        let cli = try CLIFixture()
        let result = try await cli.run(["memory", "set", "--edit", "text"])
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("error: "))
    }
}
