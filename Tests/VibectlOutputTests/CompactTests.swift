import Foundation
import Testing
import VibectlCore
import VibectlOutput

@Suite("Compactor: detection")
struct CompactDetectionTests {
    static let samples: [(String, OutputKind)] = [
        ("{\n  \"kind\": \"Pod\"\n}", .json),
        ("[{\"a\": 1}]", .json),
        ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n", .yaml),
        ("---\napiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\nkind: Secret\n", .yaml),
        ("NAME      READY   STATUS    RESTARTS   AGE\nweb-1     1/1     Running   0          5m\n", .table),
        ("NAME    READY   UP-TO-DATE   AVAILABLE   AGE   CONTAINERS   IMAGES         SELECTOR\nweb     3/3     3            3           1d    app          nginx:1.25     app=web\n", .table),
        ("2024-05-01T10:00:00Z INFO started\n2024-05-01T10:00:01Z ERROR failed\n", .logs),
        ("I0501 10:00:00.000000       1 main.go:10] started\nE0501 10:00:01.000000       1 main.go:11] boom\n", .logs),
        ("{\"ts\":1,\"msg\":\"a\"}\n{\"ts\":2,\"msg\":\"b\"}\n", .logs),
        ("LAST SEEN   TYPE      REASON    OBJECT        MESSAGE\n5m          Warning   BackOff   pod/web-1     Back-off restarting\n", .events),
        ("Hello world.\nThis is just some text.\n", .text),
        ("", .text),
    ]

    @Test("each kind of output is detected", arguments: samples)
    func detects(_ sample: (String, OutputKind)) {
        #expect(Compactor.detect(sample.0) == sample.1)
    }
}

@Suite("Compactor: budget, UTF-8 and determinism")
struct CompactBudgetTests {
    static let inputs: [(String, String)] = [
        ("json list", CompactFixtures.podListJSON(CompactFixtures.pods(300))),
        ("yaml list", CompactFixtures.podListYAML(CompactFixtures.pods(300))),
        ("json object", CompactFixtures.podJSON(CompactFixtures.pods(8)[7], noise: true)),
        ("log", CompactFixtures.log(lines: 3000)),
        ("table", CompactTableTests.podTable(rows: 400)),
        ("events", CompactTableTests.events(rows: 300)),
        ("text", String(repeating: "plain words with ünïcödé 日本語 and 🚀 emoji, nothing else.\n", count: 400)),
    ]

    @Test("the output never exceeds the budget", arguments: [0, 1, 7, 40, 120, 500, 2000, 5000])
    func neverExceedsBudget(budget: Int) {
        for (name, input) in Self.inputs {
            let result = Compactor.compact(input, options: CompactionOptions(budget: budget))
            #expect(result.keptChars <= budget, "\(name) at \(budget)")
            #expect(result.text.unicodeScalars.count == result.keptChars)
            #expect(result.originalChars == input.unicodeScalars.count)
        }
    }

    @Test("multi-byte characters are never split", arguments: [5, 33, 64, 101, 257, 999])
    func utf8Safe(budget: Int) throws {
        let line = "Ω≈ç√ 日本語テキスト 🚀👩‍💻 ERROR ümlaut"
        let input = (0..<200).map { "\(line) \($0)" }.joined(separator: "\n")
        let result = Compactor.compact(input, options: CompactionOptions(budget: budget))
        #expect(result.keptChars <= budget)
        #expect(!result.text.unicodeScalars.contains("\u{FFFD}"))
        // Every scalar in the output comes from the input or from our ASCII/ellipsis markers.
        let allowed = Set(input.unicodeScalars).union("[]…()–;:,=0123456789abcdefghijklmnopqrstuvwxyz ".unicodeScalars)
        #expect(result.text.unicodeScalars.allSatisfy { allowed.contains($0) || $0.isASCII })
        let data = try #require(result.text.data(using: .utf8))
        #expect(String(data: data, encoding: .utf8) == result.text)
    }

    @Test("the same input always gives the same output")
    func deterministic() {
        for (name, input) in Self.inputs {
            let options = CompactionOptions(budget: 1500, intent: "why is ns-3 failing")
            let first = Compactor.compact(input, options: options)
            let second = Compactor.compact(input, options: options)
            #expect(first == second, "\(name)")
        }
    }

    @Test("text within the budget is returned unchanged")
    func smallUnchanged() {
        let input = "NAME   READY   STATUS\nweb    1/1     Running\n"
        let result = Compactor.compact(input, options: CompactionOptions(budget: 5000))
        #expect(result.text == input)
        #expect(result.dropped.isEmpty)
        #expect(result.kind == .table)
    }

    @Test("the JSON view reports sizes in characters and estimated tokens")
    func jsonView() throws {
        let input = CompactFixtures.log(lines: 2000)
        let result = Compactor.compact(input, options: CompactionOptions(budget: 1000))
        let object = try #require(result.json(charsPerToken: 4).objectValue)
        #expect(object["type"]?.stringValue == "logs")
        #expect(object["original_chars"]?.intValue == input.unicodeScalars.count)
        #expect(object["kept_chars"]?.intValue == result.keptChars)
        #expect(object["kept_tokens_estimate"]?.intValue == (result.keptChars + 3) / 4)
        #expect(object["original_tokens_estimate"]?.intValue == (input.unicodeScalars.count + 3) / 4)
        #expect(object["text"]?.stringValue == result.text)
        #expect((object["dropped"]?.arrayValue?.count ?? 0) > 0)
    }
}

@Suite("Compactor: lists and objects")
struct CompactListTests {
    static let pods = CompactFixtures.pods(10_000)

    func checkFacts(_ result: CompactionResult, source: String) {
        let notRunning = Self.pods.filter { $0.phase != "Running" }
        #expect(notRunning.count == 25)
        #expect(result.keptChars <= 5000, "\(source)")
        #expect(result.text.contains("10000 items"), "\(source)")
        for pod in notRunning {
            #expect(result.text.contains(pod.name), "\(source): \(pod.name) missing")
        }
        for image in CompactFixtures.images {
            #expect(result.text.contains(image), "\(source): \(image) missing")
        }
        #expect(result.text.contains("Running=9975"), "\(source)")
        #expect(result.text.contains("ImagePullBackOff"), "\(source)")
        let restarts = Self.pods.reduce(0) { $0 + $1.restarts }
        #expect(result.text.contains("restarts: \(restarts) total"), "\(source)")
        #expect(result.text.contains("more items omitted"), "\(source)")
        #expect(result.text.contains("ns-0=500"), "\(source)")
    }

    @Test("a 10 000-pod JSON list keeps the count, every non-Running pod and every image")
    func jsonTenThousand() {
        let input = CompactFixtures.podListJSON(Self.pods)
        let result = Compactor.compact(input, options: CompactionOptions(budget: 5000))
        #expect(result.kind == .json)
        checkFacts(result, source: "json")
    }

    @Test("a 10 000-pod YAML list keeps the count, every non-Running pod and every image")
    func yamlTenThousand() {
        let input = CompactFixtures.podListYAML(Self.pods)
        let result = Compactor.compact(input, options: CompactionOptions(budget: 5000))
        #expect(result.kind == .yaml)
        checkFacts(result, source: "yaml")
    }

    @Test("unhealthy items come before healthy ones")
    func unhealthyFirst() throws {
        let input = CompactFixtures.podListJSON(CompactFixtures.pods(1000))
        let text = Compactor.compact(input, options: CompactionOptions(budget: 3000)).text
        let broken = try #require(text.range(of: "not healthy"))
        let healthy = try #require(text.range(of: "healthy ("))
        #expect(broken.lowerBound < healthy.lowerBound)
        #expect(text.contains("Pod ns-7/web-7-"))
    }

    @Test("intent raises matching healthy items")
    func intentRaisesItems() throws {
        let pods = CompactFixtures.pods(1000)
        let target = try #require(pods.last)
        let input = CompactFixtures.podListJSON(pods)
        let without = Compactor.compact(input, options: CompactionOptions(budget: 2000)).text
        let with = Compactor.compact(input, options: CompactionOptions(budget: 2000, intent: "what about \(target.name)?")).text
        #expect(!without.contains(target.name))
        #expect(with.contains(target.name))
    }

    @Test("a single object drops noise and keeps status and spec essentials")
    func singleObject() throws {
        let pod = CompactFixtures.pods(8)[7]
        let input = CompactFixtures.podJSON(pod, noise: true)
        let result = Compactor.compact(input, options: CompactionOptions(budget: 900))
        #expect(result.keptChars <= 900)
        #expect(result.text.hasPrefix("Pod \(pod.namespace)/\(pod.name)"))
        #expect(result.text.contains("phase: Pending"))
        #expect(result.text.contains("ImagePullBackOff"))
        #expect(result.text.contains("image: \(pod.image)"))
        #expect(!result.text.contains("managedFields"))
        #expect(!result.text.contains("resourceVersion"))
        #expect(!result.text.contains("0f5e2a1c"))
        #expect(result.dropped.contains { $0.contains("managedFields") && $0.contains("uid") })
        // Status comes before spec.
        let status = try #require(result.text.range(of: "status:"))
        let spec = try #require(result.text.range(of: "spec"))
        #expect(status.lowerBound < spec.lowerBound)
    }

    @Test("a single YAML object is compacted like JSON")
    func singleYAMLObject() {
        let pod = CompactFixtures.pods(8)[7]
        let yaml = CompactFixtures.podYAML(pod, noise: true, indent: "").dropFirst(2)
        let result = Compactor.compact(String(yaml), options: CompactionOptions(budget: 700))
        #expect(result.kind == .yaml)
        #expect(result.keptChars <= 700)
        #expect(result.text.contains("phase: Pending"))
        #expect(result.text.contains(pod.image))
        #expect(!result.text.contains("managedFields"))
        #expect(!result.text.contains("last-applied-configuration"))
    }

    @Test("multi-document YAML is summarised per document")
    func multiDocument() {
        let docs = CompactFixtures.pods(60).map { "---\n" + CompactFixtures.podYAML($0, noise: false, indent: "").dropFirst(2) }
        let result = Compactor.compact(docs.joined(separator: "\n"), options: CompactionOptions(budget: 1200))
        #expect(result.kind == .yaml)
        #expect(result.text.contains("60 items"))
        #expect(result.text.contains("web-7-"))
        #expect(result.keptChars <= 1200)
    }
}
