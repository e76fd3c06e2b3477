import Foundation
import Testing
import VibectlCore
@testable import VibectlStore

/// A fresh temporary configuration directory, removed when the test ends.
final class TempConfig: Sendable {
    /// The configuration directory (it does not exist until something is written).
    let paths: ConfigPaths
    /// The temporary root that holds it.
    let root: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/vibectl-store-test-XXXXXX").utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.flatMap { mkdtemp($0) }.map { String(cString: $0) }
        }
        root = try #require(created)
        paths = ConfigPaths(configDir: root + "/vibectl")
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// A config store with the given environment and overrides.
    func store(
        environment: [String: String] = [:], overrides: [String: JSONValue] = [:], lockTimeout: Double = 10
    ) throws -> ConfigStore {
        try ConfigStore(paths: paths, environment: environment, overrides: overrides, lockTimeout: lockTimeout)
    }

    /// A memory store over a fresh config store.
    func memory(environment: [String: String] = [:], overrides: [String: JSONValue] = [:]) throws -> MemoryStore {
        MemoryStore(config: try store(environment: environment, overrides: overrides))
    }

    /// Writes the config file directly (creating the directories).
    func writeConfig(_ text: String) throws {
        try FileManager.default.createDirectory(atPath: paths.clientDir, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: paths.configFile))
    }

    /// The config file's text.
    func configText() throws -> String {
        try String(contentsOfFile: paths.configFile, encoding: .utf8)
    }

    /// The config file's bytes.
    func configBytes() throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: paths.configFile))
    }

    /// Whether a file exists.
    func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path)
    }

    /// The permission bits of a file.
    func mode(_ path: String) throws -> Int {
        var info = stat()
        try #require(stat(path, &info) == 0)
        return Int(info.st_mode & 0o777)
    }
}

/// Runs `body`, expecting a `VibectlError`, and returns it.
func expectVibectlError(
    _ code: VibectlError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) -> VibectlError? {
    do {
        try body()
        Issue.record("expected \(code.name), but the call succeeded", sourceLocation: sourceLocation)
        return nil
    } catch let error as VibectlError {
        #expect(error.code == code, "got \(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected a VibectlError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
