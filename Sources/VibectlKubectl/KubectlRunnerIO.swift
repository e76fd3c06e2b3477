import Foundation
import VibectlCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs `body` on a dedicated thread (never on Swift's cooperative pool) and returns its result.
func onDedicatedThread<T: Sendable>(_ name: String, _ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
        let thread = Thread {
            continuation.resume(returning: body())
        }
        thread.name = name
        thread.stackSize = 256 * 1024
        thread.start()
    }
}

/// One output stream of kubectl, read to EOF: the first `cap` bytes in memory, the rest on disk or dropped.
struct CapturedStream: Sendable {
    /// The bytes kept in memory (at most the cap).
    var head: [UInt8] = []
    /// How many bytes kubectl wrote in total.
    var totalBytes = 0
    /// The 0600 file holding the complete output, when it went over the cap and spilling worked.
    var spillFile: String?
    /// Why spilling failed, when it did.
    var spillError: String?

    /// Whether more was written than is held in memory.
    var truncated: Bool { totalBytes > head.count }

    /// The text kept in memory, cut at a UTF-8 boundary, with a marker line when truncated.
    func text(streamName: String) -> String {
        guard truncated else { return String(decoding: head, as: UTF8.self) }
        let kept = head.prefix(utf8BoundaryAtOrBefore: head.count)
        var text = String(decoding: kept, as: UTF8.self)
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        var marker = "[vibectl: \(streamName) truncated: kept the first \(kept.count) of \(totalBytes) bytes"
        if let spillFile {
            marker += "; the complete output is in \(spillFile)"
        } else if let spillError {
            marker += "; the rest was discarded (\(spillError))"
        } else {
            marker += "; the rest was discarded"
        }
        return text + marker + "]\n"
    }
}

extension Array where Element == UInt8 {
    /// The first `limit` bytes or fewer, never ending inside a UTF-8 sequence.
    func prefix(utf8BoundaryAtOrBefore limit: Int) -> ArraySlice<UInt8> {
        let end = Swift.min(Swift.max(0, limit), count)
        // Find the lead byte of the last (possibly cut) character among the last 4 bytes.
        var lead = end
        while lead > 0 && end - lead < 4 {
            lead -= 1
            let byte = self[lead]
            if (byte & 0xC0) != 0x80 {
                let length = byte < 0x80 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
                return lead + length <= end ? self[0..<end] : self[0..<lead]
            }
        }
        return self[0..<end]
    }
}

/// Reads `fd` to EOF keeping the first `cap` bytes in memory; when `spill` is true, everything is
/// also written to a 0600 temp file once the output goes over the cap. Closes `fd`.
func captureStream(fd: Int32, cap: Int, spill: Bool, spillPrefix: String) -> CapturedStream {
    defer { close(fd) }
    var result = CapturedStream()
    var spillFD: Int32 = -1
    defer { if spillFD >= 0 { close(spillFD) } }
    let chunkSize = 64 * 1024
    var buffer = [UInt8](repeating: 0, count: chunkSize)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, chunkSize) }
        if count < 0 {
            if errno == EINTR { continue }
            break
        }
        if count == 0 { break }
        let room = Swift.max(0, cap - result.head.count)
        if room > 0 {
            result.head.append(contentsOf: buffer[0..<Swift.min(room, count)])
        }
        let before = result.totalBytes
        result.totalBytes += count
        guard spill, result.totalBytes > cap, result.spillError == nil else { continue }
        if spillFD < 0 {
            switch openSpillFile(prefix: spillPrefix) {
            case .success(let (path, fd)):
                spillFD = fd
                result.spillFile = path
                // Everything before this chunk is exactly what is in memory.
                if !writeAll(spillFD, result.head[0..<Swift.min(result.head.count, before)]) {
                    result.spillError = "could not write \(path): \(String(cString: strerror(errno)))"
                }
                if result.spillError == nil && !writeAll(spillFD, buffer[0..<count]) {
                    result.spillError = "could not write \(path): \(String(cString: strerror(errno)))"
                }
            case .failure(let message):
                result.spillError = message
            }
        } else if !writeAll(spillFD, buffer[0..<count]) {
            result.spillError = "could not write the spill file: \(String(cString: strerror(errno)))"
        }
        if result.spillError != nil, let path = result.spillFile {
            unlink(path)
            result.spillFile = nil
        }
    }
    return result
}

private enum SpillOpen {
    case success((String, Int32))
    case failure(String)
}

/// Creates a 0600 temp file (mkstemp) for spilled output.
private func openSpillFile(prefix: String) -> SpillOpen {
    var directory = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    while directory.count > 1 && directory.hasSuffix("/") { directory.removeLast() }
    var template = Array("\(directory)/\(prefix)-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
        guard let base = buffer.baseAddress else { return -1 }
        return mkstemp(base)
    }
    guard fd >= 0 else {
        return .failure("could not create a file in \(directory): \(String(cString: strerror(errno)))")
    }
    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    _ = fchmod(fd, 0o600)
    let path = template.withUnsafeBufferPointer { buffer in
        buffer.baseAddress.map { String(cString: $0) } ?? ""
    }
    return .success((path, fd))
}

/// Writes every byte of `bytes` to `fd`, retrying on EINTR and short writes.
func writeAll<C: Collection>(_ fd: Int32, _ bytes: C) -> Bool where C.Element == UInt8 {
    let array = Array(bytes)
    var offset = 0
    while offset < array.count {
        let written = array.withUnsafeBytes { raw -> Int in
            guard let base = raw.baseAddress else { return 0 }
            return write(fd, base + offset, array.count - offset)
        }
        if written < 0 {
            if errno == EINTR { continue }
            return false
        }
        offset += written
    }
    return true
}

/// Writes `bytes` to kubectl's stdin socket and closes it; kubectl exiting early is not an error.
func feedStdin(fd: Int32, _ bytes: [UInt8]) {
    defer { close(fd) }
    #if canImport(Glibc)
    let flags = Int32(MSG_NOSIGNAL)
    #else
    let flags: Int32 = 0
    #endif
    var offset = 0
    while offset < bytes.count {
        let sent = bytes.withUnsafeBytes { raw -> Int in
            guard let base = raw.baseAddress else { return 0 }
            return send(fd, base + offset, bytes.count - offset, flags)
        }
        if sent < 0 {
            if errno == EINTR { continue }
            return  // EPIPE: kubectl stopped reading; its exit code tells the story.
        }
        offset += sent
    }
}
