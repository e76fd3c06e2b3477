/// Parses and compacts kubectl tables (`get` default and wide output) and event tables.
enum TableCompactor {
    struct Table {
        var header: String
        var columns: [(name: String, start: Int)]
        var rows: [[Unicode.Scalar]]
        var rowTexts: [String]

        func column(_ name: String) -> Int? { columns.firstIndex { $0.name == name } }

        func cell(_ row: Int, _ column: Int) -> String {
            let scalars = rows[row]
            let start = columns[column].start
            guard start < scalars.count else { return "" }
            let end = column + 1 < columns.count ? min(columns[column + 1].start, scalars.count) : scalars.count
            var text = String(String.UnicodeScalarView(scalars[start..<end]))
            while text.hasSuffix(" ") { text.removeLast() }
            while text.hasPrefix(" ") { text.removeFirst() }
            return text
        }
    }

    /// Column starts of a header line: a new column begins after two or more spaces.
    static func columns(_ header: String) -> [(name: String, start: Int)] {
        var result: [(name: String, start: Int)] = []
        let scalars = Array(header.unicodeScalars)
        var index = 0
        while index < scalars.count {
            while index < scalars.count, scalars[index] == " " { index += 1 }
            guard index < scalars.count else { break }
            let start = index
            while index < scalars.count {
                if scalars[index] == " ", index + 1 >= scalars.count || scalars[index + 1] == " " { break }
                index += 1
            }
            result.append((String(String.UnicodeScalarView(scalars[start..<index])), start))
        }
        return result
    }

    /// Whether a line looks like a kubectl table header (upper-case column names, two or more columns).
    static func isHeader(_ line: Substring) -> Bool {
        guard line.first.map({ $0.isUppercase }) ?? false else { return false }
        let allowed = line.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) || " -()/_.%".unicodeScalars.contains($0) }
        return allowed && columns(String(line)).count >= 2
    }

    static func parse(_ text: String) -> Table? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        if lines.last?.allSatisfy({ $0 == " " }) ?? false { lines.removeLast() }
        guard let first = lines.first, isHeader(first) else { return nil }
        let header = String(first.hasSuffix("\r") ? first.dropLast() : first)
        var rows: [[Unicode.Scalar]] = []
        var texts: [String] = []
        for line in lines.dropFirst() {
            var row = String(line)
            if row.hasSuffix("\r") { row.removeLast() }
            while row.hasSuffix(" ") { row.removeLast() }
            if row.isEmpty { continue }
            rows.append(Array(row.unicodeScalars))
            texts.append(row)
        }
        return Table(header: header, columns: columns(header), rows: rows, rowTexts: texts)
    }

    static func compact(_ table: Table, budget: Int, intent: [String], dropped: inout [String]) -> String {
        let name = table.column("NAME")
        let namespace = table.column("NAMESPACE")
        let status = table.column("STATUS")
        let ready = table.column("READY")
        let restarts = table.column("RESTARTS")
        let images = table.column("IMAGES") ?? table.column("IMAGE")
        var items: [ItemFacts] = []
        items.reserveCapacity(table.rows.count)
        for row in table.rows.indices {
            var facts = ItemFacts()
            facts.line = table.rowTexts[row]
            if let name {
                let value = table.cell(row, name)
                if let slash = value.firstIndex(of: "/") {
                    facts.kind = String(value[..<slash])
                    facts.name = String(value[value.index(after: slash)...])
                } else {
                    facts.name = value
                }
            }
            if let namespace { facts.namespace = table.cell(row, namespace) }
            if let status { facts.phase = table.cell(row, status) }
            if let ready {
                let parts = table.cell(row, ready).split(separator: "/")
                if parts.count == 2, let have = Int(parts[0]), let want = Int(parts[1]) {
                    facts.containers = want
                    facts.notReady = max(0, want - have)
                }
            }
            if let restarts {
                facts.restarts = Int(table.cell(row, restarts).prefix { $0.isNumber }) ?? 0
            }
            if let images {
                for image in table.cell(row, images).split(separator: ",") { facts.addImage(String(image)) }
            }
            items.append(facts)
        }
        return ListSummary.render(items, title: "table", header: table.header, budget: budget, intent: intent, dropped: &dropped)
    }

    /// Events: counts by type, reason and object kind; warnings first, repeats folded.
    static func compactEvents(_ table: Table, budget: Int, intent: [String], dropped: inout [String]) -> String {
        let type = table.column("TYPE")
        let reason = table.column("REASON")
        let object = table.column("OBJECT") ?? table.column("INVOLVED OBJECT")
        let message = table.column("MESSAGE")
        var types: [String: Int] = [:]
        var reasons: [String: Int] = [:]
        var kinds: [String: Int] = [:]
        struct Group { var first: Int; var count: Int; var warning: Bool; var intent: Bool }
        var groups: [String: Group] = [:]
        for row in table.rows.indices {
            let kind = type.map { table.cell(row, $0) } ?? ""
            let why = reason.map { table.cell(row, $0) } ?? ""
            let target = object.map { table.cell(row, $0) } ?? ""
            types[kind, default: 0] += 1
            reasons[why, default: 0] += 1
            if let slash = target.firstIndex(of: "/") { kinds[String(target[..<slash]), default: 0] += 1 }
            let key = kind + "\u{1}" + why + "\u{1}" + target + "\u{1}" + (message.map { table.cell(row, $0) } ?? "")
            if groups[key] != nil {
                groups[key]?.count += 1
            } else {
                groups[key] = Group(
                    first: row, count: 1, warning: kind != "Normal", intent: mentions(table.rowTexts[row], intent))
            }
        }
        var writer = BudgetWriter(budget: budget)
        writer.appendClipped("events: \(table.rows.count) (types: \(formatCounts(types)))")
        writer.appendClipped("reasons: " + formatCounts(reasons))
        if !kinds.isEmpty { writer.appendClipped("objects: " + formatCounts(kinds)) }
        let ordered = groups.values.sorted { a, b in
            if a.intent != b.intent { return a.intent }
            if a.warning != b.warning { return a.warning }
            return a.first < b.first
        }
        let reserve = 60
        writer.append(table.header, reserve: reserve)
        var shownRows = 0
        var shownGroups = 0
        for group in ordered {
            let prefix = group.count > 1 ? "[x\(group.count)] " : ""
            if !writer.append(prefix + table.rowTexts[group.first], reserve: reserve) { break }
            shownRows += group.count
            shownGroups += 1
        }
        if shownGroups < ordered.count {
            let omittedWarnings = ordered.dropFirst(shownGroups).filter(\.warning).count
            writer.appendClipped("… \(table.rows.count - shownRows) more events omitted (\(omittedWarnings) distinct non-Normal)")
            dropped.append("\(ordered.count - shownGroups) distinct events")
        }
        return writer.text
    }
}
