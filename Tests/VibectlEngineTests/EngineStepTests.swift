import Foundation
import Testing
import VibectlCore
import VibectlEngine
import VibectlKubectl
import VibectlStore
import VibectlTestSupport

@Suite("Engine: one step, end to end against a fake provider and a fake kubectl")
struct EngineStepTests {
    @Test("a read-only step: plan, run, one summary+memory call — two model calls in all")
    func successfulStep() async throws {
        try await EngineFixture.run(kubectlStdout: "NAME    READY   STATUS\nweb-1   1/1     Running\n") { fixture in
            fixture.script(
                Plans.command(["get", "pods"]), Plans.summary("One pod, web-1, is running.", memory: "web-1 runs in default"))
            let result = try await fixture.engine.vibe("show my pods", options: VibeOptions(), hooks: fixture.hooks())
            #expect(result.status == .completed)
            #expect(result.exitCode == 0)
            #expect(fixture.kubectlArguments == ["get", "pods"])
            #expect(result.summary == "One pod, web-1, is running.")
            #expect(result.metrics.calls.map(\.purpose) == ["plan", "summary"])
            #expect(fixture.requestBodies.count == 2)
            #expect(try fixture.memory.get() == "web-1 runs in default")
            // The streamed summary arrived as summary_text events that add up to the summary.
            let streamed = fixture.events.data("summary_text").compactMap { $0["text"]?.stringValue }.joined()
            #expect(streamed == "One pod, web-1, is running.")
            #expect(fixture.events.types.contains("command_started"))
            #expect(fixture.events.types.last == "done")
        }
    }

    @Test("the planning prompt carries memory, custom instructions, the time and the target namespace")
    func planningPromptContext() async throws {
        try await EngineFixture.run(overrides: ["core.namespace": "payments", "system.custom_instructions": "Answer like a pirate."]) { fixture in
            try fixture.memory.set("we are debugging the checkout service")
            fixture.script(#"{"action":{"action_type":"THOUGHT","text":"look at pods"}}"#)
            let plan = try await fixture.engine.plan("why is checkout slow", options: VibeOptions(), hooks: fixture.hooks())
            #expect(plan.reply.action == .thought(text: "look at pods"))
            let body = try #require(fixture.requestBodies.first)
            #expect(body.contains("we are debugging the checkout service"))
            #expect(body.contains("Answer like a pirate."))
            #expect(body.contains("namespace payments"))
            let year = Calendar(identifier: .gregorian).component(.year, from: Date())
            #expect(body.contains("Current time: \(year)-"))
            #expect(body.contains("why is checkout slow"))
            #expect(body.contains("vibectl_plan"), "the planner contract goes as a JSON schema")
        }
    }

    @Test("secrets in kubectl output never reach the provider")
    func secretsRedacted() async throws {
        let secretOutput = """
            apiVersion: v1
            kind: Secret
            data:
              password: aHVudGVyMi1zdXBlci1zZWNyZXQ=
            ---
            env:
            - name: DB_PASSWORD
              value: hunter2-super-secret
            - name: AWS_ACCESS_KEY_ID
              value: AKIAIOSFODNN7EXAMPLE
            """
        try await EngineFixture.run(kubectlStdout: secretOutput) { fixture in
            fixture.script(Plans.command(["get", "secret", "db", "-o", "yaml"]), Plans.summary("A secret.", memory: "db secret"))
            let result = try await fixture.engine.vibe("show the db secret", options: VibeOptions(), hooks: fixture.hooks())
            #expect(result.status == .completed)
            let bodies = fixture.requestBodies.joined()
            #expect(bodies.contains("REDACTED"))
            for secret in ["aHVudGVyMi1zdXBlci1zZWNyZXQ=", "hunter2-super-secret", "AKIAIOSFODNN7EXAMPLE"] {
                #expect(!bodies.contains(secret), "\(secret) reached the provider")
            }
            // The user still sees kubectl's own output.
            #expect(result.commands.first?.output.stdout.contains("hunter2-super-secret") == true)
        }
    }

    @Test("a malformed planner reply is asked for again and the step recovers")
    func malformedRecovered() async throws {
        try await EngineFixture.run(kubectlStdout: "ok\n") { fixture in
            fixture.script(
                #"{"action":{"action_type":"COMMAND","commands":"get pods"}}"#, Plans.command(["get", "pods"]),
                Plans.summary("ok", memory: "m"))
            let result = try await fixture.engine.vibe("pods", options: VibeOptions(), hooks: fixture.hooks())
            #expect(result.status == .completed)
            let invalid = try #require(fixture.events.data("plan_invalid").first)
            #expect(invalid["reason"]?.stringValue?.contains("not one string") == true)
            #expect(invalid["raw"]?.stringValue?.contains("get pods") == true)
            #expect(fixture.requestBodies.count == 3)
            #expect(fixture.requestBodies[1].contains("could not be used"))
        }
    }

    @Test("a planner reply unusable twice ends the step as planner_error, not halting, raw text kept")
    func malformedTwice() async throws {
        try await EngineFixture.run { fixture in
            fixture.script(#"{"nonsense": true}"#, #"{"still": "nonsense"}"#)
            let result = try await fixture.engine.vibe("pods", options: VibeOptions(), hooks: fixture.hooks())
            #expect(result.status == .plannerError)
            #expect(result.exitCode == 1)
            #expect(!result.halt)
            #expect(result.message?.contains("did not fit the planner contract twice") == true)
            #expect(result.hint?.contains("still") == true, "the raw reply is kept, redacted, in the hint")
            #expect(fixture.kubectlArguments == nil)
        }
    }

    @Test("a shell-operator plan is rejected: kubectl never runs, no summary call")
    func shellOperatorRejected() async throws {
        try await EngineFixture.run { fixture in
            fixture.script(Plans.command(["get", "pods", ";", "rm", "-rf", "/"]))
            let result = try await fixture.engine.vibe("pods", options: VibeOptions(), hooks: fixture.hooks())
            #expect(result.status == .rejected)
            #expect(result.exitCode == 12)
            #expect(fixture.kubectlArguments == nil)
            #expect(fixture.requestBodies.count == 1)
        }
    }

    @Test("a plan that redirects credentials (--kubeconfig) is rejected")
    func kubeconfigRejected() async throws {
        try await EngineFixture.run { fixture in
            fixture.script(Plans.command(["get", "pods", "--kubeconfig", "/tmp/evil"]))
            let result = try await fixture.engine.vibe("pods", options: VibeOptions(yes: true), hooks: fixture.hooks())
            #expect(result.status == .rejected)
            #expect(fixture.kubectlArguments == nil)
        }
    }

    @Test("a failed command gets recovery suggestions in the same second call")
    func failureRecovery() async throws {
        try await EngineFixture.run(kubectlExit: 1) { fixture in
            fixture.script(
                Plans.command(["get", "pods", "-n", "nope"]),
                #"{"recovery": "The namespace nope does not exist; list namespaces with kubectl get ns.", "memory": "ns nope missing"}"#)
            let result = try await fixture.engine.vibe("pods in nope", options: VibeOptions(), hooks: fixture.hooks())
            #expect(result.status == .failed)
            #expect(result.exitCode == 1)
            #expect(result.recovery?.contains("get ns") == true)
            #expect(!result.halt, "recovery suggestions make a failure non-halting")
            #expect(fixture.requestBodies.count == 2)
            #expect(fixture.requestBodies[1].contains("recovery"))
        }
    }

    @Test("allowed_exit_codes are honoured: diff's exit 1 is a completed step with exit code 1")
    func allowedExitCodes() async throws {
        try await EngineFixture.run(kubectlStdout: "-replicas: 2\n+replicas: 3\n", kubectlExit: 1) { fixture in
            fixture.script(
                Plans.command(["diff", "-f", "-"], manifest: "kind: Deployment", allowed: [0, 1]),
                Plans.summary("Replicas would go from 2 to 3.", memory: "diff shown"))
            let result = try await fixture.engine.vibe("what would change", options: VibeOptions(), hooks: fixture.hooks())
            #expect(result.status == .completed)
            #expect(result.exitCode == 1)
            #expect(result.summary == "Replicas would go from 2 to 3.")
        }
    }

    @Test("frozen for the call: memory is read but not written, and not asked for")
    func freezeForCall() async throws {
        try await EngineFixture.run(kubectlStdout: "ok\n") { fixture in
            try fixture.memory.set("before")
            fixture.script(Plans.command(["get", "pods"]), #"{"summary": "ok"}"#)
            var options = VibeOptions()
            options.freezeMemory = true
            let result = try await fixture.engine.vibe("pods", options: options, hooks: fixture.hooks())
            #expect(result.summary == "ok")
            #expect(!result.memoryUpdated)
            #expect(try fixture.memory.get() == "before")
            #expect(!fixture.requestBodies[1].contains("\"memory\":{\"type\""), "the summary schema has no memory field")
            #expect(try fixture.config.value("memory.enabled") == true, "freezing for a call is not persisted")
        }
    }

    @Test("without a model for the summary, kubectl's output stands and the step says why")
    func summaryUnavailable() async throws {
        try await EngineFixture.run(kubectlStdout: "web-1 Running\n") { fixture in
            fixture.server.enqueue([.structured(json: Plans.command(["get", "pods"])), .unauthorized], for: .openai)
            let result = try await fixture.engine.vibe("pods", options: VibeOptions(), hooks: fixture.hooks())
            #expect(result.status == .completed)
            #expect(result.summary == nil)
            #expect(result.summaryError?.isEmpty == false)
            #expect(result.commands.first?.output.stdout == "web-1 Running\n")
        }
    }

    @Test("WAIT, DONE, ERROR and FEEDBACK end the step with their statuses and exit codes")
    func otherActions() async throws {
        try await EngineFixture.run { fixture in
            fixture.script(
                #"{"action":{"action_type":"WAIT","duration_seconds":0}}"#,
                #"{"action":{"action_type":"DONE","exit_code":3,"explanation":"not possible"}}"#,
                #"{"action":{"action_type":"ERROR","message":"no such cluster"}}"#,
                #"{"action":{"action_type":"FEEDBACK","message":"which one?","suggestion":"ask about web"}}"#)
            let wait = try await fixture.engine.vibe("wait", options: VibeOptions(), hooks: fixture.hooks())
            #expect(wait.status == .waited && wait.exitCode == 0 && !wait.halt)
            let done = try await fixture.engine.vibe("done", options: VibeOptions(), hooks: fixture.hooks())
            #expect(done.status == .done && done.exitCode == 3 && done.halt)
            let error = try await fixture.engine.vibe("error", options: VibeOptions(), hooks: fixture.hooks())
            #expect(error.status == .error && error.exitCode == 1 && error.message == "no such cluster")
            let feedback = try await fixture.engine.vibe("?", options: VibeOptions(), hooks: fixture.hooks())
            #expect(feedback.status == .feedback && feedback.message == "which one?")
            #expect(fixture.events.data("feedback").first?["suggestion"] == "ask about web")
            #expect(fixture.kubectlArguments == nil)
        }
    }

    @Test("summarize: one call with the verb's focus; memory updated in the same call")
    func summarize() async throws {
        try await EngineFixture.run { fixture in
            fixture.script(Plans.summary("Crashed on a nil map at 10:02.", memory: "web-1 crashed: nil map"))
            var options = VibeOptions()
            options.verb = "logs"
            options.command = "kubectl logs web-1"
            let (report, metrics) = try await fixture.engine.summarize(
                "10:02 panic: assignment to entry in nil map\n", options: options, hooks: fixture.hooks())
            #expect(report.summary == "Crashed on a nil map at 10:02.")
            #expect(report.memoryUpdated)
            #expect(metrics.calls.count == 1)
            #expect(fixture.requestBodies[0].contains("first occurrence"))
            #expect(fixture.requestBodies[0].contains("kubectl logs web-1"))
        }
    }

    @Test("memory update folds text into memory with one call, even when memory is frozen")
    func memoryUpdate() async throws {
        try await EngineFixture.run(overrides: ["memory.enabled": false]) { fixture in
            try fixture.memory.set("old")
            fixture.script(#"{"memory": "old; staging is ours"}"#)
            let (previous, memory) = try await fixture.engine.updateMemory(
                "the staging namespace is ours", options: VibeOptions(), hooks: fixture.hooks())
            #expect(previous == "old")
            #expect(memory == "old; staging is ours")
            #expect(try fixture.memory.get() == "old; staging is ours")
            #expect(fixture.requestBodies[0].contains("the staging namespace is ours"))
        }
    }

    @Test("a provider overload is retried and the step succeeds")
    func overloadRetried() async throws {
        try await EngineFixture.run(kubectlStdout: "ok\n") { fixture in
            fixture.server.enqueue(
                [.overloaded, .structured(json: Plans.command(["get", "pods"])), .structured(json: Plans.summary("ok", memory: "m"))],
                for: .openai)
            let result = try await fixture.engine.vibe("pods", options: VibeOptions(), hooks: fixture.hooks())
            #expect(result.status == .completed)
            #expect(fixture.events.types.contains("retrying"))
        }
    }

    @Test("a provider auth error on planning is an auth error with a hint")
    func authError() async throws {
        try await EngineFixture.run { fixture in
            fixture.server.enqueue(.unauthorized, for: .openai)
            await #expect {
                _ = try await fixture.engine.vibe("pods", options: VibeOptions(), hooks: fixture.hooks())
            } throws: { error in
                guard let error = error as? VibectlError else { return false }
                return error.code == .auth && error.hint != nil
            }
        }
    }
}

@Suite("Engine: the user's own kubectl command, summarised")
struct EngineRunTests {
    @Test("run: the user's argv goes to kubectl verbatim, then one summary+memory call")
    func runSummarised() async throws {
        try await EngineFixture.run(kubectlStdout: "web-1 Running\n") { fixture in
            fixture.script(Plans.summary("web-1 runs.", memory: "web-1 runs"))
            let result = try await fixture.engine.run(["get", "pods", "-l", "app=web x"], options: VibeOptions(), hooks: fixture.hooks())
            #expect(fixture.kubectlArguments == ["get", "pods", "-l", "app=web x"])
            #expect(result.status == .completed && result.summary == "web-1 runs.")
            #expect(fixture.requestBodies.count == 1)
            #expect(fixture.requestBodies[0].contains("how many resources"), "the verb's focus")
        }
    }

    @Test("run: diff's exit 1 is success; without a model the output stands with the reason")
    func runDiffWithoutModel() async throws {
        try await EngineFixture.run(kubectlStdout: "+replicas: 3\n", kubectlExit: 1) { fixture in
            fixture.server.enqueue(.unauthorized, for: .openai)
            let result = try await fixture.engine.run(["diff", "-f", "x.yaml"], options: VibeOptions(), hooks: fixture.hooks())
            #expect(result.status == .completed)
            #expect(result.exitCode == 1)
            #expect(result.summary == nil && result.summaryError?.isEmpty == false)
            #expect(result.commands.first?.output.stdout == "+replicas: 3\n")
        }
    }

    @Test("run: a user's command is not judged by the classifier, but must start with a verb")
    func runNotClassified() async throws {
        try await EngineFixture.run(kubectlStdout: "pod deleted\n") { fixture in
            var options = VibeOptions()
            options.summary = false
            let result = try await fixture.engine.run(["delete", "pod", "x", "--force"], options: options, hooks: fixture.hooks())
            #expect(result.status == .completed)
            #expect(fixture.kubectlArguments == ["delete", "pod", "x", "--force"])
            #expect(fixture.requestBodies.isEmpty)
            await #expect(throws: VibectlError.self) {
                _ = try await fixture.engine.run(["--help"], options: options, hooks: fixture.hooks())
            }
        }
    }
}
