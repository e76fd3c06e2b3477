import Foundation
import Testing
import VibectlTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Polls `condition` every 10 ms until it holds or `seconds` pass; returns whether it held.
private func eventually(within seconds: Double, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

/// Whether a process with this id still exists (a zombie counts: it has not been collected yet).
private func isAlive(_ pid: pid_t) -> Bool {
    kill(pid, 0) == 0 || errno == EPERM
}

/// The pid a fake kubectl wrote to `path`, once it has written it.
private func recordedPid(_ path: String) -> pid_t? {
    (try? String(contentsOfFile: path, encoding: .utf8)).flatMap {
        pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// Ctrl-C (SIGINT to the vibectl process) while a model call or kubectl is in progress.
///
/// The bounds are generous on purpose: the slow reply and the slow kubectl take 30 s, and the
/// tests only require vibectl to be back well before that.
@Suite("Ctrl-C during auto and the verb commands")
struct InterruptCLITests {
    @Test("auto: Ctrl-C while a step waits on a slow model reply exits 130 promptly, with no misleading output")
    func autoInterruptedDuringModelCall() async throws {
        try await withVibe { fixture in
            let plan = try jsonText(["action": command(["get", "pods"])])
            fixture.server.enqueue(.slowFirstByte(30, then: .structured(json: plan)), for: .openai)
            let process = try fixture.cli.runner.start(
                ["auto", "--interval", "0", "keep web healthy"],
                environment: ["VIBECTL_CORE_KUBECTL_COMMAND": fixture.kubectl.path])
            // The marker: the planning request has reached the model, which now takes 30 s to answer.
            let asked = await eventually(within: 15) { fixture.modelRequests.count >= 1 }
            guard asked else {
                process.kill()
                Issue.record("the planning request never reached the fake model")
                return
            }
            try await Task.sleep(for: .milliseconds(200))
            let sent = Date()
            process.kill(SIGINT)
            let result = await process.result(timeout: 25)
            let elapsed = Date().timeIntervalSince(sent)

            #expect(!result.timedOut, "vibectl auto ignored Ctrl-C")
            #expect(!result.signaled, "vibectl died of SIGINT instead of exiting 130")
            #expect(result.status == 130, "\(result.stderr)")
            #expect(elapsed < 15, "vibectl took \(elapsed) s to stop after Ctrl-C")
            #expect(result.stdout.isEmpty, "nothing was done, yet stdout says: \(result.stdout)")
            #expect(result.stderr.contains("Interrupted."), "\(result.stderr)")
            for misleading in ["error:", "DONE", "limit", "same result", "declined", "Not run", "step 2"] {
                #expect(!result.stderr.contains(misleading), "stderr says \(misleading): \(result.stderr)")
            }
            #expect(fixture.kubectl.recordedArguments.isEmpty, "the plan that never arrived was run")
            #expect(fixture.modelRequests.count == 1, "vibectl asked the model again after Ctrl-C")
            #expect(!result.stdout.contains(vibeTestKey) && !result.stderr.contains(vibeTestKey))
        }
    }

    @Test("get pods: Ctrl-C while kubectl runs exits 130 promptly, and kubectl is gone afterwards")
    func verbInterruptedDuringKubectl() async throws {
        try await withVibe { fixture in
            let pidFile = fixture.cli.scratch.file("slow-kubectl.pid")
            let kubectl = try fixture.cli.script(
                "slow-kubectl", "echo $$ > '\(pidFile)'.tmp\nmv '\(pidFile)'.tmp '\(pidFile)'\nexec sleep 30\n")
            let process = try fixture.cli.runner.start(
                ["get", "pods"], environment: ["VIBECTL_CORE_KUBECTL_COMMAND": kubectl])
            // The marker: kubectl has started and written its pid.
            var kubectlPid: pid_t?
            _ = await eventually(within: 15) {
                kubectlPid = recordedPid(pidFile)
                return kubectlPid != nil
            }
            guard let child = kubectlPid else {
                process.kill()
                Issue.record("the slow kubectl never started")
                return
            }
            let sent = Date()
            process.kill(SIGINT)
            let result = await process.result(timeout: 25)
            let elapsed = Date().timeIntervalSince(sent)

            #expect(!result.timedOut, "vibectl get ignored Ctrl-C")
            #expect(!result.signaled, "vibectl died of SIGINT instead of exiting 130")
            #expect(result.status == 130, "\(result.stderr)")
            #expect(elapsed < 15, "vibectl took \(elapsed) s to stop after Ctrl-C")
            #expect(result.stdout.isEmpty, "\(result.stdout)")
            #expect(result.stderr.contains("Interrupted."), "\(result.stderr)")
            #expect(!result.stderr.contains("error:"), "\(result.stderr)")
            let gone = await eventually(within: 5) { !isAlive(child) }
            if !gone { kill(child, SIGKILL) }
            #expect(gone, "kubectl (pid \(child)) outlived vibectl")
            #expect(fixture.modelRequests.isEmpty, "no summary is asked for an interrupted command")
        }
    }
}
