import Foundation
import Testing
import VibectlTestSupport

@Suite("vibectl vibe")
struct VibeCLITests {
    // MARK: - Action types

    @Test("COMMAND: kubectl runs with the planned arguments, the summary goes to stdout, two model calls")
    func commandRunsAndSummarises() async throws {
        try await withVibe { fixture in
            try fixture.kubectl.reply(to: "get", stdout: "NAME    READY   STATUS\nweb-1   1/1     Running\n")
            try fixture.plan(command(["get", "pods", "-n", "web"], explanation: "List the pods in web."))
            try fixture.summary("One pod, web-1, is running.", memory: "Namespace web has one running pod, web-1.")
            let result = try await fixture.succeed(["vibe", "show", "me", "the", "pods", "in", "web"])
            #expect(result.stdout == "One pod, web-1, is running.\n")
            #expect(!result.stdout.contains("NAME"), "raw output only with --show-raw-output")
            #expect(fixture.kubectl.recordedArguments == [["get", "pods", "-n", "web"]])
            #expect(fixture.modelRequests.count == 2, "a step is two model calls")
            #expect(fixture.body(0).contains("show me the pods in web"), "the request words are joined")
            #expect(fixture.body(1).contains("web-1"), "the summary call sees kubectl's output")
            #expect(fixture.modelRequests.last?.isStream == false, "no streaming when stdout is not a terminal")
            #expect(!result.stderr.contains("\r"), "no spinner without a terminal")
        }
    }

    @Test("THOUGHT: the text is printed, nothing runs, exit 0")
    func thought() async throws {
        try await withVibe { fixture in
            try fixture.plan(["action_type": "THOUGHT", "text": "A pod is the smallest deployable unit."])
            let result = try await fixture.succeed(["vibe", "what is a pod?"])
            #expect(result.stdout == "A pod is the smallest deployable unit.\n")
            #expect(fixture.kubectl.invocations.isEmpty)
            #expect(fixture.modelRequests.count == 1)
        }
    }

    @Test("FEEDBACK: the message on stdout, the suggested memory note on stderr, exit 0")
    func feedback() async throws {
        try await withVibe { fixture in
            try fixture.plan([
                "action_type": "FEEDBACK", "message": "Which namespace do you mean?",
                "explanation": "Several namespaces have a web deployment.", "suggestion": "The user works in payments.",
            ])
            let result = try await fixture.succeed(["vibe", "restart web"])
            #expect(result.stdout == "Which namespace do you mean?\n")
            #expect(result.stderr.contains("Several namespaces have a web deployment."))
            #expect(result.stderr.contains("Suggested memory note: The user works in payments."))
            #expect(result.stderr.contains("vibectl memory update 'The user works in payments.'"))
            #expect(fixture.kubectl.invocations.isEmpty)
        }
    }

    @Test("WAIT: waits the planned second, says so on stderr, exit 0")
    func wait() async throws {
        try await withVibe { fixture in
            try fixture.plan(["action_type": "WAIT", "duration_seconds": 1])
            let started = Date()
            let result = try await fixture.succeed(["vibe", "wait for the rollout"])
            #expect(Date().timeIntervalSince(started) >= 0.9)
            #expect(result.stderr.contains("Waiting 1 s"))
            #expect(result.stdout.isEmpty)
            #expect(fixture.kubectl.invocations.isEmpty)
        }
    }

    @Test("ERROR: the planner's message as an error, exit 1")
    func plannerError() async throws {
        try await withVibe { fixture in
            try fixture.plan(["action_type": "ERROR", "message": "There is no cluster named mars."])
            let result = try await fixture.run(["vibe", "list pods on mars"])
            #expect(result.status == 1)
            #expect(result.stderr.contains("error: There is no cluster named mars."))
            #expect(result.stdout.isEmpty)
            #expect(fixture.kubectl.invocations.isEmpty)
        }
    }

    @Test("DONE with exit_code 3: vibectl exits 3 and prints the explanation")
    func doneExitCode() async throws {
        try await withVibe { fixture in
            try fixture.plan(["action_type": "DONE", "exit_code": 3, "explanation": "The rollout never finished."])
            let result = try await fixture.run(["vibe"])
            #expect(result.status == 3, "\(result.stderr)")
            #expect(result.stdout == "The rollout never finished.\n")
            #expect(fixture.kubectl.invocations.isEmpty)
        }
    }

    @Test("an empty request plans the next step from memory")
    func emptyRequestUsesMemory() async throws {
        try await withVibe { fixture in
            try await fixture.succeed(["memory", "set", "Investigating crashloop of checkout-7f9"])
            try fixture.plan(["action_type": "DONE", "explanation": "Nothing left to do."])
            let result = try await fixture.succeed(["vibe"])
            #expect(result.stdout == "Nothing left to do.\n")
            #expect(fixture.body(0).contains("Investigating crashloop of checkout-7f9"))
        }
    }

    // MARK: - Confirmation without a terminal

    @Test("a mutating command without --yes and without a terminal is not run: exit 11 and a clear message")
    func needsConfirmation() async throws {
        try await withVibe { fixture in
            try fixture.plan(command(["scale", "deployment", "web", "--replicas=3"], explanation: "Scale web to 3."))
            let result = try await fixture.run(["vibe", "scale web to 3"])
            #expect(result.status == 11, "\(result.stderr)")
            #expect(fixture.kubectl.invocations.isEmpty, "kubectl must not run")
            #expect(result.stderr.contains("error: "))
            #expect(result.stderr.contains("kubectl scale deployment web --replicas=3"))
            #expect(result.stderr.contains("--yes"), "the hint says how to run it: \(result.stderr)")
            #expect(result.stdout.isEmpty)
            #expect(fixture.modelRequests.count == 1, "no summary call for a command that did not run")
        }
    }

    @Test("--yes runs a mutating command without a terminal")
    func yesRunsMutating() async throws {
        try await withVibe { fixture in
            try fixture.kubectl.reply(to: "scale", stdout: "deployment.apps/web scaled\n")
            try fixture.plan(command(["scale", "deployment", "web", "--replicas=3"]))
            try fixture.summary("web now has 3 replicas.")
            let result = try await fixture.succeed(["vibe", "--yes", "scale web to 3"])
            #expect(fixture.kubectl.recordedArguments == [["scale", "deployment", "web", "--replicas=3"]])
            #expect(result.stdout == "web now has 3 replicas.\n")
        }
    }

    @Test("--mode auto runs a mutating command without a terminal")
    func autoModeRunsMutating() async throws {
        try await withVibe { fixture in
            try fixture.plan(command(["delete", "pod", "web-1"]))
            try fixture.summary("web-1 was deleted.")
            let result = try await fixture.succeed(["vibe", "--mode", "auto", "delete web-1"])
            #expect(fixture.kubectl.recordedArguments == [["delete", "pod", "web-1"]])
            #expect(result.stdout == "web-1 was deleted.\n")
        }
    }

    @Test("a forced confirmation (delete --force) is not run even with --yes when there is no terminal")
    func forcedConfirmationNotRunWithYes() async throws {
        try await withVibe { fixture in
            try fixture.plan(command(["delete", "pod", "web-1", "--force"]))
            let result = try await fixture.run(["--yes", "vibe", "force delete web-1"])
            #expect(result.status == 11, "\(result.stderr)")
            #expect(fixture.kubectl.invocations.isEmpty, "kubectl must not run")
            #expect(result.stderr.contains("always asks"), "the hint explains --yes is not enough: \(result.stderr)")
        }
    }

    @Test("a manifest is piped to kubectl on stdin with -f -")
    func manifestOnStdin() async throws {
        try await withVibe { fixture in
            let manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  color: blue\n"
            try fixture.kubectl.reply(to: "apply", stdout: "configmap/settings created\n")
            try fixture.plan(command(["apply", "-f", "-"], manifest: manifest))
            try fixture.summary("The ConfigMap settings was created.")
            let result = try await fixture.succeed(["vibe", "--yes", "--show-kubectl", "create a configmap"])
            let invocation = try #require(fixture.kubectl.invocations.first)
            #expect(invocation.arguments == ["apply", "-f", "-"])
            #expect(invocation.stdin?.contains("name: settings") == true)
            #expect(invocation.stdin?.contains("color: blue") == true)
            #expect(result.stderr.contains("kubectl apply -f - (with manifest)"))
        }
    }

    // MARK: - Safety

    @Test("a plan with shell operators is rejected: exit 12, kubectl not run")
    func shellOperatorRejected() async throws {
        try await withVibe { fixture in
            try fixture.plan(command(["get", "pods", ";", "rm", "-rf", "/"]))
            let result = try await fixture.run(["vibe", "--yes", "--mode", "auto", "list pods"])
            #expect(result.status == 12, "\(result.stderr)")
            #expect(fixture.kubectl.invocations.isEmpty)
            #expect(result.stderr.contains("error: "))
            #expect(result.stderr.contains("never runs"))
        }
    }

    @Test("a plan that points kubectl at another kubeconfig is rejected: exit 12")
    func kubeconfigRejected() async throws {
        try await withVibe { fixture in
            try fixture.plan(command(["get", "pods", "--kubeconfig", "/tmp/x"]))
            let result = try await fixture.run(["vibe", "--yes", "list pods"])
            #expect(result.status == 12, "\(result.stderr)")
            #expect(fixture.kubectl.invocations.isEmpty)
            #expect(result.stderr.contains("kubeconfig"))
        }
    }

    // MARK: - Exit codes from kubectl

    @Test("allowed_exit_codes [0,1]: kubectl diff exiting 1 is completed, and vibectl exits 1")
    func allowedExitCodes() async throws {
        try await withVibe { fixture in
            try fixture.kubectl.reply(to: "diff", stdout: "-  replicas: 2\n+  replicas: 3\n", exitCode: 1)
            try fixture.plan(command(["diff", "-f", "deploy.yaml"], allowed: [0, 1]))
            try fixture.summary("The live deployment has 2 replicas; the file says 3.")
            let result = try await fixture.run(["vibe", "-o", "json", "what would change"])
            #expect(result.status == 1, "\(result.stderr)")
            let document = try parseObject(result.stdout)
            #expect(document["status"] as? String == "completed")
            #expect(jsonValue(document["exit_code"], equals: 1))
        }
    }

    @Test("a kubectl failure: kubectl's stderr and exit code, with recovery suggestions")
    func kubectlFailure() async throws {
        try await withVibe { fixture in
            try fixture.kubectl.reply(
                to: "get", stderr: "Error from server (NotFound): namespaces \"wbe\" not found\n", exitCode: 2)
            try fixture.plan(command(["get", "pods", "-n", "wbe"]))
            try fixture.summary("The namespace wbe does not exist; did you mean web?", field: "recovery")
            let result = try await fixture.run(["vibe", "pods in wbe"])
            #expect(result.status == 2, "\(result.stderr)")
            #expect(result.stderr.contains("namespaces \"wbe\" not found"))
            #expect(result.stdout.contains("did you mean web?"))
        }
    }

    // MARK: - Memory

    @Test("the summary call updates memory; memory show prints it")
    func memoryUpdatedAfterStep() async throws {
        try await withVibe { fixture in
            try fixture.kubectl.reply(to: "get", stdout: "NAME   STATUS\nweb    Active\n")
            try fixture.plan(command(["get", "namespaces"]))
            try fixture.summary("There is one namespace, web.", memory: "The cluster has one namespace: web.")
            let result = try await fixture.succeed(["vibe", "list namespaces"])
            #expect(result.stderr.contains("Memory updated:"))
            let shown = try await fixture.succeed(["memory", "show"])
            #expect(shown.stdout == "The cluster has one namespace: web.\n")
        }
    }

    @Test("--freeze-memory: the step reads memory but does not change it")
    func freezeMemory() async throws {
        try await withVibe { fixture in
            try await fixture.succeed(["memory", "set", "Original memory."])
            try fixture.kubectl.reply(to: "get", stdout: "web-1 Running\n")
            try fixture.plan(command(["get", "pods"]))
            try fixture.summary("web-1 is running.", memory: "Replaced memory.")
            let result = try await fixture.succeed(["vibe", "--freeze-memory", "list pods"])
            #expect(result.stdout == "web-1 is running.\n")
            #expect(!result.stderr.contains("Memory updated"))
            #expect(fixture.body(0).contains("Original memory."), "the plan still sees memory")
            let shown = try await fixture.succeed(["memory", "show"])
            #expect(shown.stdout == "Original memory.\n")
            let status = try await fixture.cli.json(["memory", "status"])
            #expect(status["frozen"] as? Bool == false, "--freeze-memory is for this call only")
        }
    }

    @Test("memory update folds text into memory with one model call and prints the new memory")
    func memoryUpdateCommand() async throws {
        try await withVibe { fixture in
            try await fixture.succeed(["memory", "set", "Namespace web."])
            fixture.server.enqueue(
                .structured(json: #"{"memory":"Namespace web. Staging is ours; prod is read-only."}"#), for: .openai)
            let result = try await fixture.succeed(["memory", "update", "staging is ours, prod is read-only"])
            #expect(result.stdout == "Namespace web. Staging is ours; prod is read-only.\n")
            #expect(fixture.modelRequests.count == 1)
            #expect(fixture.body(0).contains("staging is ours, prod is read-only"))
            #expect(fixture.body(0).contains("Namespace web."))
            let shown = try await fixture.succeed(["memory", "show"])
            #expect(shown.stdout == "Namespace web. Staging is ours; prod is read-only.\n")

            // From stdin, and with nothing at all.
            fixture.server.enqueue(.structured(json: #"{"memory":"Deploys go through Argo CD."}"#), for: .openai)
            let piped = try await fixture.succeed(["memory", "update"], stdin: Data("deploys go through Argo CD\n".utf8))
            #expect(piped.stdout == "Deploys go through Argo CD.\n")
            let empty = try await fixture.run(["memory", "update"])
            #expect(empty.status == 1)
            #expect(empty.stderr.contains("error: no text provided"))
        }
    }

    // MARK: - Model failures

    @Test("a malformed planner reply is asked for again and the valid second reply is used")
    func malformedPlanRecovered() async throws {
        try await withVibe { fixture in
            fixture.server.enqueue(.structured(json: #"{"plan":"get pods"}"#), for: .openai)
            try fixture.plan(["action_type": "THOUGHT", "text": "Second time lucky."])
            let result = try await fixture.succeed(["vibe", "anything"])
            #expect(result.stdout == "Second time lucky.\n")
            #expect(fixture.modelRequests.count == 2)
            #expect(result.stderr.contains("could not be used"), "\(result.stderr)")
        }
    }

    @Test("a provider overload is retried, then the step succeeds")
    func overloadRetried() async throws {
        try await withVibe { fixture in
            fixture.server.enqueue(.overloaded, for: .openai)
            try fixture.plan(["action_type": "DONE", "explanation": "All good."])
            let result = try await fixture.succeed(["vibe", "is everything fine?"])
            #expect(result.stdout == "All good.\n")
            #expect(fixture.modelRequests.count == 2)
            #expect(result.stderr.contains("retrying"), "\(result.stderr)")
        }
    }

    @Test("a rejected API key is an error with a hint, exit 1, and nothing runs")
    func unauthorized() async throws {
        try await withVibe { fixture in
            fixture.server.enqueue(.unauthorized, for: .openai)
            let result = try await fixture.run(["vibe", "list pods"])
            #expect(result.status == 1)
            #expect(result.stderr.contains("error: "))
            #expect(result.stderr.contains("hint: "))
            #expect(result.stderr.contains("vibectl model check"), "\(result.stderr)")
            #expect(result.stdout.isEmpty)
            #expect(fixture.kubectl.invocations.isEmpty)
        }
    }

    @Test("without any API key the error names the ways to set one")
    func noKeyConfigured() async throws {
        try await withVibe(key: nil) { fixture in
            let result = try await fixture.run(["vibe", "list pods"])
            #expect(result.status == 1)
            #expect(result.stderr.contains("error: "))
            #expect(result.stderr.contains("VIBECTL_OPENAI_API_KEY"), "\(result.stderr)")
            #expect(result.stderr.contains("(model gpt-4o, from VIBECTL_LLM_MODEL)"), "names the model: \(result.stderr)")
            #expect(result.stderr.contains("--model"), "\(result.stderr)")
            #expect(fixture.modelRequests.isEmpty)
        }
    }

    @Test("when the summary call fails, kubectl's output is still printed and vibectl exits with kubectl's code")
    func summaryFailureStillPrintsOutput() async throws {
        try await withVibe { fixture in
            try fixture.kubectl.reply(to: "get", stdout: "NAME    STATUS\nweb-1   Running\n")
            try fixture.plan(command(["get", "pods"]))
            fixture.server.enqueue(.modelNotFound, for: .openai)
            let result = try await fixture.succeed(["vibe", "list pods"])
            #expect(result.stdout == "NAME    STATUS\nweb-1   Running\n")
            #expect(result.stderr.contains("warning: no summary"), "\(result.stderr)")
        }
    }

    // MARK: - Input

    @Test("the request can come from stdin when there is no argument")
    func requestFromStdin() async throws {
        try await withVibe { fixture in
            try fixture.plan(["action_type": "THOUGHT", "text": "Noted."])
            let result = try await fixture.succeed(["vibe"], stdin: Data("how many nodes are there\n".utf8))
            #expect(result.stdout == "Noted.\n")
            #expect(fixture.body(0).contains("how many nodes are there"))
        }
    }

    @Test("piped stdin is sent with the request as its input")
    func stdinAsInput() async throws {
        try await withVibe { fixture in
            try fixture.plan(["action_type": "THOUGHT", "text": "It ran out of memory."])
            let logs = "starting\nfatal: OOMKilled while loading cache-shard-42\n"
            let result = try await fixture.succeed(["vibe", "why did it crash"], stdin: Data(logs.utf8))
            #expect(result.stdout == "It ran out of memory.\n")
            #expect(fixture.body(0).contains("why did it crash"))
            #expect(fixture.body(0).contains("cache-shard-42"))
        }
    }

    @Test("secrets in kubectl's output and in piped input never reach the model")
    func secretsRedacted() async throws {
        try await withVibe { fixture in
            let awsKey = "AKIAQ3EGRV5LTZ7XK2PB"
            try fixture.kubectl.reply(
                to: "get",
                stdout: "apiVersion: v1\nkind: ConfigMap\ndata:\n  password: hunter2secretvalue\n  aws_key: \(awsKey)\n")
            try fixture.plan(command(["get", "configmap", "app", "-o", "yaml"]))
            try fixture.summary("The ConfigMap holds credentials; they should be in a Secret.")
            let piped = "db password: hunter2secretvalue\n"
            let result = try await fixture.succeed(["vibe", "what is in the app configmap"], stdin: Data(piped.utf8))
            #expect(result.stdout.contains("they should be in a Secret"))
            #expect(fixture.modelRequests.count == 2)
            let bodies = fixture.allBodies
            #expect(!bodies.contains("hunter2secretvalue"), "a password reached the model")
            #expect(!bodies.contains(awsKey), "an AWS key reached the model")
            #expect(bodies.contains("REDACTED"))
        }
    }

    // MARK: - Output and flags

    @Test("-o json prints one step result document and nothing else on stdout")
    func jsonOutput() async throws {
        try await withVibe { fixture in
            try fixture.kubectl.reply(to: "get", stdout: "web-1 Running\n")
            try fixture.plan(command(["get", "pods"], explanation: "List pods."))
            try fixture.summary("web-1 is running.", memory: "web-1 runs.")
            let result = try await fixture.succeed(["vibe", "list pods", "-o", "json"])
            let document = try parseObject(result.stdout)
            for key in ["version", "status", "exit_code", "plan", "commands", "summary", "metrics"] {
                #expect(document.keys.contains(key), "missing \(key) in \(document.keys.sorted())")
            }
            #expect(document["status"] as? String == "completed")
            #expect(jsonValue(document["exit_code"], equals: 0))
            #expect(document["summary"] as? String == "web-1 is running.")
            let commands = try #require(document["commands"] as? [[String: Any]])
            #expect(commands.first?["argv"] as? [String] == ["get", "pods"])
            let plan = try #require(document["plan"] as? [String: Any])
            #expect((plan["action"] as? [String: Any])?["action_type"] as? String == "COMMAND")
            #expect(document["metrics"] is [String: Any])
            #expect(!result.stderr.contains("Memory updated"), "stderr stays quiet in JSON mode")
        }
    }

    @Test("vibectl's flags work before and after the subcommand, -o json included")
    func flagPlacement() async throws {
        try await withVibe { fixture in
            try fixture.kubectl.reply(to: "scale", stdout: "deployment.apps/web scaled\n")
            for arguments in [
                ["--yes", "vibe", "scale web"], ["vibe", "--yes", "scale web"], ["vibe", "scale web", "--yes"],
                ["--yes", "-o", "json", "vibe", "scale web"],
            ] {
                try fixture.plan(command(["scale", "deployment", "web", "--replicas=2"]))
                try fixture.summary("Scaled.")
                let result = try await fixture.run(arguments)
                #expect(result.status == 0, "\(arguments): \(result.stderr)")
                if arguments.contains("json") {
                    #expect(try parseObject(result.stdout)["status"] as? String == "completed")
                } else {
                    #expect(result.stdout == "Scaled.\n", "\(arguments)")
                }
            }
            #expect(fixture.kubectl.invocations.count == 4)
        }
    }

    @Test("--show-kubectl, --show-raw-output and --show-metrics all render on the right stream")
    func displayFlags() async throws {
        try await withVibe { fixture in
            try fixture.kubectl.reply(to: "get", stdout: "NAME    STATUS\nweb-1   Running\n")
            try fixture.plan(command(["get", "pods", "-l", "app=web x"]))
            try fixture.summary("web-1 is running.")
            let result = try await fixture.succeed([
                "--show-kubectl", "vibe", "--show-raw-output", "--show-metrics", "all", "list pods",
            ])
            #expect(result.stdout == "NAME    STATUS\nweb-1   Running\nweb-1 is running.\n")
            #expect(result.stderr.contains("kubectl get pods -l 'app=web x'"))
            #expect(result.stderr.contains("metrics: plan"), "\(result.stderr)")
            #expect(result.stderr.contains("metrics: summary"), "\(result.stderr)")
            #expect(result.stderr.contains("metrics: total 2 model calls"), "\(result.stderr)")
        }
    }

    @Test("display.show_vibe false from config, and --show-vibe wins over it")
    func showVibeConfig() async throws {
        try await withVibe { fixture in
            try await fixture.succeed(["config", "set", "display.show_vibe", "false"])
            try fixture.kubectl.reply(to: "get", stdout: "web-1 Running\n")
            try fixture.plan(command(["get", "pods"]))
            try fixture.summary("web-1 is running.")
            let quiet = try await fixture.succeed(["vibe", "list pods"])
            #expect(quiet.stdout == "web-1 Running\n", "without a summary shown, kubectl's output is")
            try fixture.plan(command(["get", "pods"]))
            try fixture.summary("web-1 is running.")
            let shown = try await fixture.succeed(["vibe", "--show-vibe", "list pods"])
            #expect(shown.stdout == "web-1 is running.\n")
        }
    }

    @Test("--model picks the model for this call")
    func modelFlag() async throws {
        try await withVibe { fixture in
            try fixture.plan(["action_type": "DONE"])
            try await fixture.succeed(["vibe", "--model", "openai:gpt-4o-mini", "anything"])
            #expect(fixture.modelRequests.first?.model == "gpt-4o-mini")
        }
    }

    // MARK: - Instructions

    @Test("instructions set, show and clear; the planning request carries them")
    func instructions() async throws {
        try await withVibe { fixture in
            let empty = try await fixture.succeed(["instructions", "show"])
            #expect(empty.stdout.isEmpty)
            #expect(empty.stderr.contains("No custom instructions"))

            let set = try await fixture.succeed(["instructions", "set", "Always", "answer", "like", "a", "pirate."])
            #expect(set.stdout.contains("Custom instructions set"))
            let shown = try await fixture.succeed(["instructions", "show"])
            #expect(shown.stdout == "Always answer like a pirate.\n")
            let json = try await fixture.cli.json(["instructions", "show"])
            #expect(json["instructions"] as? String == "Always answer like a pirate.")

            try fixture.plan(["action_type": "THOUGHT", "text": "Arr."])
            try await fixture.succeed(["vibe", "hello"])
            #expect(fixture.body(0).contains("Always answer like a pirate."))

            try await fixture.succeed(["instructions", "set"], stdin: Data("Prefer wide output.\n".utf8))
            #expect(try await fixture.succeed(["instructions", "show"]).stdout == "Prefer wide output.\n")

            let cleared = try await fixture.succeed(["instructions", "clear"])
            #expect(cleared.stdout.contains("cleared"))
            let after = try await fixture.succeed(["instructions", "show"])
            #expect(after.stdout.isEmpty)
        }
    }

    // MARK: - Confirmation on a terminal

    @Test(
        "on a terminal, the prompt shows the explanation, command and choices; [y]es runs it",
        .enabled(if: hasTerminalRunner, "needs util-linux script"))
    func terminalYes() async throws {
        try await withVibe { fixture in
            try fixture.kubectl.reply(to: "scale", stdout: "deployment.apps/web scaled\n")
            try fixture.plan(command(["scale", "deployment", "web", "--replicas=3"], explanation: "Scale web to 3."))
            fixture.server.enqueue(
                .stream(chunks: [#"{"summary":"web now runs "#, #"three replicas.","memory":"web has 3 replicas."}"#]),
                for: .openai)
            let (status, output) = try await fixture.runOnTerminal(["vibe", "scale web to 3"], input: "y\n")
            #expect(status == 0, "\(output)")
            #expect(output.contains("Scale web to 3."))
            #expect(output.contains("kubectl scale deployment web --replicas=3"))
            #expect(output.contains("[y]es, [n]o, yes [a]nd, no [b]ut, [m]emory"))
            #expect(!output.contains("[e]xit"), "exit is offered in semiauto mode only")
            #expect(fixture.kubectl.recordedArguments == [["scale", "deployment", "web", "--replicas=3"]])
            #expect(occurrences(of: "web now runs three replicas.", in: output) == 1, "streamed once: \(output)")
            #expect(fixture.modelRequests.last?.isStream == true, "the summary streams to a terminal")
        }
    }

    @Test(
        "on a terminal, [n]o and an empty answer decline: exit 10, kubectl not run",
        .enabled(if: hasTerminalRunner, "needs util-linux script"))
    func terminalNo() async throws {
        try await withVibe { fixture in
            for answer in ["n\n", "\n"] {
                try fixture.plan(command(["delete", "pod", "web-1"]))
                let (status, output) = try await fixture.runOnTerminal(["vibe", "delete web-1"], input: answer)
                #expect(status == 10, "\(answer.debugDescription): \(output)")
                #expect(output.contains("Not run: declined"))
            }
            #expect(fixture.kubectl.invocations.isEmpty)
        }
    }

    @Test(
        "on a terminal, [m]emory shows the memory and asks again; no [b]ut folds the note into memory and does not run",
        .enabled(if: hasTerminalRunner, "needs util-linux script"))
    func terminalMemoryAndNoBut() async throws {
        try await withVibe { fixture in
            try await fixture.succeed(["memory", "set", "Cluster staging."])
            try fixture.plan(command(["delete", "namespace", "prod"], explanation: "Delete prod."))
            fixture.server.enqueue(.structured(json: #"{"memory":"Cluster staging. Never touch prod."}"#), for: .openai)
            let (status, output) = try await fixture.runOnTerminal(
                ["vibe", "clean up prod"], input: "m\nb\nnever touch prod\n")
            #expect(status == 10, "\(output)")
            #expect(output.contains("Memory:\n  Cluster staging."), "\(output)")
            #expect(occurrences(of: "Run it? [y]es", in: output) == 2, "asked again after [m]emory: \(output)")
            #expect(fixture.kubectl.invocations.isEmpty)
            #expect(fixture.body(1).contains("never touch prod"), "the note went to the memory update")
            #expect(try await fixture.succeed(["memory", "show"]).stdout == "Cluster staging. Never touch prod.\n")
        }
    }

    @Test(
        "on a terminal, yes [a]nd folds the note into memory, then runs the command",
        .enabled(if: hasTerminalRunner, "needs util-linux script"))
    func terminalYesAnd() async throws {
        try await withVibe { fixture in
            try fixture.plan(command(["rollout", "restart", "deployment", "web"]))
            fixture.server.enqueue(.structured(json: #"{"memory":"Restarts are fine during the day."}"#), for: .openai)
            try fixture.summary("web is restarting.")
            let (status, output) = try await fixture.runOnTerminal(
                ["vibe", "restart web"], input: "a\nrestarts are fine during the day\n")
            #expect(status == 0, "\(output)")
            #expect(fixture.kubectl.recordedArguments == [["rollout", "restart", "deployment", "web"]])
            #expect(fixture.body(1).contains("restarts are fine during the day"))
            #expect(output.contains("web is restarting."))
        }
    }

    @Test(
        "on a terminal, a forced confirmation asks even with --yes",
        .enabled(if: hasTerminalRunner, "needs util-linux script"))
    func terminalForcedAsksWithYes() async throws {
        try await withVibe { fixture in
            try fixture.plan(command(["delete", "pod", "web-1", "--force"]))
            try fixture.summary("web-1 is gone.")
            let (status, output) = try await fixture.runOnTerminal(["vibe", "--yes", "force delete web-1"], input: "y\n")
            #expect(status == 0, "\(output)")
            #expect(output.contains("dangerous flag --force"))
            #expect(output.contains("Run it? [y]es"))
            #expect(fixture.kubectl.recordedArguments == [["delete", "pod", "web-1", "--force"]])
        }
    }

    @Test(
        "on a terminal, a spinner with the elapsed time shows while the model is thinking, then is erased",
        .enabled(if: hasTerminalRunner, "needs util-linux script"))
    func terminalSpinner() async throws {
        try await withVibe { fixture in
            let plan = try jsonText(["action": ["action_type": "THOUGHT", "text": "Thought it through."]])
            fixture.server.enqueue(.slowFirstByte(0.5, then: .structured(json: plan)), for: .openai)
            let (status, output) = try await fixture.runOnTerminal(
                ["vibe", "think"], input: "", environment: ["TERM": "xterm"])
            #expect(status == 0, "\(output)")
            #expect(output.contains("planning"), "\(output.debugDescription)")
            #expect(output.contains("\u{1B}[K"), "the spinner line is erased")
            #expect(output.hasSuffix("Thought it through.\n"), "\(output.debugDescription)")
        }
    }
}
