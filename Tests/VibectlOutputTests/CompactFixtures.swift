import Foundation

/// Generates kubectl-shaped fixtures in memory (big inputs are never committed).
enum CompactFixtures {
    static let images = (0..<12).map { "registry.example.com/team\($0 % 4)/app\($0):1.\($0).0" }

    struct Pod {
        var name: String
        var namespace: String
        var phase: String
        var waitingReason: String?
        var ready: Bool
        var restarts: Int
        var image: String
    }

    /// `count` pods; every 400th (offset 7) is not Running (Pending or Failed), every 50th has restarts.
    static func pods(_ count: Int) -> [Pod] {
        (0..<count).map { index in
            let broken = index % 400 == 7
            let failed = broken && (index / 400) % 2 == 1
            return Pod(
                name: "web-\(index)-\(String(index * 7919 % 100_000, radix: 36))",
                namespace: "ns-\(index % 20)",
                phase: broken ? (failed ? "Failed" : "Pending") : "Running",
                waitingReason: broken ? (failed ? nil : "ImagePullBackOff") : nil,
                ready: !broken,
                restarts: index % 50 == 3 ? index % 7 + 1 : 0,
                image: images[index % images.count])
        }
    }

    static func podJSON(_ pod: Pod, noise: Bool) -> String {
        let managed = noise
            ? #""managedFields": [{"apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:labels": {".": {}, "f:app": {}}}, "f:spec": {"f:containers": {"k:{\"name\":\"app\"}": {".": {}, "f:image": {}, "f:name": {}}}}}, "manager": "kube-controller-manager", "operation": "Update", "time": "2024-05-01T10:00:00Z"}],"#
            : ""
        let state = pod.waitingReason.map { #"{"waiting": {"reason": "\#($0)", "message": "Back-off pulling image"}}"# }
            ?? (pod.phase == "Failed" ? #"{"terminated": {"reason": "Error", "exitCode": 1}}"# : #"{"running": {"startedAt": "2024-05-01T10:00:05Z"}}"#)
        return """
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "creationTimestamp": "2024-05-01T10:00:00Z",
                    "labels": {"app": "web", "pod-template-hash": "5d8f7c9b4"},
                    \(managed)
                    "name": "\(pod.name)",
                    "namespace": "\(pod.namespace)",
                    "resourceVersion": "123456",
                    "uid": "0f5e2a1c-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
                },
                "spec": {
                    "containers": [{"image": "\(pod.image)", "name": "app", "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                        "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}}}],
                    "nodeName": "node-\(pod.name.count % 5)",
                    "restartPolicy": "Always"
                },
                "status": {
                    "conditions": [{"status": "\(pod.ready ? "True" : "False")", "type": "Ready"}],
                    "containerStatuses": [{"image": "\(pod.image)", "name": "app", "ready": \(pod.ready), "restartCount": \(pod.restarts), "state": \(state)}],
                    "phase": "\(pod.phase)",
                    "podIP": "10.1.\(pod.name.count).\(pod.restarts)"
                }
            }
            """
    }

    static func podListJSON(_ pods: [Pod], noise: Bool = true) -> String {
        "{\n\"apiVersion\": \"v1\",\n\"items\": [\n" + pods.map { podJSON($0, noise: noise) }.joined(separator: ",\n")
            + "\n],\n\"kind\": \"List\",\n\"metadata\": {\"resourceVersion\": \"\"}\n}\n"
    }

    static func podYAML(_ pod: Pod, noise: Bool, indent: String = "  ") -> String {
        var lines = [
            "apiVersion: v1",
            "kind: Pod",
            "metadata:",
            "  annotations:",
            "    kubectl.kubernetes.io/last-applied-configuration: |",
            "      {\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"\(pod.name)\"}}",
            "  creationTimestamp: \"2024-05-01T10:00:00Z\"",
            "  labels:",
            "    app: web",
        ]
        if noise {
            lines += [
                "  managedFields:",
                "  - apiVersion: v1",
                "    fieldsType: FieldsV1",
                "    fieldsV1:",
                "      f:metadata:",
                "        f:labels:",
                "          .: {}",
                "          f:app: {}",
                "      f:spec:",
                "        f:containers:",
                "          k:{\"name\":\"app\"}:",
                "            f:image: {}",
                "    manager: kube-controller-manager",
                "    operation: Update",
                "    time: \"2024-05-01T10:00:00Z\"",
            ]
        }
        lines += [
            "  name: \(pod.name)",
            "  namespace: \(pod.namespace)",
            "  resourceVersion: \"123456\"",
            "  uid: 0f5e2a1c-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
            "spec:",
            "  containers:",
            "  - image: \(pod.image)",
            "    name: app",
            "    ports:",
            "    - containerPort: 8080",
            "      protocol: TCP",
            "    resources:",
            "      limits:",
            "        cpu: 500m",
            "        memory: 256Mi",
            "  nodeName: node-\(pod.name.count % 5)",
            "status:",
            "  conditions:",
            "  - status: \"\(pod.ready ? "True" : "False")\"",
            "    type: Ready",
            "  containerStatuses:",
            "  - image: \(pod.image)",
            "    name: app",
            "    ready: \(pod.ready)",
            "    restartCount: \(pod.restarts)",
            "    state:",
        ]
        if let reason = pod.waitingReason {
            lines += ["      waiting:", "        message: Back-off pulling image", "        reason: \(reason)"]
        } else if pod.phase == "Failed" {
            lines += ["      terminated:", "        exitCode: 1", "        reason: Error"]
        } else {
            lines += ["      running:", "        startedAt: \"2024-05-01T10:00:05Z\""]
        }
        lines += ["  phase: \(pod.phase)"]
        return lines.enumerated().map { $0.offset == 0 ? "- " + $0.element : indent + $0.element }.joined(separator: "\n")
    }

    static func podListYAML(_ pods: [Pod], noise: Bool = true) -> String {
        "apiVersion: v1\nitems:\n" + pods.map { podYAML($0, noise: noise) }.joined(separator: "\n")
            + "\nkind: List\nmetadata:\n  resourceVersion: \"\"\n"
    }

    /// A timestamped log of about `lines` lines with periodic errors, warnings and a stack trace.
    static func log(lines: Int) -> String {
        var out: [String] = []
        out.reserveCapacity(lines)
        for index in 0..<lines {
            let second = index % 60
            let minute = (index / 60) % 60
            let stamp = "2024-05-01T10:\(minute < 10 ? "0" : "")\(minute):\(second < 10 ? "0" : "")\(second).\(index % 1000)Z"
            if index % 997 == 500 {
                out.append("\(stamp) ERROR database connection refused host=db-\(index % 3) attempt=\(index)")
            } else if index % 1999 == 100 {
                out.append("\(stamp) WARN slow request path=/api/v1/items took=\(index % 900)ms")
            } else if index == lines / 2 {
                out.append("\(stamp) PANIC runtime error: invalid memory address or nil pointer dereference")
                out.append("goroutine 1 [running]:")
                out.append("    at main.handler(server.go:42)")
            } else {
                out.append("\(stamp) INFO request served path=/healthz status=200 bytes=\(index % 512) id=\(index)")
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// Rows padded the way kubectl prints them: each column as wide as its widest cell, three spaces apart, the last
    /// column unpadded. Widths count characters (kubectl's tabwriter counts runes).
    static func padded(_ rows: [[String]]) -> String {
        let columns = rows[0].count
        let widths = (0..<columns - 1).map { column in rows.map { $0[column].unicodeScalars.count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == columns - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.unicodeScalars.count + 3)
            }.joined()
        }.joined(separator: "\n") + "\n"
    }

    /// `kubectl get events -A`: `warningObjects` objects with Warning events (several reasons; some objects have two
    /// events with different messages) among four Normal events for each of `normalPods` healthy pods.
    static func eventTable(warningObjects: Int, normalPods: Int) -> (text: String, objects: [String], reasons: [String]) {
        let reasons = ["BackOff", "Failed", "FailedScheduling", "Unhealthy", "Evicted", "FailedMount", "BackoffLimitExceeded"]
        var events: [(namespace: String, seen: String, type: String, reason: String, object: String, message: String)] = []
        var objects: [String] = []
        for index in 0..<warningObjects {
            let namespace = "team-\(index % 5)"
            let reason = reasons[index % reasons.count]
            let name = reason == "BackoffLimitExceeded"
                ? "nightly-export-\(29_000_000 + index)" : "checkout-api-\(String(index * 7919 + 100_000, radix: 36))-x\(index)"
            let object = (reason == "BackoffLimitExceeded" ? "job/" : "pod/") + name
            objects.append(name)
            let message: String
            switch reason {
            case "BackOff": message = "Back-off restarting failed container checkout-api in pod \(name)_\(namespace)"
            case "Failed":
                message = "Failed to pull image \"ghcr.io/acme/checkout-api:9.9.\(index)\": rpc error: code = NotFound desc = failed to pull and unpack image: not found"
            case "FailedScheduling":
                message = "0/40 nodes are available: 37 Insufficient memory, 3 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }."
            case "Unhealthy":
                message = "Readiness probe failed: Get \"http://10.1.\(index).7:8080/readyz\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
            case "Evicted": message = "The node was low on resource: memory. Threshold quantity: 100Mi, available: 91364Ki."
            case "FailedMount": message = "MountVolume.SetUp failed for volume \"data-\(index)\" : rpc error: code = Internal desc = attachment of disk failed"
            default: message = "Job has reached the specified backoff limit"
            }
            events.append((namespace, "\(index % 50 + 1)m", "Warning", reason, object, message))
            if reason == "Failed" { events.append((namespace, "\(index % 50 + 2)m", "Warning", reason, object, "Error: ErrImagePull")) }
            if index % 9 == 4 { events.append((namespace, "\(index % 40 + 3)m", "Warning", reason, object, message)) }
        }
        for index in 0..<normalPods {
            let namespace = "team-\(index % 5)"
            let name = "storefront-\(String(index * 104_729 + 1_000_000, radix: 36))-\(index)"
            let object = "pod/" + name
            events.append((namespace, "55m", "Normal", "Scheduled", object, "Successfully assigned \(namespace)/\(name) to ip-10-0-\(index % 64)-\(index % 200).ec2.internal"))
            events.append((namespace, "55m", "Normal", "Pulled", object, "Container image \"ghcr.io/acme/storefront:4.2.\(index % 7)\" already present on machine"))
            events.append((namespace, "55m", "Normal", "Created", object, "Created container storefront"))
            events.append((namespace, "55m", "Normal", "Started", object, "Started container storefront"))
        }
        events.sort { ($0.namespace, $0.object) < ($1.namespace, $1.object) }
        let rows = [["NAMESPACE", "LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]]
            + events.map { [$0.namespace, $0.seen, $0.type, $0.reason, $0.object, $0.message] }
        return (padded(rows), objects, Array(Set(events.filter { $0.type == "Warning" }.map(\.reason))).sorted())
    }
}
