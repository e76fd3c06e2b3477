import Foundation

/// Facts and compact rendering for parsed Kubernetes objects (from JSON or YAML).
enum ObjectCompactor {
    static let noiseMetadata: Set<String> = ["managedFields", "uid", "resourceVersion", "generation", "selfLink"]
    static let lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

    static func string(_ value: Any?) -> String {
        switch value {
        case let text as String: text
        case let number as Int: String(number)
        case let number as Double: String(number)
        case let flag as Bool: flag ? "true" : "false"
        default: ""
        }
    }

    static func int(_ value: Any?) -> Int {
        switch value {
        case let number as Int: number
        case let number as Double where number.isFinite && abs(number) < 1e15: Int(number)
        case let text as String: Int(text) ?? 0
        default: 0
        }
    }

    /// Extracts the facts of one object (a pod, deployment, node, …).
    static func facts(_ object: [String: Any]) -> ItemFacts {
        var facts = ItemFacts()
        facts.kind = string(object["kind"])
        let metadata = object["metadata"] as? [String: Any] ?? [:]
        facts.name = string(metadata["name"])
        facts.namespace = string(metadata["namespace"])
        let status = object["status"] as? [String: Any] ?? [:]
        facts.phase = string(status["phase"])
        facts.addReason(string(status["reason"]))
        for condition in status["conditions"] as? [Any] ?? [] {
            guard let condition = condition as? [String: Any] else { continue }
            facts.addCondition(
                type: string(condition["type"]), status: string(condition["status"]), reason: string(condition["reason"]),
                message: string(condition["message"]))
        }
        for key in ["initContainerStatuses", "containerStatuses"] {
            for container in status[key] as? [Any] ?? [] {
                guard let container = container as? [String: Any] else { continue }
                facts.restarts += int(container["restartCount"])
                if key == "containerStatuses" {
                    facts.containers += 1
                    if let ready = container["ready"] as? Bool, !ready { facts.notReady += 1 }
                }
                if let state = container["state"] as? [String: Any] {
                    for (name, detail) in state.sorted(by: { $0.key < $1.key }) where name != "running" {
                        let reason = string((detail as? [String: Any])?["reason"])
                        if reason == "Completed" { continue }
                        facts.addReason(reason)
                    }
                }
            }
        }
        if let replicas = status["replicas"] {
            let want = int(replicas)
            let ready = int(status["readyReplicas"])
            if want > ready { facts.addReason("\(want - ready)/\(want) replicas not ready") }
        }
        var spec = object["spec"] as? [String: Any] ?? [:]
        if let template = spec["template"] as? [String: Any], let inner = template["spec"] as? [String: Any] { spec = inner }
        for key in ["initContainers", "containers"] {
            for container in spec[key] as? [Any] ?? [] {
                facts.addImage(string((container as? [String: Any])?["image"]))
            }
        }
        return facts
    }

    /// Removes noise fields recursively; returns nil for values that become empty maps.
    static func prune(_ value: Any, path: [String] = []) -> Any? {
        if let object = value as? [String: Any] {
            var result: [String: Any] = [:]
            for (key, child) in object {
                if path.last == "metadata", noiseMetadata.contains(key) { continue }
                if path.last == "annotations", key == lastApplied { continue }
                if let kept = prune(child, path: path + [key]) { result[key] = kept }
            }
            return result.isEmpty ? nil : result
        }
        if let array = value as? [Any] {
            let kept = array.compactMap { prune($0, path: path) }
            return kept.isEmpty ? nil : kept
        }
        if value is NSNull { return nil }
        return value
    }

    /// Renders a value as indented YAML-like lines with sorted keys.
    static func render(_ value: Any, indent: String, into lines: inout [String]) {
        if let object = value as? [String: Any] {
            for key in object.keys.sorted() {
                guard let child = object[key] else { continue }
                if child is [String: Any] || child is [Any] {
                    lines.append(indent + key + ":")
                    render(child, indent: indent + "  ", into: &lines)
                } else {
                    lines.append(indent + key + ": " + scalar(child))
                }
            }
        } else if let array = value as? [Any] {
            for element in array {
                var inner: [String] = []
                render(element, indent: indent + "  ", into: &inner)
                if var first = inner.first {
                    first = indent + "- " + first.dropFirst(indent.count + 2)
                    lines.append(first)
                    lines.append(contentsOf: inner.dropFirst())
                } else {
                    lines.append(indent + "- " + scalar(element))
                }
            }
        } else {
            lines.append(indent + scalar(value))
        }
    }

    static func scalar(_ value: Any) -> String {
        let text = string(value)
        if text.contains("\n") { return "\"" + text.replacingOccurrences(of: "\n", with: "\\n") + "\"" }
        return text
    }

    /// Spec keys kept when the full spec does not fit.
    static let essentialContainerKeys: Set<String> = [
        "name", "image", "resources", "livenessProbe", "readinessProbe", "startupProbe", "ports", "command", "args",
    ]

    static func essentials(_ spec: [String: Any]) -> [String: Any] {
        var result: [String: Any] = [:]
        for key in ["replicas", "nodeName", "type", "schedule", "selector", "serviceAccountName"] {
            if let value = spec[key] { result[key] = value }
        }
        for key in ["initContainers", "containers"] {
            if let containers = spec[key] as? [Any] {
                result[key] = containers.map { container -> Any in
                    guard let container = container as? [String: Any] else { return container }
                    return container.filter { essentialContainerKeys.contains($0.key) }
                }
            }
        }
        if let template = spec["template"] as? [String: Any], let inner = template["spec"] as? [String: Any] {
            result["template"] = ["spec": essentials(inner)]
        }
        return result
    }

    /// Compacts one object: identity first, then status, spec (essentials if needed), metadata, the rest.
    static func compact(_ object: [String: Any], budget: Int, intent: [String], dropped: inout [String]) -> String {
        let pruned = prune(object) as? [String: Any] ?? [:]
        var removed: [String] = []
        if let metadata = object["metadata"] as? [String: Any] {
            removed += noiseMetadata.sorted().filter { metadata[$0] != nil }
            if (metadata["annotations"] as? [String: Any])?[lastApplied] != nil { removed.append("last-applied-configuration") }
        }
        if !removed.isEmpty { dropped.append("noise fields: " + removed.joined(separator: ", ")) }

        var writer = BudgetWriter(budget: budget)
        let facts = facts(object)
        var head = facts.kind.isEmpty ? "object" : facts.kind
        if !facts.name.isEmpty { head += " " + (facts.namespace.isEmpty ? facts.name : facts.namespace + "/" + facts.name) }
        // What is wrong, up front: phase, reasons (container states, failing conditions) and the condition's message.
        if !facts.phase.isEmpty { head += " " + facts.phase }
        if !facts.reasons.isEmpty { head += " reasons=" + facts.reasons.joined(separator: ",") }
        if !facts.message.isEmpty { head += " message=\"" + clip(facts.message, 160) + "\"" }
        writer.appendClipped(head)

        var sections: [(String, Any)] = []
        var order = ["status", "spec", "metadata", "data"]
        let others = pruned.keys.filter { !order.contains($0) && $0 != "kind" && $0 != "apiVersion" }.sorted()
        order += others
        // Intent raises sections whose rendering mentions the intent words.
        if !intent.isEmpty {
            let hit = order.filter { key in pruned[key].map { mentions(key + " " + String(describing: $0), intent) } ?? false }
            order = hit + order.filter { !hit.contains($0) }
        }
        for key in order { if let value = pruned[key] { sections.append((key, value)) } }
        if let api = pruned["apiVersion"] { sections.append(("apiVersion", api)) }

        let reserve = 40
        for (key, value) in sections {
            var lines: [String] = []
            if value is [String: Any] || value is [Any] {
                lines.append(key + ":")
                render(value, indent: "  ", into: &lines)
            } else {
                lines.append(key + ": " + scalar(value))
            }
            var needed = lines.reduce(0) { $0 + $1.unicodeScalars.count + 1 }
            if needed + reserve > writer.remaining, key == "spec", let spec = value as? [String: Any] {
                lines = ["spec (essentials):"]
                render(essentials(spec), indent: "  ", into: &lines)
                needed = lines.reduce(0) { $0 + $1.unicodeScalars.count + 1 }
                dropped.append("non-essential spec fields")
            }
            var kept = 0
            for line in lines {
                if !writer.append(line, reserve: reserve) { break }
                kept += 1
            }
            if kept < lines.count {
                let missing = lines.count - kept
                writer.appendClipped("… \(missing) lines of \(key) omitted")
                dropped.append("\(missing) lines of \(key)")
            }
        }
        return writer.text
    }
}
