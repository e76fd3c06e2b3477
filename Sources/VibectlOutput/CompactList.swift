/// The facts kept about one object of a list: identity, health and images.
struct ItemFacts: Sendable {
    var kind = ""
    var name = ""
    var namespace = ""
    /// `status.phase` for pods, or the STATUS column of a table.
    var phase = ""
    var reasons: [String] = []
    /// The message of the first failing condition (e.g. why a pod is unschedulable), on one line and trimmed.
    var message = ""
    var restarts = 0
    var images: [String] = []
    var containers = 0
    var notReady = 0

    static let healthyPhases: Set<String> = [
        "", "Running", "Succeeded", "Completed", "Active", "Bound", "Available", "Ready", "Normal", "True",
    ]

    /// Condition types that are healthy when True, and those that are healthy when False.
    static let positiveConditions: Set<String> = [
        "Ready", "ContainersReady", "Initialized", "PodScheduled", "PodReadyToStartContainers", "Available", "Progressing",
    ]
    static let negativeConditions: Set<String> = [
        "MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable", "ReplicaFailure", "Failed",
    ]
    /// Condition reasons that only restate what the container states or replica counts already say.
    static let genericConditionReasons: Set<String> = [
        "ContainersNotReady", "ContainersNotInitialized", "PodCompleted", "MinimumReplicasUnavailable",
    ]
    /// The longest condition message kept.
    static let messageLimit = 200

    /// Whether nothing about the item looks wrong.
    var healthy: Bool {
        if phase == "Succeeded" || phase == "Completed" { return reasons.isEmpty }
        return Self.healthyPhases.contains(phase) && reasons.isEmpty && notReady == 0
    }

    /// One compact line describing the item; `message` adds the failing condition's message (cut to 100 characters).
    func summary(message showMessage: Bool) -> String {
        var text = kind.isEmpty ? "" : kind + " "
        text += namespace.isEmpty ? name : namespace + "/" + name
        if !phase.isEmpty { text += " " + phase }
        if !reasons.isEmpty { text += " reasons=" + reasons.joined(separator: ",") }
        if containers > 0 { text += " ready=\(containers - notReady)/\(containers)" }
        if restarts > 0 { text += " restarts=\(restarts)" }
        if !images.isEmpty { text += " images=" + images.joined(separator: ",") }
        if showMessage, !message.isEmpty { text += " message=\"" + clip(message, 100) + "\"" }
        return text
    }

    /// Records a status condition: a failing one (a healthy-when-True type that is not True, or a healthy-when-False
    /// type that is True) adds its reason, unless the reason is generic, and the first such message.
    mutating func addCondition(type: String, status: String, reason: String, message: String) {
        let failing =
            Self.positiveConditions.contains(type)
            ? status != "True" : Self.negativeConditions.contains(type) && status == "True"
        guard failing, !reason.isEmpty, !Self.genericConditionReasons.contains(reason) else { return }
        addReason(reason)
        if self.message.isEmpty, !message.isEmpty {
            let flat = message.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).joined(separator: " ")
            self.message = clip(flat, Self.messageLimit)
        }
    }

    mutating func addReason(_ reason: String) {
        if !reason.isEmpty, !reasons.contains(reason) { reasons.append(reason) }
    }

    mutating func addImage(_ image: String) {
        if !image.isEmpty, !images.contains(image) { images.append(image) }
    }
}

/// Renders a list of item facts as counts, distinct images and the items themselves, unhealthy first.
enum ListSummary {
    /// `rowText`, when given, is an item's line (a table row) in place of its summary.
    static func render(
        _ items: [ItemFacts], title: String, header: String? = nil, rowText: ((Int) -> String)? = nil, budget: Int,
        intent: [String], dropped: inout [String]
    ) -> String {
        func line(_ index: Int, message: Bool = true) -> String { rowText?(index) ?? items[index].summary(message: message) }
        var writer = BudgetWriter(budget: budget)
        var kinds: [String: Int] = [:]
        var namespaces: [String: Int] = [:]
        var phases: [String: Int] = [:]
        var reasons: [String: Int] = [:]
        var images: [String: Int] = [:]
        var restartTotal = 0
        var restarted = 0
        for item in items {
            if !item.kind.isEmpty { kinds[item.kind, default: 0] += 1 }
            if !item.namespace.isEmpty { namespaces[item.namespace, default: 0] += 1 }
            if !item.phase.isEmpty { phases[item.phase, default: 0] += 1 }
            for reason in item.reasons { reasons[reason, default: 0] += 1 }
            for image in item.images { images[image, default: 0] += 1 }
            restartTotal += item.restarts
            if item.restarts > 0 { restarted += 1 }
        }
        var head = "\(title): \(items.count) items"
        if !kinds.isEmpty { head += " (kinds: " + formatCounts(kinds) + ")" }
        writer.appendClipped(head)
        if !namespaces.isEmpty { writer.appendClipped("namespaces (\(namespaces.count)): " + formatCounts(namespaces)) }
        if !phases.isEmpty { writer.appendClipped("status: " + formatCounts(phases)) }
        if !reasons.isEmpty { writer.appendClipped("reasons: " + formatCounts(reasons)) }
        if restartTotal > 0 { writer.appendClipped("restarts: \(restartTotal) total in \(restarted) items") }
        if !images.isEmpty {
            let names = images.keys.sorted()
            writer.appendClipped("images (\(names.count) distinct): " + names.joined(separator: ", "))
        }

        // Order: intent-matching unhealthy, unhealthy, restarted, intent-matching healthy, healthy.
        var unhealthy: [Int] = []
        var unusual: [Int] = []
        var healthy: [Int] = []
        for (index, item) in items.enumerated() {
            if !item.healthy { unhealthy.append(index) } else if item.restarts > 0 { unusual.append(index) } else { healthy.append(index) }
        }
        func intentFirst(_ indices: [Int]) -> [Int] {
            guard !intent.isEmpty else { return indices }
            var hit: [Int] = []
            var miss: [Int] = []
            for index in indices {
                if mentions(line(index), intent) { hit.append(index) } else { miss.append(index) }
            }
            return hit + miss
        }
        let reserve = 64
        var shown = 0
        var omittedNames: [Int] = []
        if !unhealthy.isEmpty {
            writer.append("not healthy (\(unhealthy.count)):", reserve: reserve)
            if let header { writer.append(header, reserve: reserve) }
            // As many full lines as leave room for the names of the rest; a condition message only the first time.
            let order = intentFirst(unhealthy)
            var seenMessages: Set<String> = []
            let lines = order.map { index -> String in
                let item = items[index]
                return line(index, message: !item.message.isEmpty && seenMessages.insert(item.message).inserted)
            }
            func label(_ item: ItemFacts) -> String {
                let name = item.namespace.isEmpty ? item.name : item.namespace + "/" + item.name
                let state = item.reasons.first ?? item.phase
                return state.isEmpty ? name : name + "(" + state + ")"
            }
            var namesAfter = [Int](repeating: 0, count: order.count + 1)
            for position in stride(from: order.count - 1, through: 0, by: -1) {
                namesAfter[position] = namesAfter[position + 1] + label(items[order[position]]).unicodeScalars.count + 1
            }
            let available = writer.remaining - reserve - 24
            var full = 0
            var fullCost = 0
            while full < order.count {
                let cost = lines[full].unicodeScalars.count + 1
                if fullCost + cost + (full + 1 < order.count ? namesAfter[full + 1] : 0) > available { break }
                fullCost += cost
                full += 1
            }
            for (position, index) in order.enumerated() {
                if position < full, writer.append(lines[position], reserve: reserve) {
                    shown += 1
                } else {
                    omittedNames.append(index)
                }
            }
            // Names only for the unhealthy items that did not fit in full.
            if !omittedNames.isEmpty {
                var names = "more not healthy:"
                var listed = 0
                for index in omittedNames {
                    let name = label(items[index])
                    if names.unicodeScalars.count + name.unicodeScalars.count + 2 + reserve > writer.remaining { break }
                    names += " " + name
                    listed += 1
                }
                if listed > 0, writer.append(names, reserve: reserve) {
                    shown += listed
                    if listed < omittedNames.count { dropped.append("\(omittedNames.count - listed) unhealthy items") }
                } else {
                    dropped.append("\(omittedNames.count) unhealthy items")
                }
            }
        }
        let rest = intentFirst(unusual + healthy)
        var restShown = 0
        if !rest.isEmpty, writer.remaining > reserve + 20 {
            // The section line (and a table's header) only together with the first row.
            var pending = [unhealthy.isEmpty ? "items:" : "healthy (\(rest.count)):"]
            if unhealthy.isEmpty, let header { pending.append(header) }
            for index in rest {
                let text = line(index)
                if !pending.isEmpty {
                    let needed = pending.reduce(0) { $0 + $1.unicodeScalars.count + 1 } + text.unicodeScalars.count + 1
                    guard needed + reserve <= writer.remaining else { break }
                    for line in pending { writer.append(line, reserve: reserve) }
                    pending = []
                }
                if !writer.append(text, reserve: reserve) { break }
                restShown += 1
            }
        }
        let omitted = items.count - shown - restShown
        if omitted > 0 {
            writer.appendClipped("… \(omitted) more items omitted")
            if rest.count > restShown { dropped.append("\(rest.count - restShown) healthy items (counted above)") }
        }
        return writer.text
    }
}
