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
            "time": .string(Date().formatted(.iso8601)),
            "data": .object(data),
        ]
        queue.push(event.jsonString())
    }
}

/// A blocking queue between the async work (producer) and the calling thread (consumer).
private final class EventQueue: Sendable {
    private struct State {
        var events: [String] = []
        var finished = false
    }

    private let condition = NSCondition()
    private let state = Mutex(State())

    func push(_ event: String) {
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
    func next() -> String? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            let (event, finished): (String?, Bool) = state.withLock { state in
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
/// The calling thread must not be a thread of Swift's cooperative pool (hosts call from
/// their own threads). The work runs as a task; `vibectl_client_cancel` cancels it; a
/// callback returning non-zero cancels it and makes the call fail with `VIBECTL_EUSER`.
enum EventPump {
    /// Runs `work`, pumping its events to `callback` until it finishes, and returns its result.
    static func run<T: Sendable>(
        on handle: ClientHandle,
        callback: vibectl_event_cb?,
        userData: UnsafeMutableRawPointer?,
        _ work: @escaping @Sendable (EventSink) async throws -> T
    ) throws -> T {
        let queue = EventQueue()
        let sink = EventSink(queue: queue)
        let outcome = Mutex<Result<T, any Error>?>(nil)
        let task = Task.detached {
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
            while let event = queue.next() {
                guard let callback, !abortedByCallback else { continue }
                let status = event.withCString { callback($0, userData) }
                if status != 0 {
                    abortedByCallback = true
                    task.cancel()
                }
            }
        }
        if abortedByCallback {
            throw VibectlError(.callbackAborted, "the event callback returned non-zero, so the call was aborted")
        }
        guard let result = outcome.withLock({ $0 }) else {
            throw VibectlError(.internal, "the call finished without a result")
        }
        return try result.get()
    }
}
