import CVibectl
import Foundation
import Synchronization
import VibectlCore

/// Where asynchronous work posts events; each becomes one JSON document for the host.
///
/// Events carry a sequence number and a time and follow the vocabulary of docs/abi.md.
public final class EventSink: Sendable {
    private let queue: EventQueue
    private let sequence = Atomic<Int>(0)

    fileprivate init(queue: EventQueue) {
        self.queue = queue
    }

    /// Posts an event of `type` with its `data`.
    public func emit(_ type: String, _ data: [String: JSONValue] = [:]) {
        let seq = sequence.wrappingAdd(1, ordering: .relaxed).newValue
        let event: JSONValue = [
            "version": 1,
            "type": .string(type),
            "seq": .int(seq),
            "time": .string(Timestamp.iso8601()),
            "data": .object(data),
        ]
        queue.push(.event(event.jsonString()))
    }

    /// Asks the host's confirm callback (on the calling thread) and waits for its answer:
    /// the raw return value and the note it wrote.
    public func ask(_ request: JSONValue) async -> (choice: Int32, note: String) {
        await withCheckedContinuation { continuation in
            queue.push(.confirm(request.jsonString()) { answer in continuation.resume(returning: answer) })
        }
    }
}

/// What travels from the work to the calling thread.
private enum PumpItem: Sendable {
    /// An event for the event callback.
    case event(String)
    /// A confirmation request and where its answer goes.
    case confirm(String, reply: @Sendable ((choice: Int32, note: String)) -> Void)
}

/// A blocking queue between the async work (producer) and the calling thread (consumer).
private final class EventQueue: Sendable {
    private struct State {
        var events: [PumpItem] = []
        var finished = false
    }

    private let condition = NSCondition()
    private let state = Mutex(State())

    func push(_ event: PumpItem) {
        condition.lock()
        state.withLock { $0.events.append(event) }
        condition.signal()
        condition.unlock()
    }

    func finish() {
        condition.lock()
        state.withLock { $0.finished = true }
        condition.signal()
        condition.unlock()
    }

    /// The next event, or `nil` once the work has finished and every event was taken.
    func next() -> PumpItem? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            let (event, finished): (PumpItem?, Bool) = state.withLock { state in
                if state.events.isEmpty { return (nil, state.finished) }
                return (state.events.removeFirst(), false)
            }
            if let event { return event }
            if finished { return nil }
            condition.wait()
        }
    }
}

/// Runs async work for a blocking C call and delivers its events on the calling thread.
///
/// The work runs as a task on ``CallExecutor`` (not Swift's cooperative pool), so a host that
/// blocks pool threads — a Swift program calling the C API from async code, a test runner —
/// cannot starve it. `vibectl_client_cancel` cancels it; a callback returning non-zero
/// cancels it and makes the call fail with `VIBECTL_EUSER`.
enum EventPump {
    /// Runs `work`, pumping its events to `callback` until it finishes, and returns its result.
    static func run<T: Sendable>(
        on handle: ClientHandle,
        callback: vibectl_event_cb?,
        userData: UnsafeMutableRawPointer?,
        confirm: vibectl_confirm_cb? = nil,
        confirmData: UnsafeMutableRawPointer? = nil,
        _ work: @escaping @Sendable (EventSink) async throws -> T
    ) throws -> T {
        let queue = EventQueue()
        let sink = EventSink(queue: queue)
        let outcome = Mutex<Result<T, any Error>?>(nil)
        let task = Task.detached(executorPreference: CallExecutor.shared) {
            let result: Result<T, any Error>
            do {
                result = .success(try await work(sink))
            } catch {
                result = .failure(error)
            }
            outcome.withLock { $0 = result }
            queue.finish()
        }
        var abortedByCallback = false
        handle.withCancelHook({ task.cancel() }) {
            while let item = queue.next() {
                switch item {
                case .event(let event):
                    guard let callback, !abortedByCallback else { continue }
                    let status = event.withCString { callback($0, userData) }
                    if status != 0 {
                        abortedByCallback = true
                        task.cancel()
                    }
                case .confirm(let request, let reply):
                    guard let confirm, !abortedByCallback else {
                        reply((0, ""))
                        continue
                    }
                    let answer = ConfirmCall.ask(confirm, request: request, userData: confirmData)
                    if !(VIBECTL_CONFIRM_YES...VIBECTL_CONFIRM_EXIT).contains(answer.choice) {
                        abortedByCallback = true
                        task.cancel()
                    }
                    reply(answer)
                }
            }
        }
        if abortedByCallback {
            throw VibectlError(
                .callbackAborted, "a callback aborted the call (the event callback returned non-zero, or the confirm callback returned a value that is not a VIBECTL_CONFIRM_* choice)")
        }
        guard let result = outcome.withLock({ $0 }) else {
            throw VibectlError(.internal, "the call finished without a result")
        }
        return try result.get()
    }
}

/// The executor the work of blocking C calls prefers: GCD threads, not the cooperative pool.
///
/// A blocking C call parks its calling thread until the work finishes. If that thread is one
/// of the cooperative pool's few threads (2 on a 2-core machine) and the work also needed the
/// pool, enough parallel callers would deadlock. Jobs enqueued here run on a concurrent
/// dispatch queue, whose threads the caller cannot hold.
final class CallExecutor: TaskExecutor {
    /// The one instance; stateless apart from its queue.
    static let shared = CallExecutor()

    private let queue = DispatchQueue(label: "vibectl.call", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}

/// Calls a host's confirm callback with a note buffer and reads the note back.
enum ConfirmCall {
    static func ask(_ confirm: vibectl_confirm_cb, request: String, userData: UnsafeMutableRawPointer?) -> (choice: Int32, note: String) {
        let size = Int(VIBECTL_CONFIRM_NOTE_SIZE)
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: size)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: 0, count: size)
        let choice = request.withCString { confirm($0, buffer, size, userData) }
        buffer[size - 1] = 0
        let bytes = UnsafeRawBufferPointer(start: buffer, count: strnlen(buffer, size))
        // A note cut in the middle of a character loses that character, never the call.
        var note = String(decoding: bytes, as: UTF8.self)
        while note.hasSuffix("\u{FFFD}") { note.removeLast() }
        return (choice, note)
    }
}
