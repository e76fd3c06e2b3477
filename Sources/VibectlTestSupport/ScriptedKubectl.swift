import Foundation

/// A scripted fake kubectl for tests: a `/bin/sh` script that records every invocation and answers
/// each verb with canned output and an exit code.
///
/// Every run gets a number (1, 2, ...); its arguments are written NUL-separated to
/// `calls/<n>.argv`, and what it read on stdin to `calls/<n>.stdin` when the arguments contain
/// `-f -` (or `--filename -`, `--filename=-`, `-f=-`). The reply comes from
/// `replies/<verb>.stdout`, `.stderr` and `.exit`, where the verb is the first argument that is
/// not an option or an option's value; a verb without replies uses `replies/default.*`, which
/// start as empty output and exit code 0.
///
/// ```swift
/// let kubectl = try ScriptedKubectl(in: scratch.path)
/// try kubectl.reply(to: "get", stdout: "NAME  READY\nweb-1 1/1\n")
/// try kubectl.reply(to: "diff", exitCode: 1)
/// // set core.kubectl_command to kubectl.path, run vibectl, then:
/// #expect(kubectl.invocations.map(\.arguments) == [["get", "pods"]])
/// ```
public struct ScriptedKubectl: Sendable {
    /// One recorded run of the script.
    public struct Invocation: Sendable, Equatable {
        /// The arguments, exactly as received.
        public var arguments: [String]
        /// What the run read on stdin (only when the arguments contain `-f -`), else nil.
        public var stdin: String?
    }

    /// The script's path; set `core.kubectl_command` to it.
    public let path: String
    /// The directory holding the script's state (`calls/`, `replies/`).
    public let stateDirectory: String

    /// Writes the script and its state directory into `directory`.
    /// - Parameters:
    ///   - directory: An existing directory.
    ///   - name: The script's file name.
    public init(in directory: String, name: String = "kubectl") throws {
        path = directory + "/" + name
        stateDirectory = directory + "/" + name + ".state"
        let fileManager = FileManager.default
        try fileManager.createDirectory(atPath: stateDirectory + "/calls", withIntermediateDirectories: true)
        try fileManager.createDirectory(atPath: stateDirectory + "/replies", withIntermediateDirectories: true)
        try Self.writeExecutable(Self.script(state: stateDirectory), to: path)
    }

    /// Sets what the script answers to `verb` (e.g. `get`); `default` answers every verb without replies of its own.
    public func reply(to verb: String, stdout: String = "", stderr: String = "", exitCode: Int32 = 0) throws {
        let base = stateDirectory + "/replies/" + verb
        try Data(stdout.utf8).write(to: URL(fileURLWithPath: base + ".stdout"))
        try Data(stderr.utf8).write(to: URL(fileURLWithPath: base + ".stderr"))
        try Data("\(exitCode)\n".utf8).write(to: URL(fileURLWithPath: base + ".exit"))
    }

    /// Every run so far, oldest first.
    public var invocations: [Invocation] {
        let callsDirectory = stateDirectory + "/calls"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: callsDirectory)) ?? []
        return names.filter { $0.hasSuffix(".argv") }.sorted().compactMap { name in
            guard let data = FileManager.default.contents(atPath: callsDirectory + "/" + name) else { return nil }
            var arguments = data.split(separator: 0, omittingEmptySubsequences: false).map {
                String(decoding: $0, as: UTF8.self)
            }
            if arguments.last == "" { arguments.removeLast() }
            let stdinPath = callsDirectory + "/" + name.dropLast(".argv".count) + ".stdin"
            let stdin = FileManager.default.contents(atPath: stdinPath).map { String(decoding: $0, as: UTF8.self) }
            return Invocation(arguments: arguments, stdin: stdin)
        }
    }

    /// The arguments of every run so far, oldest first.
    public var recordedArguments: [[String]] { invocations.map(\.arguments) }

    /// The script. Options of kubectl's that take a value are skipped when looking for the verb.
    private static func script(state: String) -> String {
        let quotedState = shellQuote(state)
        return """
            #!/bin/sh
            state=\(quotedState)
            while ! mkdir "$state/lock" 2>/dev/null; do sleep 0.01; done
            count=$(cat "$state/count" 2>/dev/null || echo 0)
            count=$((count + 1))
            echo "$count" > "$state/count"
            rmdir "$state/lock"
            call="$state/calls/$(printf '%06d' "$count")"
            : > "$call.argv.tmp"
            verb=""
            skip=0
            stdin=0
            previous=""
            for arg in "$@"; do
                printf '%s\\000' "$arg" >> "$call.argv.tmp"
                if [ "$previous" = "-f" ] || [ "$previous" = "--filename" ]; then
                    [ "$arg" = "-" ] && stdin=1
                fi
                case "$arg" in --filename=-|-f=-) stdin=1 ;; esac
                previous="$arg"
                if [ -z "$verb" ]; then
                    if [ "$skip" = 1 ]; then skip=0; continue; fi
                    case "$arg" in
                        --kubeconfig|--context|--cluster|--user|-n|--namespace|-s|--server|--token|--as|--request-timeout) skip=1 ;;
                        -*) ;;
                        *) verb="$arg" ;;
                    esac
                fi
            done
            if [ "$stdin" = 1 ]; then cat > "$call.stdin"; fi
            mv "$call.argv.tmp" "$call.argv"
            replies="$state/replies"
            name="$verb"
            if [ -z "$name" ] || [ ! -f "$replies/$name.exit" ]; then name=default; fi
            [ -f "$replies/$name.stdout" ] && cat "$replies/$name.stdout"
            [ -f "$replies/$name.stderr" ] && cat "$replies/$name.stderr" >&2
            code=0
            [ -f "$replies/$name.exit" ] && code=$(cat "$replies/$name.exit")
            exit "$code"

            """
    }

    /// Writes an executable file through a close-on-exec descriptor, so a process spawned
    /// concurrently by another test cannot inherit it (exec would then fail with ETXTBSY).
    private static func writeExecutable(_ text: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fchmod(fd, 0o755) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }

    private static func shellQuote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
