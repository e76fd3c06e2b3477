import Foundation
import Testing
import VibectlTestSupport

/// One verb of the table: the arguments after the verb for the standard path.
private struct VerbCase: Sendable, CustomStringConvertible {
    let verb: String
    let args: [String]
    var description: String { verb }
}

/// Every verb with the standard path (captured, summarised), with typical arguments.
private let standardVerbs: [VerbCase] = [
    VerbCase(verb: "get", args: ["pods", "-n", "web"]),
    VerbCase(verb: "describe", args: ["pod", "web-1"]),
    VerbCase(verb: "logs", args: ["web-1", "--tail=20"]),
    VerbCase(verb: "events", args: ["-n", "web"]),
    VerbCase(verb: "create", args: ["namespace", "staging"]),
    VerbCase(verb: "delete", args: ["pod", "web-1"]),
    VerbCase(verb: "scale", args: ["deployment/web", "--replicas=3"]),
    VerbCase(verb: "rollout", args: ["status", "deployment/web"]),
    VerbCase(verb: "wait", args: ["--for=condition=Ready", "pod/web-1"]),
    VerbCase(verb: "apply", args: ["-f", "deploy.yaml"]),
    VerbCase(verb: "patch", args: ["deployment", "web", "-p", #"{"spec":{"replicas":2}}"#]),
    VerbCase(verb: "diff", args: ["-f", "deploy.yaml"]),
    VerbCase(verb: "cluster-info", args: []),
    VerbCase(verb: "version", args: ["--client"]),
    VerbCase(verb: "exec", args: ["web-1", "--", "cat", "/etc/hostname"]),
    VerbCase(verb: "cp", args: ["web-1:/tmp/a", "./a"]),
    VerbCase(verb: "top", args: ["pods"]),
    VerbCase(verb: "explain", args: ["deployment.spec"]),
    VerbCase(verb: "label", args: ["pod", "web-1", "tier=frontend"]),
    VerbCase(verb: "annotate", args: ["pod", "web-1", "owner=a"]),
    VerbCase(verb: "auth", args: ["can-i", "create", "pods"]),
    VerbCase(verb: "auth", args: ["whoami"]),
    VerbCase(verb: "cordon", args: ["node-1"]),
    VerbCase(verb: "uncordon", args: ["node-1"]),
    VerbCase(verb: "drain", args: ["node-1", "--ignore-daemonsets"]),
    VerbCase(verb: "api-resources", args: []),
    VerbCase(verb: "api-versions", args: []),
]

/// Forms that run kubectl attached to the terminal, without a summary.
private let terminalForms: [[String]] = [
    ["get", "pods", "-w"],
    ["get", "pods", "--watch"],
    ["get", "pods", "-Aw"],
    ["get", "pods", "--watch-only"],
    ["logs", "web-1", "-f"],
    ["logs", "--follow", "web-1"],
    ["events", "--watch"],
    ["exec", "-it", "web-1", "--", "sh"],
    ["exec", "-i", "web-1", "--", "sh"],
    ["exec", "--tty", "--stdin", "web-1", "--", "sh"],
    ["attach", "-it", "web-1"],
    ["edit", "deployment/web"],
    ["port-forward", "svc/web", "8080:80"],
    ["get", "--help"],
]

@Suite("vibectl <verb>")
struct VerbCLITests {
    // MARK: - Standard path

    @Test("every verb: kubectl gets exactly the arguments (unknown flags untouched), the summary goes to stdout")
    func everyVerbPassesArgumentsAndSummarises() async throws {
        try await withVibe { fixture in
            for (index, verbCase) in standardVerbs.enumerated() {
                let args = [verbCase.verb] + verbCase.args
                // The unknown flag goes before any `--`, where kubectl reads its flags.
                var withFlag = args
                let split = withFlag.firstIndex(of: "--") ?? withFlag.count
                withFlag.insert("--chunk-size=7", at: split)
                try fixture.kubectl.reply(to: verbCase.verb, stdout: "raw output of \(verbCase.verb)\n")
                try fixture.summary("Summary \(index) of \(verbCase.verb).")
                let result = try await fixture.run(withFlag)
                #expect(result.status == 0, "\(withFlag): \(result.stderr)")
                #expect(fixture.kubectl.recordedArguments.last == withFlag, "\(verbCase)")
                #expect(fixture.kubectl.recordedArguments.count == index + 1, "kubectl ran once for \(verbCase)")
                #expect(result.stdout == "Summary \(index) of \(verbCase.verb).\n", "\(verbCase): \(result.stdout)")
                #expect(!result.stdout.contains("raw output"), "no raw output by default: \(verbCase)")
            }
            // One summary call per command, and no planning call: the arguments are the user's.
            #expect(fixture.modelRequests.count == standardVerbs.count)
            #expect(!fixture.allBodies.contains("action_type"))
        }
    }

    @Test("the summary request carries kubectl's output and the command")
    func summaryRequestCarriesOutput() async throws {
        try await withVibe { fixture in
            try fixture.kubectl.reply(to: "logs", stdout: "2024-05-01 ERROR connection refused to db:5432\n")
            try fixture.summary("The app cannot reach the database.")
            let result = try await fixture.succeed(["logs", "web-1", "--since=1h"])
            #expect(result.stdout == "The app cannot reach the database.\n")
            #expect(fixture.body(0).contains("connection refused to db:5432"))
            #expect(fixture.body(0).contains("logs web-1 --since=1h"))
        }
    }

    @Test("--show-raw-output prints kubectl's output before the summary; the flag works before or after the verb")
    func showRawOutput() async throws {
        try await withVibe { fixture in
            try fixture.kubectl.reply(to: "get", stdout: "NAME    READY\nweb-1   1/1\n")
            for arguments in [["get", "pods", "--show-raw-output"], ["--show-raw-output", "get", "pods"]] {
                try fixture.summary("One pod is ready.")
                let result = try await fixture.succeed(arguments)
                #expect(result.stdout == "NAME    READY\nweb-1   1/1\nOne pod is ready.\n", "\(arguments)")
                #expect(fixture.kubectl.recordedArguments.last == ["get", "pods"], "vibectl's flag is not kubectl's")
            }
        }
    }

    @Test("without a model: kubectl's output, one note saying why there is no summary, kubectl's exit code")
    func noModel() async throws {
        try await withVibe(key: nil) { fixture in
            try fixture.kubectl.reply(to: "get", stdout: "NAME    READY\nweb-1   1/1\n")
            let ok = try await fixture.run(["get", "pods"])
            #expect(ok.status == 0)
            #expect(ok.stdout == "NAME    READY\nweb-1   1/1\n")
            let notes = ok.stderr.split(separator: "\n").filter { $0.hasPrefix("note: no summary: ") }
            #expect(notes.count == 1, "\(ok.stderr)")
            #expect(ok.stderr.lowercased().contains("key"), "the note says why: \(ok.stderr)")

            try fixture.kubectl.reply(to: "describe", stderr: "Error from server (NotFound): pods \"x\" not found\n", exitCode: 7)
            let failed = try await fixture.run(["describe", "pod", "x"])
            #expect(failed.status == 7, "kubectl's exit code: \(failed.status)")
            #expect(failed.stderr.contains("Error from server (NotFound)"))
            #expect(failed.stderr.contains("note: no summary: "))
            #expect(fixture.modelRequests.isEmpty)
        }
    }

    @Test("--no-show-vibe: kubectl's output only, no model call")
    func noShowVibe() async throws {
        try await withVibe { fixture in
            try fixture.kubectl.reply(to: "get", stdout: "apiVersion: v1\nkind: Pod\n")
            let result = try await fixture.succeed(["get", "pod", "web-1", "-o", "yaml", "--no-show-vibe"])
            #expect(result.stdout == "apiVersion: v1\nkind: Pod\n")
            #expect(fixture.kubectl.recordedArguments == [["get", "pod", "web-1", "-o", "yaml"]], "-o is kubectl's")
            #expect(fixture.modelRequests.isEmpty)
            #expect(!result.stderr.contains("no summary"))
        }
    }

    @Test("a failed command: kubectl's stderr, the recovery suggestions, kubectl's exit code")
    func failedCommandRecovery() async throws {
        try await withVibe { fixture in
            try fixture.kubectl.reply(to: "scale", stderr: "Error from server (NotFound): deployments.apps \"webb\" not found\n", exitCode: 1)
            try fixture.summary("The deployment is called web, not webb: vibectl scale deployment/web --replicas=3", field: "recovery")
            let result = try await fixture.run(["scale", "deployment/webb", "--replicas=3"])
            #expect(result.status == 1)
            #expect(result.stderr.contains("deployments.apps \"webb\" not found"))
            #expect(result.stdout.contains("The deployment is called web"))
        }
    }

    @Test("diff: exit 1 when there are differences, with the summary")
    func diffExitsOne() async throws {
        try await withVibe { fixture in
            try fixture.kubectl.reply(to: "diff", stdout: "-  replicas: 2\n+  replicas: 3\n", exitCode: 1)
            try fixture.summary("replicas would change from 2 to 3.")
            let result = try await fixture.run(["diff", "-f", "deploy.yaml"])
            #expect(result.status == 1)
            #expect(result.stdout == "replicas would change from 2 to 3.\n")
            #expect(!result.stderr.contains("error"), "\(result.stderr)")
        }
    }

    @Test("rollout status, history, undo, restart, pause and resume each run with their arguments")
    func rolloutSubcommands() async throws {
        try await withVibe(key: nil) { fixture in
            try fixture.kubectl.reply(to: "rollout", stdout: "deployment.apps/web ok\n")
            var expected: [[String]] = []
            for subcommand in ["status", "history", "undo", "restart", "pause", "resume"] {
                let args = ["rollout", subcommand, "deployment/web", "-n", "web"]
                let result = try await fixture.run(args)
                #expect(result.status == 0, "\(subcommand): \(result.stderr)")
                #expect(result.stdout == "deployment.apps/web ok\n")
                expected.append(args)
            }
            let undo = try await fixture.run(["rollout", "undo", "deployment/web", "--to-revision=2"])
            #expect(undo.status == 0)
            expected.append(["rollout", "undo", "deployment/web", "--to-revision=2"])
            #expect(fixture.kubectl.recordedArguments == expected)
        }
    }

    @Test("rollout without a subcommand, or with an unknown one, is a usage error listing the subcommands")
    func rolloutUsage() async throws {
        try await withVibe(key: nil) { fixture in
            for args in [["rollout"], ["rollout", "sideways", "deploy/web"]] {
                let result = try await fixture.run(args)
                #expect(result.status == 64, "\(args)")
                #expect(result.stderr.contains("status, history, undo, restart, pause, resume"))
            }
            #expect(fixture.kubectl.recordedArguments.isEmpty)
        }
    }

    // MARK: - Terminal pass-through

    @Test("interactive and live forms run kubectl attached to the terminal: exact argv, kubectl's output, no model call")
    func terminalForms() async throws {
        try await withVibe { fixture in
            try fixture.kubectl.reply(to: "default", stdout: "live output\n", exitCode: 0)
            for (index, args) in VerbTables.terminalFormsList.enumerated() {
                let result = try await fixture.run(args)
                #expect(result.status == 0, "\(args): \(result.stderr)")
                #expect(fixture.kubectl.recordedArguments.count == index + 1)
                #expect(fixture.kubectl.recordedArguments.last == args, "\(args)")
                #expect(result.stdout == "live output\n", "\(args): \(result.stdout)")
            }
            #expect(fixture.modelRequests.isEmpty, "no summary for pass-through forms")
        }
    }

    @Test("a pass-through form exits with kubectl's exit code")
    func terminalFormExitCode() async throws {
        try await withVibe { fixture in
            try fixture.kubectl.reply(to: "logs", stderr: "error: pod gone\n", exitCode: 3)
            let result = try await fixture.run(["logs", "-f", "web-1"])
            #expect(result.status == 3)
            #expect(result.stderr.contains("error: pod gone"))
        }
    }

    // MARK: - Flags

    @Test("vibectl's flags are taken out anywhere before '--'; after it everything is kubectl's")
    func flagsAroundDoubleDash() async throws {
        try await withVibe { fixture in
            try fixture.kubectl.reply(to: "exec", stdout: "hello\n")
            try fixture.summary("It printed hello.")
            let result = try await fixture.succeed([
                "exec", "--show-kubectl", "web-1", "--model", "gpt-4o", "--", "echo", "--yes", "--show-raw-output",
            ])
            #expect(fixture.kubectl.recordedArguments == [["exec", "web-1", "--", "echo", "--yes", "--show-raw-output"]])
            #expect(result.stdout == "It printed hello.\n", "no raw output: the flag after '--' is kubectl's")
            #expect(result.stderr.contains("kubectl exec web-1 -- echo --yes --show-raw-output"), "\(result.stderr)")
        }
    }

    @Test("--json after the verb, or -o json before it, prints the step result; -o after the verb is kubectl's")
    func jsonOutput() async throws {
        try await withVibe { fixture in
            try fixture.kubectl.reply(to: "get", stdout: "NAME\nweb-1\n")
            for args in [["get", "pods", "--json"], ["-o", "json", "get", "pods"]] {
                try fixture.summary("One pod.")
                let result = try await fixture.succeed(args)
                let document = try parseObject(result.stdout)
                #expect(document["status"] as? String == "completed", "\(args)")
                #expect(document["summary"] as? String == "One pod.")
                let commands = try #require(document["commands"] as? [[String: Any]])
                #expect(commands.first?["stdout"] as? String == "NAME\nweb-1\n")
                #expect(fixture.kubectl.recordedArguments.last == ["get", "pods"])
            }
            try fixture.summary("Wide.")
            _ = try await fixture.succeed(["-o", "wide", "get", "pods"])
            #expect(fixture.kubectl.recordedArguments.last == ["get", "-o", "wide", "pods"], "-o wide is kubectl's")
        }
    }

    @Test("--config-dir and --model after the verb are vibectl's")
    func configDirAfterVerb() async throws {
        try await withVibe { fixture in
            try fixture.kubectl.reply(to: "get", stdout: "x\n")
            try fixture.summary("Fine.")
            let result = try await fixture.succeed(["get", "pods", "--config-dir", fixture.cli.configDir, "--model=gpt-4o"])
            #expect(result.stdout == "Fine.\n")
            #expect(fixture.kubectl.recordedArguments == [["get", "pods"]])
            #expect(fixture.body(0).contains("gpt-4o"))
        }
    }

    @Test("a manifest on stdin with -f - reaches kubectl")
    func manifestOnStdin() async throws {
        try await withVibe(key: nil) { fixture in
            let manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n"
            try fixture.kubectl.reply(to: "apply", stdout: "configmap/app created\n")
            let result = try await fixture.run(["apply", "-f", "-"], stdin: Data(manifest.utf8))
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "configmap/app created\n")
            #expect(fixture.kubectl.invocations.first?.stdin == manifest)
        }
    }

    @Test("version alone is vibectl's own; with kubectl arguments (or --kubectl) it is kubectl version")
    func versionForms() async throws {
        try await withVibe(key: nil) { fixture in
            try fixture.kubectl.reply(to: "version", stdout: "Client Version: v1.30.0\n")
            let own = try await fixture.succeed(["version"])
            #expect(own.stdout.hasPrefix("vibectl "))
            let ownJSON = try await fixture.succeed(["version", "-o", "json"])
            #expect(try parseObject(ownJSON.stdout)["library"] != nil)
            #expect(fixture.kubectl.recordedArguments.isEmpty)
            let kubectl = try await fixture.succeed(["version", "--kubectl"])
            #expect(kubectl.stdout == "Client Version: v1.30.0\n")
            let client = try await fixture.succeed(["version", "--client", "-o", "yaml"])
            #expect(client.stdout == "Client Version: v1.30.0\n")
            #expect(fixture.kubectl.recordedArguments == [["version"], ["version", "--client", "-o", "yaml"]])
        }
    }

    // MARK: - The vibe form

    @Test("every verb's vibe form plans that verb's arguments: the verb is prepended, never doubled")
    func everyVerbVibeForm() async throws {
        for (index, verb) in VerbTables.allVerbs.enumerated() {
            try await withVibe { fixture in
                // Half the plans repeat the verb, half leave it implied.
                let planned = ["thing-\(index)", "--chunk-size=7"]
                try fixture.plan(command(index % 2 == 0 ? planned : [verb] + planned))
                try fixture.summary("Done \(index).")
                let result = try await fixture.run([verb, "vibe", "do", "thing", "\(index)", "--yes", "--json"])
                let document = try parseObject(result.stdout)
                let plan = try #require(document["plan"] as? [String: Any], "\(verb): \(result.stdout.prefix(300))")
                #expect(plan["argv"] as? [String] == [verb] + planned, "\(verb): \(plan["argv"] ?? "nil")")
                #expect(fixture.body(0).contains("do thing \(index)"), "\(verb): all the words are the request")
                if document["status"] as? String == "completed" {
                    #expect(fixture.kubectl.recordedArguments == [[verb] + planned], "\(verb)")
                }
            }
        }
    }

    @Test("get vibe: the planned get runs and is summarised; the planning request names the verb")
    func getVibeRuns() async throws {
        try await withVibe { fixture in
            try fixture.kubectl.reply(to: "get", stdout: "NAME\nnginx-1\n")
            try fixture.plan(command(["pods", "-n", "kube-system", "-l", "app=nginx"]))
            try fixture.summary("One nginx pod.")
            let result = try await fixture.succeed(["get", "vibe", "all", "nginx", "pods", "in", "kube-system"])
            #expect(result.stdout == "One nginx pod.\n")
            #expect(fixture.kubectl.recordedArguments == [["get", "pods", "-n", "kube-system", "-l", "app=nginx"]])
            #expect(fixture.body(0).contains("all nginx pods in kube-system"))
        }
    }

    @Test("scale vibe uses every word of an unquoted request, and a mutating plan needs --yes without a terminal")
    func scaleVibe() async throws {
        try await withVibe { fixture in
            try fixture.plan(command(["deployment/web", "--replicas=3"]))
            let refused = try await fixture.run(["scale", "vibe", "web", "to", "three", "replicas"])
            #expect(refused.status == 11)
            #expect(fixture.kubectl.recordedArguments.isEmpty)
            #expect(fixture.body(0).contains("web to three replicas"))

            try fixture.kubectl.reply(to: "scale", stdout: "deployment.apps/web scaled\n")
            try fixture.plan(command(["scale", "deployment/web", "--replicas=3"]))
            try fixture.summary("web now has 3 replicas.")
            let result = try await fixture.succeed(["--yes", "scale", "vibe", "web", "to", "three", "replicas"])
            #expect(result.stdout == "web now has 3 replicas.\n")
            #expect(fixture.kubectl.recordedArguments == [["scale", "deployment/web", "--replicas=3"]])
        }
    }

    @Test("rollout vibe plans with the rollout verb")
    func rolloutVibe() async throws {
        try await withVibe { fixture in
            try fixture.kubectl.reply(to: "rollout", stdout: "deployment.apps/web rolled back\n")
            try fixture.plan(command(["undo", "deployment/web"]))
            try fixture.summary("Rolled back.")
            let result = try await fixture.succeed(["rollout", "vibe", "undo", "the", "last", "web", "rollout", "--yes"])
            #expect(result.stdout == "Rolled back.\n")
            #expect(fixture.kubectl.recordedArguments == [["rollout", "undo", "deployment/web"]])
        }
    }

    @Test("vibe without a request is a usage error with an example")
    func vibeWithoutRequest() async throws {
        try await withVibe { fixture in
            let result = try await fixture.run(["get", "vibe"])
            #expect(result.status == 64)
            #expect(result.stderr.contains("vibectl get vibe \""))
            #expect(fixture.modelRequests.isEmpty)
        }
    }
}

extension VerbTables {
    static var terminalFormsList: [[String]] { terminalForms }
    static var allVerbs: [String] {
        Array(Set(standardVerbs.map(\.verb))).sorted() + ["edit", "attach", "port-forward"]
    }
}

/// A namespace for the tables shared by the tests above.
enum VerbTables {}
