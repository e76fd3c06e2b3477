import CVibectl
import Foundation
import Testing
import VibectlTestSupport

@testable import VibectlABI

@Suite("kubectl pass-through and the event pump through the C ABI", .timeLimit(.minutes(1)))
struct PassthroughABITests {
    @Test("events arrive on the calling thread, in order, and the exit code is kubectl's")
    func eventsAndExitCode() throws {
        let client = try TestClient()
        let fake = try FakeKubectl(in: client.directory.path, exitCode: 7)
        #expect(vibectl_config_set(client.handle, "core.kubectl_command", fake.path) == VIBECTL_OK)
        #expect(vibectl_config_set(client.handle, "core.kubeconfig", "/tmp/kube config") == VIBECTL_OK)

        let log = EventLog()
        var exitCode: Int32 = -1
        let status = vibectl_kubectl_passthrough(
            client.handle, #"["get","pods","-n","a b; rm -rf /","$(id)"]"#, recordEvent,
            Unmanaged.passUnretained(log).toOpaque(), &exitCode)
        #expect(status == VIBECTL_OK, "\(lastMessage())")
        #expect(exitCode == 7)
        #expect(fake.recordedArguments() == ["--kubeconfig", "/tmp/kube config", "get", "pods", "-n", "a b; rm -rf /", "$(id)"])
        #expect(log.events.map { $0["type"] as? String } == ["command_started", "command_exited"])
        #expect(log.events.map { $0["seq"] as? Int } == [1, 2])
        #expect(log.events.allSatisfy { $0["version"] as? Int == 1 && $0["time"] is String })
        let exited = try #require(log.events.last?["data"] as? [String: Any])
        #expect(exited["exit_code"] as? Int == 7)
        #expect(log.threads == [UInt(bitPattern: Int(bitPattern: pthread_self()))])
    }

    @Test("a callback returning non-zero aborts the call with VIBECTL_EUSER")
    func callbackAbort() throws {
        let client = try TestClient()
        let fake = try FakeKubectl(in: client.directory.path, sleepSeconds: 20)
        #expect(vibectl_config_set(client.handle, "core.kubectl_command", fake.path) == VIBECTL_OK)
        let log = EventLog()
        log.abortAfter = 1
        let started = Date()
        let status = vibectl_kubectl_passthrough(client.handle, "[]", recordEvent, Unmanaged.passUnretained(log).toOpaque(), nil)
        #expect(status == VIBECTL_EUSER)
        #expect(lastMessage().contains("callback"))
        #expect(Date().timeIntervalSince(started) < 10, "the aborted kubectl must be stopped, not waited for")
        #expect(log.events.count == 1)
    }

    @Test("a callback may call back into the library on the same client")
    func reentrantCallback() throws {
        let client = try TestClient()
        let fake = try FakeKubectl(in: client.directory.path)
        #expect(vibectl_config_set(client.handle, "core.kubectl_command", fake.path) == VIBECTL_OK)
        let log = EventLog()
        let handle = client.handle
        var nestedValues: [String] = []
        log.onEvent = { _ in
            let (status, json) = takeString { vibectl_config_get(handle, "core.kubectl_command", $0) }
            if status == VIBECTL_OK, let json { nestedValues.append(json) }
        }
        let status = vibectl_kubectl_passthrough(client.handle, #"["version"]"#, recordEvent, Unmanaged.passUnretained(log).toOpaque(), nil)
        #expect(status == VIBECTL_OK)
        #expect(nestedValues.count == 2)
        #expect(nestedValues.allSatisfy { $0.contains(fake.path) })
    }

    @Test("vibectl_client_cancel from another thread stops a running kubectl promptly")
    func cancelFromAnotherThread() throws {
        let client = try TestClient()
        let fake = try FakeKubectl(in: client.directory.path, sleepSeconds: 30)
        #expect(vibectl_config_set(client.handle, "core.kubectl_command", fake.path) == VIBECTL_OK)
        let handle = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(client.handle)))
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) {
            _ = vibectl_client_cancel(OpaquePointer(bitPattern: handle))
        }
        let started = Date()
        let status = vibectl_kubectl_passthrough(client.handle, #"["logs","-f","x"]"#, nil, nil, nil)
        #expect(status == VIBECTL_ECANCELED)
        #expect(Date().timeIntervalSince(started) < 8)
        #expect(vibectl_error_last().pointee.code == VIBECTL_ECANCELED)
    }

    @Test("a missing kubectl gives VIBECTL_EKUBECTL with a hint")
    func missingKubectl() throws {
        let client = try TestClient()
        #expect(vibectl_config_set(client.handle, "core.kubectl_command", "kubectl-that-does-not-exist") == VIBECTL_OK)
        var exitCode: Int32 = 99
        #expect(vibectl_kubectl_passthrough(client.handle, #"["get","pods"]"#, nil, nil, &exitCode) == VIBECTL_EKUBECTL)
        #expect(lastMessage().contains("kubectl-that-does-not-exist"))
        #expect(lastHint()?.contains("core.kubectl_command") == true)
        #expect(exitCode == 99, "the exit code is not written when kubectl did not run")
    }

    @Test("blocking calls made from Swift tasks cannot starve the library's own work")
    func callsFromCooperativePoolThreads() async throws {
        // Each task blocks a thread of the small cooperative pool inside the C call. The
        // work behind the call runs on the library's own executor, so all of them finish.
        let client = try TestClient()
        let fake = try FakeKubectl(in: client.directory.path, exitCode: 5, sleepSeconds: 0.1)
        #expect(vibectl_config_set(client.handle, "core.kubectl_command", fake.path) == VIBECTL_OK)
        let clients = try (0..<6).map { _ in try TestClient() }
        for other in clients {
            #expect(vibectl_config_set(other.handle, "core.kubectl_command", fake.path) == VIBECTL_OK)
        }
        let handles = clients.map { UInt(bitPattern: Int(bitPattern: UnsafeRawPointer($0.handle))) }
        let codes = await withTaskGroup(of: Int32.self) { group in
            for handle in handles {
                group.addTask {
                    var exitCode: Int32 = -1
                    let status = vibectl_kubectl_passthrough(OpaquePointer(bitPattern: handle), "[]", nil, nil, &exitCode)
                    return status == VIBECTL_OK ? exitCode : status
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(codes == Array(repeating: 5, count: handles.count))
    }

    @Test("args_json must be an array of strings")
    func badArguments() throws {
        let client = try TestClient()
        for (args, fragment) in [("{}", "must be a JSON array"), (#"["get", 3]"#, "args_json[1] is a integer"), ("[", "not valid JSON")] {
            #expect(vibectl_kubectl_passthrough(client.handle, args, nil, nil, nil) == VIBECTL_EINVAL)
            #expect(lastMessage().contains(fragment), "\(args): \(lastMessage())")
        }
        #expect(vibectl_kubectl_passthrough(client.handle, nil, nil, nil, nil) == VIBECTL_EINVAL)
    }
}
