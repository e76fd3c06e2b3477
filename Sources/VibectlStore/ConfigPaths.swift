import Foundation
import VibectlCore

/// Where vibectl keeps its files.
///
/// The configuration directory holds `client/config.yaml` (the settings) and
/// `client/memory.json` (the memory), each with a lock file beside it.
public struct ConfigPaths: Sendable, Equatable {
    /// The configuration directory, e.g. `/home/u/.config/vibectl`.
    public let configDir: String

    /// The client directory: `configDir + "/client"`.
    public var clientDir: String { configDir + "/client" }

    /// The settings file: `clientDir + "/config.yaml"`.
    public var configFile: String { clientDir + "/config.yaml" }

    /// The memory file: `clientDir + "/memory.json"`.
    public var memoryFile: String { clientDir + "/memory.json" }

    /// The lock file that serialises writers of the settings file.
    var configLockFile: String { clientDir + "/.config.yaml.lock" }

    /// The lock file that serialises writers of the memory file.
    var memoryLockFile: String { clientDir + "/.memory.json.lock" }

    /// Creates paths rooted at a configuration directory, taken as given.
    public init(configDir: String) {
        self.configDir = configDir
    }

    /// Resolves the configuration directory.
    ///
    /// Order: `explicit` (the handle's `config_dir` option) → `VIBECTL_CONFIG_DIR` →
    /// `XDG_CONFIG_HOME/vibectl` (only when absolute, as the XDG specification asks) →
    /// `HOME/.config/vibectl`. A relative `explicit` or `VIBECTL_CONFIG_DIR` is made
    /// absolute against the current directory; empty environment values count as unset.
    ///
    /// - Throws: `VibectlError` `.invalidArgument` when `explicit` is empty, or when
    ///   nothing resolves because none of the variables (including `HOME`) is set.
    public static func resolve(explicit: String?, environment: [String: String]) throws -> ConfigPaths {
        if let explicit {
            guard !explicit.isEmpty else {
                throw VibectlError(
                    .invalidArgument, "the config_dir option is empty",
                    hint: "pass an absolute directory path, or omit config_dir to use the default location")
            }
            return ConfigPaths(configDir: normalize(absolute(explicit)))
        }
        if let dir = environment["VIBECTL_CONFIG_DIR"], !dir.isEmpty {
            return ConfigPaths(configDir: normalize(absolute(dir)))
        }
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            return ConfigPaths(configDir: normalize(xdg) + "/vibectl")
        }
        if let home = environment["HOME"], !home.isEmpty {
            return ConfigPaths(configDir: normalize(absolute(home)) + "/.config/vibectl")
        }
        throw VibectlError(
            .invalidArgument,
            "cannot locate the configuration directory: none of VIBECTL_CONFIG_DIR, XDG_CONFIG_HOME and HOME is set",
            hint: "set VIBECTL_CONFIG_DIR to a directory, or pass the config_dir option")
    }

    /// Makes a path absolute against the current directory.
    private static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        let cwd = FileManager.default.currentDirectoryPath
        return cwd.hasSuffix("/") ? cwd + path : cwd + "/" + path
    }

    /// Removes trailing slashes (but keeps "/") and "/./" segments.
    private static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) where part != "." {
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }
}
