import Foundation
import NIOCore
import Testing
import VibectlCore

@testable import VibectlModels

/// Transport behaviour that needs no server. Streaming, timeouts and mid-body cancellation against a
/// loopback server are covered by the fake-provider integration tests.
@Suite("AsyncHTTPClient transport without a server")
struct AdapterTransportTests {
    static let key = "sk-ant-api03-Transp0rtTestKeyAbCdEfGh1234567890"

    /// Runs `body`, returning the `VibectlError` it throws.
    static func failure(_ body: () async throws -> Void) async -> VibectlError? {
        do {
            try await body()
            return nil
        } catch let error as VibectlError {
            return error
        } catch {
            return VibectlError(.internal, "unexpected error type: \(error)")
        }
    }

    @Test("a refused loopback connection fails at once with .transient naming the host, never a header")
    func refused() async throws {
        let transport = AsyncHTTPClientTransport(configuration: AsyncHTTPClientTransport.defaultConfiguration())
        let request = HTTPRequestSpec(
            method: "POST", url: "http://127.0.0.1:1/v1/messages", headers: [("x-api-key", Self.key)], body: Data("{}".utf8))
        let start = ContinuousClock.now
        let error = await Self.failure { _ = try await transport.send(request, timeout: .seconds(60)) }
        try await transport.shutdown()
        #expect(error?.code == .transient)
        #expect(error?.message.contains("127.0.0.1:1") == true)
        #expect(error?.description.contains(Self.key) == false)
        // The point is "did not wait for the 60 s timeout"; the bound is generous on purpose.
        #expect(ContinuousClock.now - start < .seconds(30))
    }

    @Test("a URL that is not http(s) is a configuration error")
    func badURL() async {
        let transport = AsyncHTTPClientTransport()
        for url in ["ftp://example.com/x", "not a url", "http:///nohost"] {
            let error = await Self.failure { _ = try await transport.send(HTTPRequestSpec(method: "GET", url: url), timeout: .seconds(5)) }
            #expect(error?.code == .config, "\(url)")
        }
    }

    @Test("a request from a cancelled task is .canceled")
    func cancelled() async {
        let transport = AsyncHTTPClientTransport()
        let task = Task {
            await Self.failure {
                try? await Task.sleep(for: .seconds(60))
                _ = try await transport.send(HTTPRequestSpec(method: "GET", url: "http://127.0.0.1:1/"), timeout: .seconds(5))
            }
        }
        task.cancel()
        let error = await task.value
        #expect(error?.code == .canceled)
    }

    @Test("durations convert to NIO time amounts and read well in messages")
    func durations() {
        #expect(AsyncHTTPClientTransport.timeAmount(.milliseconds(1500)).nanoseconds == 1_500_000_000)
        #expect(AsyncHTTPClientTransport.timeAmount(.seconds(-3)).nanoseconds == 0)
        #expect(AsyncHTTPClientTransport.describe(.seconds(30)) == "30 s")
        #expect(AsyncHTTPClientTransport.describe(.milliseconds(2500)) == "2.5 s")
    }
}
