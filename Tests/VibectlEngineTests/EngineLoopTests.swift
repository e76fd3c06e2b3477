import Testing
import VibectlCore
import VibectlEngine
import VibectlTestSupport

@Suite("Engine: check predicates and auto/semiauto loops")
struct EngineLoopTests {
    static func done(_ code: Int, _ why: String = "because") -> String {
        #"{"action":{"action_type":"DONE","exit_code":\#(code),"explanation":"\#(why)"}}"#
    }

    @Test("check verdicts 0/1/2/3 come from DONE's exit code; an out-of-range code cannot be trusted")
    func verdicts() async throws {
        try await EngineFixture.run { fixture in
            for (code, verdict) in [(0, CheckVerdict.true), (1, .false), (2, .poorlyPosed), (3, .cannotDetermine), (9, .cannotDetermine)] {
                fixture.script(Self.done(code))
                let result = try await fixture.engine.check("all pods run", options: VibeOptions(), hooks: fixture.hooks())
                #expect(result.verdict == verdict)
                #expect(result.verdict.exitCode == min(Int32(code), 3))
            }
        }
    }

    @Test("check feeds iteration 1's output into iteration 2's prompt, then decides")
    func outputFedBack() async throws {
        try await EngineFixture.run(kubectlStdout: "NAME STATUS\nweb-1 CrashLoopBackOff\n") { fixture in
            fixture.script(Plans.command(["get", "pods"]), Self.done(1, "web-1 is crash-looping"))
            let result = try await fixture.engine.check("all pods are running", options: VibeOptions(), hooks: fixture.hooks())
            #expect(result.verdict == .false)
            #expect(result.explanation == "web-1 is crash-looping")
            #expect(result.iterations == 2)
            #expect(result.commands.count == 1)
            #expect(fixture.requestBodies.count == 2, "check makes no summary call")
            #expect(fixture.requestBodies[1].contains("web-1 CrashLoopBackOff"))
            #expect(!fixture.requestBodies[0].contains("web-1 CrashLoopBackOff"))
        }
    }

    @Test("check refuses a mutating plan: not run, cannot determine (exit 3)")
    func mutatingRefused() async throws {
        try await EngineFixture.run { fixture in
            fixture.script(Plans.command(["delete", "pod", "web-1"]))
            let result = try await fixture.engine.check("web-1 can be deleted", options: VibeOptions(yes: true), hooks: fixture.hooks())
            #expect(result.verdict == .cannotDetermine)
            #expect(result.explanation.contains("read-only"))
            #expect(fixture.kubectlArguments == nil)
        }
    }

    @Test("check stops at its iteration limit")
    func iterationLimit() async throws {
        try await EngineFixture.run(kubectlStdout: "x\n") { fixture in
            fixture.script(Plans.command(["get", "pods"]), Plans.command(["get", "nodes"]))
            let result = try await fixture.engine.check("x", options: VibeOptions(), maxIterations: 2, hooks: fixture.hooks())
            #expect(result.verdict == .cannotDetermine)
            #expect(result.iterations == 2)
            #expect(result.explanation.contains("2 iterations"))
        }
    }

    @Test("auto loop: runs steps until DONE, giving each step's output to the next plan")
    func loopUntilDone() async throws {
        try await EngineFixture.run(kubectlStdout: "deployment web: 1/3 ready\n") { fixture in
            fixture.script(Plans.command(["get", "deploy", "web"]), Plans.summary("1 of 3 ready", memory: "m"), Self.done(0, "ready enough"))
            let result = try await fixture.engine.loop(
                "make sure web is healthy", options: VibeOptions(mode: .auto), limits: LoopLimits(), hooks: fixture.hooks())
            #expect(result.end == .done)
            #expect(result.exitCode == 0)
            #expect(result.steps.count == 2)
            #expect(fixture.requestBodies[2].contains("deployment web: 1/3 ready"), "the previous output goes to the next plan")
        }
    }

    @Test("auto loop: a halting error ends it with a non-zero exit code")
    func loopHalts() async throws {
        try await EngineFixture.run { fixture in
            fixture.script(#"{"action":{"action_type":"ERROR","message":"the cluster is unreachable"}}"#)
            let result = try await fixture.engine.loop("fix it", options: VibeOptions(mode: .auto), limits: LoopLimits(), hooks: fixture.hooks())
            #expect(result.end == .halted)
            #expect(result.exitCode != 0)
            #expect(result.message == "the cluster is unreachable")
        }
        try await EngineFixture.run { fixture in
            // A classifier-forced confirmation with nobody to ask ends the loop too.
            fixture.script(Plans.command(["delete", "pod", "web-1", "--force"]))
            let result = try await fixture.engine.loop("clean up", options: VibeOptions(mode: .auto), limits: LoopLimits(), hooks: fixture.hooks())
            #expect(result.end == .halted)
            #expect(result.exitCode == 11)
            #expect(fixture.kubectlArguments == nil)
        }
    }

    @Test("auto loop: the step limit stops it (exit 4)")
    func loopLimit() async throws {
        try await EngineFixture.run { fixture in
            fixture.script(
                #"{"action":{"action_type":"THOUGHT","text":"hmm"}}"#, #"{"action":{"action_type":"THOUGHT","text":"hmm again"}}"#)
            let result = try await fixture.engine.loop(
                "think", options: VibeOptions(mode: .auto), limits: LoopLimits(maxSteps: 2), hooks: fixture.hooks())
            #expect(result.end == .limitReached)
            #expect(result.exitCode == 4)
            #expect(result.steps.count == 2)
        }
    }

    @Test("auto loop: the same command with the same result three times is stopped (exit 5)")
    func loopRepeats() async throws {
        try await EngineFixture.run(kubectlStdout: "deployment.apps/web patched\n") { fixture in
            let patch = Plans.command(["patch", "deploy", "web", "-p", "{\"spec\":{\"replicas\":3}}"])
            let summary = Plans.summary("patched", memory: "patched web")
            fixture.script(patch, summary, patch, summary, patch, summary, patch, summary)
            let result = try await fixture.engine.loop(
                "scale web", options: VibeOptions(mode: .auto), limits: LoopLimits(maxSteps: 10), hooks: fixture.hooks())
            #expect(result.end == .repeating)
            #expect(result.exitCode == 5)
            #expect(result.steps.count == 3)
        }
    }

    @Test("auto loop: the cost limit stops it (exit 4), counted from the model metrics and llm.prices")
    func loopCostLimit() async throws {
        // gpt-4o at $1000 per million input tokens: 1000 input tokens cost $1 a call.
        try await EngineFixture.run(overrides: ["llm.prices": ["openai:gpt-4o": ["input": 1000, "output": 0]]]) { fixture in
            let usage = FakeUsage(inputTokens: 1000, outputTokens: 10)
            fixture.server.enqueue(
                [
                    .structured(json: #"{"action":{"action_type":"THOUGHT","text":"one"}}"#, usage: usage),
                    .structured(json: #"{"action":{"action_type":"THOUGHT","text":"two"}}"#, usage: usage),
                    .structured(json: #"{"action":{"action_type":"THOUGHT","text":"three"}}"#, usage: usage),
                ], for: .openai)
            let result = try await fixture.engine.loop(
                "think", options: VibeOptions(mode: .auto), limits: LoopLimits(maxCost: 1.5), hooks: fixture.hooks())
            #expect(result.end == .limitReached)
            #expect(result.exitCode == 4)
            #expect(result.steps.count == 2, "stopped once $2 had been spent against a $1.50 limit")
            #expect(result.message.contains("cost limit"))
        }
    }

    @Test("semiauto loop: every mutating step is confirmed and exit stops the loop with 0")
    func semiautoExit() async throws {
        try await EngineFixture.run { fixture in
            fixture.script(Plans.command(["scale", "deploy", "web", "--replicas=3"]))
            let result = try await fixture.engine.loop(
                "scale web", options: VibeOptions(mode: .semiauto), limits: LoopLimits(), hooks: fixture.hooks(answers: [.init(.exit)]))
            #expect(result.end == .exited)
            #expect(result.exitCode == 0)
            #expect(fixture.kubectlArguments == nil)
        }
    }

    @Test("loop limits parse from JSON and refuse bad values")
    func limitsJSON() throws {
        let limits = try LoopLimits(json: #"{"version":1,"max_steps":5,"max_seconds":60,"max_cost":0.5,"interval_seconds":2}"#)
        #expect(limits == LoopLimits(maxSteps: 5, maxSeconds: 60, maxCost: 0.5, intervalSeconds: 2))
        #expect(throws: VibectlError.self) { try LoopLimits(json: #"{"max_steps":0}"#) }
        #expect(throws: VibectlError.self) { try LoopLimits(json: #"{"steps":3}"#) }
    }
}
