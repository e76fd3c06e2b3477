import Testing
import VibectlCore
import VibectlEngine
import VibectlStore
import VibectlTestSupport

@Suite("Engine: confirmation")
struct EngineConfirmationTests {
    static let delete = Plans.command(["delete", "pod", "web-1"])
    static let done = Plans.summary("Deleted web-1.", memory: "web-1 deleted")

    @Test("nobody to ask: a mutating command is not run (needs_confirmation, exit 11)")
    func noHost() async throws {
        try await EngineFixture.run { fixture in
            fixture.script(Self.delete)
            let result = try await fixture.engine.vibe("delete web-1", options: VibeOptions(), hooks: fixture.hooks())
            #expect(result.status == .needsConfirmation)
            #expect(result.exitCode == 11)
            #expect(fixture.kubectlArguments == nil)
        }
    }

    @Test("yes runs it; no declines it (exit 10)")
    func yesAndNo() async throws {
        try await EngineFixture.run { fixture in
            fixture.script(Self.delete, Self.done)
            let yes = try await fixture.engine.vibe("delete web-1", options: VibeOptions(), hooks: fixture.hooks(answers: [.init(.yes)]))
            #expect(yes.status == .completed)
            #expect(fixture.kubectlArguments == ["delete", "pod", "web-1"])
            let request = try #require(fixture.events.data("confirm_requested").first)
            #expect(request["command"] == "kubectl delete pod web-1")
            #expect(request["choices"] == ["yes", "no", "yes_and", "no_but", "memory"])
        }
        try await EngineFixture.run { fixture in
            fixture.script(Self.delete)
            let no = try await fixture.engine.vibe("delete web-1", options: VibeOptions(), hooks: fixture.hooks(answers: [.init(.no)]))
            #expect(no.status == .declined)
            #expect(no.exitCode == 10)
            #expect(fixture.kubectlArguments == nil)
        }
    }

    @Test("yes_and folds the note into memory, then runs; no_but folds it in and does not run")
    func withNotes() async throws {
        try await EngineFixture.run { fixture in
            fixture.script(Self.delete, #"{"memory": "web-1 is disposable"}"#, Self.done)
            let result = try await fixture.engine.vibe(
                "delete web-1", options: VibeOptions(), hooks: fixture.hooks(answers: [.init(.yesAnd, note: "web-1 is disposable")]))
            #expect(result.status == .completed)
            #expect(fixture.requestBodies[1].contains("web-1 is disposable"))
            #expect(fixture.kubectlArguments != nil)
        }
        try await EngineFixture.run { fixture in
            fixture.script(Self.delete, #"{"memory": "never delete web-1"}"#)
            let result = try await fixture.engine.vibe(
                "delete web-1", options: VibeOptions(), hooks: fixture.hooks(answers: [.init(.noBut, note: "never delete web-1")]))
            #expect(result.status == .declined)
            #expect(try fixture.memory.get() == "never delete web-1")
            #expect(fixture.kubectlArguments == nil)
        }
    }

    @Test("memory shows the memory and asks again")
    func showMemory() async throws {
        try await EngineFixture.run { fixture in
            try fixture.memory.set("remember me")
            fixture.script(Self.delete, Self.done)
            let result = try await fixture.engine.vibe(
                "delete web-1", options: VibeOptions(), hooks: fixture.hooks(answers: [.init(.memory), .init(.yes)]))
            #expect(result.status == .completed)
            #expect(fixture.events.data("memory_shown").first?["memory"] == "remember me")
            #expect(fixture.events.data("confirm_requested").count == 2)
        }
    }

    @Test("exit is offered in semiauto and stops; in manual mode it counts as no")
    func exitChoice() async throws {
        try await EngineFixture.run { fixture in
            fixture.script(Self.delete)
            var options = VibeOptions()
            options.mode = .semiauto
            let result = try await fixture.engine.vibe("delete web-1", options: options, hooks: fixture.hooks(answers: [.init(.exit)]))
            #expect(result.status == .exited)
            #expect(result.exitCode == 0 && result.halt)
            #expect(fixture.events.data("confirm_requested").first?["choices"]?.arrayValue?.contains("exit") == true)
        }
        try await EngineFixture.run { fixture in
            fixture.script(Self.delete)
            let result = try await fixture.engine.vibe("delete web-1", options: VibeOptions(), hooks: fixture.hooks(answers: [.init(.exit)]))
            #expect(result.status == .declined)
        }
    }

    @Test("auto mode and yes run mutating commands without asking; forced confirmations still ask")
    func autoAndForced() async throws {
        try await EngineFixture.run { fixture in
            fixture.script(Self.delete, Self.done)
            var options = VibeOptions()
            options.mode = .auto
            let result = try await fixture.engine.vibe("delete web-1", options: options, hooks: fixture.hooks())
            #expect(result.status == .completed)
            #expect(fixture.events.data("confirm_requested").isEmpty)
        }
        try await EngineFixture.run(overrides: ["security.confirmation_mode": "none"]) { fixture in
            fixture.script(Plans.command(["delete", "pod", "web-1", "--force", "--grace-period=0"]))
            let result = try await fixture.engine.vibe("kill web-1 now", options: VibeOptions(yes: true), hooks: fixture.hooks())
            #expect(result.status == .needsConfirmation)
            #expect(fixture.kubectlArguments == nil)
        }
    }

    @Test("execute re-checks a plan it is given: a rejected command never runs")
    func executeRechecks() async throws {
        try await EngineFixture.run { fixture in
            let reply = try PlannerContract.parse(Plans.command(["get", "pods", "|", "sh"]))
            let plan = try fixture.engine.checkedPlan(reply, request: "x", verb: nil)
            let result = try await fixture.engine.execute(plan, options: VibeOptions(yes: true), hooks: fixture.hooks())
            #expect(result.status == .rejected)
            #expect(fixture.kubectlArguments == nil)
        }
    }
}
