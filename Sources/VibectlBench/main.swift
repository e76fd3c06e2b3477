// vibectl-bench: figures for the model layer against the loopback fake provider server.
// (`vibectl-bench compact FILE …` instead runs one compaction for bench/compaction.sh; see CompactCommand.swift;
// `vibectl-bench vibe` runs the vibe engine's scenario set for bench/vibe.sh; see VibeCommand.swift.)
//
// 1. Per-call overhead of the adapter stack (ModelService + adapter + AsyncHTTPClientTransport)
//    against the raw round trip of the same request sent with AsyncHTTPClient alone, per provider,
//    plain and streamed: median and p90 of BENCH_CALLS calls (default and minimum 200).
// 2. Success rate when the fake server answers "overloaded" on a deterministic 50 % of requests,
//    over BENCH_OVERLOAD_CALLS calls (default and minimum 500), for several retry settings,
//    with the distribution of retries per successful call.
//
// It prints figures only and never fails because a number is slow. Everything stays on 127.0.0.1.

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import VibectlCore
import VibectlModels
import VibectlStore
import VibectlTestSupport

// `vibectl-bench compact FILE …` is the compaction benchmark's driver (CompactCommand.swift).
if CommandLine.arguments.count > 1, CommandLine.arguments[1] == "compact" {
    exit(runCompactCommand(Array(CommandLine.arguments.dropFirst(2))))
}
// `vibectl-bench vibe` is the vibe engine's benchmark (VibeCommand.swift).
if CommandLine.arguments.count > 1, CommandLine.arguments[1] == "vibe" {
    exit(await runVibeCommand(Array(CommandLine.arguments.dropFirst(2))))
}

/// Median and 90th percentile of samples in milliseconds.
struct Summary {
    var median: Double
    var p90: Double

    init(_ samples: [Double]) {
        let sorted = samples.sorted()
        func at(_ fraction: Double) -> Double {
            guard !sorted.isEmpty else { return .nan }
            let index = Int((Double(sorted.count - 1) * fraction).rounded())
            return sorted[min(max(index, 0), sorted.count - 1)]
        }
        median = at(0.5)
        p90 = at(0.9)
    }
}

/// Failures of the benchmark's own setup.
struct BenchError: Error, CustomStringConvertible {
    var description: String
}

let environment = ProcessInfo.processInfo.environment
let calls = max(200, Int(environment["BENCH_CALLS"] ?? "") ?? 200)
let overloadCalls = max(500, Int(environment["BENCH_OVERLOAD_CALLS"] ?? "") ?? 500)
let warmup = 20
let retryDelay = 0.001

let keys: [Provider: String] = [
    .anthropic: "sk-ant-api03-BENCHanthropic0123456789abcdefghij",
    .openai: "sk-proj-BENCHopenai0123456789abcdefghijklmn",
    .gemini: "AIzaSyBENCHgemini0123456789abcdefghijklm",
]
let models: [Provider: String] = [
    .anthropic: "claude-sonnet-4-20250514", .openai: "gpt-4o", .ollama: "llama3.2:latest", .gemini: "gemini-2.0-flash",
]
let replyText = (1...24).map { "word\($0)" }.joined(separator: " ")
let request = ModelRequest(
    systemFragments: ["You are a Kubernetes assistant."], userFragments: ["List the pods in the default namespace."], maxTokens: 256)

func api(_ provider: Provider) -> FakeProviderAPI {
    switch provider {
    case .anthropic: .anthropic
    case .openai: .openai
    case .ollama: .ollama
    case .gemini: .gemini
    }
}

func modelName(_ provider: Provider) -> String {
    "\(provider.rawValue):\(models[provider] ?? "")"
}

/// A service pointed at the fake server, with its config in a throw-away directory.
func makeService(server: FakeProviderServer, scratch: ScratchDirectory, overrides: [String: JSONValue]) throws -> ModelService {
    var env = ["HOME": scratch.path]
    for (provider, key) in keys { env[provider.vibectlKeyVariable] = key }
    var settings: [String: JSONValue] = ["llm.retry_delay_seconds": .double(retryDelay)]
    for provider in Provider.allCases {
        settings["providers.\(provider.rawValue).base_url"] = .string(server.baseURL(for: api(provider)))
    }
    settings.merge(overrides) { _, new in new }
    let directory = scratch.file("config-\(UUID().uuidString)")
    let config = try ConfigStore(paths: ConfigPaths(configDir: directory), environment: env, overrides: settings)
    return ModelService(config: config, environment: env, transport: AsyncHTTPClientTransport(), adapters: ModelService.standardAdapters)
}

/// Sends `spec` with AsyncHTTPClient alone and reads the whole body; returns milliseconds.
func rawCall(_ client: HTTPClient, _ spec: HTTPRequestSpec) async throws -> Double {
    let start = ContinuousClock.now
    var outgoing = HTTPClientRequest(url: spec.url)
    outgoing.method = HTTPMethod(rawValue: spec.method)
    for header in spec.headers { outgoing.headers.add(name: header.name, value: header.value) }
    if let body = spec.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
    let response = try await client.execute(outgoing, timeout: .seconds(30))
    var bytes = 0
    for try await buffer in response.body { bytes += buffer.readableBytes }
    guard response.status == .ok, bytes > 0 else { throw BenchError(description: "raw call answered \(response.status)") }
    return milliseconds(ContinuousClock.now - start)
}

/// One completion through the whole stack; returns milliseconds.
func stackCall(_ service: ModelService, _ provider: Provider, stream: Bool) async throws -> Double {
    let start = ContinuousClock.now
    let result = try await service.complete(request, options: CompletionOptions(model: modelName(provider), stream: stream)) { _ in }
    guard result.text == replyText else { throw BenchError(description: "unexpected reply text from \(provider.rawValue)") }
    return milliseconds(ContinuousClock.now - start)
}

func milliseconds(_ duration: Duration) -> Double {
    let parts = duration.components
    return Double(parts.seconds) * 1000 + Double(parts.attoseconds) / 1e15
}

func format(_ value: Double, width: Int = 8) -> String {
    let text = String(format: "%.3f", value)
    return String(repeating: " ", count: max(0, width - text.count)) + text
}

func pad(_ text: String, _ width: Int) -> String {
    text + String(repeating: " ", count: max(0, width - text.count))
}

let server = try await FakeProviderServer.start(defaultReply: .reply(text: replyText))
let scratch = try ScratchDirectory(prefix: "vibectl-bench")
var failed = false
let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: AsyncHTTPClientTransport.defaultConfiguration())

do {
    emit("vibectl-bench: model layer against the fake provider server on 127.0.0.1:\(server.port)")
    emit(
        "machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.operatingSystemVersionString)"
    )
    emit("")
    emit("1. Per-call overhead: \(calls) calls per row after \(warmup) warm-up calls; raw and stack calls alternate.")
    emit("   raw   = the adapter's request sent with AsyncHTTPClient alone, whole body read (no decoding)")
    emit("   stack = ModelService.complete (config, key, adapter, AsyncHTTPClientTransport, decoding, metrics)")
    emit("   reply = \(replyText.split(separator: " ").count) words; streamed replies arrive as one chunk per word")
    emit("")
    emit("   provider   mode      raw median  raw p90   stack median  stack p90   overhead: median  p90 (stack - raw)")
    let service = try makeService(server: server, scratch: scratch, overrides: [:])
    for provider in Provider.allCases {
        guard let adapter = ModelService.standardAdapters[provider] else { throw BenchError(description: "no adapter") }
        let endpoint = ProviderEndpoint(provider: provider, baseURL: server.baseURL(for: api(provider)), apiKey: keys[provider])
        for stream in [false, true] {
            let spec = try adapter.completionRequest(request, model: models[provider] ?? "", stream: stream, endpoint: endpoint)
            for _ in 0..<warmup {
                _ = try await rawCall(client, spec)
                _ = try await stackCall(service, provider, stream: stream)
            }
            var raw: [Double] = []
            var stack: [Double] = []
            for _ in 0..<calls {
                raw.append(try await rawCall(client, spec))
                stack.append(try await stackCall(service, provider, stream: stream))
            }
            let rawSummary = Summary(raw)
            let stackSummary = Summary(stack)
            emit(
                "   \(pad(provider.rawValue, 10)) \(pad(stream ? "streamed" : "plain", 8))"
                    + "  \(format(rawSummary.median)) \(format(rawSummary.p90))  "
                    + "   \(format(stackSummary.median))   \(format(stackSummary.p90))"
                    + "        \(format(stackSummary.median - rawSummary.median))     \(format(stackSummary.p90 - rawSummary.p90))"
            )
        }
    }
    emit("   (milliseconds)")
    emit("")

    emit("2. Success rate with the fake server answering overloaded (Anthropic 529 overloaded_error) on a")
    emit("   deterministic 50 % of requests (seed 2024): \(overloadCalls) calls to \(modelName(.anthropic)) per row.")
    emit("   llm.retry_delay_seconds = \(retryDelay) for this run (default 1.0) so that it is fast; the retry decisions are the same.")
    emit("")
    emit("   setting                               success   expected   retries per successful call (0/1/2/...)   failed")
    let settings: [(String, [String: JSONValue], Int)] = [
        ("llm.max_retries 2 (default)", [:], 3),
        ("llm.max_retries 3", ["llm.max_retries": 3], 4),
        ("llm.max_retries 6", ["llm.max_retries": 6], 7),
        ("max_retries 2 + 1 fallback model", ["llm.fallback_models": .array([.string(modelName(.openai))])], 6),
    ]
    for (label, overrides, attempts) in settings {
        server.failureRate(0.5, seed: 2024)
        let overloadService = try makeService(server: server, scratch: scratch, overrides: overrides)
        var successes = 0
        var failures = 0
        var distribution: [Int: Int] = [:]
        for _ in 0..<overloadCalls {
            do {
                let result = try await overloadService.complete(request, options: CompletionOptions(model: modelName(.anthropic))) { _ in }
                successes += 1
                distribution[result.metrics.retries, default: 0] += 1
            } catch {
                failures += 1
            }
        }
        server.failureRate(0)
        let rate = 100 * Double(successes) / Double(overloadCalls)
        let expected = 100 * (1 - pow(0.5, Double(attempts)))
        let maxRetries = distribution.keys.max() ?? 0
        let histogram = (0...maxRetries).map { String(distribution[$0, default: 0]) }.joined(separator: "/")
        emit(
            "   \(pad(label, 36))  \(String(format: "%6.2f %%", rate))  \(String(format: "%6.2f %%", expected))"
                + "   \(pad(histogram, 40))  \(failures)")
    }
    emit("")
    emit("   expected = 1 - 0.5^attempts, with attempts = 1 + max_retries per model (x2 with one fallback model).")
    emit("   The issue's target (>= 99 % with <= 3 retries) needs 7 attempts at a 50 % failure rate; see the rows above.")
} catch {
    emit("vibectl-bench: \(error)")
    failed = true
}

try? await client.shutdown().get()
await server.stop()
if failed { exit(1) }

/// Writes one line of the report to standard output.
func emit(_ line: String = "") {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
