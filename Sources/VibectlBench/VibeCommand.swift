// `vibectl-bench vibe [--runs N]`
//
// Runs the vibe engine's scenario set — one step each, against the loopback fake provider (OpenAI wire
// format) and a fake kubectl that prints a fixture — N times per scenario (default 20), and prints per
// scenario: model calls per step, prompt characters per step (plan + summary call, after redaction and
// compaction), kubectl output size, and the engine's own overhead: the step's wall time minus the time
// inside model calls and inside kubectl (median and p90). Figures only; never fails on a slow number.
// Used by bench/vibe.sh.

import Foundation
import VibectlCore
import VibectlEngine
import VibectlModels
import VibectlOutput
import VibectlStore
import VibectlTestSupport

/// One benchmark scenario: what kubectl prints, what the planner and the reporter answer.
struct VibeScenario {
    var name: String
    var request: String
    var plan: [String]
    var stdout: String
    var exitCode: Int32 = 0
    var manifest: String?
    var mode: ExecutionMode?
}

/// Runs the `vibe` subcommand; returns the exit status.
func runVibeCommand(_ arguments: [String]) async -> Int32 {
    var runs = 20
    if let index = arguments.firstIndex(of: "--runs"), index + 1 < arguments.count, let value = Int(arguments[index + 1]) {
        runs = max(1, value)
    }
    do {
        try await VibeBench(runs: runs).run()
        return 0
    } catch {
        FileHandle.standardError.write(Data("vibectl-bench vibe: \(error)\n".utf8))
        return 1
    }
}

struct VibeBench {
    let runs: Int

    static func scenarios() -> [VibeScenario] {
        var table = "NAMESPACE     NAME                         READY   STATUS             RESTARTS   AGE\n"
        for index in 0..<300 {
            let status = index % 50 == 7 ? "CrashLoopBackOff   12        " : "Running            0         "
            table += "shop-\(index % 6)        web-\(index)-7d9f8c6b5-x2k\(index % 10)z    1/1     \(status)  3d\n"
        }
        var log = ""
        for second in 0..<4000 {
            let time = String(format: "2026-11-21T10:%02d:%02dZ", (second / 60) % 60, second % 60)
            if second % 400 == 17 {
                log += "\(time) ERROR payment gateway timeout after 30s order=\(second)\n"
            } else {
                log += "\(time) INFO served GET /api/cart in \(second % 90)ms\n"
            }
        }
        var items: [String] = []
        for index in 0..<500 {
            let phase = index % 100 == 3 ? "Pending" : "Running"
            items.append(
                #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"api-\#(index)","namespace":"prod","uid":"u-\#(index)","resourceVersion":"\#(index)","managedFields":[{"manager":"kubelet"}]},"spec":{"containers":[{"name":"api","image":"registry.example/api:1.\#(index % 3)"}]},"status":{"phase":"\#(phase)"}}"#)
        }
        let json = #"{"apiVersion":"v1","kind":"List","items":["# + items.joined(separator: ",") + "]}"
        let secret = """
            apiVersion: v1
            kind: Secret
            metadata:
              name: db
            data:
              password: c3VwZXItc2VjcmV0LXBhc3N3b3Jk
              token: ZXlKaGJHY2lPaUpJVXpJMU5pSjkuZXlKemRXSWlPaUl4TWpNME5UWTNPRGt3SW4wLnNpZw==
            """
        let manifest = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n"
        return [
            VibeScenario(name: "get pods -A (300 rows)", request: "which pods are failing", plan: ["get", "pods", "-A"], stdout: table),
            VibeScenario(name: "logs (4000 lines)", request: "why do payments fail", plan: ["logs", "deploy/payments"], stdout: log),
            VibeScenario(name: "get pods -o json (500)", request: "summarise prod", plan: ["get", "pods", "-n", "prod", "-o", "json"], stdout: json),
            VibeScenario(name: "get secret -o yaml", request: "show the db secret", plan: ["get", "secret", "db", "-o", "yaml"], stdout: secret),
            VibeScenario(
                name: "apply manifest (auto)", request: "scale web to 3 with a manifest", plan: ["apply", "-f", "-"],
                stdout: "deployment.apps/web configured\n", manifest: manifest, mode: .auto),
            VibeScenario(
                name: "failed command", request: "pods in staging", plan: ["get", "pods", "-n", "staging"],
                stdout: "Error from server (NotFound): namespaces \"staging\" not found\n", exitCode: 1),
        ]
    }

    func run() async throws {
        let server = try await FakeProviderServer.start()
        defer { Task { await server.stop() } }
        let scratch = try ScratchDirectory(prefix: "vibectl-bench-vibe")
        emit("vibe engine: one step per run, \(runs) runs per scenario, fake provider on 127.0.0.1, fake kubectl")
        emit("engine overhead = step wall time - time in model calls - time in kubectl (prompt building, redaction,")
        emit("compaction, parsing, safety, memory and config I/O). The Python original makes 4 model calls per step (reference §2.6).")
        emit("")
        let header = ["scenario", "status", "calls/step", "prompt chars/step", "plan chars", "summary chars", "kubectl out", "engine ms med", "p90"]
        emit(header.joined(separator: " | "))
        var totalCalls = 0
        var totalSteps = 0
        for scenario in Self.scenarios() {
            let fixture = scratch.file("\(totalSteps)-stdout.txt")
            try scenario.stdout.write(toFile: fixture, atomically: true, encoding: .utf8)
            let kubectl = scratch.file("kubectl-\(totalSteps)")
            let script = "#!/bin/sh\ncat '\(fixture)'\nexit \(scenario.exitCode)\n"
            try script.write(toFile: kubectl, atomically: true, encoding: .utf8)
            chmod(kubectl, 0o755)
            let environment = ["HOME": scratch.path, "OPENAI_API_KEY": "sk-proj-BENCHvibe0123456789abcdefghijklmnop"]
            let config = try ConfigStore(
                paths: ConfigPaths(configDir: scratch.file("config-\(totalSteps)")), environment: environment,
                overrides: [
                    "llm.model": "openai:gpt-4o", "providers.openai.base_url": .string(server.baseURL(for: .openai)),
                    "core.kubectl_command": .string(kubectl),
                ])
            let memory = MemoryStore(config: config)
            let service = ModelService(
                config: config, environment: environment, transport: AsyncHTTPClientTransport.shared,
                adapters: ModelService.standardAdapters)
            let redactor = try Redactor()
            let engine = VibeEngine(config: config, memory: memory, models: service, environment: environment) {
                redactor.redact($0).text
            }
            var overhead: [Double] = []
            var calls: [Int] = []
            var chars: [Int] = []
            var planChars: [Int] = []
            var summaryChars: [Int] = []
            var status = ""
            let plan = JSONValue.object([
                "action": .object([
                    "action_type": "COMMAND", "commands": .array(scenario.plan.map(JSONValue.string)),
                    "yaml_manifest": scenario.manifest.map(JSONValue.string) ?? .null, "explanation": "bench",
                ])
            ]).jsonString()
            let field = scenario.exitCode == 0 ? "summary" : "recovery"
            let report = #"{"\#(field)": "Two pods are crash-looping: web-7 and web-57; everything else runs.", "memory": "checked pods in shop-*; web-7 and web-57 crash-loop"}"#
            for _ in 0..<(runs + 2) {
                server.enqueue([.structured(json: plan), .structured(json: report)], for: .openai)
                let result = try await engine.vibe(
                    scenario.request, options: VibeOptions(mode: scenario.mode), hooks: EngineHooks())
                let metrics = result.metrics.json()
                status = result.status.rawValue
                overhead.append(metrics.objectValue?["engine_ms"]?.doubleValue ?? .nan)
                calls.append(result.metrics.calls.count)
                chars.append(result.metrics.calls.reduce(0) { $0 + $1.promptChars })
                planChars.append(result.metrics.calls.first { $0.purpose == "plan" }?.promptChars ?? 0)
                summaryChars.append(result.metrics.calls.first { $0.purpose != "plan" }?.promptChars ?? 0)
            }
            // The first two runs warm up (connection set-up, template compilation).
            let measured = Array(overhead.dropFirst(2))
            let summary = Summary(measured)
            totalCalls += calls.dropFirst(2).reduce(0, +)
            totalSteps += runs
            let row = [
                scenario.name, status, String(format: "%.1f", Double(calls.dropFirst(2).reduce(0, +)) / Double(runs)),
                String(chars.last ?? 0), String(planChars.last ?? 0), String(summaryChars.last ?? 0),
                "\(scenario.stdout.utf8.count) B", String(format: "%.2f", summary.median), String(format: "%.2f", summary.p90),
            ]
            emit(row.joined(separator: " | "))
        }
        emit("")
        emit(String(format: "all scenarios: %.2f model calls per step (target <= 2; the original: 4)", Double(totalCalls) / Double(totalSteps)))
    }
}
