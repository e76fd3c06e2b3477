#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import VibectlCore

/// File reading, directory creation and atomic replacement, shared by the config and memory stores.
enum FileSystem {
    /// Reads a whole file; `nil` when it does not exist.
    /// - Throws: `.io` for any other failure.
    static func readFile(_ path: String) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let error = errno
            if error == ENOENT { return nil }
            throw ioError("cannot read \(path)", errno: error)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in
                read(fd, buffer.baseAddress, buffer.count)
            }
            if count < 0 {
                let error = errno
                if error == EINTR { continue }
                throw ioError("cannot read \(path)", errno: error)
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }

    /// Creates a directory and its missing parents, each new one with mode 0700.
    /// - Throws: `.io` when a component cannot be created or is not a directory.
    static func ensureDirectory(_ path: String) throws {
        var current = ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            current += "/" + component
            var info = stat()
            if stat(current, &info) == 0 {
                guard (info.st_mode & S_IFMT) == S_IFDIR else {
                    throw VibectlError(
                        .io, "cannot create the directory \(path): \(current) exists and is not a directory",
                        hint: "move \(current) away or choose another configuration directory")
                }
                continue
            }
            if mkdir(current, 0o700) != 0, errno != EEXIST {
                throw ioError("cannot create the directory \(current)", errno: errno)
            }
        }
    }

    /// Replaces `path` atomically with `bytes`: a new temporary file in the same directory
    /// (`O_CREAT|O_EXCL`, mode `mode`), fsync, rename over the target, fsync of the directory.
    ///
    /// A reader sees the old file or the new one, never a mixture; a crash leaves at worst a
    /// stray temporary file beside the target, which the next write removes. The caller must
    /// hold the target's lock: temporary files exist only while a writer holds it, so any
    /// found then were left by a writer that died.
    /// - Throws: `.io` naming the file and the system error.
    static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws {
        let directory = parentDirectory(of: path)
        let name = path.split(separator: "/").last.map(String.init) ?? "file"
        let prefix = "." + name + ".tmp."
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) {
            for entry in entries where entry.hasPrefix(prefix) {
                unlink(directory + "/" + entry)
            }
        }
        var fd: Int32 = -1
        var temporary = ""
        for _ in 0..<16 {
            temporary = directory + "/" + prefix + String(getpid()) + "." + String(UInt32.random(in: 0...UInt32.max), radix: 16)
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else {
            throw ioError("cannot create a temporary file in \(directory) to write \(path)", errno: errno)
        }
        var renamed = false
        defer {
            if !renamed { unlink(temporary) }
        }
        do {
            defer { close(fd) }
            if fchmod(fd, mode) != 0 {
                throw ioError("cannot set the mode of \(temporary)", errno: errno)
            }
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { buffer in
                    write(fd, buffer.baseAddress, buffer.count)
                }
                if written < 0 {
                    let error = errno
                    if error == EINTR { continue }
                    throw ioError("cannot write \(path)", errno: error)
                }
                offset += written
            }
            if fsync(fd) != 0 {
                throw ioError("cannot flush \(path) to disk", errno: errno)
            }
        }
        if rename(temporary, path) != 0 {
            throw ioError("cannot replace \(path)", errno: errno)
        }
        renamed = true
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }

    /// The directory part of a path ("/" for a file at the root, "." for a bare name).
    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }

    /// Facts about an existing file, or `nil` when it does not exist.
    static func status(_ path: String) throws -> stat? {
        var info = stat()
        if stat(path, &info) == 0 { return info }
        let error = errno
        if error == ENOENT || error == ENOTDIR { return nil }
        throw ioError("cannot inspect \(path)", errno: error)
    }

    /// A time in ISO 8601, UTC, seconds precision: `2025-01-31T12:00:00Z`.
    static func iso8601(seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    /// The current time in ISO 8601, UTC.
    static func now() -> String {
        iso8601(seconds: Int(time(nil)))
    }

    /// An `.io` error carrying the system's description of `errno`.
    static func ioError(_ message: String, errno error: Int32) -> VibectlError {
        let reason = String(cString: strerror(error))
        var hint = "check that the directory exists and that you may write to it"
        if error == EACCES || error == EPERM {
            hint = "check the permissions of the file and its directory"
        } else if error == ENOSPC || error == EDQUOT {
            hint = "free some disk space and retry"
        } else if error == EROFS {
            hint = "the file system is read-only; choose another configuration directory with VIBECTL_CONFIG_DIR"
        }
        return VibectlError(.io, "\(message): \(reason)", hint: hint)
    }
}
