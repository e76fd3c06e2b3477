import Foundation

/// Parses and compacts kubectl tables (`get` default and wide output) and event tables.
///
/// Works on the UTF-8 bytes: rows are byte ranges, and a cell is cut out of its row at the column's offset
/// from the header. kubectl pads columns by character (rune) count, so the offsets are scalar offsets; in a
/// row that is all ASCII they are byte offsets, otherwise the row is walked to find them.
enum TableCompactor {
    struct Table {
        /// The input's UTF-8 bytes.
        let bytes: [UInt8]
        /// The header line.
        let header: String
        /// Column names and their start offsets (in characters) from the header.
        let columns: [(name: String, start: Int)]
        /// Byte ranges of the data rows, without the line break and trailing spaces.
        var starts: [Int] = []
        var ends: [Int] = []
        /// Whether each row is all ASCII (cells can then be cut at byte offsets).
        var ascii: [Bool] = []

        var rowCount: Int { starts.count }

        func column(_ name: String) -> Int? { columns.firstIndex { $0.name == name } }

        /// The byte position of the character at offset `scalar` in `row` (the row's end if the row is shorter).
        func offset(_ row: Int, _ scalar: Int) -> Int {
            let start = starts[row]
            let end = ends[row]
            if ascii[row] { return min(start + scalar, end) }
            var position = start
            var count = 0
            while position < end {
                if bytes[position] & 0xC0 != 0x80 {
                    if count == scalar { return position }
                    count += 1
                }
                position += 1
            }
            return end
        }

        /// The byte range of a cell, without surrounding spaces.
        func cellRange(_ row: Int, _ column: Int) -> Range<Int> {
            var lower = offset(row, columns[column].start)
            var upper = column + 1 < columns.count ? offset(row, columns[column + 1].start) : ends[row]
            while lower < upper, bytes[lower] == 0x20 { lower += 1 }
            while upper > lower, bytes[upper - 1] == 0x20 { upper -= 1 }
            return lower..<upper
        }

        func cell(_ row: Int, _ column: Int) -> String { string(cellRange(row, column)) }

        func string(_ range: Range<Int>) -> String {
            bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
        }

        func rowText(_ row: Int) -> String { string(starts[row]..<ends[row]) }

        /// The leading decimal number of a cell (`12` of `12 (3m ago)`), or nil.
        func number(_ row: Int, _ column: Int) -> Int? {
            let range = cellRange(row, column)
            var value = 0
            var digits = 0
            for position in range {
                let byte = bytes[position]
                guard byte >= 0x30, byte <= 0x39, digits < 18 else { break }
                value = value * 10 + Int(byte - 0x30)
                digits += 1
            }
            return digits > 0 ? value : nil
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
        guard let first = line.utf8.first, first >= 0x41, first <= 0x5A else { return false }
        let allowed = line.utf8.allSatisfy { byte in
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x20 || byte == 0x2D || byte == 0x28
                || byte == 0x29 || byte == 0x2F || byte == 0x5F || byte == 0x2E || byte == 0x25
        }
        return allowed && columns(String(line)).count >= 2
    }

    static func parse(_ text: String) -> Table? {
        let bytes = Array(text.utf8)
        var headerRange: Range<Int>?
        var starts: [Int] = []
        var ends: [Int] = []
        var ascii: [Bool] = []
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let count = buffer.count
            starts.reserveCapacity(count / 80)
            ends.reserveCapacity(count / 80)
            ascii.reserveCapacity(count / 80)
            var position = 0
            while position < count {
                let found = memchr(base + position, 0x0A, count - position)
                let lineEnd = found.map { UnsafePointer<UInt8>($0.assumingMemoryBound(to: UInt8.self)) - base } ?? count
                var end = lineEnd
                if end > position, buffer[end - 1] == 0x0D { end -= 1 }
                if headerRange == nil {
                    // The first non-empty line is the header (kept as it is, minus the line break).
                    if end > position { headerRange = position..<end }
                    position = lineEnd + 1
                    continue
                }
                while end > position, buffer[end - 1] == 0x20 { end -= 1 }
                if end > position {
                    var high: UInt8 = 0
                    for index in position..<end { high |= buffer[index] }
                    starts.append(position)
                    ends.append(end)
                    ascii.append(high < 0x80)
                }
                position = lineEnd + 1
            }
        }
        guard let headerRange else { return nil }
        let headerLine = String(decoding: bytes[headerRange], as: UTF8.self)
        guard isHeader(Substring(headerLine)) else { return nil }
        return Table(bytes: bytes, header: headerLine, columns: columns(headerLine), starts: starts, ends: ends, ascii: ascii)
    }

    static func compact(_ table: Table, budget: Int, intent: [String], dropped: inout [String]) -> String {
        let name = table.column("NAME")
        let namespace = table.column("NAMESPACE")
        let status = table.column("STATUS")
        let ready = table.column("READY")
        let restarts = table.column("RESTARTS")
        let images = table.column("IMAGES") ?? table.column("IMAGE")
        var items: [ItemFacts] = []
        items.reserveCapacity(table.rowCount)
        for row in 0..<table.rowCount {
            var facts = ItemFacts()
            if let name {
                let range = table.cellRange(row, name)
                if let slash = table.bytes[range].firstIndex(of: 0x2F) {
                    facts.kind = table.string(range.lowerBound..<slash)
                    facts.name = table.string(slash + 1..<range.upperBound)
                } else {
                    facts.name = table.string(range)
                }
            }
            if let namespace { facts.namespace = table.cell(row, namespace) }
            if let status { facts.phase = table.cell(row, status) }
            if let ready {
                let range = table.cellRange(row, ready)
                if let slash = table.bytes[range].firstIndex(of: 0x2F), let have = parseInt(table.bytes, range.lowerBound..<slash),
                    let want = parseInt(table.bytes, slash + 1..<range.upperBound)
                {
                    facts.containers = want
                    facts.notReady = max(0, want - have)
                }
            }
            if let restarts { facts.restarts = table.number(row, restarts) ?? 0 }
            if let images {
                for image in table.cell(row, images).split(separator: ",") { facts.addImage(String(image)) }
            }
            items.append(facts)
        }
        // Rows are shown re-aligned: columns as wide as the header and the not-healthy rows need, two spaces apart
        // (kubectl pads to the widest cell of all rows; most of that padding is wasted on the few rows shown).
        var measured = items.indices.filter { !items[$0].healthy }
        if measured.isEmpty { measured = Array(0..<min(50, table.rowCount)) }
        var widths = table.columns.map { $0.name.unicodeScalars.count }
        for row in measured {
            for column in 0..<table.columns.count - 1 {
                widths[column] = max(widths[column], scalarLength(table.bytes, table.cellRange(row, column)))
            }
        }
        func aligned(_ cells: [String]) -> String {
            var text = ""
            for (column, cell) in cells.enumerated() {
                text += cell
                if column + 1 < cells.count {
                    text += String(repeating: " ", count: max(0, widths[column] - cell.unicodeScalars.count) + 2)
                }
            }
            while text.hasSuffix(" ") { text.removeLast() }
            return text
        }
        let header = aligned(table.columns.map(\.name))
        return ListSummary.render(
            items, title: "table", header: header,
            rowText: { row in aligned((0..<table.columns.count).map { table.cell(row, $0) }) },
            budget: budget, intent: intent, dropped: &dropped)
    }

    /// The number of characters in a byte range of UTF-8.
    static func scalarLength(_ bytes: [UInt8], _ range: Range<Int>) -> Int {
        var count = 0
        for position in range where bytes[position] & 0xC0 != 0x80 { count += 1 }
        return count
    }

    /// A whole cell that is a decimal number.
    static func parseInt(_ bytes: [UInt8], _ range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count <= 18 else { return nil }
        var value = 0
        for position in range {
            let byte = bytes[position]
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    // MARK: - Events

    /// Events folded by type, reason, object and namespace.
    struct EventGroup {
        var type: String
        var reason: String
        var object: String
        var namespace: String
        /// The first row of the group.
        var first: Int
        /// Events in the group (rows, or the sum of the COUNT column).
        var count: Int
        /// The first row with a message (-1: none), and rows with other messages (at most two more).
        var firstMessage: Int
        var otherMessages: [Int] = []
        var intent: Bool

        /// Rows with distinct messages, in order.
        var messageRows: [Int] { firstMessage < 0 ? [] : [firstMessage] + otherMessages }

        var normal: Bool { type == "Normal" }

        /// The short form without the message: `reason object -n namespace [xN]`.
        var head: String {
            var text = reason.isEmpty ? object : (object.isEmpty ? reason : reason + " " + object)
            if !namespace.isEmpty { text += " -n " + namespace }
            if count > 1 { text += " [x\(count)]" }
            return text
        }
    }

    /// Events: counts by type, reason and object kind up front; then one short line per (reason, object) — non-Normal
    /// first, grouped by reason, with repeat counts and trimmed messages; then Normal events while they fit.
    static func compactEvents(_ table: Table, budget: Int, intent: [String], dropped: inout [String]) -> String {
        guard let reasonColumn = table.column("REASON"),
            let objectColumn = table.column("OBJECT") ?? table.column("INVOLVED OBJECT")
        else {
            return compactEventRows(table, budget: budget, intent: intent, dropped: &dropped)
        }
        let typeColumn = table.column("TYPE")
        let namespaceColumn = table.column("NAMESPACE")
        let messageColumn = table.column("MESSAGE")
        let countColumn = table.column("COUNT")

        var typeCounts: [String: Int] = [:]
        var reasonCounts: [String: [String: Int]] = [:]  // type -> reason -> events
        var kinds: [String: Int] = [:]
        struct Key: Hashable {
            var type: String
            var reason: String
            var object: String
            var namespace: String
        }
        var groups: [EventGroup] = []
        var index: [Key: Int] = [:]
        var total = 0
        for row in 0..<table.rowCount {
            let type = typeColumn.map { table.cell(row, $0) } ?? ""
            let reason = table.cell(row, reasonColumn)
            let objectRange = table.cellRange(row, objectColumn)
            let object = table.string(objectRange)
            let namespace = namespaceColumn.map { table.cell(row, $0) } ?? ""
            let events = max(1, countColumn.flatMap { table.number(row, $0) } ?? 1)
            total += events
            typeCounts[type, default: 0] += events
            reasonCounts[type, default: [:]][reason, default: 0] += events
            if let slash = table.bytes[objectRange].firstIndex(of: 0x2F) {
                kinds[table.string(objectRange.lowerBound..<slash), default: 0] += events
            }
            let key = Key(type: type, reason: reason, object: object, namespace: namespace)
            if let existing = index[key] {
                groups[existing].count += events
                if let messageColumn, groups[existing].otherMessages.count < 2 {
                    let message = table.bytes[table.cellRange(row, messageColumn)]
                    if groups[existing].firstMessage < 0 {
                        if !message.isEmpty { groups[existing].firstMessage = row }
                    } else if !message.isEmpty,
                        !groups[existing].messageRows.contains(where: { table.bytes[table.cellRange($0, messageColumn)] == message })
                    {
                        groups[existing].otherMessages.append(row)
                    }
                }
            } else {
                index[key] = groups.count
                let hasMessage = messageColumn.map { !table.cellRange(row, $0).isEmpty } ?? false
                groups.append(
                    EventGroup(
                        type: type, reason: reason, object: object, namespace: namespace, first: row, count: events,
                        firstMessage: hasMessage ? row : -1, intent: !intent.isEmpty && mentions(table.rowText(row), intent)))
            }
        }

        var writer = BudgetWriter(budget: budget)
        let typeOrder = typeCounts.keys.sorted { a, b in
            if (a == "Normal") != (b == "Normal") { return b == "Normal" }
            let countA = typeCounts[a, default: 0]
            let countB = typeCounts[b, default: 0]
            if countA != countB { return countA > countB }
            return a < b
        }
        let rowsNote = countColumn != nil && total != table.rowCount ? "\(table.rowCount) rows with COUNT; " : ""
        writer.appendClipped("events: \(total) (\(rowsNote)types: \(formatCounts(typeCounts)))")
        for type in typeOrder {
            guard let counts = reasonCounts[type] else { continue }
            writer.appendClipped("reasons (\(type.isEmpty ? "no type" : type)): " + formatCounts(counts))
        }
        if !kinds.isEmpty { writer.appendClipped("objects: " + formatCounts(kinds)) }

        // Non-Normal groups: intent first, then by type, reason (most events first) and first appearance.
        let rank = Dictionary(uniqueKeysWithValues: typeOrder.enumerated().map { ($1, $0) })
        let flagged = groups.indices.filter { !groups[$0].normal }.sorted { lhs, rhs in
            let a = groups[lhs]
            let b = groups[rhs]
            if a.intent != b.intent { return a.intent }
            if a.type != b.type { return rank[a.type, default: Int.max] < rank[b.type, default: Int.max] }
            if a.reason != b.reason {
                let ca = reasonCounts[a.type]?[a.reason] ?? 0
                let cb = reasonCounts[b.type]?[b.reason] ?? 0
                return ca != cb ? ca > cb : a.reason < b.reason
            }
            return a.first < b.first
        }
        let normal = groups.indices.filter { groups[$0].normal }.sorted { lhs, rhs in
            let a = groups[lhs]
            let b = groups[rhs]
            if a.intent != b.intent { return a.intent }
            return a.first < b.first
        }

        let markerReserve = 80
        var shownEvents = 0
        var shownFlagged = 0
        var messages: [Int: String] = [:]
        func message(_ position: Int) -> String {
            guard let messageColumn else { return "" }
            if let known = messages[position] { return known }
            let text = groups[position].messageRows.map { table.cell($0, messageColumn) }.joined(separator: " | ")
            messages[position] = text
            return text
        }
        /// The group's messages compared without names and numbers (order-independent).
        func similarity(_ position: Int) -> String {
            guard let messageColumn else { return "" }
            let group = groups[position]
            return group.messageRows.map { similarityKey(table.cell($0, messageColumn), object: group.object, namespace: group.namespace) }
                .sorted().joined(separator: "\u{1}")
        }

        if !flagged.isEmpty {
            let room = max(0, writer.remaining - markerReserve)
            let form = EventRowsForm(groups: groups, flagged: flagged, typeCounts: typeCounts, message: message, similarity: similarity)
            let lines: [(text: String, groups: [Int])]
            if let rows = form.rows(room: room) {
                lines = rows
            } else {
                lines = form.blocks(room: room)
            }
            for line in lines {
                guard writer.append(line.text, reserve: markerReserve) else { break }
                for position in line.groups { shownEvents += groups[position].count }
                shownFlagged += line.groups.count
            }
        }

        // Normal events while they fit, messages trimmed.
        var shownNormal = 0
        if !normal.isEmpty {
            var section: String? = "Normal (\(plural(typeCounts["Normal"] ?? 0, "event"))):"
            for position in normal {
                let group = groups[position]
                var line = group.head
                let text = message(position)
                if !text.isEmpty { line += ": " + clip(text, 80) }
                if let header = section {
                    // The section line only together with its first row.
                    let cost = header.unicodeScalars.count + 1
                    guard writer.remaining - cost > line.unicodeScalars.count + markerReserve else { break }
                    writer.append(header)
                    section = nil
                }
                if !writer.append(line, reserve: markerReserve) { break }
                shownEvents += group.count
                shownNormal += 1
            }
        }
        let omittedFlagged = flagged.count - shownFlagged
        if total > shownEvents {
            writer.appendClipped("… \(total - shownEvents) more events omitted (\(omittedFlagged) distinct non-Normal)")
            dropped.append("\(groups.count - shownFlagged - shownNormal) distinct events")
        }
        return writer.text
    }

    /// Lays out the non-Normal event groups: one short row per group when they all fit with at least the start of
    /// each reason's message, otherwise one block per reason (a head line and its objects by namespace).
    struct EventRowsForm {
        let groups: [EventGroup]
        let flagged: [Int]
        let typeCounts: [String: Int]
        let message: (Int) -> String
        let similarity: (Int) -> String

        /// The shortest message worth showing (in characters, with its ": ").
        static let minimumMessage = 24

        func section(_ type: String) -> String {
            let objects = Set(flagged.lazy.filter { groups[$0].type == type }.map { groups[$0].object + "\u{1}" + groups[$0].namespace })
            return "\(type.isEmpty ? "events" : type) (\(plural(typeCounts[type] ?? 0, "event")), \(plural(objects.count, "object")); "
                + "[xN] = repeats; messages trimmed, a similar message only once per reason):"
        }

        /// One row per group, or nil when the rows and the start of each reason's first message do not fit in `room`.
        func rows(room: Int) -> [(text: String, groups: [Int])]? {
            var heads: [String] = []
            var sections: [Int: String] = [:]
            var cost = 0
            var previousType: String?
            var shownKeys: Set<String> = []
            var seenReasons: Set<String> = []
            var firsts: [Int] = []
            var later: [Int] = []
            for (offset, position) in flagged.enumerated() {
                let group = groups[position]
                if group.type != previousType {
                    let line = section(group.type)
                    sections[offset] = line
                    cost += line.unicodeScalars.count + 1
                    previousType = group.type
                }
                let head = group.head
                heads.append(head)
                cost += head.unicodeScalars.count + 1
                if cost > room { return nil }
                guard !message(position).isEmpty else { continue }
                let reasonKey = group.type + "\u{1}" + group.reason
                guard shownKeys.insert(reasonKey + "\u{1}" + similarity(position)).inserted else { continue }
                if seenReasons.insert(reasonKey).inserted { firsts.append(offset) } else { later.append(offset) }
            }
            let candidates = firsts + later
            let lengths = candidates.map { message(flagged[$0]).unicodeScalars.count + 2 }
            let firstMinimum = firsts.indices.reduce(0) { $0 + min(lengths[$1], Self.minimumMessage) }
            guard cost + firstMinimum <= room else { return nil }
            // Widths: as many messages as can get at least the minimum, first messages of each reason first.
            var widths = [Int](repeating: 0, count: flagged.count)
            var taken = candidates.count
            while taken > 0 {
                let fill = waterFill(Array(lengths.prefix(taken)), room - cost)
                if zip(fill, lengths.prefix(taken)).allSatisfy({ $0 >= min($1, Self.minimumMessage) }) {
                    for (offset, width) in zip(candidates.prefix(taken), fill) { widths[offset] = width }
                    break
                }
                taken -= 1
            }
            var lines: [(text: String, groups: [Int])] = []
            for (offset, position) in flagged.enumerated() {
                if let section = sections[offset] { lines.append((section, [])) }
                var line = heads[offset]
                if widths[offset] > 2 { line += ": " + clip(message(position), widths[offset] - 2) }
                lines.append((line, [position]))
            }
            return lines
        }

        /// One block per type and reason: `Warning BackOff (26 events, 26 objects): message` and the objects by namespace.
        func blocks(room: Int) -> [(text: String, groups: [Int])] {
            var order: [String] = []
            var members: [String: [Int]] = [:]
            for position in flagged {
                let key = groups[position].type + "\u{1}" + groups[position].reason
                if members[key] == nil { order.append(key) }
                members[key, default: []].append(position)
            }
            order = order.filter { members[$0]?.isEmpty == false }
            func firstMessage(_ key: String) -> String { members[key]?.first.map(message) ?? "" }
            var heads: [String] = []
            var entries: [[(text: String, group: Int)]] = []
            for key in order {
                let positions = members[key] ?? []
                guard let firstPosition = positions.first else { continue }
                let first = groups[firstPosition]
                let events = positions.reduce(0) { $0 + groups[$1].count }
                let label = [first.type, first.reason].filter { !$0.isEmpty }.joined(separator: " ")
                heads.append("\(label) (\(plural(events, "event")), \(plural(positions.count, "object")))")
                // Objects grouped by namespace, namespaces in order of first appearance.
                var namespaces: [String] = []
                var byNamespace: [String: [Int]] = [:]
                for position in positions {
                    let namespace = groups[position].namespace
                    if byNamespace[namespace] == nil { namespaces.append(namespace) }
                    byNamespace[namespace, default: []].append(position)
                }
                var list: [(text: String, group: Int)] = []
                for namespace in namespaces {
                    for (index, position) in (byNamespace[namespace] ?? []).enumerated() {
                        let group = groups[position]
                        var text = group.object.isEmpty ? "-" : group.object
                        if group.count > 1 { text += "[x\(group.count)]" }
                        if index == 0 {
                            let lead = list.isEmpty ? "  " : "; "
                            text = lead + (namespace.isEmpty ? "" : namespace + ": ") + text
                        } else {
                            text = " " + text
                        }
                        list.append((text, position))
                    }
                }
                entries.append(list)
            }
            let headCost = heads.reduce(0) { $0 + $1.unicodeScalars.count + 1 }
            let fullLengths = entries.map { list in list.reduce(1) { $0 + $1.text.unicodeScalars.count } }
            var objectWidths = fullLengths
            var messageWidths = [Int](repeating: 0, count: heads.count)
            let fullCost = headCost + fullLengths.reduce(0, +)
            if fullCost <= room {
                let lengths = order.indices.map { index -> Int in
                    let text = firstMessage(order[index])
                    return text.isEmpty ? 0 : text.unicodeScalars.count + 2
                }
                let fill = waterFill(lengths, room - fullCost)
                for index in order.indices where fill[index] >= min(lengths[index], Self.minimumMessage) { messageWidths[index] = fill[index] }
            } else {
                objectWidths = waterFill(fullLengths, max(0, room - headCost))
            }
            var lines: [(text: String, groups: [Int])] = []
            for index in order.indices {
                var head = heads[index]
                if messageWidths[index] > 2 { head += ": " + clip(firstMessage(order[index]), messageWidths[index] - 2) }
                lines.append((head, []))
                // Whole entries while they fit the width, then how many more.
                let list = entries[index]
                var text = ""
                var used = 1
                var shown: [Int] = []
                for (position, entry) in list.enumerated() {
                    let length = entry.text.unicodeScalars.count
                    let tail = position + 1 < list.count ? " … +\(list.count - position - 1) more".unicodeScalars.count : 0
                    if used + length + tail > objectWidths[index] { break }
                    text += entry.text
                    used += length
                    shown.append(entry.group)
                }
                if shown.count < list.count { text += (text.isEmpty ? "  " : " ") + "… +\(list.count - shown.count) more" }
                lines.append((text, shown))
            }
            return lines
        }
    }

    /// "1 event", "3 events".
    static func plural(_ count: Int, _ noun: String) -> String { count == 1 ? "1 \(noun)" : "\(count) \(noun)s" }

    /// A message with the object's name and namespace, words contained in the object's name and numbers folded,
    /// so that "Back-off restarting failed container web in pod web-1_ns" and the same for web-2 compare equal.
    static func similarityKey(_ message: String, object: String, namespace: String) -> String {
        let name = object.split(separator: "/", maxSplits: 1).last.map(String.init) ?? object
        var key = ""
        var token = ""
        func flush() {
            guard !token.isEmpty else { return }
            if token.contains(where: \.isNumber) {
                key += "#"
            } else if token.count >= 3, name.contains(token) || token == namespace {
                key += "@"
            } else {
                key += token
            }
            token = ""
        }
        for character in message {
            if character.isLetter || character.isNumber || character == "-" || character == "_" || character == "." {
                token.append(character)
            } else {
                flush()
                key.append(character)
            }
        }
        flush()
        return key
    }

    /// Widths for items of the given lengths that share `total`: short items get their length, the rest equal shares.
    static func waterFill(_ lengths: [Int], _ total: Int) -> [Int] {
        var widths = [Int](repeating: 0, count: lengths.count)
        var remaining = total
        let order = lengths.indices.sorted { lengths[$0] != lengths[$1] ? lengths[$0] < lengths[$1] : $0 < $1 }
        for (rankIndex, index) in order.enumerated() {
            let share = remaining / (lengths.count - rankIndex)
            widths[index] = min(lengths[index], share)
            remaining -= widths[index]
        }
        return widths
    }

    /// Events without REASON/OBJECT columns: whole rows, non-Normal first, identical rows folded.
    static func compactEventRows(_ table: Table, budget: Int, intent: [String], dropped: inout [String]) -> String {
        let type = table.column("TYPE")
        struct Group {
            var first: Int
            var count: Int
            var warning: Bool
            var intent: Bool
        }
        var types: [String: Int] = [:]
        var groups: [String: Group] = [:]
        for row in 0..<table.rowCount {
            let kind = type.map { table.cell(row, $0) } ?? ""
            types[kind, default: 0] += 1
            let text = table.rowText(row)
            if groups[text] != nil {
                groups[text]?.count += 1
            } else {
                groups[text] = Group(first: row, count: 1, warning: kind != "Normal", intent: mentions(text, intent))
            }
        }
        var writer = BudgetWriter(budget: budget)
        writer.appendClipped("events: \(table.rowCount) (types: \(formatCounts(types)))")
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
            if !writer.append(prefix + table.rowText(group.first), reserve: reserve) { break }
            shownRows += group.count
            shownGroups += 1
        }
        if shownGroups < ordered.count {
            let omittedWarnings = ordered.dropFirst(shownGroups).filter(\.warning).count
            writer.appendClipped("… \(table.rowCount - shownRows) more events omitted (\(omittedWarnings) distinct non-Normal)")
            dropped.append("\(ordered.count - shownGroups) distinct events")
        }
        return writer.text
    }
}
