import Foundation

/// Large generated kubectl-style inputs for the redactor's speed and equivalence checks.
///
/// Each input is deterministic and records the secrets planted in it, so a test can check that every
/// planted secret is gone and that the output matches a reference digest byte for byte.
enum RedactorSpeedInputs {
    /// One generated input: its text and the secrets planted in it.
    struct Input: Sendable {
        let name: String
        let text: String
        let secrets: [String]
    }

    /// A small deterministic generator (PCG-style LCG).
    struct Random {
        var state: UInt64
        init(seed: UInt64) { state = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407 }
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        mutating func string(_ alphabet: [Character], _ length: Int) -> String {
            var out = ""
            out.reserveCapacity(length)
            for _ in 0..<length { out.append(alphabet[next(alphabet.count)]) }
            return out
        }
    }

    static let lowerDigits = Array("bcdfghjklmnpqrstvwxz2456789")
    static let hexDigits = Array("0123456789abcdef")

    /// A 64-bit FNV-1a digest of `text`, for comparing large outputs against a recorded reference.
    static func digest(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// Sorted `kind=count` pairs, for comparing findings compactly.
    static func findingsLine(_ findings: [String: Int]) -> String {
        findings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    // MARK: - Logs

    /// A `lines`-line application/controller log with a secret planted every 997 lines.
    static func log(lines: Int) -> Input {
        var random = Random(seed: 101)
        var text = ""
        text.reserveCapacity(lines * 130)
        var secrets: [String] = []
        let paths = ["/api/v1/namespaces/default/pods", "/apis/apps/v1/deployments", "/healthz", "/metrics", "/api/v1/nodes"]
        let levels = ["INFO ", "INFO ", "INFO ", "WARN ", "DEBUG", "ERROR"]
        for line in 0..<lines {
            let second = line / 100
            let stamp = "2024-05-01T\(10 + (second / 3600) % 10):\(pad((second / 60) % 60)):\(pad(second % 60)).\(pad3(line % 1000))000000Z"
            let level = levels[random.next(levels.count)]
            if line % 997 == 500 {
                let secret: String
                switch (line / 997) % 5 {
                case 0:
                    secret = "AKIA" + RedactorCorpus.fake(RedactorCorpus.upperDigits, 16, seed: UInt64(line))
                    text += "\(stamp) DEBUG using key \(secret) for s3 upload\n"
                case 1:
                    secret = RedactorCorpus.jwt(seed: UInt64(line))
                    text += "\(stamp) DEBUG request headers Authorization: Bearer \(secret) accept=json\n"
                case 2:
                    secret = "pw-" + RedactorCorpus.fake(RedactorCorpus.alnum, 12, seed: UInt64(line))
                    text += "\(stamp) WARN  connecting with DB_PASSWORD=\(secret) to postgres:5432\n"
                case 3:
                    secret = "ghp_" + RedactorCorpus.fake(RedactorCorpus.alnum, 36, seed: UInt64(line))
                    text += "\(stamp) INFO  cloning https://\(secret)@github.com/org/repo.git\n"
                default:
                    secret = RedactorCorpus.fake(RedactorCorpus.base64, 64, seed: UInt64(line))
                    text += "\(stamp) DEBUG session blob \(secret) stored\n"
                }
                secrets.append(secret)
                continue
            }
            switch random.next(7) {
            case 0:
                let path = paths[random.next(paths.count)]
                text += "\(stamp) \(level) GET \(path)?limit=500 200 \(random.next(900))ms pod=web-66b6c48dd5-\(random.string(lowerDigits, 5))\n"
            case 1:
                text += "\(stamp) \(level) slow request to 10.96.\(random.next(255)).\(random.next(255)):443 took 1.\(random.next(9))s uid=0e4c8f5a-1d2b-4c3e-9f8a-\(random.string(hexDigits, 12))\n"
            case 2:
                text += "\(stamp) \(level) image pulled registry.example.com/api@sha256:\(random.string(hexDigits, 64))\n"
            case 3:
                text += "I0501 10:00:\(pad(line % 60)).\(pad3(line % 1000))000       1 reflector.go:\(random.next(400))] k8s.io/client-go/informers/factory.go:159: Watch close - *v1.Pod total \(random.next(300)) items received\n"
            case 4:
                text += "{\"level\":\"info\",\"ts\":\"\(stamp)\",\"logger\":\"controller\",\"msg\":\"Reconciling\",\"namespace\":\"default\",\"name\":\"api-\(random.string(lowerDigits, 5))\",\"reconcileID\":\"\(random.string(hexDigits, 8))-\(random.string(hexDigits, 4))-4c3e-9f8a-\(random.string(hexDigits, 12))\"}\n"
            case 5:
                text += "\(stamp) \(level) trace_id=\(random.string(hexDigits, 32)) span_id=\(random.string(hexDigits, 16)) user=alice action=list secrets in namespace default\n"
            default:
                text += "\(stamp) \(level) reconcile failed for secret default/db-\(random.next(50)): conflict, retrying in \(random.next(9))s\n"
            }
        }
        return Input(name: "log", text: text, secrets: secrets)
    }

    // MARK: - Tables

    /// `kubectl get pods -A -o wide` with `rows` rows.
    static func table(rows: Int) -> Input {
        var random = Random(seed: 202)
        var text = "NAMESPACE     NAME                                      READY   STATUS             RESTARTS        AGE     IP             NODE                          NOMINATED NODE   READINESS GATES\n"
        let namespaces = ["default", "kube-system", "monitoring", "payments", "ingress-nginx"]
        let apps = ["nginx-deployment", "coredns", "api", "token-refresher", "secret-sync", "prometheus-server", "web"]
        let statuses = ["Running", "Running", "Running", "Pending", "CrashLoopBackOff", "Completed"]
        for _ in 0..<rows {
            let name = "\(apps[random.next(apps.count)])-\(random.string(lowerDigits, 10))-\(random.string(lowerDigits, 5))"
            let namespace = namespaces[random.next(namespaces.count)]
            let status = statuses[random.next(statuses.count)]
            text += namespace.padding(toLength: 14, withPad: " ", startingAt: 0)
                + name.padding(toLength: 42, withPad: " ", startingAt: 0)
                + "1/1     " + status.padding(toLength: 19, withPad: " ", startingAt: 0)
                + "\(random.next(20))".padding(toLength: 16, withPad: " ", startingAt: 0)
                + "\(random.next(30))d".padding(toLength: 8, withPad: " ", startingAt: 0)
                + "10.244.\(random.next(255)).\(random.next(255))".padding(toLength: 15, withPad: " ", startingAt: 0)
                + "ip-10-0-\(random.next(255))-\(random.next(255)).ec2.internal".padding(toLength: 30, withPad: " ", startingAt: 0)
                + "<none>           <none>\n"
        }
        return Input(name: "table", text: text, secrets: [])
    }

    // MARK: - Pod lists

    /// The fields of one generated pod.
    struct Pod {
        var name: String
        var namespace: String
        var uid: String
        var hash: String
        var digest: String
        var containerID: String
        var ip: String
        var node: String
        var version: Int
    }

    static func pod(_ random: inout Random, index: Int) -> Pod {
        let hash = random.string(lowerDigits, 10)
        return Pod(
            name: "api-\(hash)-\(random.string(lowerDigits, 5))",
            namespace: ["default", "payments", "monitoring"][random.next(3)],
            uid: "\(random.string(hexDigits, 8))-\(random.string(hexDigits, 4))-4\(random.string(hexDigits, 3))-a\(random.string(hexDigits, 3))-\(random.string(hexDigits, 12))",
            hash: hash,
            digest: random.string(hexDigits, 64),
            containerID: random.string(hexDigits, 64),
            ip: "10.244.\(random.next(255)).\(random.next(255))",
            node: "ip-10-0-\(random.next(255))-\(random.next(255)).ec2.internal",
            version: 100_000 + index * 7)
    }

    /// `kubectl get pods -o json` with `pods` pods, a Secret every 500 items and a token env value every 250 pods.
    static func jsonList(pods: Int) -> Input {
        var random = Random(seed: 303)
        var secrets: [String] = []
        var items: [String] = []
        for index in 0..<pods {
            if index % 500 == 250 {
                let value = RedactorCorpus.fake(RedactorCorpus.base64, 24, seed: UInt64(index)) + "=="
                let other = RedactorCorpus.fake(RedactorCorpus.base64, 16, seed: UInt64(index + 1))
                secrets += [value, other]
                items.append("""
                        {
                            "apiVersion": "v1",
                            "data": {
                                "password": "\(value)",
                                "username": "\(other)"
                            },
                            "kind": "Secret",
                            "metadata": {
                                "creationTimestamp": "2024-05-01T10:00:00Z",
                                "name": "db-\(index)",
                                "namespace": "default",
                                "resourceVersion": "\(index)",
                                "uid": "0e4c8f5a-1d2b-4c3e-9f8a-7b6c5d4e3f2a"
                            },
                            "type": "Opaque"
                        }
                """)
                continue
            }
            let p = pod(&random, index: index)
            var env = """
                                        {
                                            "name": "LOG_LEVEL",
                                            "value": "info"
                                        },
                                        {
                                            "name": "DB_PASSWORD",
                                            "valueFrom": {
                                                "secretKeyRef": {
                                                    "key": "password",
                                                    "name": "db-secret"
                                                }
                                            }
                                        }
            """
            if index % 250 == 100 {
                let token = "ghs_" + RedactorCorpus.fake(RedactorCorpus.alnum, 36, seed: UInt64(index))
                secrets.append(token)
                env += """
                ,
                                                        {
                                                            "name": "GITHUB_TOKEN",
                                                            "value": "\(token)"
                                                        }
                """
            }
            items.append("""
                    {
                        "apiVersion": "v1",
                        "kind": "Pod",
                        "metadata": {
                            "annotations": {
                                "kubectl.kubernetes.io/restartedAt": "2024-05-01T10:00:00Z",
                                "prometheus.io/scrape": "true"
                            },
                            "creationTimestamp": "2024-05-01T10:00:00Z",
                            "generateName": "api-\(p.hash)-",
                            "labels": {
                                "app": "api",
                                "pod-template-hash": "\(p.hash)"
                            },
                            "name": "\(p.name)",
                            "namespace": "\(p.namespace)",
                            "ownerReferences": [
                                {
                                    "apiVersion": "apps/v1",
                                    "blockOwnerDeletion": true,
                                    "controller": true,
                                    "kind": "ReplicaSet",
                                    "name": "api-\(p.hash)",
                                    "uid": "6a1f3c2e-9b8d-4e7f-a6c5-b4d3e2f1a0b9"
                                }
                            ],
                            "resourceVersion": "\(p.version)",
                            "uid": "\(p.uid)"
                        },
                        "spec": {
                            "automountServiceAccountToken": true,
                            "containers": [
                                {
                                    "env": [
            \(env)
                                    ],
                                    "image": "registry.example.com/team/api@sha256:\(p.digest)",
                                    "imagePullPolicy": "IfNotPresent",
                                    "name": "api",
                                    "ports": [
                                        {
                                            "containerPort": 8080,
                                            "protocol": "TCP"
                                        }
                                    ],
                                    "resources": {
                                        "limits": {
                                            "cpu": "500m",
                                            "memory": "256Mi"
                                        }
                                    },
                                    "volumeMounts": [
                                        {
                                            "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                                            "name": "kube-api-access-\(p.hash.prefix(5))",
                                            "readOnly": true
                                        }
                                    ]
                                }
                            ],
                            "imagePullSecrets": [
                                {
                                    "name": "registry-creds"
                                }
                            ],
                            "nodeName": "\(p.node)",
                            "serviceAccountName": "api",
                            "volumes": [
                                {
                                    "name": "kube-api-access-\(p.hash.prefix(5))",
                                    "projected": {
                                        "defaultMode": 420,
                                        "sources": [
                                            {
                                                "serviceAccountToken": {
                                                    "expirationSeconds": 3607,
                                                    "path": "token"
                                                }
                                            }
                                        ]
                                    }
                                }
                            ]
                        },
                        "status": {
                            "containerStatuses": [
                                {
                                    "containerID": "containerd://\(p.containerID)",
                                    "image": "registry.example.com/team/api@sha256:\(p.digest)",
                                    "imageID": "registry.example.com/team/api@sha256:\(p.digest)",
                                    "name": "api",
                                    "ready": true,
                                    "restartCount": \(random.next(5)),
                                    "started": true
                                }
                            ],
                            "hostIP": "172.18.0.\(random.next(250))",
                            "phase": "Running",
                            "podIP": "\(p.ip)",
                            "startTime": "2024-05-01T10:00:00Z"
                        }
                    }
            """)
        }
        let text = "{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n" + items.joined(separator: ",\n")
            + "\n    ],\n    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n"
        return Input(name: "json", text: text, secrets: secrets)
    }

    /// `kubectl get pods,secrets -o yaml` with `pods` items, a Secret every 500 items and env secrets every 250 pods.
    static func yamlList(pods: Int) -> Input {
        var random = Random(seed: 404)
        var secrets: [String] = []
        var text = "apiVersion: v1\nitems:\n"
        text.reserveCapacity(pods * 2600)
        for index in 0..<pods {
            if index % 500 == 250 {
                let value = RedactorCorpus.fake(RedactorCorpus.base64, 24, seed: UInt64(index)) + "=="
                let other = RedactorCorpus.fake(RedactorCorpus.base64, 16, seed: UInt64(index + 1))
                secrets += [value, other]
                text += """
                - apiVersion: v1
                  data:
                    password: \(value)
                    username: \(other)
                  kind: Secret
                  metadata:
                    creationTimestamp: "2024-05-01T10:00:00Z"
                    name: db-\(index)
                    namespace: default
                    resourceVersion: "\(index)"
                    uid: 0e4c8f5a-1d2b-4c3e-9f8a-7b6c5d4e3f2a
                  type: Opaque

                """
                continue
            }
            let p = pod(&random, index: index)
            var env = """
                    - name: LOG_LEVEL
                      value: info
                    - name: DB_PASSWORD
                      valueFrom:
                        secretKeyRef:
                          key: password
                          name: db-secret

            """
            if index % 250 == 100 {
                let token = "tok-" + RedactorCorpus.fake(RedactorCorpus.alnum, 20, seed: UInt64(index))
                secrets.append(token)
                env += """
                        - name: SERVICE_TOKEN
                          value: \(token)

                """
            }
            text += """
            - apiVersion: v1
              kind: Pod
              metadata:
                annotations:
                  kubectl.kubernetes.io/restartedAt: "2024-05-01T10:00:00Z"
                  prometheus.io/scrape: "true"
                creationTimestamp: "2024-05-01T10:00:00Z"
                generateName: api-\(p.hash)-
                labels:
                  app: api
                  pod-template-hash: \(p.hash)
                name: \(p.name)
                namespace: \(p.namespace)
                ownerReferences:
                - apiVersion: apps/v1
                  blockOwnerDeletion: true
                  controller: true
                  kind: ReplicaSet
                  name: api-\(p.hash)
                  uid: 6a1f3c2e-9b8d-4e7f-a6c5-b4d3e2f1a0b9
                resourceVersion: "\(p.version)"
                uid: \(p.uid)
              spec:
                automountServiceAccountToken: true
                containers:
                - env:
            \(env)      image: registry.example.com/team/api@sha256:\(p.digest)
                  imagePullPolicy: IfNotPresent
                  name: api
                  ports:
                  - containerPort: 8080
                    protocol: TCP
                  resources:
                    limits:
                      cpu: 500m
                      memory: 256Mi
                  volumeMounts:
                  - mountPath: /var/run/secrets/kubernetes.io/serviceaccount
                    name: kube-api-access-\(p.hash.prefix(5))
                    readOnly: true
                imagePullSecrets:
                - name: registry-creds
                nodeName: \(p.node)
                serviceAccountName: api
                volumes:
                - name: kube-api-access-\(p.hash.prefix(5))
                  projected:
                    defaultMode: 420
                    sources:
                    - serviceAccountToken:
                        expirationSeconds: 3607
                        path: token
              status:
                containerStatuses:
                - containerID: containerd://\(p.containerID)
                  image: registry.example.com/team/api@sha256:\(p.digest)
                  imageID: registry.example.com/team/api@sha256:\(p.digest)
                  name: api
                  ready: true
                  restartCount: \(random.next(5))
                  started: true
                hostIP: 172.18.0.\(random.next(250))
                phase: Running
                podIP: \(p.ip)
                startTime: "2024-05-01T10:00:00Z"

            """
        }
        text += "kind: List\nmetadata:\n  resourceVersion: \"\"\n"
        return Input(name: "yaml", text: text, secrets: secrets)
    }

    // MARK: - Mixed

    /// The positive corpus and the negative corpus repeated `times` times, interleaved.
    static func corpusMix(times: Int) -> Input {
        var parts: [String] = []
        var secrets: [String] = []
        for _ in 0..<times {
            for (sample, negative) in zip(RedactorCorpus.positives, RedactorCorpus.negatives + RedactorCorpus.negatives
                + RedactorCorpus.negatives + RedactorCorpus.negatives)
            {
                parts.append(sample.text)
                parts.append(negative.text)
                secrets += sample.secrets
            }
        }
        return Input(name: "corpus mix", text: parts.joined(separator: "\n"), secrets: secrets)
    }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    private static func pad3(_ value: Int) -> String { value < 10 ? "00\(value)" : value < 100 ? "0\(value)" : "\(value)" }
}
