import Foundation

/// The tables behind the safety classifier: verbs, flags, resources, programs (docs/safety.md lists them).
enum SafetyRules {
    // MARK: Verbs

    /// Verbs that only read (compound verbs such as `rollout`, `auth`, `config`, `apply` are decided by subcommand).
    static let readOnlyVerbs: Set<String> = [
        "get", "describe", "logs", "top", "explain", "api-resources", "api-versions", "version", "cluster-info",
        "events", "diff", "wait", "kustomize", "completion", "plugin", "options", "help",
    ]

    /// Verbs that change the cluster.
    static let mutatingVerbs: Set<String> = [
        "label", "annotate", "cordon", "uncordon", "drain", "taint", "scale", "patch", "create", "delete", "edit",
        "replace", "set", "run", "expose", "autoscale",
    ]

    /// Verbs that open a session, a tunnel or a file copy.
    static let interactiveVerbs: Set<String> = ["exec", "attach", "cp", "debug", "port-forward", "proxy"]

    /// Verbs whose arguments after `--` are a command for a container.
    static let commandCarryingVerbs: Set<String> = ["exec", "debug", "run"]

    /// Verbs whose second positional is a subcommand.
    static let compoundVerbs: Set<String> = ["auth", "rollout", "config", "create", "set", "top", "certificate", "apply"]

    /// Verbs whose resource type comes after the subcommand (`rollout undo deploy/x`, `set image deploy/x`).
    static let typeSlotAfterSubverb: Set<String> = ["rollout", "set", "top"]

    // MARK: Programs

    /// Programs that are not kubectl; a plan that starts with one is rejected.
    static let foreignPrograms: Set<String> = [
        "sh", "bash", "zsh", "dash", "ash", "ksh", "mksh", "fish", "csh", "tcsh", "busybox", "pwsh", "powershell",
        "cmd", "sudo", "su", "doas", "env", "eval", "source", ".", "nohup", "xargs", "time", "watch", "nsenter",
        "chroot", "curl", "wget", "nc", "ncat", "netcat", "socat", "ssh", "scp", "rsync", "rm", "rmdir", "mv", "dd",
        "mkfs", "chmod", "chown", "kill", "pkill", "killall", "reboot", "shutdown", "systemctl", "python", "python2",
        "python3", "perl", "ruby", "node", "php", "lua", "awk", "sed", "grep", "cat", "echo", "printf", "tee",
        "base64", "openssl", "git", "make", "apt", "apt-get", "yum", "dnf", "pip", "pip3", "npm", "helm", "docker",
        "podman", "crictl", "kubeadm", "kubelet", "oc", "vibectl", "aws", "gcloud", "az",
    ]

    /// Programs that give an interactive shell or interpreter when run in a container.
    static let shellPrograms: Set<String> = [
        "sh", "bash", "zsh", "dash", "ash", "ksh", "mksh", "fish", "csh", "tcsh", "busybox", "pwsh", "powershell",
        "powershell.exe", "cmd", "cmd.exe", "su", "login", "python", "python2", "python3", "perl", "ruby", "node", "irb", "php", "lua",
    ]

    /// Programs that run another program given as an argument (`env FOO=1 sh`, `timeout 10 bash`).
    static let wrapperPrograms: Set<String> = [
        "env", "nice", "nohup", "timeout", "stdbuf", "setsid", "chroot", "nsenter", "unshare", "sudo", "doas",
        "exec", "command", "xargs", "ionice", "taskset", "time", "strace", "tini", "dumb-init", "script",
    ]

    /// Whether a container command starts a shell or interpreter, looking through wrappers such as `env` or `timeout`.
    static func startsShell(_ command: [String]) -> Bool {
        for token in command {
            let program = programName(token)
            if shellPrograms.contains(program) { return true }
            if wrapperPrograms.contains(program) { continue }
            // Arguments of a wrapper: options, VAR=value assignments, numbers (`timeout 10`, `nice -n 5`).
            if token.hasPrefix("-") || token.contains("=") || Double(token) != nil { continue }
            return false
        }
        return false
    }

    /// Whether a would-be verb is really another program (a known name, a path, or a kubectl plugin binary).
    static func isForeignProgram(_ verb: String) -> Bool {
        if verb.contains("/") || verb.contains("\\") { return true }
        let lowered = verb.lowercased()
        return foreignPrograms.contains(lowered) || lowered.hasPrefix("kubectl-") || lowered.hasPrefix("kubectl.")
    }

    /// The lowercased base name of a program path (`/bin/sh` → `sh`).
    static func programName(_ token: String) -> String {
        let word = token.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) ?? token
        let base = word.split(separator: "/").last.map(String.init) ?? word
        return base.lowercased()
    }

    // MARK: Flags

    /// Flags that redirect credentials or the target cluster; rejected unless the user set them.
    static let credentialFlags: Set<String> = [
        "--kubeconfig", "--server", "--token", "--as", "--as-group", "--as-uid", "--certificate-authority",
        "--client-certificate", "--client-key", "--insecure-skip-tls-verify", "--user", "--cluster", "--context",
        "--username", "--password", "--tls-server-name",
    ]

    /// A user flag as a long name: `--context=prod` → `--context`, `-s` → `--server`, `context` → `--context`.
    static func normalizedUserFlag(_ flag: String) -> String {
        let trimmed = flag.trimmingCharacters(in: .whitespaces)
        let name = trimmed.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? trimmed
        if name.hasPrefix("--") { return name }
        if name.hasPrefix("-"), name.count == 2, let letter = name.last { return longName(forShort: letter, verb: nil) }
        return "--" + name
    }

    /// Flags whose values are output templates, where `|`, `<` and `>` are ordinary characters.
    static let templateFlags: Set<String> = ["--output", "--template", "--sort-by"]

    /// Long flags that take a value in the next argument when written without `=`.
    static let valueFlags: Set<String> = [
        "--namespace", "--context", "--kubeconfig", "--cluster", "--user", "--server", "--token", "--as", "--as-group",
        "--as-uid", "--certificate-authority", "--client-certificate", "--client-key", "--request-timeout",
        "--tls-server-name", "--cache-dir", "--v", "--vmodule", "--log-dir", "--log-file", "--username", "--password",
        "--output", "--selector", "--field-selector", "--container", "--filename", "--kustomize", "--image",
        "--replicas", "--current-replicas", "--resource-version", "--grace-period", "--timeout", "--since",
        "--since-time", "--tail", "--sort-by", "--template", "--patch", "--type", "--for", "--to-revision",
        "--revision", "--port", "--target-port", "--address", "--accept-hosts", "--target", "--profile", "--chunk-size",
        "--limit-bytes", "--max-log-requests", "--label-columns", "--subresource", "--field-manager", "--from-literal",
        "--from-file", "--from-env-file", "--env", "--labels", "--overrides", "--restart", "--pod-running-timeout",
        "--min", "--max", "--cpu-percent", "--serviceaccount", "--clusterrole", "--role", "--group", "--verb",
        "--resource", "--resource-name", "--docker-server", "--docker-username", "--docker-password", "--docker-email",
        "--copy-to", "--image-pull-policy", "--requests", "--limits", "--schedule", "--from", "--name", "--protocol",
        "--external-ip", "--output-directory", "--duration", "--audience", "--cert", "--key", "--prune-allowlist",
    ]

    /// Whether a long flag takes the next argument as its value.
    static func takesValue(_ name: String, verb: String?) -> Bool {
        if name == "--raw" { return verb == "get" }  // `get --raw /path`, but `config view --raw` is boolean
        return valueFlags.contains(name)
    }

    /// Whether a short flag letter takes a value.
    static func shortTakesValue(_ letter: Character, verb: String?) -> Bool {
        if letter == "p" { return verb == "patch" }  // `patch -p JSON`, but `logs -p` is --previous
        return ["n", "s", "o", "l", "f", "k", "c", "e", "L", "v"].contains(letter)
    }

    /// The long name of a short flag (`-n` → `--namespace`), or `-x` when none is known.
    static func longName(forShort letter: Character, verb: String?) -> String {
        switch letter {
        case "n": "--namespace"
        case "s": "--server"
        case "o": "--output"
        case "l": "--selector"
        case "f": "--filename"
        case "k": "--kustomize"
        case "A": "--all-namespaces"
        case "i": "--stdin"
        case "t": "--tty"
        case "c": "--container"
        case "p": verb == "patch" ? "--patch" : "--previous"
        case "e": "--env"
        case "L": "--label-columns"
        case "v": "--v"
        case "w": "--watch"
        case "R": "--recursive"
        case "q": "--quiet"
        default: "-\(letter)"
        }
    }

    /// Why a flag on a mutating command forces confirmation, or `nil` when it does not.
    static func dangerousFlagReason(_ flag: ParsedFlag) -> String? {
        switch flag.name {
        case "--force" where flag.isTrue:
            "skips graceful deletion or deletes and re-creates"
        case "--grace-period" where flag.value?.trimmingCharacters(in: .whitespaces) == "0":
            "kills pods immediately, without a graceful shutdown"
        case "--now" where flag.isTrue:
            "kills pods with a minimal grace period"
        case "--all" where flag.isTrue:
            "acts on every resource of the type"
        case "--all-namespaces" where flag.isTrue:
            "acts in every namespace"
        case "--prune" where flag.isTrue:
            "deletes objects that are missing from the manifest"
        case "--cascade" where ["orphan", "false"].contains(flag.value?.lowercased() ?? ""):
            "leaves dependent objects orphaned"
        case "--overwrite" where flag.isTrue:
            "replaces existing values"
        case "--force-conflicts" where flag.isTrue:
            "takes ownership of fields other managers own"
        case "--delete-emptydir-data" where flag.isTrue, "--delete-local-data" where flag.isTrue:
            "deletes the pods' emptyDir data"
        case "--disable-eviction" where flag.isTrue:
            "bypasses PodDisruptionBudgets"
        default:
            nil
        }
    }

    /// The flag as shown in a reason: its name, plus its value for `--grace-period`/`--cascade` (never a secret).
    static func describe(_ flag: ParsedFlag) -> String {
        if flag.name == "--grace-period" || flag.name == "--cascade", let value = flag.value {
            return "\(flag.name)=\(shortened(value))"
        }
        return flag.name
    }

    /// Whether a `--address` value binds only to the loopback interface.
    static func isLoopbackOnly(_ value: String) -> Bool {
        let loopback: Set<String> = ["localhost", "127.0.0.1", "::1"]
        return value.split(separator: ",").allSatisfy { loopback.contains($0.trimmingCharacters(in: .whitespaces)) }
    }

    // MARK: Resources

    /// Resource types (and lowercased kinds) that hold credentials or grant permissions; changing them forces confirmation.
    static let privilegedResources: Set<String> = [
        "secret", "secrets", "role", "roles", "rolebinding", "rolebindings", "clusterrole", "clusterroles",
        "clusterrolebinding", "clusterrolebindings", "mutatingwebhookconfiguration", "mutatingwebhookconfigurations",
        "validatingwebhookconfiguration", "validatingwebhookconfigurations", "validatingadmissionpolicy",
        "validatingadmissionpolicies", "validatingadmissionpolicybinding", "validatingadmissionpolicybindings",
        "certificatesigningrequest", "certificatesigningrequests", "csr",
    ]

    /// Resource types (and lowercased kinds) whose deletion takes much more with it; deleting them forces confirmation.
    static let wideDeleteResources: Set<String> = [
        "namespace", "namespaces", "ns", "node", "nodes", "no", "persistentvolume", "persistentvolumes", "pv",
        "persistentvolumeclaim", "persistentvolumeclaims", "pvc", "customresourcedefinition",
        "customresourcedefinitions", "crd", "crds", "storageclass", "storageclasses", "all",
    ]

    // MARK: Shell syntax

    /// Whole arguments that are shell operators or redirections.
    static let shellOperators: Set<String> = [
        ";", "&&", "||", "|", "|&", "&", ">", ">>", "<", "<<", "<<<", "2>", "2>>", "2>&1", "&>", ">&",
    ]

    /// Why an argument looks like shell syntax, or `nil`.
    static func shellProblem(in token: String, allowsTemplateSyntax: Bool) -> String? {
        let trimmed = token.trimmingCharacters(in: .whitespaces)
        if shellOperators.contains(trimmed) { return "is the shell operator '\(trimmed)'" }
        if token.contains("$(") { return "contains command substitution '$('" }
        if token.contains("`") { return "contains a backtick (command substitution)" }
        if token.contains("${") { return "contains shell expansion '${'" }
        if token.contains("\n") || token.contains("\r") || token.contains("\0") {
            return "contains a line break or NUL"
        }
        for embedded in [";", "&&", "||"] where token.contains(embedded) {
            return "contains the shell operator '\(embedded)'"
        }
        if trimmed.hasSuffix("&") { return "ends with the shell operator '&'" }
        if !allowsTemplateSyntax {
            if token.contains("|") { return "contains the shell operator '|'" }
            if let first = trimmed.first, first == ">" || first == "<" { return "starts with a shell redirection" }
            if trimmed.hasPrefix("2>") { return "starts with a shell redirection" }
        }
        return nil
    }

    /// The string cut to 40 characters, for quoting planner text in reasons.
    static func shortened(_ text: String) -> String {
        text.count <= 40 ? text : String(text.prefix(39)) + "…"
    }
}
