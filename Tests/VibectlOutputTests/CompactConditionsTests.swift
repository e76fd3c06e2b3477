import Foundation
import Testing
import VibectlOutput

@Suite("Compactor: failing status conditions")
struct CompactConditionsTests {
    static let unschedulable = "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod."

    /// One pod as `kubectl get -o json` prints it, with conditions (type, status, reason, message).
    static func podJSON(_ name: String, phase: String, conditions: [(String, String, String?, String?)], ready: Bool) -> String {
        let conditionText = conditions.map { type, status, reason, message in
            var fields = [#""lastProbeTime": null"#, #""status": "\#(status)""#, #""type": "\#(type)""#]
            if let reason { fields.append(#""reason": "\#(reason)""#) }
            if let message { fields.append(#""message": "\#(message)""#) }
            return "{" + fields.joined(separator: ", ") + "}"
        }.joined(separator: ", ")
        let containers = phase == "Pending"
            ? "" : #", "containerStatuses": [{"name": "app", "ready": \#(ready), "restartCount": 0, "state": {"running": {}}}]"#
        return """
            {"apiVersion": "v1", "kind": "Pod",
             "metadata": {"name": "\(name)", "namespace": "shop", "labels": {"app": "web"}},
             "spec": {"containers": [{"image": "ghcr.io/acme/web:1.0", "name": "app", "env": [{"name": "A", "value": "b"}]}]},
             "status": {"conditions": [\(conditionText)]\(containers), "phase": "\(phase)"}}
            """
    }

    static func podYAML(_ name: String, phase: String, conditions: [(String, String, String?, String?)], ready: Bool) -> String {
        var lines = [
            "- apiVersion: v1", "  kind: Pod", "  metadata:", "    labels:", "      app: web", "    name: \(name)",
            "    namespace: shop", "  spec:", "    containers:", "    - image: ghcr.io/acme/web:1.0", "      name: app",
            "  status:", "    conditions:",
        ]
        for (type, status, reason, message) in conditions {
            lines.append("    - lastProbeTime: null")
            if let message { lines.append("      message: '\(message)'") }
            if let reason { lines.append("      reason: \(reason)") }
            lines += ["      status: '\(status)'", "      type: \(type)"]
        }
        if phase != "Pending" {
            lines += [
                "    containerStatuses:", "    - name: app", "      ready: \(ready)", "      restartCount: 0", "      state:",
                "        running: {}",
            ]
        }
        lines.append("    phase: \(phase)")
        return lines.joined(separator: "\n")
    }

    static func pods() -> [(String, String, [(String, String, String?, String?)], Bool)] {
        var pods: [(String, String, [(String, String, String?, String?)], Bool)] = []
        for index in 0..<300 {
            if index == 120 {
                pods.append(("web-pending-\(index)", "Pending", [("PodScheduled", "False", "Unschedulable", unschedulable)], false))
            } else if index == 200 {
                // Ready False with the generic ContainersNotReady is not a reason of its own.
                pods.append(("web-notready-\(index)", "Running", [
                    ("Ready", "False", "ContainersNotReady", "containers with unready status: [app]"), ("PodScheduled", "True", nil, nil),
                ], false))
            } else {
                pods.append(("web-\(index)", "Running", [("Ready", "True", nil, nil), ("PodScheduled", "True", nil, nil)], true))
            }
        }
        return pods
    }

    static func check(_ result: CompactionResult, budget: Int) {
        let text = result.text
        #expect(result.keptChars <= budget)
        #expect(text.contains("reasons: Unschedulable=1"), "\(text)")
        #expect(!text.contains("ContainersNotReady"))
        #expect(text.contains("Pod shop/web-pending-120 Pending reasons=Unschedulable"))
        #expect(text.contains(#"message="0/3 nodes are available: 3 Insufficient cpu."#))
        #expect(text.contains("shop/web-notready-200"))
    }

    @Test("a pending pod's Unschedulable condition is its reason in a JSON list, with the message")
    func jsonList() {
        let items = Self.pods().map { Self.podJSON($0.0, phase: $0.1, conditions: $0.2, ready: $0.3) }
        let input = "{\"apiVersion\": \"v1\", \"items\": [\n" + items.joined(separator: ",\n") + "\n], \"kind\": \"List\"}\n"
        let result = Compactor.compact(input, options: CompactionOptions(budget: 2000))
        #expect(result.kind == .json)
        Self.check(result, budget: 2000)
    }

    @Test("a pending pod's Unschedulable condition is its reason in a YAML list, with the message")
    func yamlList() {
        let items = Self.pods().map { Self.podYAML($0.0, phase: $0.1, conditions: $0.2, ready: $0.3) }
        let input = "apiVersion: v1\nitems:\n" + items.joined(separator: "\n") + "\nkind: List\n"
        let result = Compactor.compact(input, options: CompactionOptions(budget: 2000))
        #expect(result.kind == .yaml)
        Self.check(result, budget: 2000)
    }

    @Test("a single pending pod keeps the reason and the message first, even under a tight budget", arguments: [200, 400, 3000])
    func singleObject(budget: Int) {
        var pod = Self.podJSON("web-pending-1", phase: "Pending", conditions: [("PodScheduled", "False", "Unschedulable", Self.unschedulable)], ready: false)
        pod.insert(contentsOf: #""managedFields": [\#(String(repeating: #"{"manager": "kubelet", "operation": "Update"}, "#, count: 100)){}], "#, at: pod.range(of: #""name": "web-pending-1""#)!.lowerBound)
        let result = Compactor.compact(pod, options: CompactionOptions(budget: budget))
        #expect(result.kind == .json)
        #expect(result.keptChars <= budget)
        #expect(result.text.hasPrefix("Pod shop/web-pending-1 Pending reasons=Unschedulable message=\"0/3 nodes are available"))
        if budget >= 400 { #expect(result.text.contains("Insufficient cpu.")) }
    }

    @Test("failing node and deployment conditions are reasons; healthy ones are not")
    func otherConditions() {
        let nodes = (0..<200).map { index -> String in
            let pressure = index == 17 ? "True" : "False"
            let reason = index == 17 ? "KubeletHasInsufficientMemory" : "KubeletHasSufficientMemory"
            return """
                {"kind": "Node", "metadata": {"name": "node-\(index)"}, "status": {"conditions": [
                {"type": "MemoryPressure", "status": "\(pressure)", "reason": "\(reason)", "message": "kubelet memory"},
                {"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status"}]}}
                """
        }
        let input = "{\"kind\": \"List\", \"items\": [" + nodes.joined(separator: ",") + "]}"
        let result = Compactor.compact(input, options: CompactionOptions(budget: 1500))
        #expect(result.text.contains("reasons: KubeletHasInsufficientMemory=1"))
        #expect(!result.text.contains("KubeletHasSufficientMemory"))
        #expect(!result.text.contains("KubeletReady"))
        #expect(result.text.contains("not healthy (1):\nNode node-17 reasons=KubeletHasInsufficientMemory"))
    }
}
