import Testing
import VibectlCore
import VibectlKubectl

@Suite("Safety classifier reasons and shape")
struct SafetyClassifierTests {
    @Test("a plain mutating command says 'mutating' and is not forced, so auto mode may skip the confirmation")
    func plainMutatingReason() {
        let assessment = SafetyClassifier.classify(["scale", "deploy", "web", "--replicas=3"])
        #expect(assessment.verdict == .confirm)
        #expect(!assessment.forced)
        #expect(assessment.reasons.contains { $0.hasPrefix("mutating:") })
        #expect(!assessment.reasons.contains { $0.hasPrefix("dangerous flag") })
    }

    @Test("a dangerous flag is named in its own reason and forces confirmation")
    func dangerousFlagReason() {
        let assessment = SafetyClassifier.classify(["delete", "pod", "x", "--force", "--grace-period=0"])
        #expect(assessment.verdict == .confirm)
        #expect(assessment.forced)
        #expect(assessment.reasons.contains { $0.hasPrefix("dangerous flag --force:") })
        #expect(assessment.reasons.contains { $0.hasPrefix("dangerous flag --grace-period=0:") })
        #expect(assessment.reasons.contains { $0.hasPrefix("mutating:") })
    }

    @Test("a manifest rule names the kind that forced confirmation")
    func manifestReasonNamesKind() {
        let assessment = SafetyClassifier.classify(["apply", "-f", "-"], manifest: SafetyManifests.clusterRoleBinding)
        #expect(assessment.forced)
        #expect(assessment.reasons.contains { $0.hasPrefix("manifest:") && $0.contains("ClusterRoleBinding") })
        #expect(!assessment.reasons.contains { $0.contains("ServiceAccount") })
    }

    @Test("a dry run says why the command became read-only")
    func dryRunReason() {
        let assessment = SafetyClassifier.classify(["delete", "pod", "x", "--dry-run=server"])
        #expect(assessment.verdict == .safe)
        #expect(assessment.verbClass == .readOnly)
        #expect(assessment.reasons.contains { $0.hasPrefix("dry-run:") && $0.contains("--dry-run=server") })
    }

    @Test("reject beats a forced confirmation, and the rejection is listed first")
    func rejectBeatsConfirm() {
        let assessment = SafetyClassifier.classify(["delete", "pods", "--all", "--server=https://evil.example.com"])
        #expect(assessment.verdict == .reject)
        #expect(assessment.forced)
        #expect(assessment.reasons.first?.hasPrefix("rejected:") == true)
        #expect(assessment.reasons.contains { $0.hasPrefix("dangerous flag --all:") })
    }

    @Test("a credential value never appears in the reasons")
    func secretsAreNotEchoed() {
        let token = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.c2lnbmF0dXJl"
        for argv in [["get", "pods", "--token=\(token)"], ["get", "pods", "--token", token], ["get", "pods", "--password=\(token)"]] {
            let assessment = SafetyClassifier.classify(argv)
            #expect(assessment.verdict == .reject)
            #expect(!assessment.reasons.joined().contains(token))
            #expect(!assessment.json().jsonString().contains(token))
        }
    }

    @Test("a leading kubectl token is tolerated and changes nothing")
    func leadingKubectl() {
        let with = SafetyClassifier.classify(["kubectl", "delete", "pod", "x", "--force"])
        let without = SafetyClassifier.classify(["delete", "pod", "x", "--force"])
        #expect(with == without)
    }

    @Test("only the flags the user set are allowed; others are still rejected")
    func userFlagsAllowOnlyThemselves() {
        let context = SafetyContext(userFlags: ["--context"])
        #expect(SafetyClassifier.classify(["get", "pods", "--context", "prod"], context: context).verdict == .safe)
        let smuggled = SafetyClassifier.classify(["get", "pods", "--context", "prod", "--as=admin"], context: context)
        #expect(smuggled.verdict == .reject)
        #expect(smuggled.reasons.contains { $0.contains("--as ") })
        #expect(!smuggled.reasons.contains { $0.contains("--context") })
    }

    @Test("user flags may be given as short names, bare names or with a value", arguments: ["-s", "--server=https://x", "server"])
    func userFlagSpellings(_ spelling: String) {
        let context = SafetyContext(userFlags: [spelling])
        let assessment = SafetyClassifier.classify(["get", "pods", "--server", "https://x"], context: context)
        #expect(assessment.verdict == .safe)
    }

    @Test("an exec shell is rejected without the user's request and confirmed with it")
    func execShellNeedsUserRequest() {
        let argv = ["exec", "-it", "web-0", "--", "/bin/sh"]
        let planned = SafetyClassifier.classify(argv)
        #expect(planned.verdict == .reject)
        #expect(planned.reasons.contains { $0.contains("shell") && $0.contains("did not ask") })
        let asked = SafetyClassifier.classify(argv, context: SafetyContext(userAskedForShell: true))
        #expect(asked.verdict == .confirm)
        #expect(asked.forced)
    }

    @Test("json() carries verdict, class, reasons and forced")
    func jsonShape() throws {
        let assessment = SafetyClassifier.classify(["get", "pods"])
        let object = try #require(assessment.json().objectValue)
        #expect(object["verdict"] == .string("safe"))
        #expect(object["class"] == .string("read-only"))
        #expect(object["forced"] == .bool(false))
        let reasons = try #require(object["reasons"]?.arrayValue)
        #expect(reasons.count == assessment.reasons.count)
        #expect(reasons.first?.stringValue?.hasPrefix("read-only:") == true)
    }

    @Test("verdict and class raw values are the documented strings")
    func rawValues() {
        #expect(SafetyVerdict.allStrings == ["safe", "confirm", "reject"])
        #expect([VerbClass.readOnly, .mutating, .interactive, .unknown].map(\.rawValue)
            == ["read-only", "mutating", "interactive", "unknown"])
    }

    @Test("classification is deterministic")
    func deterministic() {
        let argv = ["delete", "ns", "prod", "--force", "--all", "--overwrite", "--cascade=orphan"]
        let first = SafetyClassifier.classify(argv, manifest: SafetyManifests.secret)
        for _ in 0..<20 { #expect(SafetyClassifier.classify(argv, manifest: SafetyManifests.secret) == first) }
    }
}

extension SafetyVerdict {
    fileprivate static var allStrings: [String] { [SafetyVerdict.safe, .confirm, .reject].map(\.rawValue) }
}
