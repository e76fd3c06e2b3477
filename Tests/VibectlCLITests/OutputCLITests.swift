import Foundation
import Testing
import VibectlTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Sample secrets and outputs shared by the compact, redact and classify tests.
enum OutputSamples {
    /// A well-formed JWT (header.payload.signature).
    static let jwt =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVmYXVsdDpidWlsZGVyIiwiaWF0IjoxNzAwMDAwMDAwfQ.c2lnbmF0dXJlLW9mLXRoZS10b2tlbi1mb3ItdGVzdHMtb25seS0xMjM0NTY3OA"

    /// The body line of the PEM private key below, unique enough to search for.
    static let pemBodyLine = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj"

    /// A PEM private key block.
    static let pem = """
        -----BEGIN PRIVATE KEY-----
        \(pemBodyLine)
        MWQ0pBRLFqdYHfbB4CWb0hS5cMPmqlmTu7S8dHlzYvRcF4PQ1WOYqBL1rFcoVCCu
        -----END PRIVATE KEY-----
        """

    /// Log-like text holding the JWT and the PEM block.
    static let secretText = """
        2026-11-21T02:00:00Z INFO starting web-7d9f8 on 10.0.0.12
        2026-11-21T02:00:01Z INFO calling the API with Authorization: Bearer \(jwt)
        2026-11-21T02:00:02Z WARN loaded key material:
        \(pem)
        2026-11-21T02:00:03Z INFO ready
        """

    /// A `kubectl get pods -o json` list of `count` pods; every 50th is CrashLoopBackOff.
    static func podList(count: Int) -> Data {
        var items: [[String: Any]] = []
        for index in 0..<count {
            let failing = index % 50 == 7
            let state: [String: Any] =
                failing
                ? ["waiting": ["reason": "CrashLoopBackOff", "message": "back-off restarting failed container"]]
                : ["running": ["startedAt": "2026-11-20T10:00:00Z"]]
            items.append([
                "apiVersion": "v1", "kind": "Pod",
                "metadata": [
                    "name": String(format: "web-%05d", index), "namespace": index % 2 == 0 ? "payments" : "checkout",
                    "uid": "0f8e\(index)-aaaa-bbbb-cccc-1234567890ab", "resourceVersion": "\(100_000 + index)",
                    "labels": ["app": "web", "pod-template-hash": "7d9f8c6b5"],
                ],
                "spec": ["containers": [["name": "web", "image": index % 3 == 0 ? "nginx:1.27" : "ghcr.io/acme/web:2.4.1"]]],
                "status": [
                    "phase": failing ? "Pending" : "Running", "podIP": "10.0.\(index / 250).\(index % 250)",
                    "containerStatuses": [["name": "web", "ready": !failing, "restartCount": failing ? 12 : 0, "state": state]],
                ],
            ])
        }
        let list: [String: Any] = ["apiVersion": "v1", "kind": "List", "items": items, "metadata": ["resourceVersion": ""]]
        return (try? JSONSerialization.data(withJSONObject: list, options: [.prettyPrinted, .sortedKeys])) ?? Data()
    }
}

/// A pseudo-terminal pair; `path` is the terminal side, usable as a process's stdin.
///
/// glibc declares posix_openpt, grantpt, unlockpt and ptsname only under _XOPEN_SOURCE, which
/// the Swift Glibc module does not define, so they are looked up at run time.
final class PseudoTerminal {
    /// The terminal side, e.g. /dev/pts/3.
    let path: String
    private let master: Int32

    init?() {
        typealias OpenFunction = @convention(c) (Int32) -> Int32
        typealias FDFunction = @convention(c) (Int32) -> Int32
        typealias NameFunction = @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?
        guard let openSymbol = dlsym(nil, "posix_openpt"), let grantSymbol = dlsym(nil, "grantpt"),
            let unlockSymbol = dlsym(nil, "unlockpt"), let nameSymbol = dlsym(nil, "ptsname")
        else { return nil }
        let fd = unsafeBitCast(openSymbol, to: OpenFunction.self)(O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        guard unsafeBitCast(grantSymbol, to: FDFunction.self)(fd) == 0,
            unsafeBitCast(unlockSymbol, to: FDFunction.self)(fd) == 0,
            let name = unsafeBitCast(nameSymbol, to: NameFunction.self)(fd)
        else {
            close(fd)
            return nil
        }
        master = fd
        path = String(cString: name)
    }

    deinit { close(master) }
}

@Suite("vibectl compact, redact, classify")
struct OutputCLITests {
    @Test("compact keeps a 2 000-pod JSON list within the budget and names the item count and the failing pods")
    func compactPodList() async throws {
        let cli = try CLIFixture()
        let input = OutputSamples.podList(count: 2000)
        let result = try await cli.succeed(["compact", "--budget", "3000"], stdin: input)
        let text = result.stdout.hasSuffix("\n") ? String(result.stdout.dropLast()) : result.stdout
        #expect(text.count <= 3000)
        #expect(text.count > 100)
        #expect(text.contains("2000") || text.contains("2,000") || text.contains("2 000"))
        #expect(text.contains("web-00007"), "an unhealthy pod is kept: \(text.prefix(600))")
        #expect(text.contains("CrashLoopBackOff"))
        // The summary: type, sizes with grouped thousands, token estimate.
        let summary = result.stderr
        #expect(summary.hasPrefix("compacted json: "), "summary: \(summary)")
        // Thousands separated by spaces: "compacted json: 1 144 536 → 2 951 chars".
        let digits = Array(String(String(decoding: input, as: UTF8.self).count))
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped += " " }
            grouped.append(digit)
        }
        #expect(digits.count > 6, "the fixture is over a million characters")
        #expect(summary.hasPrefix("compacted json: \(grouped) → "), "summary: \(summary)")
        #expect(summary.contains(" → "))
        #expect(summary.contains(" chars (~"))
        #expect(summary.contains("tokens)"))
        #expect(summary.contains("no secrets found"))
        #expect(summary.split(separator: "\n").count == 1)
    }

    @Test("compact -o json is the library's document, and its text is what text mode prints")
    func compactJSON() async throws {
        let cli = try CLIFixture()
        let input = OutputSamples.podList(count: 300)
        let document = try parseObject(
            try await cli.succeed(["compact", "--budget", "1500", "-o", "json"], stdin: input).stdout)
        #expect(document["version"] as? Int == 1)
        #expect(document["type"] as? String == "json")
        #expect(jsonValue(document["original_chars"], equals: String(decoding: input, as: UTF8.self).count))
        let text = try #require(document["text"] as? String)
        #expect(text.count <= 1500)
        #expect(jsonValue(document["kept_chars"], equals: text.count))
        #expect(document["dropped"] is [Any])
        #expect(document["redactions"] is [String: Any])
        let plain = try await cli.succeed(["compact", "--budget", "1500"], stdin: input).stdout
        #expect(plain == (text.hasSuffix("\n") ? text : text + "\n"))
    }

    @Test("compact uses output.max_chars when no --budget is given")
    func compactDefaultBudget() async throws {
        let cli = try CLIFixture()
        try await cli.succeed(["config", "set", "output.max_chars", "800"])
        let result = try await cli.succeed(["compact"], stdin: OutputSamples.podList(count: 400))
        #expect(result.stdout.trimmingCharacters(in: .newlines).count <= 800)
    }

    @Test("redact and compact replace a JWT and a PEM block; the summary counts them")
    func secretsAreRedacted() async throws {
        let cli = try CLIFixture()
        let input = Data(OutputSamples.secretText.utf8)
        for arguments in [["redact"], ["compact", "--budget", "5000"]] {
            let result = try await cli.succeed(arguments, stdin: input)
            #expect(!result.stdout.contains(OutputSamples.jwt), "\(arguments[0]) leaked the JWT")
            #expect(!result.stdout.contains(OutputSamples.pemBodyLine), "\(arguments[0]) leaked the PEM key")
            #expect(!result.stderr.contains(OutputSamples.jwt))
            #expect(result.stdout.contains("[REDACTED:"))
            #expect(result.stdout.contains("starting web-7d9f8 on 10.0.0.12"), "ordinary text is kept")
            #expect(result.stderr.contains("redacted "), "summary: \(result.stderr)")
            #expect(result.stderr.contains(" secrets ("), "summary: \(result.stderr)")
        }
    }

    @Test("redact -o json counts findings by kind and never contains the secret")
    func redactJSON() async throws {
        let cli = try CLIFixture()
        let result = try await cli.succeed(["redact", "-o", "json"], stdin: Data(OutputSamples.secretText.utf8))
        #expect(!result.stdout.contains(OutputSamples.jwt))
        #expect(!result.stdout.contains(OutputSamples.pemBodyLine))
        let document = try parseObject(result.stdout)
        let findings = try #require(document["findings"] as? [String: Any])
        let total = try #require(document["total"] as? Int)
        #expect(total >= 2)
        #expect(findings.values.compactMap { $0 as? Int }.reduce(0, +) == total)
    }

    @Test("compact --no-redact keeps the secrets, and says so")
    func noRedact() async throws {
        let cli = try CLIFixture()
        let result = try await cli.succeed(
            ["compact", "--budget", "5000", "--no-redact"], stdin: Data(OutputSamples.secretText.utf8))
        #expect(result.stdout.contains(OutputSamples.jwt))
        #expect(result.stdout.contains(OutputSamples.pemBodyLine))
        #expect(!result.stdout.contains("[REDACTED:"))
        #expect(result.stderr.contains("not redacted (--no-redact)"))
    }

    @Test("with security.redact off, compact does not redact unless --redact is given; redact always does")
    func redactionSetting() async throws {
        let cli = try CLIFixture()
        try await cli.succeed(["config", "set", "security.redact", "false"])
        let input = Data(OutputSamples.secretText.utf8)
        #expect(try await cli.succeed(["compact"], stdin: input).stdout.contains(OutputSamples.jwt))
        #expect(!(try await cli.succeed(["compact", "--redact"], stdin: input).stdout.contains(OutputSamples.jwt)))
        #expect(!(try await cli.succeed(["redact"], stdin: input).stdout.contains(OutputSamples.jwt)))
    }

    @Test("compact and redact refuse a terminal on stdin and say how to pipe input")
    func terminalStdin() async throws {
        let cli = try CLIFixture()
        let pseudoTerminal = try #require(PseudoTerminal(), "no pseudo-terminal available")
        let terminal = pseudoTerminal.path
        let shell = CLIRunner(executable: "/bin/sh", environment: cli.runner.environment)
        for command in ["compact", "redact"] {
            let result = try await shell.run(["-c", "exec \"$0\" \(command) < \"$1\"", cli.binary, terminal])
            #expect(result.status == 1, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("error: vibectl \(command) reads the text from stdin, and stdin is a terminal"))
            #expect(result.stderr.contains("hint: Pipe the output into it"))
            #expect(result.stdout.isEmpty)
        }
    }

    @Test("compact rejects a budget below 1 as a usage error")
    func badBudget() async throws {
        let cli = try CLIFixture()
        let result = try await cli.run(["compact", "--budget", "0"], stdin: Data("x".utf8))
        #expect(result.status == 64)
        #expect(result.stderr.contains("--budget"))
    }

    @Test(
        "classify prints the verdict and exits 0 safe, 2 confirm, 3 reject",
        arguments: [
            (["get", "pods"], "safe", "read-only", Int32(0)),
            (["--", "get", "pods", "-n", "kube-system", "-o", "wide"], "safe", "read-only", 0),
            (["--", "delete", "pod", "x", "--force"], "confirm", "mutating", 2),
            (["get", "pods;", "rm", "-rf", "/"], "reject", nil, 3),
            (["get", "pods; rm -rf /"], "reject", nil, 3),
        ] as [([String], String, String?, Int32)])
    func classify(arguments: [String], verdict: String, verbClass: String?, status: Int32) async throws {
        let cli = try CLIFixture()
        let text = try await cli.run(["classify"] + arguments)
        #expect(text.status == status, "stderr: \(text.stderr)")
        #expect(text.stdout.hasPrefix("Verdict:  \(verdict)"), "stdout: \(text.stdout)")
        #expect(text.stdout.contains("Reasons:"))
        if let verbClass { #expect(text.stdout.contains("Class:    \(verbClass)")) }

        let json = try await cli.run(["classify", "-o", "json"] + arguments)
        #expect(json.status == status)
        let document = try parseObject(json.stdout)
        #expect(document["verdict"] as? String == verdict)
        if let verbClass { #expect(document["class"] as? String == verbClass) }
        #expect(!((document["reasons"] as? [String]) ?? []).isEmpty)
    }

    @Test("a dangerous flag forces confirmation, and the text says so")
    func forcedConfirm() async throws {
        let cli = try CLIFixture()
        let result = try await cli.run(["classify", "--", "delete", "pod", "x", "--force"])
        #expect(result.status == 2)
        #expect(result.stdout.contains("(forced: even in auto mode)"))
        #expect(result.stdout.contains("--force"))
        let document = try parseObject(try await cli.run(["classify", "-o", "json", "--", "delete", "pod", "x", "--force"]).stdout)
        #expect(document["forced"] as? Bool == true)
    }

    @Test("classify reads a manifest from a file or stdin; a Secret in it needs confirmation")
    func classifyManifest() async throws {
        let cli = try CLIFixture()
        let manifest = """
            apiVersion: v1
            kind: Secret
            metadata:
              name: db
            stringData:
              password: hunter2
            """
        let path = cli.scratch.file("secret.yaml")
        try manifest.write(toFile: path, atomically: true, encoding: .utf8)
        let fromFile = try await cli.run(["classify", "-o", "json", "--manifest", path, "apply", "-f", "-"])
        let fromStdin = try await cli.run(
            ["classify", "-o", "json", "--manifest", "-", "apply", "-f", "-"], stdin: Data(manifest.utf8))
        for result in [fromFile, fromStdin] {
            #expect(result.status == 2, "stderr: \(result.stderr)")
            let document = try parseObject(result.stdout)
            #expect(document["verdict"] as? String == "confirm")
            let reasons = (document["reasons"] as? [String] ?? []).joined(separator: "\n")
            #expect(reasons.contains("Secret"), "reasons: \(reasons)")
        }
        let missing = try await cli.run(["classify", "--manifest", cli.scratch.file("nope.yaml"), "apply", "-f", "-"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("error: cannot read the manifest"))
    }

    @Test("--user-flag allows a flag the user set; without it the flag is rejected")
    func userFlags() async throws {
        let cli = try CLIFixture()
        let planned = ["--", "get", "pods", "--context", "prod"]
        #expect(try await cli.run(["classify"] + planned).status == 3)
        #expect(try await cli.run(["classify", "--user-flag", "--context"] + planned).status == 0)
    }

    @Test("classify without kubectl arguments is a usage error")
    func classifyWithoutArguments() async throws {
        let cli = try CLIFixture()
        for arguments in [["classify"], ["classify", "--"]] {
            let result = try await cli.run(arguments)
            #expect(result.status == 64)
            #expect(result.stderr.contains("Give the planned kubectl arguments"))
        }
    }
}
