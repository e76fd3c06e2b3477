import Foundation
import Testing
import VibectlOutput

/// Large generated kubectl output: the redaction must match the output recorded from the reference
/// implementation byte for byte (FNV-1a digest of the text, and the findings), and every planted
/// secret must be gone. The throughput is printed, never asserted, so a slow machine cannot fail the suite.
///
/// The work is seconds of CPU in a debug build, so the cases run one at a time and on a thread of their own:
/// on Swift's 2-thread cooperative pool they would starve the tests that poll for a child process or a timeout.
@Suite("Redactor on large inputs", .serialized)
struct RedactorSpeedTests {
    /// Runs `body` on a new thread, leaving the cooperative pool to the other suites.
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: body()) }.start()
        }
    }

    /// One large input and the result recorded for it.
    struct Case: CustomStringConvertible, Sendable {
        let name: String
        let make: @Sendable () -> RedactorSpeedInputs.Input
        let digest: UInt64
        let findings: String
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "100k-line log", make: { RedactorSpeedInputs.log(lines: 100_000) }, digest: 0x4cc4_f8d1_0094_76e8,
            findings: "aws-access-key=20,bearer-token=20,github-token=20,high-entropy-base64=20,password=20"),
        Case(
            name: "2000-pod JSON list", make: { RedactorSpeedInputs.jsonList(pods: 2000) }, digest: 0xddcc_90bc_a350_41d4,
            findings: "github-token=8,secret-data=8"),
        Case(
            name: "2000-pod YAML list", make: { RedactorSpeedInputs.yamlList(pods: 2000) }, digest: 0xf103_2293_8cc2_770d,
            findings: "secret-data=8,token=8"),
        Case(
            name: "20k-row wide table", make: { RedactorSpeedInputs.table(rows: 20_000) }, digest: 0xcb8e_7b34_250b_29a0,
            findings: ""),
        Case(
            name: "corpus mix", make: { RedactorSpeedInputs.corpusMix(times: 40) }, digest: 0x6fd7_b560_212b_5fd9,
            findings: "anthropic-api-key=1,api-key=80,aws-access-key=3,aws-secret-key=2,azure-connection-string=80,"
                + "basic-auth=1,bearer-token=2,certificate=40,github-token=43,gitlab-token=1,google-api-key=1,"
                + "high-entropy-base64=40,high-entropy-hex=40,jwt=1,kubeconfig-client-certificate=2,"
                + "kubeconfig-client-key=1,openai-api-key=2,password=200,private-key=81,secret=80,secret-data=800,"
                + "slack-token=2,token=122"),
    ]

    @Test("large inputs are redacted exactly as recorded, every planted secret gone", arguments: cases)
    func recorded(_ testCase: Case) async {
        let (input, result, seconds) = await Self.offPool { () -> (RedactorSpeedInputs.Input, RedactionResult, Double) in
            let input = testCase.make()
            let clock = ContinuousClock()
            var result = RedactionResult(text: "", findings: [:])
            let elapsed = clock.measure { result = Redactor.builtIn.redact(input.text) }
            return (input, result, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        let megabytes = Double(input.text.utf8.count) / 1_000_000
        print(
            "redactor \(testCase.name): \(String(format: "%.2f", megabytes)) MB in \(String(format: "%.3f", seconds)) s"
                + " = \(String(format: "%.1f", megabytes / max(seconds, 1e-9))) MB/s")
        #expect(RedactorSpeedInputs.findingsLine(result.findings) == testCase.findings)
        #expect(RedactorSpeedInputs.digest(result.text) == testCase.digest, "output differs from the recorded one")
        let survived = await Self.offPool { input.secrets.filter { result.text.contains($0) } }
        #expect(survived.isEmpty, "\(survived.count) planted secrets survived")
    }

    @Test("outside the planted lines, a large log is unchanged")
    func logUnchanged() async {
        let (input, result) = await Self.offPool { () -> (RedactorSpeedInputs.Input, RedactionResult) in
            let input = RedactorSpeedInputs.log(lines: 20_000)
            return (input, Redactor.builtIn.redact(input.text))
        }
        let before = input.text.split(separator: "\n", omittingEmptySubsequences: false)
        let after = result.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(before.count == after.count)
        var changed = 0
        for (old, new) in zip(before, after) where old != new {
            changed += 1
            #expect(new.contains("[REDACTED:"), "\(new)")
        }
        #expect(changed == input.secrets.count)
    }
}
