import Foundation
import Testing
import VibectlTestSupport

/// A DONE action.
private func done(_ code: Int, _ explanation: String) -> [String: Any] {
    ["action_type": "DONE", "exit_code": code, "explanation": explanation]
}

@Suite("vibectl auto, semiauto, check")
struct LoopCLITests {
    // MARK: - auto

    @Test("auto: steps run without asking until DONE; exit DONE's code; each step's summary and a step line")
    func autoUntilDone() async throws {
        try await withVibe { fixture in
            try fixture.kubectl.reply(to: "get", stdout: "NAME   READY\nweb    0/1\n")
            try fixture.kubectl.reply(to: "rollout", stdout: "deployment.apps/web restarted\n")
            try fixture.plan(command(["get", "deployments", "-n", "web"]))
            try fixture.summary("web is not ready.")
            try fixture.plan(command(["rollout", "restart", "deployment/web", "-n", "web"]))
            try fixture.summary("web was restarted.")
            try fixture.plan(done(0, "web is healthy again."))
            let result = try await fixture.run(["auto", "--interval", "0", "make", "web", "healthy"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "web is not ready.\nweb was restarted.\nweb is healthy again.\n")
            #expect(result.stderr.contains("step 1\n") && result.stderr.contains("step 3\n"), "\(result.stderr)")
            #expect(
                fixture.kubectl.recordedArguments == [
                    ["get", "deployments", "-n", "web"], ["rollout", "restart", "deployment/web", "-n", "web"],
                ], "the mutating restart ran without asking")
            // The first step's output is in the second planning request.
            #expect(fixture.body(2).contains("web    0/1"), "step 2's planning sees step 1's output")
            #expect(fixture.body(0).contains("make web healthy"))
        }
    }

    @Test("auto: DONE with exit_code 3 exits 3")
    func autoDoneCode() async throws {
        try await withVibe { fixture in
            try fixture.plan(done(3, "Cannot be done."))
            let result = try await fixture.run(["auto", "-i", "0", "do the impossible"])
            #expect(result.status == 3)
            #expect(result.stdout == "Cannot be done.\n")
        }
    }

    @Test("auto: a halting error stops the loop with a non-zero exit and the message")
    func autoHaltsOnError() async throws {
        try await withVibe { fixture in
            try fixture.plan(["action_type": "ERROR", "message": "The cluster is unreachable."])
            let result = try await fixture.run(["auto", "--interval", "0", "fix it"])
            #expect(result.status == 1)
            #expect(result.stderr.contains("The cluster is unreachable."), "\(result.stderr)")
        }
    }

    @Test("auto: --max-steps (and --limit) reached: exit 4 with a message")
    func autoStepLimit() async throws {
        try await withVibe { fixture in
            for _ in 0..<2 { try fixture.plan(["action_type": "THOUGHT", "text": "Thinking."]) }
            let result = try await fixture.run(["auto", "--interval", "0", "--max-steps", "2", "think"])
            #expect(result.status == 4)
            #expect(result.stderr.contains("step limit"), "\(result.stderr)")
            #expect(result.stdout == "Thinking.\nThinking.\n")

            try fixture.plan(["action_type": "THOUGHT", "text": "Once."])
            let limited = try await fixture.run(["auto", "-i", "0", "--limit", "1", "think"])
            #expect(limited.status == 4)
            #expect(fixture.modelRequests.count == 3)
        }
    }

    @Test("auto: --max-seconds reached: exit 4")
    func autoTimeLimit() async throws {
        try await withVibe { fixture in
            try fixture.plan(["action_type": "WAIT", "duration_seconds": 1])
            let result = try await fixture.run(["auto", "--interval", "0", "--max-seconds", "0.5", "wait"])
            #expect(result.status == 4)
            #expect(result.stderr.contains("time limit"), "\(result.stderr)")
        }
    }

    @Test("auto: the same command with the same result three times ends 'repeating', exit 5")
    func autoRepeating() async throws {
        try await withVibe { fixture in
            try fixture.kubectl.reply(to: "get", stdout: "NAME   READY\nweb    0/1\n")
            for _ in 0..<3 {
                try fixture.plan(command(["get", "pods", "-n", "web"]))
                try fixture.summary("Still not ready.")
            }
            let result = try await fixture.run(["auto", "--interval", "0", "wait for web"])
            #expect(result.status == 5)
            #expect(result.stderr.contains("same result"), "\(result.stderr)")
            #expect(fixture.kubectl.recordedArguments.count == 3)
        }
    }

    @Test("auto: a forced confirmation without a terminal ends the loop non-zero with a clear message, not run")
    func autoForcedWithoutTerminal() async throws {
        try await withVibe { fixture in
            try fixture.plan(command(["delete", "pod", "web-1", "--force", "--grace-period=0"]))
            let result = try await fixture.run(["auto", "--interval", "0", "force delete web-1"])
            #expect(result.status == 11)
            #expect(result.stderr.contains("always asks"), "\(result.stderr)")
            #expect(fixture.kubectl.recordedArguments.isEmpty)
        }
    }

    @Test(
        "auto on a terminal: a forced confirmation still asks; [y]es runs it and the loop goes on to DONE",
        .enabled(if: hasTerminalRunner, "util-linux script is not installed"))
    func autoForcedAsksOnTerminalYes() async throws {
        try await withVibe { fixture in
            try fixture.kubectl.reply(to: "delete", stdout: "pod \"web-1\" force deleted\n")
            try fixture.plan(command(["delete", "pod", "web-1", "--force", "--grace-period=0"], explanation: "Force it."))
            try fixture.summary("web-1 is gone.")
            try fixture.plan(done(0, "web-1 was removed."))
            let (status, output) = try await fixture.runOnTerminal(
                ["auto", "--interval", "0", "force delete web-1"], input: "y\n")
            #expect(status == 0, "\(output)")
            #expect(output.contains("kubectl delete pod web-1 --force --grace-period=0"), "\(output)")
            #expect(output.contains("Run it? [y]es"), "auto mode still asks for a forced command: \(output)")
            #expect(occurrences(of: "Run it? [y]es", in: output) == 1, "\(output)")
            #expect(
                fixture.kubectl.recordedArguments == [["delete", "pod", "web-1", "--force", "--grace-period=0"]])
            #expect(output.contains("web-1 is gone."), "\(output)")
            #expect(output.contains("web-1 was removed."), "\(output)")
        }
    }

    @Test(
        "auto on a terminal: [n]o to a forced confirmation ends the loop non-zero, command not run",
        .enabled(if: hasTerminalRunner, "util-linux script is not installed"))
    func autoForcedAsksOnTerminalNo() async throws {
        try await withVibe { fixture in
            try fixture.plan(command(["delete", "pod", "web-1", "--force", "--grace-period=0"], explanation: "Force it."))
            let (status, output) = try await fixture.runOnTerminal(
                ["auto", "--interval", "0", "force delete web-1"], input: "n\n")
            #expect(status != 0, "\(output)")
            #expect(status == 10, "declined: \(output)")
            #expect(output.contains("Run it? [y]es"), "auto mode still asks for a forced command: \(output)")
            #expect(fixture.kubectl.recordedArguments.isEmpty)
            #expect(fixture.modelRequests.count == 1, "the loop went on after the refusal")
        }
    }

    @Test("auto -o json: the loop result document")
    func autoJSON() async throws {
        try await withVibe { fixture in
            try fixture.plan(["action_type": "THOUGHT", "text": "Hmm."])
            try fixture.plan(done(0, "Fine."))
            let result = try await fixture.run(["auto", "--interval", "0", "-o", "json", "check"])
            #expect(result.status == 0)
            let document = try parseObject(result.stdout)
            #expect(document["end"] as? String == "done")
            #expect(jsonValue(document["exit_code"], equals: 0))
            #expect((document["steps"] as? [Any])?.count == 2)
            #expect(document["metrics"] is [String: Any])
            #expect(!result.stderr.contains("step 1"), "no text rendering in JSON mode")
        }
    }

    // MARK: - semiauto

    @Test("semiauto without a terminal: a step that needs confirmation ends the loop (exit 11), not run")
    func semiautoWithoutTerminal() async throws {
        try await withVibe { fixture in
            try fixture.kubectl.reply(to: "get", stdout: "web 1/1\n")
            try fixture.plan(command(["get", "deployments"]))
            try fixture.summary("web has 1 replica.")
            try fixture.plan(command(["scale", "deployment/web", "--replicas=3"]))
            let result = try await fixture.run(["semiauto", "scale web to 3"])
            #expect(result.status == 11)
            #expect(result.stdout == "web has 1 replica.\n", "the read-only step ran")
            #expect(result.stderr.contains("needs confirmation") || result.stderr.contains("no terminal"), "\(result.stderr)")
            #expect(fixture.kubectl.recordedArguments == [["get", "deployments"]])
        }
    }

    @Test(
        "semiauto on a terminal: the prompt offers [e]xit, and exit stops the loop with status 0",
        .enabled(if: hasTerminalRunner, "util-linux script is not installed"))
    func semiautoExitOnTerminal() async throws {
        try await withVibe { fixture in
            try fixture.plan(command(["scale", "deployment/web", "--replicas=3"]))
            let (status, output) = try await fixture.runOnTerminal(["semiauto", "scale web to 3"], input: "e\n")
            #expect(status == 0, "\(output)")
            #expect(output.contains("[e]xit"), "\(output)")
            #expect(output.contains("Stopped by the user."), "\(output)")
            #expect(fixture.kubectl.recordedArguments.isEmpty)
        }
    }

    // MARK: - check

    @Test("check: DONE 0/1/3 and FEEDBACK give exit 0, 1, 3 and 2, with the verdict and explanation")
    func checkVerdicts() async throws {
        let cases: [([String: Any], Int32, String)] = [
            (done(0, "All 3 replicas are ready."), 0, "true: All 3 replicas are ready.\n"),
            (done(1, "web has 0/1 ready."), 1, "false: web has 0/1 ready.\n"),
            (["action_type": "FEEDBACK", "message": "Which cluster?", "explanation": "", "suggestion": ""], 2,
             "poorly posed: Which cluster?\n"),
            (done(3, "No metrics server."), 3, "cannot determine: No metrics server.\n"),
        ]
        for (action, code, text) in cases {
            try await withVibe { fixture in
                try fixture.kubectl.reply(to: "get", stdout: "NAME  READY\nweb   1/1\n")
                try fixture.plan(command(["get", "deployments", "-n", "shop"]))
                try fixture.plan(action)
                let result = try await fixture.run(["check", "every deployment in shop is ready"])
                #expect(result.status == code, "\(text): \(result.stderr)")
                #expect(result.stdout == text)
                #expect(fixture.kubectl.recordedArguments == [["get", "deployments", "-n", "shop"]])
                // The first command's output is in the second iteration's prompt.
                #expect(fixture.body(1).contains("web   1/1"), "iteration 2 sees iteration 1's output")
            }
        }
    }

    @Test("check: a mutating plan is refused: cannot determine (exit 3), kubectl not run")
    func checkRefusesMutating() async throws {
        try await withVibe { fixture in
            try fixture.plan(command(["delete", "pod", "web-1"]))
            let result = try await fixture.run(["check", "--yes", "web-1 is gone"])
            #expect(result.status == 3)
            #expect(result.stdout.hasPrefix("cannot determine: refused"), "\(result.stdout)")
            #expect(fixture.kubectl.recordedArguments.isEmpty)
        }
    }

    @Test("check -o json: verdict, exit_code, explanation, iterations and the commands run")
    func checkJSON() async throws {
        try await withVibe { fixture in
            try fixture.kubectl.reply(to: "get", stdout: "web 1/1\n")
            try fixture.plan(command(["get", "deployments"]))
            try fixture.plan(done(1, "Not all ready."))
            let result = try await fixture.run(["check", "-o", "json", "all ready"])
            #expect(result.status == 1)
            let document = try parseObject(result.stdout)
            #expect(document["verdict"] as? String == "false")
            #expect(jsonValue(document["exit_code"], equals: 1))
            #expect(document["explanation"] as? String == "Not all ready.")
            #expect(jsonValue(document["iterations"], equals: 2))
            let commands = try #require(document["commands"] as? [[String: Any]])
            #expect(commands.count == 1)
            #expect(commands.first?["argv"] as? [String] == ["get", "deployments"])
        }
    }

    @Test("check with an empty predicate is poorly posed: exit 2, no model call")
    func checkEmpty() async throws {
        try await withVibe { fixture in
            let result = try await fixture.run(["check"])
            #expect(result.status == 2)
            #expect(fixture.modelRequests.isEmpty)
        }
    }
}
