import Glibc
import ProcWardenKit

/// What procwardenctl writes to stdout.
enum Output {
    static func line(_ text: String) {
        print(text)
    }

    /// One compact JSON document (or one JSON Lines record) per line.
    /// Rendered JSON is valid UTF-8: bytes that are not become arrays.
    static func json(_ value: JSONValue) {
        print(value.text)
    }

    /// A remark about how the output was obtained, as one
    /// `procwardenctl: …` line on stderr, so stdout stays parseable.
    static func note(_ text: String) {
        fflush(nil)
        let bytes = Array("procwardenctl: \(text)\n".utf8)
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// Pushes out what is buffered, so a follower sees each line at once.
    static func flush() {
        fflush(nil)
    }

    /// `labels` right-aligned to the longest, systemctl-status style.
    static func fields(_ rows: [(String, String)]) {
        let width = rows.map(\.0.count).max() ?? 0
        for (label, value) in rows {
            line(String(repeating: " ", count: width - label.count) + label + ": " + value)
        }
    }

    /// Bytes with a base-1024 unit: `512`, `1.5K`, `12.0M`.
    static func size(_ bytes: UInt64) -> String {
        guard bytes >= 1024 else { return "\(bytes)B" }
        var value = Double(bytes)
        for unit in ["K", "M", "G", "T", "P"] {
            value /= 1024
            if value < 1024 || unit == "P" {
                let tenths = Int((value * 10).rounded())
                return "\(tenths / 10).\(tenths % 10)\(unit)"
            }
        }
        return "\(bytes)B"
    }
}
