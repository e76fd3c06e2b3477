import Foundation
import Testing
import VibectlCore
import VibectlEngine
import VibectlModels
import VibectlOutput

@Suite("Planner contract")
struct PlannerContractTests {
    @Test("each action type parses into its action")
    func everyActionType() throws {
        let cases: [(String, PlannerAction)] = [
            (#"{"action":{"action_type":"COMMAND","commands":["get","pods"],"explanation":"list"}}"#,
             .command(commands: ["get", "pods"], manifest: nil, allowedExitCodes: [0], explanation: "list")),
            (#"{"action":{"action_type":"THOUGHT","text":"look first"}}"#, .thought(text: "look first")),
            (#"{"action":{"action_type":"FEEDBACK","message":"which pod?","suggestion":"ns is web"}}"#,
             .feedback(message: "which pod?", explanation: nil, suggestion: "ns is web")),
            (#"{"action":{"action_type":"WAIT","duration_seconds":5}}"#, .wait(seconds: 5)),
            (#"{"action":{"action_type":"ERROR","message":"cannot"}}"#, .error(message: "cannot")),
            (#"{"action":{"action_type":"DONE","exit_code":3,"explanation":"no"}}"#, .done(exitCode: 3, explanation: "no")),
            (#"{"action":{"action_type":"DONE"}}"#, .done(exitCode: 0, explanation: nil)),
        ]
        for (text, expected) in cases {
            #expect(try PlannerContract.parse(text).action == expected, "\(text)")
        }
    }

    @Test("the flat schema form with every field null except the used ones parses")
    func flatForm() throws {
        let text = #"""
            {"action": {"action_type": "COMMAND", "commands": ["diff", "-f", "-"], "yaml_manifest": "kind: Pod",
             "allowed_exit_codes": [0, 1], "explanation": null, "text": null, "message": null, "suggestion": null,
             "duration_seconds": null, "exit_code": null}, "presentation_hints": "short"}
            """#
        let reply = try PlannerContract.parse(text)
        #expect(reply.action == .command(commands: ["diff", "-f", "-"], manifest: "kind: Pod", allowedExitCodes: [0, 1], explanation: nil))
        #expect(reply.presentationHints == "short")
    }

    @Test("a reply in a Markdown fence parses")
    func fenced() throws {
        let reply = try PlannerContract.parse("```json\n{\"action\":{\"action_type\":\"THOUGHT\",\"text\":\"x\"}}\n```")
        #expect(reply.action == .thought(text: "x"))
    }

    @Test("unusable replies are refused with the reason, never a crash")
    func refusals() {
        let cases: [(String, String)] = [
            ("not json at all", "not a JSON object"),
            ("[1,2]", "not an object"),
            (#"{"action":{"action_type":"THOUGHT","text":"x"},"extra":1}"#, "unknown top-level key \"extra\""),
            (#"{"plan":{}}"#, "unknown top-level key"),
            (#"{"action":"COMMAND"}"#, "no \"action\" object"),
            (#"{"action":{"commands":["get"]}}"#, "no \"action_type\""),
            (#"{"action":{"action_type":"LAUNCH"}}"#, "unknown action_type"),
            (#"{"action":{"action_type":"COMMAND","commands":"get pods"}}"#, "not one string"),
            (#"{"action":{"action_type":"COMMAND","commands":["get",3]}}"#, "list of strings"),
            (#"{"action":{"action_type":"COMMAND"}}"#, "needs \"commands\" or a \"yaml_manifest\""),
            (#"{"action":{"action_type":"COMMAND","commands":["get"],"allowed_exit_codes":[0,999]}}"#, "between 0 and 255"),
            (#"{"action":{"action_type":"WAIT","duration_seconds":99999}}"#, "between 0 and 3600"),
            (#"{"action":{"action_type":"WAIT"}}"#, "duration_seconds"),
            (#"{"action":{"action_type":"THOUGHT","text":""}}"#, "non-empty \"text\""),
            (#"{"action":{"action_type":"DONE","exit_code":"zero"}}"#, "exit_code"),
        ]
        for (text, reason) in cases {
            do {
                _ = try PlannerContract.parse(text)
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.reason.contains(reason), "\(text) → \(error.reason)")
            }
        }
    }

    @Test("the schema is strict-mode shaped: every property required, no extra properties")
    func schemaShape() throws {
        let schema = try #require(PlannerContract.schema.objectValue)
        let action = try #require(schema["properties"]?.objectValue?["action"]?.objectValue)
        let properties = try #require(action["properties"]?.objectValue)
        let required = Set(try #require(action["required"]?.arrayValue).compactMap(\.stringValue))
        #expect(Set(properties.keys) == required)
        #expect(action["additionalProperties"] == false)
        #expect(schema["additionalProperties"] == false)
        let types = try #require(properties["action_type"]?.objectValue?["enum"]?.arrayValue).compactMap(\.stringValue)
        #expect(types == PlannerContract.actionTypes)
    }

    @Test("planned arguments: kubectl dropped, heredoc remnant cut, the verb implied once")
    func normalisedArguments() {
        #expect(VibeEngine.normalisedArguments(["kubectl", "get", "pods"], verb: nil) == ["get", "pods"])
        #expect(VibeEngine.normalisedArguments(["apply", "-f", "-", "---", "kind: Pod"], verb: nil) == ["apply", "-f", "-"])
        #expect(VibeEngine.normalisedArguments(["pods", "-n", "web"], verb: "get") == ["get", "pods", "-n", "web"])
        #expect(VibeEngine.normalisedArguments(["get", "pods"], verb: "get") == ["get", "pods"])
        #expect(VibeEngine.normalisedArguments(["kubectl", "logs", "web-1"], verb: "logs") == ["logs", "web-1"])
        #expect(VibeEngine.normalisedArguments(["status", "deployment/web"], verb: "rollout") == ["rollout", "status", "deployment/web"])
    }

    @Test("options: aliases resolve, bad values are named")
    func options() throws {
        let options = try VibeOptions(json: #"{"version":1,"mode":"none","yes":true,"verb":"get","budget":2000}"#)
        #expect(options.mode == .auto)
        #expect(options.yes)
        #expect(options.verb == "get")
        #expect(options.budget == 2000)
        #expect(try VibeOptions(json: #"{"mode":"per-session"}"#).mode == .semiauto)
        #expect(try VibeOptions(json: nil) == VibeOptions())
        for (text, message) in [
            (#"{"mode":"yolo"}"#, "unknown mode"), (#"{"colour":1}"#, "unknown option 'colour'"),
            (#"{"yes":"true"}"#, "true or false"), (#"{"budget":5}"#, "budget"), ("[]", "JSON object"),
        ] {
            #expect(throws: VibectlError.self) { try VibeOptions(json: text) }
            do { _ = try VibeOptions(json: text) } catch let error as VibectlError { #expect(error.message.contains(message), "\(error)") }
        }
    }
}

@Suite("Prompts")
struct PromptTests {
    static let context = PromptContext(
        time: "2026-11-21T10:00:00Z", kubeContext: "prod", namespace: nil, instructions: "Be brief.", memory: "ns web")

    @Test("every prompt renders completely: no Mustache tag survives, every value lands")
    func rendered() throws {
        let output = CompactionResult(text: "NAME READY\nweb-1 1/1", kind: .table, originalChars: 20, dropped: [])
        let requests = [
            try Prompts.plan(context: Self.context, verb: nil, request: "show pods", input: output),
            try Prompts.plan(context: Self.context, verb: "logs", request: "", history: [("kubectl get pods", "web-1 Running")]),
            try Prompts.summary(
                context: Self.context, verb: "get", failed: false, hints: "be short", withMemory: true, memoryMaxChars: 500,
                request: "show pods", command: "kubectl get pods", exitCode: 0, output: output),
            try Prompts.summary(
                context: Self.context, verb: "get", failed: true, hints: nil, withMemory: false, memoryMaxChars: 500,
                request: nil, command: "kubectl get pods", exitCode: 1, output: output),
            try Prompts.memoryUpdate(context: Self.context, memoryMaxChars: 300, update: "staging is ours"),
        ]
        for request in requests {
            let text = (request.systemFragments + request.userFragments).joined(separator: "\n")
            #expect(!text.contains("{{"), "\(text)")
            #expect(text.contains("2026-11-21T10:00:00Z"))
            #expect(text.contains("context prod"))
            #expect(text.contains("Be brief."))
            #expect(!text.contains("&quot;") && !text.contains("&lt;"), "no HTML escaping")
        }
        let vibe = requests[0].userFragments.joined()
        #expect(vibe.contains("Request: show pods") && vibe.contains("web-1 1/1") && vibe.contains("ns web"))
        let verb = (requests[1].systemFragments + requests[1].userFragments).joined()
        #expect(verb.contains("`kubectl logs`") && verb.contains("plan the next step") && verb.contains("web-1 Running"))
        #expect(requests[2].systemFragments[0].contains("\"memory\"") && requests[2].systemFragments[0].contains("500 characters"))
        #expect(requests[3].systemFragments[0].contains("\"recovery\"") && !requests[3].systemFragments[0].contains("\"memory\""))
        #expect(requests[4].systemFragments[0].contains("300 characters"))
        if let path = ProcessInfo.processInfo.environment["VIBECTL_DUMP_PROMPTS"] {
            let all = requests.map { ($0.systemFragments + $0.userFragments).joined(separator: "\n-----\n") }
            try all.joined(separator: "\n=====\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
    }
}
