// `vibectl-bench compact FILE [--budget N] [--intent TEXT] [--repeat N] [--output PATH]`
//
// Compacts FILE with VibectlOutput's Compactor and writes the compacted text to standard output
// (or PATH), then one JSON line of figures to standard error:
//   {"bytes":…, "kind":"json", "original_chars":…, "kept_chars":…, "elapsed_ms":[…], "median_ms":…,
//    "read_ms":…, "max_rss_kib":…}
// elapsed_ms times Compactor.compact alone (the file is read and decoded before the clock starts;
// read_ms is that part); with --repeat N the compaction runs N times and median_ms is the median.
// max_rss_kib is getrusage(RUSAGE_SELF).ru_maxrss: the peak resident set of the whole process.
// Used by bench/compaction.sh.

import Foundation
import VibectlOutput

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the `compact` subcommand with the arguments after the word `compact`; returns the exit status.
func runCompactCommand(_ arguments: [String]) -> Int32 {
    var file: String?
    var budget = 5000
    var intent: String?
    var repeats = 1
    var outputPath: String?
    var index = 0
    func value(_ flag: String) -> String? {
        index += 1
        guard index < arguments.count else {
            FileHandle.standardError.write(Data("vibectl-bench compact: \(flag) needs a value\n".utf8))
            return nil
        }
        return arguments[index]
    }
    while index < arguments.count {
        let argument = arguments[index]
        switch argument {
        case "--budget":
            guard let text = value(argument), let number = Int(text), number > 0 else { return usage() }
            budget = number
        case "--intent":
            guard let text = value(argument) else { return usage() }
            intent = text
        case "--repeat":
            guard let text = value(argument), let number = Int(text), number > 0 else { return usage() }
            repeats = number
        case "--output":
            guard let text = value(argument) else { return usage() }
            outputPath = text
        default:
            guard file == nil, !argument.hasPrefix("--") else { return usage() }
            file = argument
        }
        index += 1
    }
    guard let file else { return usage() }

    let readStart = ContinuousClock.now
    guard let data = FileManager.default.contents(atPath: file) else {
        FileHandle.standardError.write(Data("vibectl-bench compact: cannot read \(file)\n".utf8))
        return 1
    }
    let text = String(decoding: data, as: UTF8.self)
    let readMs = milliseconds(ContinuousClock.now - readStart)

    let options = CompactionOptions(budget: budget, intent: intent)
    var timings: [Double] = []
    var result: CompactionResult?
    for _ in 0..<repeats {
        let start = ContinuousClock.now
        let current = Compactor.compact(text, options: options)
        timings.append(milliseconds(ContinuousClock.now - start))
        result = current
    }
    guard let result else { return 1 }

    let output = Data(result.text.utf8)
    if let outputPath {
        guard FileManager.default.createFile(atPath: outputPath, contents: output) else {
            FileHandle.standardError.write(Data("vibectl-bench compact: cannot write \(outputPath)\n".utf8))
            return 1
        }
    } else {
        FileHandle.standardOutput.write(output)
        FileHandle.standardOutput.write(Data("\n".utf8))
    }

    var usageData = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usageData)
    let sorted = timings.sorted()
    let median = sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    let figures: [String: Any] = [
        "bytes": data.count,
        "kind": result.kind.rawValue,
        "original_chars": result.originalChars,
        "kept_chars": result.keptChars,
        "elapsed_ms": timings,
        "median_ms": median,
        "read_ms": readMs,
        "max_rss_kib": Int(usageData.ru_maxrss),
    ]
    if let line = try? JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys]) {
        FileHandle.standardError.write(line)
        FileHandle.standardError.write(Data("\n".utf8))
    }
    return 0
}

/// Prints the subcommand's usage to standard error and returns exit status 2.
private func usage() -> Int32 {
    FileHandle.standardError.write(
        Data(
            "usage: vibectl-bench compact FILE [--budget N] [--intent TEXT] [--repeat N] [--output PATH]\n".utf8))
    return 2
}
