import Foundation
import VibectlCore

/// Splits a newline-delimited JSON body (one document per line, as Ollama streams) into lines as bytes arrive.
///
/// Chunks may end anywhere, including inside a multi-byte UTF-8 character; a line is only returned
/// once its `\n` arrives (or at the end of the body). A trailing `\r` is removed and blank lines are skipped.
public struct NDJSONParser: Sendable {
    private var line: [UInt8] = []
    private let maxLineBytes: Int

    /// Creates a parser that refuses a line longer than `maxLineBytes`.
    public init(maxLineBytes: Int = 16 << 20) {
        self.maxLineBytes = maxLineBytes
    }

    /// Feeds the next chunk; returns the complete, non-blank lines it ends (without the line break).
    /// - Throws: `.model` when a line exceeds the size limit.
    public mutating func feed(_ chunk: Data) throws -> [Data] {
        var lines: [Data] = []
        for byte in chunk {
            if byte == 0x0A {
                if let complete = takeLine() { lines.append(complete) }
            } else {
                line.append(byte)
                if line.count > maxLineBytes {
                    throw VibectlError(
                        .model, "the provider's stream sent a line larger than \(maxLineBytes >> 20) MiB",
                        hint: "the endpoint may not be a model API; check the provider's base_url")
                }
            }
        }
        return lines
    }

    /// Ends the body: returns the last line if it had no line break.
    public mutating func finish() -> [Data] {
        takeLine().map { [$0] } ?? []
    }

    private mutating func takeLine() -> Data? {
        var bytes = line[...]
        line.removeAll(keepingCapacity: true)
        if bytes.last == 0x0D { bytes = bytes.dropLast() }
        let isBlank = bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
        return isBlank ? nil : Data(bytes)
    }
}
